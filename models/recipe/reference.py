"""PyTorch reference outputs that the C# tests and models/eval/check-onnx.cs compare against: logits for a few texts
(reference.json) and SentencePiece ids for sentences a tokenizer port most often gets wrong. Used by make_fixtures.py
(the test fixtures) and export.py (the default model's tokenizer_reference.json), so neither imports the other.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import GPT  # noqa: E402
from prepare_data import BOS  # noqa: E402

# Sentences whose encoding a tokenizer port most often gets wrong: accents, emoji (4-byte UTF-8 -> byte fallback),
# CJK, repeated and leading spaces, tabs, newlines, digits, punctuation runs, an empty string.
SPM_SENTENCES = [
    "Call me Ishmael.",
    "The Congress of the United States",
    "Fellow-Citizens of the Senate and House of Representatives:",
    "café naïve résumé Ahab’s “whale” — façade",
    "a  b   c    d",
    "   leading spaces and trailing   ",
    "tab\there",
    "line one\nline two\n\nparagraph",
    "emoji 😀 🐋 and ✓ marks",
    "中文 日本語 한국어",
    "1790, 1861-1865 and $3,000,000.",
    "!!! ??? ... ---",
    "",
    "Ünïcödé ÀÉÎÕÜ ß ø",
    "x",
]

# Token sequences whose logits the reference records; the last fills the whole context window.
REFERENCE_TEXTS = [
    "Call me Ishmael.",
    "The Congress of the United States has",
    "It is a way I have of driving off the spleen and regulating the circulation.\nWhenever I find myself",
]


def floats(t: torch.Tensor) -> list[float]:
    # float32 -> shortest decimal that round-trips through float32 (9 significant digits always suffice).
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def check_kv_cache(model: GPT, ids: list[int]) -> None:
    """Logits with the cache (prefix first, then the rest) equal the logits of one full pass."""
    x = torch.tensor([ids])
    with torch.no_grad():
        full, _ = model(x)
        k = len(ids) // 2
        first, past = model(x[:, :k])
        rest, _ = model(
            x[:, k:], torch.ones(1, len(ids), dtype=torch.long), torch.arange(k, len(ids)).unsqueeze(0), past
        )
    got = torch.cat([first, rest], dim=1)
    err = (got - full).abs().max().item()
    assert err < 1e-4, f"KV-cache logits differ from the full pass by {err}"


def write_reference(model: GPT, sp, tokenizer_path: str, path: str, extra_cases: list[list[int]]) -> None:
    """reference.json: PyTorch logits for REFERENCE_TEXTS (+ extra id sequences) and spm ids of SPM_SENTENCES."""
    cases = [([BOS] + sp.encode(text))[: model.config.n_positions] for text in REFERENCE_TEXTS] + extra_cases
    ref_cases = []
    model.eval()
    for ids in cases:
        assert len(ids) <= model.config.n_positions
        check_kv_cache(model, ids)
        with torch.no_grad():
            logits, _ = model(torch.tensor([ids]))
        ref_cases.append({"input_ids": ids, "logits": [floats(row) for row in logits[0]]})
    reference = {
        "description": "PyTorch logits (batch 1, past 0, position_ids 0..n-1, attention_mask all ones) for the "
        "weights in model.onnx; spm_encode = SentencePiece ids without BOS (Python binding of the "
        "same libsentencepiece as spm_encode, so newlines stay inside one text; one-line texts are "
        "cross-checked with the spm_encode command).",
        "tolerance": 1e-4,
        "cases": ref_cases,
        "spm_encode": spm_reference(sp, tokenizer_path),
    }
    with open(path, "w") as f:
        json.dump(reference, f, separators=(",", ":"), ensure_ascii=False)


def spm_reference(sp, tokenizer_path: str) -> list[dict]:
    """Ids from the library, cross-checked with the spm_encode command line for one-line texts."""
    out = []
    for text in SPM_SENTENCES:
        ids = sp.encode(text)
        if "\n" not in text and text:
            cli = subprocess.run(
                ["spm_encode", f"--model={tokenizer_path}", "--output_format=id"],
                input=text + "\n",
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            assert [int(i) for i in cli] == ids, (text, cli, ids)
        out.append({"text": text, "ids": ids, "pieces": sp.id_to_piece(ids)})
    return out
