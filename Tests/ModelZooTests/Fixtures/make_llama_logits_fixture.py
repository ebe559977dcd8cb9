"""Independent NumPy reference for SmolLM2-135M-Instruct (Q4_1 GGUF): dequantizes the weights
itself (Q4_1, Q8_0, F32 block layouts), runs the LLaMA forward pass in float64 and writes the
logits of a short prompt as a JSON fixture for the Swift tests.

    python make_llama_logits_fixture.py <path to SmolLM2-135M-Instruct.Q4_1.gguf> llama_logits_fixture.json

The prompt's token ids come from the transformers GGUF tokenizer loader (so the fixture also
pins the tokenization of the prompt).
"""
import json
import os
import sys

import numpy as np
from gguf import GGUFReader

QK = 32


def f16(raw):
    return raw.view(np.float16).astype(np.float64)


def dequantize(tensor):
    kind = tensor.tensor_type.name
    data = np.asarray(tensor.data)
    ne = [int(x) for x in tensor.shape]  # ggml order: ne0 (contiguous) first
    rows = int(np.prod(ne[1:])) if len(ne) > 1 else 1
    if kind == "F32":
        values = data.astype(np.float64).reshape(-1)
    elif kind == "Q8_0":
        blocks = data.reshape(-1).view(np.uint8).reshape(-1, 34)
        d = f16(blocks[:, 0:2].copy()).reshape(-1, 1)
        q = blocks[:, 2:].view(np.int8).astype(np.float64)
        values = (d * q).reshape(-1)
    elif kind == "Q4_1":
        blocks = data.reshape(-1).view(np.uint8).reshape(-1, 20)
        d = f16(blocks[:, 0:2].copy()).reshape(-1, 1)
        m = f16(blocks[:, 2:4].copy()).reshape(-1, 1)
        qs = blocks[:, 4:]
        low = (qs & 0x0F).astype(np.float64)
        high = (qs >> 4).astype(np.float64)
        values = (np.concatenate([low, high], axis=1) * d + m).reshape(-1)
    else:
        raise ValueError(f"unsupported type {kind}")
    return values.reshape(list(reversed(ne))) if len(ne) > 1 else values


def main():
    path, output = sys.argv[1], sys.argv[2]
    reader = GGUFReader(path)
    weights = {t.name: dequantize(t) for t in reader.tensors}

    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))
    prompt = "The capital of France is Paris. The capital of Germany is"
    ids = tokenizer.encode(prompt, add_special_tokens=False)

    layers, heads, kv_heads, head_dim, eps, theta = 30, 9, 3, 64, 1e-5, 100000.0
    x = weights["token_embd.weight"][ids]  # [T, 576]
    T = len(ids)

    def rms(v, w):
        return v / np.sqrt(np.mean(v * v, axis=-1, keepdims=True) + eps) * w

    inv = theta ** (-np.arange(0, head_dim, 2) / head_dim)  # [32]
    angles = np.arange(T)[:, None] * inv[None, :]  # [T, 32]
    cos, sin = np.cos(angles), np.sin(angles)

    def rope(z):  # z [H, T, D]; adjacent pairs (GGUF layout)
        even, odd = z[..., 0::2], z[..., 1::2]
        out = np.empty_like(z)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out

    mask = np.triu(np.full((T, T), -np.inf), 1)
    for layer in range(layers):
        p = f"blk.{layer}."
        h = rms(x, weights[p + "attn_norm.weight"])
        q = (h @ weights[p + "attn_q.weight"].T).reshape(T, heads, head_dim).transpose(1, 0, 2)
        k = (h @ weights[p + "attn_k.weight"].T).reshape(T, kv_heads, head_dim).transpose(1, 0, 2)
        v = (h @ weights[p + "attn_v.weight"].T).reshape(T, kv_heads, head_dim).transpose(1, 0, 2)
        q, k = rope(q), rope(k)
        group = heads // kv_heads
        k, v = np.repeat(k, group, axis=0), np.repeat(v, group, axis=0)
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head_dim) + mask
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attention = (scores @ v).transpose(1, 0, 2).reshape(T, heads * head_dim)
        x = x + attention @ weights[p + "attn_output.weight"].T
        h = rms(x, weights[p + "ffn_norm.weight"])
        gate = h @ weights[p + "ffn_gate.weight"].T
        up = h @ weights[p + "ffn_up.weight"].T
        x = x + ((gate / (1 + np.exp(-gate))) * up) @ weights[p + "ffn_down.weight"].T
    x = rms(x, weights["output_norm.weight"])
    logits = x @ weights["token_embd.weight"].T  # [T, vocab]

    lse = np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1)) + logits.max(-1)
    top = np.argsort(-logits, axis=-1)[:, :5]
    fixture = {
        "prompt": prompt,
        "ids": ids,
        "positions": [
            {
                "logsumexp": float(lse[t]),
                "top_ids": [int(i) for i in top[t]],
                "top_logits": [float(logits[t, i]) for i in top[t]],
                "first_logits": [float(v) for v in logits[t, :16]],
            }
            for t in range(T)
        ],
        "next_token_greedy": int(top[-1, 0]),
        "next_token_text": tokenizer.decode([int(top[-1, 0])]),
    }
    with open(output, "w") as f:
        json.dump(fixture, f, indent=1)
    print(prompt, "->", repr(fixture["next_token_text"]), "ids", ids)


if __name__ == "__main__":
    main()
