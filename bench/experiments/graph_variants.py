"""Graph variants of a model.onnx for the decode-step lab (bench --variant NAME=PATH).

  last_logits.onnx  the LM head runs on the last position only: a Slice [:, -1:, :] before the MatMul that produces
                    `logits`. A prefill of T tokens then computes 1 x vocab logits instead of T x vocab, which is what
                    a completion needs (scoring a right-hand window still needs every position: keep both graphs,
                    or export the slice behind a `logits_to_keep`-style input).

Usage: /usr/bin/python3 graph_variants.py MODEL.onnx OUT_DIR   (needs python3-onnx)
"""
import os
import sys

import onnx
from onnx import helper, numpy_helper
import numpy as np


def last_logits(model: onnx.ModelProto) -> onnx.ModelProto:
    g = model.graph
    head = next(n for n in g.node if "logits" in n.output)
    if head.op_type not in ("MatMul", "Gemm"):
        raise SystemExit(f"logits come from {head.op_type}, expected MatMul")
    hidden = head.input[0]
    g.initializer.extend(
        [
            numpy_helper.from_array(np.array([-1], dtype=np.int64), "bench_last_start"),
            numpy_helper.from_array(np.array([np.iinfo(np.int64).max], dtype=np.int64), "bench_last_end"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "bench_last_axis"),
        ]
    )
    sliced = hidden + "_last"
    idx = list(g.node).index(head)
    g.node.insert(
        idx,
        helper.make_node(
            "Slice",
            [hidden, "bench_last_start", "bench_last_end", "bench_last_axis"],
            [sliced],
            name="bench_last_position",
        ),
    )
    head.input[0] = sliced
    return model


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    m = last_logits(onnx.load(src))
    onnx.checker.check_model(m)
    path = os.path.join(out, "last_logits.onnx")
    onnx.save(m, path)
    print(path)


if __name__ == "__main__":
    main()
