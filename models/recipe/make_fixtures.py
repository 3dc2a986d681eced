"""Make the engine's test fixtures with the recipe's own code: tests/fixtures/tiny-model (pre-norm) and
tests/fixtures/tiny-postnorm (post-norm).

Each folder: config.json, model.onnx, tokenizer.model (a tiny SentencePiece BPE, 400 pieces, byte fallback),
reference.json (PyTorch logits for a few inputs, and spm_encode ids for awkward sentences), weights.json (every
parameter by GPT-2 name, shape and flat float32 values, so a plain C# forward pass can be checked against ONNX Runtime).
The weights are briefly trained (a few hundred steps on a little of the corpus), so the logits are far from uniform.

Usage: python3 make_fixtures.py --data models/work/data --out tests/fixtures
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import export_onnx  # noqa: E402
from model import GPT, GPTConfig  # noqa: E402
from prepare_data import BOS, EOS, spm_train  # noqa: E402
from reference import floats, write_reference  # noqa: E402


def fixture_corpus(data_dir: str, max_chars: int = 200_000) -> list[str]:
    """A little training text: alternating Moby-Dick chapters and SOTU speeches from the training split."""
    docs = [json.loads(line) for line in open(os.path.join(data_dir, "docs_train.jsonl"), encoding="utf-8")]
    moby = [d["text"] for d in docs if d["source"] == "moby-dick"]
    sotu = [d["text"] for d in docs if d["source"] == "sotu"]
    out, total = [], 0
    for a, b in zip(moby, sotu):
        for t in (a, b):
            if total < max_chars:
                out.append(t[: max_chars - total])
                total += len(out[-1])
    return out


def brief_training(model: GPT, ids: np.ndarray, steps: int, seed: int) -> None:
    T = model.config.n_positions
    rng = np.random.default_rng(seed)
    opt = model.configure_optimizer(3e-3, 0.0)
    model.train()
    data = torch.from_numpy(ids.astype(np.int64))
    for _ in range(steps):
        starts = rng.integers(0, len(ids) - T - 1, size=16)
        x = torch.stack([data[s : s + T] for s in starts])
        y = torch.stack([data[s + 1 : s + T + 1] for s in starts])
        loss = model.loss(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()


def write_fixture(out_dir: str, norm: str, tokenizer_path: str, ids_stream: np.ndarray, seed: int) -> None:
    import sentencepiece as spm

    os.makedirs(out_dir, exist_ok=True)
    sp = spm.SentencePieceProcessor(model_file=tokenizer_path)
    torch.manual_seed(seed)
    cfg = GPTConfig(
        n_layer=2, n_head=2, n_embd=32, n_positions=64, vocab_size=sp.get_piece_size(), dropout=0.0, norm_position=norm
    )
    model = GPT(cfg)
    brief_training(model, ids_stream, steps=150, seed=seed)
    name = os.path.basename(out_dir.rstrip("/"))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg.to_json(name), f, indent=2)
        f.write("\n")
    with open(tokenizer_path, "rb") as src, open(os.path.join(out_dir, "tokenizer.model"), "wb") as dst:
        dst.write(src.read())
    export_onnx(model, os.path.join(out_dir, "model.onnx"))

    # One case of exactly n_positions tokens (the whole window), cut from the training stream.
    window = [int(i) for i in ids_stream[1000 : 1000 + cfg.n_positions]]
    write_reference(model, sp, tokenizer_path, os.path.join(out_dir, "reference.json"), [window])

    params = [{"name": n, "shape": list(p.shape), "values": floats(p)} for n, p in model.state_dict().items()]
    weights = {
        "description": "Every parameter by GPT-2 name (nanoGPT module names). Linear weights are in PyTorch's "
        "nn.Linear layout [out_features, in_features]: y = x W^T + b (GPT-2's Conv1D stores W^T). "
        "attn.c_attn packs q, k, v along out_features in that order, heads contiguous within each. "
        "The output layer is tied: logits = h_final wte^T (no lm_head entry). "
        "Attention scores are scaled by 1/sqrt(head_dim); GELU is the exact erf form; "
        "LayerNorm eps is config.layer_norm_epsilon. "
        "pre: x += Attn(ln_1(x)); x += MLP(ln_2(x)); final ln_f. "
        "post: x = ln_1(x + Attn(x)); x = ln_2(x + MLP(x)); no ln_f.",
        "config": cfg.to_json(name),
        "parameters": params,
    }
    with open(os.path.join(out_dir, "weights.json"), "w") as f:
        json.dump(weights, f, separators=(",", ":"))
    total = sum(os.path.getsize(os.path.join(out_dir, n)) for n in os.listdir(out_dir))
    assert total < 2_000_000, f"{out_dir} is {total} bytes, over the 2 MB fixture limit"
    print(f"{out_dir}: {total / 1e6:.2f} MB", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "work", "data"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures"))
    ap.add_argument("--vocab-size", type=int, default=400)
    args = ap.parse_args()
    import sentencepiece as spm

    torch.set_num_threads(2)
    work = os.path.join(os.path.abspath(args.data), "fixture")
    os.makedirs(work, exist_ok=True)
    texts = fixture_corpus(args.data)
    spm_input = os.path.join(work, "spm_input.txt")
    with open(spm_input, "w", encoding="utf-8") as f:
        for t in texts:
            for para in t.split("\n"):
                if para.strip():
                    f.write(para + "\n")
    spm_train(spm_input, os.path.join(work, "tiny"), args.vocab_size)
    tok = os.path.join(work, "tiny.model")
    sp = spm.SentencePieceProcessor(model_file=tok)
    stream = []
    for t in texts:
        stream += [BOS] + sp.encode(t) + [EOS]
    stream = np.array(stream, dtype=np.int64)
    write_fixture(os.path.join(args.out, "tiny-model"), "pre", tok, stream, seed=1)
    write_fixture(os.path.join(args.out, "tiny-postnorm"), "post", tok, stream, seed=2)


if __name__ == "__main__":
    main()
