"""Export a trained GPT to ONNX (opset 17) with the decoder I/O of Hugging Face Optimum / ONNX Runtime GenAI.

inputs  input_ids [batch, seq] int64, attention_mask [batch, past+seq] int64, position_ids [batch, seq] int64,
        past_key_values.{i}.key|value [batch, n_head, past, head_dim] float32,
        logits_to_keep [] int64, optional (default 0: every position; k: the last k)
outputs logits [batch, seq or k, vocab] float32, present.{i}.key|value [batch, n_head, past+seq, head_dim] float32

torch.onnx.export writes the model first; that plain graph is checked and is then the specification that
fused_graph.py rebuilds with ONNX Runtime's fused attention (the file that ships).

Usage: python3 export.py CHECKPOINT.pt OUT_DIR   (writes OUT_DIR/model.onnx and OUT_DIR/config.json)
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fused_graph import ATTENTION_BIAS, EXACT_PAST, LOGITS_TO_KEEP, fused_model, weights_from_export  # noqa: E402
from model import GPT, GPTConfig  # noqa: E402

OPSET = 17


class OnnxDecoder(torch.nn.Module):
    """Flattens GPT.forward's nested past/present lists into the named tensors of the ONNX convention."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.gpt(input_ids, attention_mask, position_ids, past)
        return (logits, *[t for kv in presents for t in kv])


def io_names(n_layer: int):
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    for i in range(n_layer):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def dedupe_tied_embedding(model: onnx.ModelProto, wte_name_hint: str = "wte") -> int:
    """Store the tied token embedding once.

    The exporter constant-folds `x @ wte.T` into a second, transposed copy of wte (8 MB extra for 8000 x 256).
    Replace that initializer with a Transpose node of the original; ONNX Runtime folds it again when it loads the
    session, so only the file gets smaller. Returns the number of bytes saved.
    """
    inits = {i.name: i for i in model.graph.initializer}
    arrays = {name: numpy_helper.to_array(t) for name, t in inits.items() if len(t.dims) == 2}
    wte_names = [n for n in arrays if wte_name_hint in n]
    saved = 0
    for wte in wte_names:
        w = arrays[wte]
        for name, a in arrays.items():
            if name != wte and a.shape == w.T.shape and np.array_equal(a, w.T):
                model.graph.initializer.remove(inits[name])
                model.graph.node.insert(
                    0, helper.make_node("Transpose", [wte], [name], perm=[1, 0], name="tied_lm_head_transpose")
                )
                saved += a.nbytes
    return saved


def store_half(model: onnx.ModelProto, min_elements: int = 4096) -> int:
    """Store every large float32 weight as float16 followed by a Cast back to float32: the file halves, and ONNX
    Runtime folds the Casts when it loads the session (constant folding), so inference runs in float32 as before.
    Lossless when the weights were rounded to float16 first (load_checkpoint does). Returns the bytes saved."""
    saved, casts = 0, []
    for init in list(model.graph.initializer):
        if init.data_type != onnx.TensorProto.FLOAT or int(np.prod(init.dims)) < min_elements:
            continue
        a = numpy_helper.to_array(init)
        half = numpy_helper.from_array(a.astype(np.float16), init.name + ".fp16")
        model.graph.initializer.remove(init)
        model.graph.initializer.append(half)
        casts.append(
            helper.make_node(
                "Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT, name=f"fp16_weight_cast_{len(casts)}"
            )
        )
        saved += a.nbytes // 2
    for node in reversed(casts):
        model.graph.node.insert(0, node)
    return saved


def export_onnx(gpt: GPT, path: str, verbose: bool = True, half_weights: bool = False) -> None:
    gpt = gpt.eval()
    cfg = gpt.config
    head_dim = cfg.n_embd // cfg.n_head
    # Trace with a non-empty past so that nothing specialises on past = 0; the axes are declared dynamic below.
    B, T, P = 2, 3, 2
    input_ids = torch.randint(0, cfg.vocab_size, (B, T), dtype=torch.long)
    attention_mask = torch.ones((B, P + T), dtype=torch.long)
    position_ids = torch.arange(P, P + T, dtype=torch.long).unsqueeze(0).expand(B, T).contiguous()
    past = [torch.randn(B, cfg.n_head, P, head_dim) for _ in range(2 * cfg.n_layer)]
    inputs, outputs = io_names(cfg.n_layer)
    axes = {
        "input_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 1: "total_seq"},
        "position_ids": {0: "batch", 1: "seq"},
        "logits": {0: "batch", 1: "seq"},
    }
    for n in inputs[3:]:
        axes[n] = {0: "batch", 2: "past_seq"}
    for n in outputs[1:]:
        axes[n] = {0: "batch", 2: "total_seq"}
    with torch.no_grad():
        torch.onnx.export(
            OnnxDecoder(gpt),
            (input_ids, attention_mask, position_ids, *past),
            path,
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    model = onnx.load(path)
    saved = dedupe_tied_embedding(model)
    halved = store_half(model) if half_weights else 0
    onnx.checker.check_model(model)
    check_io(model, cfg)
    plain_nodes = len(model.graph.node)
    model = fused_model(weights_from_export(model, cfg), cfg)
    onnx.save(model, path)
    onnx.checker.check_model(path)
    check_io(onnx.load(path), cfg)
    if verbose:
        print(
            f"exported {path}: {os.path.getsize(path) / 1e6:.2f} MB (tied embedding stored once, "
            f"{saved / 1e6:.2f} MB saved; float16 storage {halved / 1e6:.2f} MB saved; fused graph "
            f"{len(model.graph.node)} nodes, the plain export {plain_nodes})",
            file=sys.stderr,
        )


def check_io(model: onnx.ModelProto, cfg: GPTConfig) -> None:
    """The graph's inputs and outputs are exactly the convention's names, element types and ranks."""
    inputs, outputs = io_names(cfg.n_layer)
    got_in = [(i.name, i.type.tensor_type.elem_type, len(i.type.tensor_type.shape.dim)) for i in model.graph.input]
    defaults = {i.name for i in model.graph.initializer}
    # The fused graph's optional inputs (fused_graph.py), last and in this order, each with its default.
    for name, elem, rank in (
        (ATTENTION_BIAS, onnx.TensorProto.FLOAT, 4),
        (EXACT_PAST, onnx.TensorProto.BOOL, 0),
        (LOGITS_TO_KEEP, onnx.TensorProto.INT64, 0),
    ):
        if got_in and got_in[-1][0] == name:
            assert got_in.pop() == (name, elem, rank)
            assert name in defaults, f"{name} needs its default"
    got_out = [(o.name, o.type.tensor_type.elem_type, len(o.type.tensor_type.shape.dim)) for o in model.graph.output]
    I64, F32 = onnx.TensorProto.INT64, onnx.TensorProto.FLOAT
    want_in = [(n, I64 if i < 3 else F32, 2 if i < 3 else 4) for i, n in enumerate(inputs)]
    want_out = [(n, F32, 3 if i == 0 else 4) for i, n in enumerate(outputs)]
    assert got_in == want_in, f"ONNX inputs {got_in} != {want_in}"
    assert got_out == want_out, f"ONNX outputs {got_out} != {want_out}"
    assert model.opset_import[0].version == OPSET
    # Static dims that must match the config: vocab on logits, heads and head_dim on the caches.
    head_dim = cfg.n_embd // cfg.n_head

    def dims(v):
        return [d.dim_value if d.HasField("dim_value") else d.dim_param for d in v.type.tensor_type.shape.dim]

    for v in model.graph.input[3 : len(got_in)]:
        d = dims(v)
        assert d[1] == cfg.n_head and d[3] == head_dim and isinstance(d[0], str) and isinstance(d[2], str), (v.name, d)
    d = dims(model.graph.output[0])
    assert isinstance(d[0], str) and isinstance(d[1], str), d
    d_ids = dims(model.graph.input[0])
    assert all(isinstance(x, str) for x in d_ids), d_ids


def load_checkpoint(path: str, half_weights: bool = True) -> GPT:
    """The checkpoint's model; with half_weights (the default model ships so), every weight rounded to float16 and
    back, i.e. exactly the values the exported file holds, so evaluations and references measure what ships."""
    ckpt = torch.load(path, map_location="cpu")
    gpt = GPT(GPTConfig(**ckpt["config"]))
    gpt.load_state_dict(ckpt["model"])
    if half_weights:
        with torch.no_grad():
            for p in gpt.parameters():
                p.copy_(p.half().float())
    return gpt.eval()


def main():
    import argparse
    import shutil

    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("out_dir")
    ap.add_argument("--name", default="transformerlsp-default")
    ap.add_argument(
        "--fp32", action="store_true", help="store the weights as float32 (default: float16, see store_half)"
    )
    ap.add_argument("--tokenizer", required=True, help="the SentencePiece model the checkpoint was trained with")
    ap.add_argument(
        "--reference",
        metavar="PATH",
        help="also write PyTorch logits for a few texts there, for models/eval/check-onnx.cs",
    )
    ap.add_argument(
        "--tokenizer-reference",
        metavar="PATH",
        help="also write spm_encode ids of awkward sentences there (tokenizer_reference.json)",
    )
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    gpt = load_checkpoint(args.checkpoint, half_weights=not args.fp32)
    export_onnx(gpt, os.path.join(args.out_dir, "model.onnx"), half_weights=not args.fp32)
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(gpt.config.to_json(args.name), f, indent=2)
        f.write("\n")
    shutil.copyfile(args.tokenizer, os.path.join(args.out_dir, "tokenizer.model"))
    if args.reference or args.tokenizer_reference:
        import sentencepiece as spm
        from reference import spm_reference, write_reference

        sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
        if args.reference:
            write_reference(gpt, sp, args.tokenizer, args.reference, [])
        if args.tokenizer_reference:
            with open(args.tokenizer_reference, "w") as f:
                json.dump(spm_reference(sp, args.tokenizer), f, ensure_ascii=False, indent=1)
                f.write("\n")


if __name__ == "__main__":
    main()
