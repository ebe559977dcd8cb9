"""Writes minilm_reference.json: WordPiece ids and sentence embeddings of all-MiniLM-L6-v2.

The reference is Hugging Face transformers: the Rust `tokenizers` WordPiece tokenizer built
from the model's tokenizer.json (what sentence-transformers uses; differences with the
pure-Python `BertTokenizer`, which applies Python's final-sigma lower-casing, are printed) and `BertModel` built from config.json
with the weights of model.safetensors, followed by sentence-transformers' pooling (mean over the
attention mask, then L2 normalization). Each sentence is run alone, so the reference is free of
padding effects.

Usage (from the repository root, with transformers, tokenizers, torch and safetensors):

    python Tests/ModelZooTests/Fixtures/make_minilm_fixture.py

Model files: $PRUNING_MODELS_DIR/all-MiniLM-L6-v2 (default ~/.cache/pruning-models).
Data: $PRUNING_DATA_DIR/wikitext-2-raw/wiki.test.raw (default: the first shared/data folder
beside the current directory or one of its parents).
"""

import json
import os
import pathlib

import torch
from safetensors.torch import load_file
from transformers import BertConfig, BertModel, BertTokenizerFast

try:  # transformers 5 keeps the pure-Python tokenizer under this name
    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as PythonBertTokenizer
except ImportError:
    from transformers import BertTokenizer as PythonBertTokenizer

MAX_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2


def model_folder():
    root = os.environ.get("PRUNING_MODELS_DIR") or os.path.expanduser("~/.cache/pruning-models")
    return pathlib.Path(root) / "all-MiniLM-L6-v2"


def data_folder():
    if os.environ.get("PRUNING_DATA_DIR"):
        return pathlib.Path(os.environ["PRUNING_DATA_DIR"])
    folder = pathlib.Path.cwd()
    for _ in range(4):
        candidate = folder.parent / "shared" / "data"
        if candidate.exists():
            return candidate
        folder = folder.parent
    raise SystemExit("set PRUNING_DATA_DIR to the folder holding wikitext-2-raw/")


def wikitext_paragraphs(tokenizer):
    """The first paragraph of 130-160 pieces and the first of more than 300 (truncated)."""
    lines = (data_folder() / "wikitext-2-raw" / "wiki.test.raw").read_text(encoding="utf-8").split("\n")
    medium = long = None
    for line in lines:
        text = line.strip()
        if not text or text.startswith("="):
            continue
        count = len(tokenizer.tokenize(text))
        if medium is None and 130 <= count <= 160:
            medium = text
        if long is None and count > 300:
            long = text
        if medium and long:
            return medium, long
    raise SystemExit("no suitable WikiText-2 paragraphs")


def main():
    folder = model_folder()
    slow = PythonBertTokenizer(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    fast = BertTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), vocab_file=str(folder / "vocab.txt"))
    medium, long = wikitext_paragraphs(slow)
    sentences = [
        "The quick brown fox jumps over the lazy dog.",
        medium,
        "Café au lait, naïve résumé: Ångström visited São Paulo, Zürich and Kraków; ΟΔΟΣ ΣΑΣ, Straße.",
        "Wait... what?! (Really) \u2014 \"quoted\" [brackets] {braces} <angles> a+b=c^2 ~50% $100 #tag "
        "@user `code` 'single' \u00bfqu\u00e9? \u00a1s\u00ed! \u00abguillemets\u00bb \u2026",
        "\u6211\u7231\u81ea\u7136\u8bed\u8a00\u5904\u7406\u3002\u6771\u4eac\u306f\u65e5\u672c\u306e"
        "\u9996\u90fd\u3067\u3059\u3002\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8, \U00020000 and \uf900.",
        "In 2023, 3.14159 \u00d7 10^5 = 314159.0; call 555-0123 at 10:30pm on 1/2/2024 (v1.2.3), "
        "\u00bd cup, 2\u00b3, \u2460.",
        "Don't stop \u2014 it's JOHN'S caf\u00e9-bar & grill (est. 1999): \"Best\" burgers in town!!",
        "Tabs\tand\nnewlines\r\nand   spaces\u00a0nbsp\u200bzero\u2028line \x07bell \ufffd emoji "
        "\U0001F642 " + "x" * 120 + " unbelievablyextraordinarylongword",
    ]

    rows = []
    for text in sentences + [long]:
        ids = fast(text, truncation=True, max_length=MAX_LENGTH)["input_ids"]
        python_ids = slow(text, truncation=True, max_length=MAX_LENGTH)["input_ids"]
        if ids != python_ids:
            print(f"note: the Python tokenizer differs on {text[:40]!r}: "
                  f"{slow.convert_ids_to_tokens(python_ids)} vs {fast.convert_ids_to_tokens(ids)}")
        rows.append({"text": text, "ids": ids, "pieceCount": len(fast.tokenize(text))})

    config = BertConfig.from_json_file(str(folder / "config.json"))
    config._attn_implementation = "eager"
    model = BertModel(config)
    missing, unexpected = model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=False)
    if missing:
        raise SystemExit(f"weights missing from the checkpoint: {missing}")
    model.eval()

    # The long paragraph only checks truncation (ids); it gets no embedding, to keep the test's
    # batch short.
    truncated = rows.pop()

    with torch.no_grad():
        for index, row in enumerate(rows):
            ids = torch.tensor([row["ids"]])
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            pooled = hidden.mean(dim=1)
            embedding = torch.nn.functional.normalize(pooled, p=2, dim=1)[0]
            row["embedding"] = [float(f"{v:.8g}") for v in embedding.tolist()]
            if index == 0:
                row["lastHiddenState"] = [[float(f"{v:.8g}") for v in token] for token in hidden[0].tolist()]

    out = pathlib.Path(__file__).with_name("minilm_reference.json")
    fixture = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "maxLength": MAX_LENGTH,
        "pooling": "mean over attention mask, then L2 normalization",
        "sentences": rows,
        "truncated": truncated,
    }
    out.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for row in rows + [truncated]:
        print(len(row["ids"]), row["pieceCount"], repr(row["text"][:60]))


if __name__ == "__main__":
    main()
