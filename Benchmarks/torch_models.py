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
- ResNet-20 and the ViT of `train-baselines`: plain torch modules written here with the same
  architecture and parameter names, holding the weights our side sends (the parameter counts
  must match).

Workloads (input keys in brackets):
- llm-prefill [ids, checkPositions, checkLogits]: one forward pass over the ids, all logits;
- llm-decode [prompt, newTokens, tokens]: greedy decoding with the KV cache, LM head on the last
  position only (a plain loop over the model's forward, as our `generate` does); the time
  includes the prompt's forward. `generate_best` etc. time transformers' `generate` on the
  same prompt for comparison;
- perplexity [ids, windowLength, perplexity]: non-overlapping windows, each scored alone;
- minilm [sentences, batchSize, maxLength, embeddings]: tokenization, forward and pooling of
  all sentences in batches of similar length (longest first, as our SentenceEncoder does);
- resnet20-train, vit-train [model, optimizer, parameterCount, weights, images, labels, losses]:
  training steps of the Fashion-MNIST baselines on one 1×28×28 batch from our initial weights
  (forward, cross-entropy, backward, clipping for the ViT, SGD-momentum or AdamW step); the
  losses of the first steps are compared with ours;
- resnet20-eval, vit-eval [model, parameterCount, weights, images, logits]: the logits of the
  batch in evaluation mode without gradients.

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


# ---- Fashion-MNIST baselines ----------------------------------------------------------------------

def resnet20():
    """ResNet-20 as `ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10)` builds it: a 3×3
    stem (stride 1, 16 channels) + BatchNorm + ReLU, three stages of three basic blocks (16, 32,
    64 channels; the first block of stages 2 and 3 has stride 2), 1×1 convolution + BatchNorm
    projection shortcuts where the shape changes (option B), convolutions without bias, BatchNorm
    ε 1e-5 and momentum 0.1, global average pooling and a linear classifier. Parameter names as
    torchvision's ResNet."""
    from torch import nn

    class BasicBlock(nn.Module):
        def __init__(self, inputs, outputs, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(outputs)
            self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(outputs)
            self.downsample = None
            if stride != 1 or inputs != outputs:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs))

        def forward(self, x):
            inner = self.bn1(self.conv1(x)).relu()
            residual = self.bn2(self.conv2(inner))
            return (residual + (x if self.downsample is None else self.downsample(x))).relu()

    class ResNet20(nn.Module):
        def __init__(self, widths=(16, 32, 64), blocks=3, input_channels=1, classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(input_channels, widths[0], 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            channels = widths[0]
            for index, width in enumerate(widths):
                stage = []
                for block in range(blocks):
                    stage.append(BasicBlock(channels, width, 2 if index > 0 and block == 0 else 1))
                    channels = width
                setattr(self, f"layer{index + 1}", nn.Sequential(*stage))
            self.stages = len(widths)
            self.fc = nn.Linear(channels, classes)

        def forward(self, x):
            x = self.bn1(self.conv1(x)).relu()
            for index in range(self.stages):
                x = getattr(self, f"layer{index + 1}")(x)
            return self.fc(x.mean(dim=(2, 3)))

    return ResNet20()


def vision_transformer(attention):
    """The ViT as `train-baselines` builds it: 28×28 images, 4×4 patches embedded by a strided
    convolution with bias (49 tokens) after a learned class token, learned position embeddings
    added to all 50, 6 pre-norm blocks (LayerNorm ε 1e-6; fused qkv projection with bias, 4 heads
    of 24, output projection; MLP 96 → 192 → 96 with the exact GELU), a final LayerNorm and a
    linear head on the class token. Parameter names as timm's VisionTransformer. `attention`:
    "sdpa" (torch's fused kernel) or "eager" (softmax(QKᵀ/√d)V spelled out)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Attention(nn.Module):
        def __init__(self, width, heads):
            super().__init__()
            self.heads = heads
            self.qkv = nn.Linear(width, 3 * width)
            self.proj = nn.Linear(width, width)

        def forward(self, x):
            batch, tokens, width = x.shape
            q, k, v = self.qkv(x).reshape(batch, tokens, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4)
            if attention == "sdpa":
                attended = F.scaled_dot_product_attention(q, k, v)
            else:
                weights = (q @ k.transpose(-2, -1) * (width // self.heads) ** -0.5).softmax(dim=-1)
                attended = weights @ v
            return self.proj(attended.transpose(1, 2).reshape(batch, tokens, width))

    class Mlp(nn.Module):
        def __init__(self, width, hidden):
            super().__init__()
            self.fc1 = nn.Linear(width, hidden)
            self.fc2 = nn.Linear(hidden, width)

        def forward(self, x):
            return self.fc2(F.gelu(self.fc1(x)))

    class Block(nn.Module):
        def __init__(self, width, heads, hidden):
            super().__init__()
            self.norm1 = nn.LayerNorm(width, eps=1e-6)
            self.attn = Attention(width, heads)
            self.norm2 = nn.LayerNorm(width, eps=1e-6)
            self.mlp = Mlp(width, hidden)

        def forward(self, x):
            x = x + self.attn(self.norm1(x))
            return x + self.mlp(self.norm2(x))

    class PatchEmbedding(nn.Module):
        def __init__(self, channels, width, patch):
            super().__init__()
            self.proj = nn.Conv2d(channels, width, patch, stride=patch)

    class VisionTransformer(nn.Module):
        def __init__(self, image=28, patch=4, channels=1, classes=10, width=96, depth=6, heads=4, mlp_ratio=2):
            super().__init__()
            self.patch_embed = PatchEmbedding(channels, width, patch)
            self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
            self.pos_embed = nn.Parameter(torch.zeros(1, 1 + (image // patch) ** 2, width))
            self.blocks = nn.Sequential(*[Block(width, heads, round(width * mlp_ratio)) for _ in range(depth)])
            self.norm = nn.LayerNorm(width, eps=1e-6)
            self.head = nn.Linear(width, classes)

        def forward(self, images):
            patches = self.patch_embed.proj(images).flatten(2).transpose(1, 2)
            tokens = torch.cat([self.cls_token.expand(images.shape[0], -1, -1), patches], dim=1) + self.pos_embed
            return self.head(self.norm(self.blocks(tokens)[:, 0]))

    return VisionTransformer()


def vision_model(data, attention):
    """The model named in the input, holding our weights, with matching parameter counts."""
    import torch

    model = resnet20() if data["model"] == "resnet20" else vision_transformer(attention)
    state = {name: torch.tensor(entry["values"], dtype=torch.float32).reshape(entry["shape"])
             for name, entry in data["weights"].items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [name for name in missing if not name.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"{data['model']}: weights missing {missing}, unexpected {unexpected}")
    count = sum(p.numel() for p in model.parameters())
    note(f"{data['model']}: {count} parameters in PyTorch, {data['parameterCount']} in ours")
    if count != data["parameterCount"]:
        raise SystemExit(f"{data['model']}: PyTorch has {count} parameters, ours {data['parameterCount']}")
    return model, count


def vision_batch(data):
    import torch

    return torch.tensor(data["images"], dtype=torch.float32).reshape(-1, 1, 28, 28)


def vision_train(attention, data, samples):
    """Training steps on the same batch from our initial weights: forward, cross-entropy,
    backward, gradient-norm clipping at 1 (ViT), optimizer step. SGD: learning rate 0.1,
    momentum 0.9, weight decay 5e-4; AdamW: 1e-3, decay 0.05 on weights of rank ≥ 2 except
    pos_embed and cls_token."""
    import torch
    import torch.nn.functional as F

    model, count = vision_model(data, attention)
    images, labels = vision_batch(data), torch.tensor(data["labels"])
    if data["optimizer"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
        clip = None
    else:
        decayed = [p for name, p in model.named_parameters() if p.ndim >= 2 and name not in ("pos_embed", "cls_token")]
        plain = [p for name, p in model.named_parameters() if not (p.ndim >= 2 and name not in ("pos_embed", "cls_token"))]
        optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": 0.05}, {"params": plain, "weight_decay": 0.0}],
                                      lr=1e-3)
        clip = 1.0
    model.train()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        return loss.item()

    losses = [step() for _ in data["losses"]]
    difference = max(abs(a - b) / abs(b) for a, b in zip(losses, data["losses"]))
    note(f"{data['model']} training: PyTorch losses {', '.join(f'{x:.5f}' for x in losses)}; "
         f"largest relative difference from ours {difference:.2g}")
    if difference > 1e-3:
        raise SystemExit(f"{data['model']} training: losses {losses} differ from ours {data['losses']}")
    timing = timeit(step, samples)
    return {**timing, "parameterCount": count, "maxRelativeLossDifference": difference}


def vision_eval(attention, data, samples):
    """Logits of the batch in evaluation mode under `inference_mode`."""
    import torch

    model, count = vision_model(data, attention)
    images = vision_batch(data)
    model.eval()
    with torch.inference_mode():
        logits = model(images)
        difference = (logits.flatten() - torch.tensor(data["logits"])).abs().max().item()
        note(f"{data['model']} inference: max |ours - PyTorch| over the logits = {difference:.3g}")
        if difference > 1e-3:
            raise SystemExit(f"{data['model']} inference: logits differ by {difference}")
        timing = timeit(lambda: model(images), samples)
    return {**timing, "parameterCount": count, "maxAbsLogitDifference": difference}


# ---- driver --------------------------------------------------------------------------------------

# Workload name -> function(model, input, samples) for the SmolLM2 workloads, which share one
# model, and function(attention, input, samples) for those that build their own. A new workload
# adds its entry here and its `ModelWorkload` on the Swift side.
LANGUAGE_MODEL_WORKLOADS = {"llm-prefill": llm_prefill, "llm-decode": llm_decode, "perplexity": llm_perplexity}
ENCODER_WORKLOADS = {"minilm": minilm_embed, "resnet20-train": vision_train, "vit-train": vision_train,
                     "resnet20-eval": vision_eval, "vit-eval": vision_eval}


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
