"""PyTorch CPU timings of the ModelZoo workloads, on the same models and the same inputs as the
Swift `model-benchmarks` executable, printed as one JSON line so that the Swift side reports its
own figures as ratios measured in the same run.

    python torch_models.py llm-prefill --input inputs.json --threads 1 --samples 5

The Swift side writes the inputs (token ids, sentences) and its own outputs (logits, generated
tokens, perplexity, embeddings) to the JSON file named by --input; this script times the same
work in PyTorch and cross-checks the outputs. A failed cross-check exits non-zero.

Models:
- SmolLM2-135M-Instruct from the Q4_1 GGUF file, dequantized with the `gguf` package to float32,
  q/k rows un-permuted to the Hugging Face layout (llama.cpp's converter interleaved the rotary
  pairs), loaded into `transformers.LlamaForCausalLM` (attention: --attention, default "sdpa",
  PyTorch's default; "eager" is the explicit softmax(QK^T)V).
- all-MiniLM-L6-v2: `transformers.BertModel` from config.json + model.safetensors, the fast
  (Rust) tokenizer from tokenizer.json, sentence-transformers' mean pooling and L2 normalization.

Workloads (input keys in brackets):
- llm-prefill [ids, checkPositions, checkLogits]: one forward pass over the ids, all logits;
- llm-decode [prompt, newTokens, tokens]: greedy decoding with the KV cache, LM head on the last
  position only (a plain loop over the model's forward, as our `generate` does); the time
  includes the prompt's forward. `generate_best` etc. time transformers' `generate` on the
  same prompt for comparison;
- perplexity [ids, windowLength, perplexity]: non-overlapping windows, each scored alone;
- minilm [sentences, batchSize, maxLength, embeddings]: tokenization, forward and pooling of
  all sentences in batches of similar length (longest first, as our SentenceEncoder does).

Model files: $PRUNING_MODELS_DIR (default ~/.cache/pruning-models).
Timings: "best" and "median" wall-clock seconds per run and the least process CPU seconds of a
run ("cpu"), for the main variant and as "<variant>_best" etc. for others; every other key is a
cross-check figure.
"""
import argparse
import json
import math
import os
import pathlib
import statistics
import sys
import time


def model_folder():
    root = os.environ.get("PRUNING_MODELS_DIR") or os.path.expanduser("~/.cache/pruning-models")
    return pathlib.Path(root)


def timeit(fn, samples, warmup=1):
    """Best and median wall-clock seconds of `samples` runs, and the least process CPU time."""
    for _ in range(warmup):
        fn()
    times, cpu_times = [], []
    for _ in range(samples):
        start, cpu_start = time.perf_counter(), time.process_time()
        fn()
        cpu_times.append(time.process_time() - cpu_start)
        times.append(time.perf_counter() - start)
    return {"best": min(times), "median": statistics.median(times), "cpu": min(cpu_times)}


def note(message):
    print(message, file=sys.stderr, flush=True)


# ---- SmolLM2 ------------------------------------------------------------------------------------

SMOLLM2 = dict(hidden=576, layers=30, heads=9, kv_heads=3, head_dim=64, intermediate=1536,
               rope_theta=100000.0, rms_eps=1e-5, vocab=49152, context=8192)

GGUF_BLOCK_NAMES = {
    "attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def unpermute_rotary_rows(weight, heads):
    """Undoes llama.cpp's q/k permutation: within each head, GGUF row 2j + a holds Hugging Face
    row a * d/2 + j (a in {0, 1}), i.e. HF = GGUF.reshape(heads, d/2, 2, in).swapaxes(1, 2)."""
    rows, columns = weight.shape
    half = rows // heads // 2
    return weight.reshape(heads, half, 2, columns).swapaxes(1, 2).reshape(rows, columns)


def smollm2_state_dict(path):
    import gguf
    import numpy as np
    import torch

    reader = gguf.GGUFReader(str(path))

    def metadata(key):
        field = reader.fields[key]
        return field.parts[field.data[0]][0]

    expected = {"llama.embedding_length": SMOLLM2["hidden"], "llama.block_count": SMOLLM2["layers"],
                "llama.attention.head_count": SMOLLM2["heads"],
                "llama.attention.head_count_kv": SMOLLM2["kv_heads"],
                "llama.feed_forward_length": SMOLLM2["intermediate"]}
    for key, value in expected.items():
        if int(metadata(key)) != value:
            raise SystemExit(f"{path}: {key} is {metadata(key)}, expected {value}")

    state = {}
    for tensor in reader.tensors:
        weight = np.array(gguf.quants.dequantize(tensor.data, tensor.tensor_type), dtype=np.float32)
        name = tensor.name
        if name == "token_embd.weight":
            state["model.embed_tokens.weight"] = weight
        elif name == "output_norm.weight":
            state["model.norm.weight"] = weight
        elif name.startswith("blk."):
            _, layer, part, _ = name.split(".")
            if part == "attn_q":
                weight = unpermute_rotary_rows(weight, SMOLLM2["heads"])
            elif part == "attn_k":
                weight = unpermute_rotary_rows(weight, SMOLLM2["kv_heads"])
            state[f"model.layers.{layer}.{GGUF_BLOCK_NAMES[part]}.weight"] = weight
        else:
            raise SystemExit(f"{path}: unexpected tensor {name}")
    return {name: torch.from_numpy(np.ascontiguousarray(w)) for name, w in state.items()}


def smollm2(attention):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=SMOLLM2["vocab"], hidden_size=SMOLLM2["hidden"], intermediate_size=SMOLLM2["intermediate"],
        num_hidden_layers=SMOLLM2["layers"], num_attention_heads=SMOLLM2["heads"],
        num_key_value_heads=SMOLLM2["kv_heads"], head_dim=SMOLLM2["head_dim"], hidden_act="silu",
        max_position_embeddings=SMOLLM2["context"], rms_norm_eps=SMOLLM2["rms_eps"],
        rope_parameters={"rope_type": "default", "rope_theta": SMOLLM2["rope_theta"]},
        tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, pad_token_id=2)
    config._attn_implementation = attention
    model = LlamaForCausalLM(config)
    state = smollm2_state_dict(model_folder() / "SmolLM2-135M-Instruct.Q4_1.gguf")
    state["lm_head.weight"] = state["model.embed_tokens.weight"]
    model.load_state_dict(state, strict=True)
    model.tie_weights()
    if model.lm_head.weight.data_ptr() != model.model.embed_tokens.weight.data_ptr():
        raise SystemExit("the LM head is not tied to the embeddings")
    return model.eval()


def llm_prefill(model, data, samples):
    import torch

    ids = torch.tensor([data["ids"]])
    with torch.inference_mode():
        logits = model(input_ids=ids).logits[0]
        ours = torch.tensor(data["checkLogits"])
        theirs = logits[data["checkPositions"]]
        difference = (theirs - ours).abs().max().item()
        scale = theirs.abs().max().item()
        agree = (theirs.argmax(-1) == ours.argmax(-1)).float().mean().item()
        note(f"llm-prefill: logits at positions {data['checkPositions']}: max |ours - PyTorch| = {difference:.3g} "
             f"(largest |logit| {scale:.3g}); argmax agreement {agree:.0%}")
        if difference > 5e-2 * max(scale, 1):
            raise SystemExit(f"llm-prefill: logits differ by {difference} (tolerance {5e-2 * max(scale, 1)})")
        timing = timeit(lambda: model(input_ids=ids).logits, samples)
    return {**timing, "maxAbsLogitDifference": difference, "argmaxAgreement": agree}


def greedy(model, prompt, new_tokens):
    """The greedy continuation of `prompt`: the prompt's forward fills a key-value cache (LM head
    on its last position only), then one forward per new token."""
    import inspect

    import torch
    from transformers import DynamicCache

    # transformers 5 renamed `past_key_values` to `cache`; the cache object is updated in place.
    keyword = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    cache = DynamicCache(config=model.config)
    output = model(input_ids=torch.tensor([prompt]), use_cache=True, logits_to_keep=1, **{keyword: cache})
    tokens = []
    for step in range(new_tokens):
        token = output.logits[0, -1].argmax().item()
        tokens.append(token)
        if step == new_tokens - 1:
            break
        output = model(input_ids=torch.tensor([[token]]), use_cache=True, **{keyword: cache})
    return tokens


def llm_decode(model, data, samples):
    import torch

    prompt, count = data["prompt"], data["newTokens"]
    with torch.inference_mode():
        tokens = greedy(model, prompt, count)
        agreeing = next((i for i, (a, b) in enumerate(zip(tokens, data["tokens"])) if a != b), count)
        note(f"llm-decode: the first {agreeing} of {count} greedy tokens agree with ours")
        timing = timeit(lambda: greedy(model, prompt, count), samples)
        ids = torch.tensor([prompt])
        generate = lambda: model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=count,
            min_new_tokens=count, use_cache=True)
        generated = generate()[0, len(prompt):].tolist()
        if generated != tokens:
            note("llm-decode: transformers' generate chose other tokens than the plain greedy loop")
        timing_generate = timeit(generate, samples)
    return {**timing, "agreeingTokens": agreeing, **{f"generate_{key}": value for key, value in timing_generate.items()}}


def perplexity(model, ids, window):
    import torch
    import torch.nn.functional as F

    total, scored = 0.0, 0
    for begin in range(0, len(ids), window):
        chunk = ids[begin:begin + window]
        if len(chunk) < 2:
            continue
        logits = model(input_ids=torch.tensor([chunk])).logits[0, :-1]
        total += F.cross_entropy(logits, torch.tensor(chunk[1:]), reduction="sum").item()
        scored += len(chunk) - 1
    return math.exp(total / scored)


def llm_perplexity(model, data, samples):
    import torch

    ids, window = data["ids"], data["windowLength"]
    with torch.inference_mode():
        value = perplexity(model, ids, window)
        relative = abs(value - data["perplexity"]) / value
        note(f"perplexity: PyTorch {value:.4f}, ours {data['perplexity']:.4f} (relative difference {relative:.2g})")
        if relative > 1e-3:
            raise SystemExit(f"perplexity: {value} differs from ours {data['perplexity']}")
        timing = timeit(lambda: perplexity(model, ids, window), samples)
    return {**timing, "perplexity": value}


# ---- all-MiniLM-L6-v2 ----------------------------------------------------------------------------

def minilm(attention):
    from safetensors.torch import load_file
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = model_folder() / "all-MiniLM-L6-v2"
    tokenizer = BertTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), vocab_file=str(folder / "vocab.txt"))
    config = BertConfig.from_json_file(str(folder / "config.json"))
    config._attn_implementation = attention
    model = BertModel(config, add_pooling_layer=False)
    missing, _ = model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=False)
    if missing:
        raise SystemExit(f"weights missing from the checkpoint: {missing}")
    return tokenizer, model.eval()


def embed(tokenizer, model, sentences, batch_size, max_length):
    """Unit-length mean-pooled embeddings, in the order of `sentences`."""
    import torch
    import torch.nn.functional as F

    encoded = tokenizer(sentences, truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    result = torch.empty(len(sentences), model.config.hidden_size)
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        length = len(encoded[rows[0]])
        ids = torch.full((len(rows), length), tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros(len(rows), length, dtype=torch.long)
        for k, row in enumerate(rows):
            ids[k, :len(encoded[row])] = torch.tensor(encoded[row])
            mask[k, :len(encoded[row])] = 1
        hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        result[rows] = F.normalize(pooled, p=2, dim=1)
    return result


def minilm_embed(attention, data, samples):
    import torch

    tokenizer, model = minilm(attention)
    sentences, batch, length = data["sentences"], data["batchSize"], data["maxLength"]
    with torch.inference_mode():
        embeddings = embed(tokenizer, model, sentences, batch, length)
        difference = (embeddings - torch.tensor(data["embeddings"])).abs().max().item()
        note(f"minilm: max |ours - PyTorch| over {len(sentences)} embeddings = {difference:.3g}")
        if difference > 1e-3:
            raise SystemExit(f"minilm: embeddings differ by {difference}")
        timing = timeit(lambda: embed(tokenizer, model, sentences, batch, length), samples)
    return {**timing, "maxAbsEmbeddingDifference": difference}


# ---- driver --------------------------------------------------------------------------------------

# Workload name -> function(model, input, samples) for the SmolLM2 workloads, which share one
# model, and function(attention, input, samples) for those that build their own. A new workload
# (the vision models, for instance) adds its entry here and its `ModelWorkload` on the Swift side.
LANGUAGE_MODEL_WORKLOADS = {"llm-prefill": llm_prefill, "llm-decode": llm_decode, "perplexity": llm_perplexity}
ENCODER_WORKLOADS = {"minilm": minilm_embed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=sorted(LANGUAGE_MODEL_WORKLOADS) + sorted(ENCODER_WORKLOADS))
    parser.add_argument("--input", required=True, help="the JSON file of inputs written by model-benchmarks")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--attention", default="sdpa", choices=["sdpa", "eager"])
    args = parser.parse_args()
    # The fast tokenizer parallelizes batches with its own thread pool: give it the same budget.
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)
    os.environ["RAYON_RS_NUM_CPUS"] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    data = json.loads(pathlib.Path(args.input).read_text(encoding="utf-8"))
    if args.workload in LANGUAGE_MODEL_WORKLOADS:
        result = LANGUAGE_MODEL_WORKLOADS[args.workload](smollm2(args.attention), data, args.samples)
    else:
        result = ENCODER_WORKLOADS[args.workload](args.attention, data, args.samples)
    result["torchThreads"] = torch.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
