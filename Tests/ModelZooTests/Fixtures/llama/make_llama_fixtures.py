"""Writes the LLaMA fixtures for LLaMAReferenceTests.

Two tiny random Hugging Face `LlamaForCausalLM` models (transformers), saved with
`save_pretrained` (config.json + model.safetensors), plus for each:
- `<name>-gguf.safetensors`: the same weights under llama.cpp GGUF tensor names, with the
  q/k rows permuted as llama.cpp's convert_hf_to_gguf.py does
  (`w.reshape(heads, 2, rows // heads // 2, cols).swapaxes(1, 2)`);
- `<name>-expected.json`: input ids `[batch, length]` and the transformers logits
  `[batch, length, vocab]` (row-major, float32) in evaluation mode.

Run with the torch venv:  /root/venv-torch/bin/python make_llama_fixtures.py
"""

import json
import os
import shutil

import numpy as np
import torch
from safetensors.numpy import save_file
from transformers import LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))

GGUF_NAMES = {
    "input_layernorm": "attn_norm",
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "post_attention_layernorm": "ffn_norm",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}


def gguf_name(name):
    if name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if name == "model.norm.weight":
        return "output_norm.weight"
    if name == "lm_head.weight":
        return "output.weight"
    parts = name.split(".")
    layer = parts[2]
    middle = ".".join(parts[3:-1])
    return f"blk.{layer}.{GGUF_NAMES[middle]}.weight"


def permute_rows(weight, heads):
    rows, cols = weight.shape
    return weight.reshape(heads, 2, rows // heads // 2, cols).swapaxes(1, 2).reshape(rows, cols)


def make(name, seed, batch, length, **config_fields):
    torch.manual_seed(seed)
    config = LlamaConfig(**config_fields)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for parameter_name, parameter in model.named_parameters():
            if parameter.dim() == 1:
                parameter.uniform_(0.5, 1.5)
            else:
                parameter.normal_(0.0, 0.2)
    directory = os.path.join(HERE, name)
    shutil.rmtree(directory, ignore_errors=True)
    model.save_pretrained(directory, safe_serialization=True)
    for extra in os.listdir(directory):
        if extra not in ("config.json", "model.safetensors"):
            os.remove(os.path.join(directory, extra))

    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    if config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    gguf = {}
    for key, value in state.items():
        if key.endswith("q_proj.weight"):
            value = permute_rows(value, config.num_attention_heads)
        elif key.endswith("k_proj.weight"):
            value = permute_rows(value, config.num_key_value_heads)
        gguf[gguf_name(key)] = np.ascontiguousarray(value)
    save_file(gguf, os.path.join(HERE, f"{name}-gguf.safetensors"))

    generator = np.random.default_rng(seed)
    ids = generator.integers(0, config.vocab_size, size=(batch, length))
    with torch.no_grad():
        logits = model(torch.tensor(ids)).logits.numpy().astype(np.float32)
    with open(os.path.join(HERE, f"{name}-expected.json"), "w") as f:
        json.dump({"ids": ids.tolist(), "shape": list(logits.shape), "logits": logits.reshape(-1).tolist()}, f)


make("tiny-tied", seed=11, batch=2, length=7, vocab_size=64, hidden_size=32, num_hidden_layers=2,
     num_attention_heads=4, num_key_value_heads=2, head_dim=8, intermediate_size=48, rms_norm_eps=1e-5,
     rope_theta=100000.0, tie_word_embeddings=True, max_position_embeddings=32, bos_token_id=1,
     eos_token_id=2)
make("tiny-untied", seed=12, batch=1, length=9, vocab_size=40, hidden_size=36, num_hidden_layers=3,
     num_attention_heads=6, num_key_value_heads=3, head_dim=8, intermediate_size=40, rms_norm_eps=1e-6,
     rope_theta=10000.0, tie_word_embeddings=False, max_position_embeddings=16)
