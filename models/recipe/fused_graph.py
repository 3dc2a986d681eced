"""Rewrite an exported decoder as the graph the engine runs: ONNX Runtime's fused attention, logits where asked.

torch.onnx.export spells each layer's attention as ~40 small kernels (Shape, Gather, Unsqueeze, Reshape, Transpose,
Concat of the whole past, a mask built from Range and Where, MatMul, Softmax ...). A decode step of the default model
ran 167 kernels, most of them on a few kilobytes, so the step was kernel launches and copies, not arithmetic. This
module builds the same function from the same weights with ONNX Runtime's fused attention, one operator per layer, and
the GELU as `com.microsoft.BiasGelu`. ONNX Runtime then fuses the residual adds into its SkipLayerNormalization.

The layers come twice, as the two branches of one `If` on the optional input `exact_past` (bool, default false):
- false: `com.microsoft.GroupQueryAttention` (kv_num_heads = num_heads, so plain causal multi-head attention). It reads
  row lengths, not a mask; the branch derives them from `attention_mask` (its row sums less one, and its width), so the
  inputs keep export.py's convention. Its gain is the shared cache: when a layer's past and present are bound to one
  buffer of some capacity [batch, n_head, capacity, head_dim], a run writes only its new positions into it, where
  MultiHeadAttention copies the whole past into a new present at every step. The file's metadata entry
  `past_present_share_buffer` = "true" says a runtime may bind it so (the engine does; so does ONNX Runtime GenAI with
  its option of that name). A runtime that binds separate caches of the exact lengths gets the same logits.
- true: `com.microsoft.MultiHeadAttention` (causal: `unidirectional = 1`; the attention mask as its key padding mask),
  on caches of the exact lengths. ONNX Runtime's GroupQueryAttention refuses several rows of several tokens after a
  past (the engine's batched scoring of fill-in passages); this branch takes them in one run.
The `If` costs about 0.02 ms a run; every weight is made once, in the main graph, and read by both branches.

The false branch also takes an optional input `attention_bias` (float [1, 1, seq, total_seq], default a single 0 that
the branch expands to that shape): added to the attention scores of every layer, on top of the causal mask. A search
runs its candidates as the positions of one row after the context, each one masked (a large negative bias) from the
candidates that are not its ancestors: tree attention, where rows of a batch would each read a copy of the context's
cache. ONNX Runtime's GroupQueryAttention takes one row of several tokens after a past, and the bias, on the CPU.

It also adds a second optional input, `logits_to_keep` (int64 scalar, default 0), as Hugging Face's `logits_to_keep`:
0 computes the logits of every position, k > 0 those of the last k positions only. The language-model head is about
40% of a prefill's multiply-adds (vocab x n_embd per position), and a prefill needs the last position's logits only.
Runtimes that do not know the input (ONNX Runtime GenAI) leave it at its default and get the full logits.

The graph's inputs and outputs are otherwise exactly export.py's convention (see `export.check_io`), so any runtime
that ran the plain export runs this one, as long as it is ONNX Runtime (the fused operators are its own).

Usage: python3 fused_graph.py IN.onnx CONFIG.json OUT.onnx   (IN: a plain torch export, e.g. an older model.onnx)
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import GPTConfig  # noqa: E402

OPSET = 17
MS_DOMAIN = "com.microsoft"
LOGITS_TO_KEEP = "logits_to_keep"
# An optional input (default false): true runs MultiHeadAttention on past caches of the exact lengths, which takes
# several rows of several tokens after a past (scoring passages), where GroupQueryAttention takes one row at a time.
EXACT_PAST = "exact_past"
# An optional input (default 0): an additive bias on the attention scores of the shared branch, [1, 1, seq, total_seq].
ATTENTION_BIAS = "attention_bias"
# Metadata that tells the engine the caches may be bound as one buffer (ModelSession reads it).
SHARE_BUFFER = "past_present_share_buffer"


def weights_from_export(model: onnx.ModelProto, cfg: GPTConfig) -> dict[str, np.ndarray]:
    """The weights of a plain torch export, by GPT-2 name, in the dtype the file stores them (float16 or float32).

    Linear weights come out as MatMul's right operand, i.e. [in_features, out_features]. They are found by the name of
    the MatMul node that reads them (torch.onnx names nodes after the module path), followed through a float16 Cast."""
    inits = {t.name: t for t in model.graph.initializer}
    cast_of = {n.output[0]: n.input[0] for n in model.graph.node if n.op_type == "Cast" and n.input[0] in inits}

    def array(name: str) -> np.ndarray:
        return numpy_helper.to_array(inits[cast_of.get(name, name)])

    matmul_input = {n.name: n.input[1] for n in model.graph.node if n.op_type == "MatMul"}

    def linear(path: str) -> np.ndarray:
        node = f"/gpt/{path}/MatMul"
        if node not in matmul_input:
            raise ValueError(f"no MatMul node {node} in the export: not a torch export of models/recipe/model.py")
        return array(matmul_input[node])

    w = {
        "wte": array("gpt.transformer.wte.weight"),
        "wpe": array("gpt.transformer.wpe.weight"),
    }
    if cfg.norm_position == "pre":
        w["ln_f.weight"] = array("gpt.transformer.ln_f.weight")
        w["ln_f.bias"] = array("gpt.transformer.ln_f.bias")
    for i in range(cfg.n_layer):
        p = f"gpt.transformer.h.{i}."
        for ln in ("ln_1", "ln_2"):
            w[f"h.{i}.{ln}.weight"] = array(p + f"{ln}.weight")
            w[f"h.{i}.{ln}.bias"] = array(p + f"{ln}.bias")
        for lin, node in (
            ("attn.c_attn", f"h.{i}/attn/c_attn"),
            ("attn.c_proj", f"h.{i}/attn/c_proj"),
            ("mlp.c_fc", f"h.{i}/mlp/c_fc"),
            ("mlp.c_proj", f"h.{i}/mlp/c_proj"),
        ):
            w[f"h.{i}.{lin}.weight"] = linear(node)
            w[f"h.{i}.{lin}.bias"] = array(p + f"{lin}.bias")
    return w


def fused_model(w: dict[str, np.ndarray], cfg: GPTConfig, producer: str = "transformerlsp-recipe") -> onnx.ModelProto:
    """The decoder of models/recipe/model.py over the weights `w` (as `weights_from_export` returns them)."""
    C, H = cfg.n_embd, cfg.n_head
    D = C // H
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    # Where node() puts nodes, and the prefix of their names: the main graph, or one branch of the attention If.
    target, scope = [nodes], [""]

    def node(
        op: str,
        inputs: list[str],
        name: str,
        n_out: int = 1,
        domain: str = "",
        outputs: list[str] | None = None,
        **attrs,
    ) -> list[str]:
        name = scope[0] + name
        outs = outputs or ([name] if n_out == 1 else [f"{name}_{k}" for k in range(n_out)])
        target[0].append(helper.make_node(op, inputs, outs, name=name, domain=domain or None, **attrs))
        return outs

    made: set[str] = set()

    def weight(name: str) -> str:
        """A weight as a float32 tensor: float16 storage (export.store_half) is cast back, and folded at load."""
        if name in made:
            return name
        made.add(name)
        a = w[name]
        inits.append(numpy_helper.from_array(a, name + (".fp16" if a.dtype == np.float16 else "")))
        if a.dtype == np.float16:
            return node("Cast", [name + ".fp16"], name, to=TensorProto.FLOAT)[0]
        return name

    def const(name: str, values, dtype=np.int64) -> str:
        inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
        return name

    def layer_norm(x: str, prefix: str) -> str:
        return node(
            "LayerNormalization",
            [x, weight(prefix + ".weight"), weight(prefix + ".bias")],
            prefix,
            axis=-1,
            epsilon=cfg.layer_norm_epsilon,
        )[0]

    def attention(x: str, i: int, exact: bool) -> str:
        # One packed [batch, seq, 3C] projection with its bias.
        qkv = node("MatMul", [x, weight(f"h.{i}.attn.c_attn.weight")], f"h.{i}.attn.qkv")[0]
        presents = [f"{scope[0]}present.{i}.key", f"{scope[0]}present.{i}.value"]
        pasts = [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        if exact:
            q, k, v = node(
                "Split", [qkv, const(f"h.{i}.attn.split", [C, C, C])], f"h.{i}.attn.split_qkv", n_out=3, axis=2
            )
            y = node(
                "MultiHeadAttention",
                [q, k, v, weight(f"h.{i}.attn.c_attn.bias"), lengths[0], "", *pasts],
                f"h.{i}.attn.mha",
                domain=MS_DOMAIN,
                outputs=[f"{scope[0]}h.{i}.attn.mha", *presents],
                num_heads=H,
                unidirectional=1,
            )[0]
        else:  # GroupQueryAttention (kv_num_heads = num_heads) splits the packed projection itself
            qkv = node("Add", [qkv, weight(f"h.{i}.attn.c_attn.bias")], f"h.{i}.attn.qkv_bias")[0]
            y = node(
                "GroupQueryAttention",
                [qkv, "", "", *pasts, *lengths[:2], "", "", "", lengths[2]],
                f"h.{i}.attn.gqa",
                domain=MS_DOMAIN,
                outputs=[f"{scope[0]}h.{i}.attn.gqa", *presents],
                num_heads=H,
                kv_num_heads=H,
            )[0]
        return linear(y, f"h.{i}.attn.c_proj")

    def linear(x: str, prefix: str) -> str:
        y = node("MatMul", [x, weight(prefix + ".weight")], prefix + ".matmul")[0]
        return node("Add", [y, weight(prefix + ".bias")], prefix + ".add")[0]

    def mlp(x: str, i: int) -> str:
        h = node("MatMul", [x, weight(f"h.{i}.mlp.c_fc.weight")], f"h.{i}.mlp.c_fc.matmul")[0]
        # Exact (erf) GELU with the bias added first, as model.py's F.gelu(c_fc(x)).
        g = node("BiasGelu", [h, weight(f"h.{i}.mlp.c_fc.bias")], f"h.{i}.mlp.gelu", domain=MS_DOMAIN)[0]
        return linear(g, f"h.{i}.mlp.c_proj")

    # Every weight is made (cast from float16) in the main graph, so both branches read it from there.
    for name in w:
        weight(name)
    x = node(
        "Add",
        [
            node("Gather", [weight("wte"), "input_ids"], "wte.gather")[0],
            node("Gather", [weight("wpe"), "position_ids"], "wpe.gather")[0],
        ],
        "embeddings",
    )[0]
    lengths: list[str] = []

    def stack(exact: bool) -> onnx.GraphProto:
        """The layers after the embeddings, as a branch of the If: the hidden state after them, and the caches."""
        body: list[onnx.NodeProto] = []
        target[0], scope[0] = body, "exact/" if exact else "shared/"
        if exact:  # MultiHeadAttention: the attention mask (1 = attend) as its key padding mask, int32
            lengths[:] = [node("Cast", ["attention_mask"], "key_padding_mask", to=TensorProto.INT32)[0]]
        else:
            # GroupQueryAttention reads lengths, not a mask: the mask's row sums less one (seqlens_k, int32 [batch])
            # and its width (total_sequence_length, int32 scalar). A row's positions are its first seqlens_k + 1.
            row_sums = node("ReduceSum", ["attention_mask", const("mask_axis", [1])], "mask_row_sums", keepdims=0)[0]
            less_one = node("Sub", [row_sums, const("one", 1)], "mask_row_sums_less_one")[0]
            shape = node("Shape", ["attention_mask"], "mask_shape")[0]
            width = node("Gather", [shape, const("one_index", 1)], "mask_width")[0]
            # The attention bias expanded to [1, 1, seq, total_seq], once for every layer.
            bias_shape = node(
                "Concat",
                [
                    const("bias_lead", [1, 1]),
                    node("Shape", ["input_ids"], "seq_dim", start=1)[0],
                    node("Shape", ["attention_mask"], "total_dim", start=1)[0],
                ],
                "bias_shape",
                axis=0,
            )[0]
            lengths[:] = [
                node("Cast", [less_one], "seqlens_k", to=TensorProto.INT32)[0],
                node("Cast", [width], "total_sequence_length", to=TensorProto.INT32)[0],
                node("Expand", [ATTENTION_BIAS, bias_shape], "attention_bias_full")[0],
            ]
        h = x
        for i in range(cfg.n_layer):
            if cfg.norm_position == "pre":  # x = x + Attn(LN_1(x)); x = x + FFN(LN_2(x))
                a = attention(layer_norm(h, f"h.{i}.ln_1"), i, exact)
                h = node("Add", [h, a], f"h.{i}.residual_1")[0]
                h = node("Add", [h, mlp(layer_norm(h, f"h.{i}.ln_2"), i)], f"h.{i}.residual_2")[0]
            else:  # z = LN_1(x + Attn(x)); y = LN_2(z + FFN(z))
                a = attention(h, i, exact)
                h = layer_norm(node("Add", [h, a], f"h.{i}.residual_1")[0], f"h.{i}.ln_1")
                h = layer_norm(node("Add", [h, mlp(h, i)], f"h.{i}.residual_2")[0], f"h.{i}.ln_2")
        if cfg.norm_position == "pre":
            h = layer_norm(h, "ln_f")
        outs = [helper.make_tensor_value_info(h, TensorProto.FLOAT, None)] + [
            helper.make_tensor_value_info(f"{scope[0]}present.{i}.{kv}", TensorProto.FLOAT, None)
            for i in range(cfg.n_layer)
            for kv in ("key", "value")
        ]
        graph = helper.make_graph(body, scope[0].rstrip("/") + "_layers", [], outs)
        target[0], scope[0] = nodes, ""
        return graph

    exact_branch, shared_branch = stack(exact=True), stack(exact=False)
    x = node(
        "If",
        [EXACT_PAST],
        "layers",
        outputs=["hidden"] + [f"present.{i}.{kv}" for i in range(cfg.n_layer) for kv in ("key", "value")],
        then_branch=exact_branch,
        else_branch=shared_branch,
    )[0]

    # logits_to_keep: 0 keeps every position (Slice from -0 = 0), k keeps the last k.
    start = node(
        "Neg",
        [node("Reshape", [LOGITS_TO_KEEP, const("shape_1", [1])], "logits_to_keep.1d")[0]],
        "logits_to_keep.start",
    )[0]
    kept = node(
        "Slice", [x, start, const("slice_end", [np.iinfo(np.int64).max]), const("slice_axis", [1])], "logits_positions"
    )[0]
    # The language-model head is the tied token embedding (model.py), stored once; ONNX Runtime folds the Transpose.
    head = node("Transpose", [weight("wte")], "lm_head.weight", perm=[1, 0])[0]
    node("MatMul", [kept, head], "lm_head", outputs=["logits"])

    f32, i64 = TensorProto.FLOAT, TensorProto.INT64
    inputs = [
        helper.make_tensor_value_info("input_ids", i64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", i64, ["batch", "total_seq"]),
        helper.make_tensor_value_info("position_ids", i64, ["batch", "seq"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", f32, ["batch", "logits_seq", cfg.vocab_size])]
    for i in range(cfg.n_layer):
        for kv in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kv}", f32, ["batch", H, "past_seq", D]))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", f32, ["batch", H, "total_seq", D]))
    # An input with an initializer of the same name is optional: the initializer is its default (IR >= 4).
    inputs.append(helper.make_tensor_value_info(LOGITS_TO_KEEP, i64, []))
    inits.append(numpy_helper.from_array(np.array(0, dtype=np.int64), LOGITS_TO_KEEP))
    inputs.append(helper.make_tensor_value_info(EXACT_PAST, TensorProto.BOOL, []))
    inits.append(numpy_helper.from_array(np.array(False), EXACT_PAST))
    inputs.append(helper.make_tensor_value_info(ATTENTION_BIAS, f32, [1, 1, "seq", "total_seq"]))
    inits.append(numpy_helper.from_array(np.zeros((1, 1, 1, 1), dtype=np.float32), ATTENTION_BIAS))

    graph = helper.make_graph(nodes, "transformerlsp-decoder", inputs, outputs, inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)], producer_name=producer
    )
    model.ir_version = 8
    helper.set_model_props(model, {SHARE_BUFFER: "true"})
    onnx.checker.check_model(model)
    return model


def main():
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", help="a plain torch export (export.py before the fused graph, or an older model.onnx)")
    ap.add_argument("config", help="its config.json")
    ap.add_argument("out", help="where to write the fused model.onnx (may be the same path)")
    args = ap.parse_args()
    cfg = GPTConfig.from_json(json.load(open(args.config)))
    model = onnx.load(args.export)
    fused = fused_model(weights_from_export(model, cfg), cfg, producer=model.producer_name or "transformerlsp-recipe")
    onnx.save(fused, args.out)
    kernels = {}

    def count(graph: onnx.GraphProto) -> None:
        for n in graph.node:
            kernels[n.op_type] = kernels.get(n.op_type, 0) + 1
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    count(a.g)

    count(fused.graph)
    print(
        f"{args.out}: {os.path.getsize(args.out) / 1e6:.2f} MB, {sum(kernels.values())} nodes in all branches "
        f"(the export had {len(model.graph.node)}): {kernels}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
