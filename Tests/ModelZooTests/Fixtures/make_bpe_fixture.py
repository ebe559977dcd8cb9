"""Writes smollm2_bpe_reference.json, the reference encodings for BPETokenizerTests.

The tokenizer is rebuilt with the Hugging Face `tokenizers` library from the vocabulary and merges
stored in SmolLM2-135M-Instruct.Q4_1.gguf (read with `gguf.GGUFReader`), with SmolLM2's own
pipeline: pre-tokenizer Sequence[Digits(individual_digits=True), ByteLevel(add_prefix_space=False,
use_regex=True)], BPE on bytes, ByteLevel decoder, and the control tokens (type 3) as special
tokens matched whole. (This equals llama.cpp's `smollm` pre-tokenizer.)

Lines: the first 2,000 lines of wiki.test.raw (split on "\\n") that are not blank, each encoded
with its trailing newline. The fixture stores the file line index of each; the full ids of the first
300; and for all 2,000 the token count and a 64-bit FNV-1a hash of the ids (each id as 4
little-endian bytes). Tricky strings are stored with their ids, their pre-tokens, and the decoded
text.

Usage: python make_bpe_fixture.py <SmolLM2 gguf> <wiki.test.raw>
"""
import json
import os
import sys

from gguf import GGUFReader
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

HERE = os.path.dirname(os.path.abspath(__file__))

TRICKY = [
    "12345",
    "naïve café 日本語 🙂",
    "a  b   c    d",
    "  leading spaces",
    "trailing spaces   ",
    "\n\n\nx\n \n",
    "hello   \n   world\t\ttab",
    "\r\n windows line\r\n",
    "<|im_start|>user\nHello!<|im_end|>\n",
    "<|im_start|><|im_end|><|endoftext|>",
    "<|im_start <repo_name>x<reponame>y<jupyter_code>print(1)",
    "don't I'll we're they've she'd I'm it's DON'T 'tis x'sy ''s",
    "'s 's ' s 'll'", 
    "3.14159 and 1,000,000 or 2024-06-11",
    "unicode digits ١٢٣ and ½ ² Ⅻ ⑦",
    "non\u00a0breaking\u2003em space\u3000ideographic",
    "emoji 👨‍👩‍👧‍👦 family and flags 🇫🇷",
    "Zürich Straße ΑΘΗΝΑ Москва ﬁ",
    "combining e\u0301 vs \u00e9",
    "x = y++; // c0de {}[]<>$%^&*",
    "zero\u200bwidth",
    "",
    " ",
    "a" * 300,
    "abc" * 100,
    "ünïcödé" * 40,
    "http://example.com/a/very/long/path/without/any/spaces/at/all/" * 4,
]


def fnv1a(ids):
    h = 0xCBF29CE484222325
    for i in ids:
        for b in int(i).to_bytes(4, "little"):
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def build_tokenizer(gguf_path):
    reader = GGUFReader(gguf_path)
    tokens = reader.get_field("tokenizer.ggml.tokens").contents()
    merges = reader.get_field("tokenizer.ggml.merges").contents()
    types = reader.get_field("tokenizer.ggml.token_type").contents()
    vocab = {token: index for index, token in enumerate(tokens)}
    bpe = models.BPE(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges])
    tokenizer = Tokenizer(bpe)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    specials = [AddedToken(t, special=True, normalized=False) for t, k in zip(tokens, types) if k == 3]
    tokenizer.add_special_tokens(specials)
    return tokenizer


def unspell(piece):
    table = {}
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    n = 0
    for b in range(256):
        if b in printable:
            table[chr(b)] = b
        else:
            table[chr(256 + n)] = b
            n += 1
    return bytes(table[c] for c in piece).decode("utf-8", errors="replace")


def main():
    gguf_path, wiki_path = sys.argv[1], sys.argv[2]
    tokenizer = build_tokenizer(gguf_path)
    with open(wiki_path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    selected = [i for i, line in enumerate(lines) if line.strip() != ""][:2000]
    encodings = [tokenizer.encode(lines[i] + "\n", add_special_tokens=False).ids for i in selected]
    fixture = {
        "line_indices": selected,
        "full_ids": encodings[:300],
        "counts": [len(ids) for ids in encodings],
        "hashes": [str(fnv1a(ids)) for ids in encodings],
        "tricky": [
            {
                "text": text,
                "ids": tokenizer.encode(text, add_special_tokens=False).ids,
                "pre_tokens": [unspell(p) for p, _ in tokenizer.pre_tokenizer.pre_tokenize_str(text)],
                "decoded": tokenizer.decode(tokenizer.encode(text, add_special_tokens=False).ids, skip_special_tokens=False),
            }
            for text in TRICKY
        ],
    }
    with open(os.path.join(HERE, "smollm2_bpe_reference.json"), "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=False, separators=(",", ":"))
    print("lines", len(selected), "tokens", sum(fixture["counts"]))


if __name__ == "__main__":
    main()
