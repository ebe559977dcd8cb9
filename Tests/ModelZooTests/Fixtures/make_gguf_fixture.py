"""Writes the GGUF reference fixtures used by GGUFRealFileTests and GGUFDequantizationTests.

gguf_quant_blocks.json: for each block format, random blocks (raw bytes, hex) and their
dequantization by the `gguf` package (`gguf.quants.dequantize`), an independent reference for the
Swift kernels.

smollm2_gguf_reference.json: facts about SmolLM2-135M-Instruct.Q4_1.gguf read with
`gguf.GGUFReader` and dequantized with `gguf.quants.dequantize`: version, tensor count, a few
metadata values, and for a few tensors the shape, type, first and last 8 values, the float64
sum, and one full row of the token embedding.

Usage: python make_gguf_fixture.py <path to SmolLM2-135M-Instruct.Q4_1.gguf>
"""
import json
import os
import sys

import numpy as np
from gguf import GGMLQuantizationType as Q
from gguf import GGML_QUANT_SIZES, GGUFReader
from gguf.quants import dequantize

HERE = os.path.dirname(os.path.abspath(__file__))


def f16_bytes(values):
    return np.asarray(values, dtype=np.float16).view(np.uint8)


def quant_blocks():
    rng = np.random.default_rng(20240611)
    # (type, blocks, byte offsets of f16 scale fields)
    formats = [
        (Q.Q4_0, 3, [0]),
        (Q.Q4_1, 3, [0, 2]),
        (Q.Q5_0, 3, [0]),
        (Q.Q5_1, 3, [0, 2]),
        (Q.Q8_0, 3, [0]),
        (Q.Q4_K, 2, [0, 2]),
        (Q.Q6_K, 2, [208]),
    ]
    fixture = {}
    for qtype, blocks, scale_offsets in formats:
        block_size, type_size = GGML_QUANT_SIZES[qtype]
        raw = rng.integers(0, 256, size=(blocks, type_size), dtype=np.uint8)
        for offset in scale_offsets:
            scales = rng.uniform(0.001, 0.1, size=blocks) * rng.choice([-1.0, 1.0], size=blocks)
            raw[:, offset:offset + 2] = f16_bytes(scales).reshape(blocks, 2)
        values = dequantize(raw.reshape(-1), qtype).astype(np.float32).reshape(-1)
        assert values.size == blocks * block_size and np.all(np.isfinite(values))
        fixture[qtype.name] = {
            "type": int(qtype.value),
            "elements": int(values.size),
            "bytes": raw.reshape(-1).tobytes().hex(),
            "values": [float(v) for v in values],
        }
    halves = rng.normal(0, 3, size=64).astype(np.float16)
    halves[:4] = [0.0, -0.0, 6.0e-8, 65504.0]  # zero, negative zero, smallest subnormal, largest
    fixture["F16"] = {
        "type": int(Q.F16.value), "elements": 64, "bytes": halves.view(np.uint8).tobytes().hex(),
        "values": [float(v) for v in halves.astype(np.float32)],
    }
    floats = rng.normal(0, 3, size=64).astype(np.float32)
    bf16 = (floats.view(np.uint32) >> 16).astype(np.uint16)
    fixture["BF16"] = {
        "type": int(Q.BF16.value), "elements": 64, "bytes": bf16.view(np.uint8).tobytes().hex(),
        "values": [float(v) for v in (bf16.astype(np.uint32) << 16).view(np.float32)],
    }
    return fixture


def field_value(reader, key):
    field = reader.get_field(key)
    return field.contents()


def smollm2_reference(path):
    reader = GGUFReader(path)
    tensors = {t.name: t for t in reader.tensors}
    result = {
        "version": int(field_value(reader, "GGUF.version")),
        "tensor_count": len(reader.tensors),
        "metadata_count": len(reader.fields) - 3,
        "data_offset": int(reader.data_offset),
        "metadata": {
            key: field_value(reader, key) for key in [
                "general.architecture", "general.name", "llama.block_count", "llama.context_length",
                "llama.embedding_length", "llama.feed_forward_length", "llama.attention.head_count",
                "llama.attention.head_count_kv", "llama.rope.freq_base",
                "llama.attention.layer_norm_rms_epsilon", "llama.vocab_size", "tokenizer.ggml.model",
                "tokenizer.ggml.pre", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                "tokenizer.ggml.add_bos_token", "general.languages",
            ]
        },
        "token_count": len(field_value(reader, "tokenizer.ggml.tokens")),
        "merge_count": len(field_value(reader, "tokenizer.ggml.merges")),
        "first_tokens": field_value(reader, "tokenizer.ggml.tokens")[:8],
        "first_merges": field_value(reader, "tokenizer.ggml.merges")[:10],
        "tensors": {},
    }
    result["metadata"]["llama.rope.freq_base"] = float(result["metadata"]["llama.rope.freq_base"])
    eps = result["metadata"]["llama.attention.layer_norm_rms_epsilon"]
    result["metadata"]["llama.attention.layer_norm_rms_epsilon"] = float(eps)
    for name in ["blk.0.attn_q.weight", "blk.17.ffn_down.weight", "token_embd.weight", "output_norm.weight"]:
        tensor = tensors[name]
        values = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        flat = values.reshape(-1)
        entry = {
            "ggml_dimensions": [int(n) for n in tensor.shape],
            "type": tensor.tensor_type.name,
            "offset": int(tensor.data_offset - reader.data_offset),
            "first": [float(v) for v in flat[:8]],
            "last": [float(v) for v in flat[-8:]],
            "sum": float(flat.astype(np.float64).sum()),
        }
        if name == "token_embd.weight":
            entry["row_1000"] = [float(v) for v in values.reshape(-1, 576)[1000]]
        result["tensors"][name] = entry
    return result


def main():
    with open(os.path.join(HERE, "gguf_quant_blocks.json"), "w") as out:
        json.dump(quant_blocks(), out)
    if len(sys.argv) > 1:
        with open(os.path.join(HERE, "smollm2_gguf_reference.json"), "w") as out:
            json.dump(smollm2_reference(sys.argv[1]), out, indent=1)


if __name__ == "__main__":
    main()
