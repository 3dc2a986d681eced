#!/usr/bin/env bash
# Smoke run of the real recipe on a tiny configuration: the same data preparation (a slice of the npm corpus, cached
# in models/work/), tokenizer training, a few training steps of a tiny model, ONNX export with onnx.checker and the
# I/O convention check, then the exported model loaded in ONNX Runtime (C#) and compared with PyTorch's logits.
# Takes about 1-2 minutes on 2 cores. Fails (non-zero) on any error.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
work=models/work
smoke=$work/smoke
rm -rf "$smoke"
mkdir -p "$smoke"
step() { printf '  smoke: %s\n' "$*" >&2; }

step "prepare data (8 documents per split) and a 400-piece tokenizer"
$PY models/recipe/prepare_data.py --work "$work" --out "$smoke/data" --max-docs 8 --vocab-size 400

step "train a 2 x 32 model for 30 steps"
$PY models/recipe/train.py --data "$smoke/data" --out "$smoke/ckpt.pt" --n-layer 2 --n-head 2 --n-embd 32 \
  --block-size 64 --vocab-size 400 --batch-size 8 --max-iters 30 --eval-interval 10 --eval-windows 8 --quiet
$PY - "$smoke/ckpt.log.jsonl" <<'PYEOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
evals = [e["val_loss"] for e in log if e["event"] == "eval"]
end = [e for e in log if e["event"] == "end"][0]
assert end["step"] == 30, end
assert len(evals) >= 3 and evals[-1] < evals[0], f"validation loss did not fall: {evals}"
print(f"  smoke: validation loss {evals[0]:.3f} -> {evals[-1]:.3f}", file=sys.stderr)
PYEOF

step "export to ONNX (opset 17, onnx.checker, I/O names and shapes) with reference logits"
$PY models/recipe/export.py "$smoke/ckpt.pt" "$smoke/model" --name smoke --tokenizer "$smoke/data/tokenizer.model" \
  --reference "$smoke/model/reference.json" --tokenizer-reference "$smoke/model/tokenizer_reference.json"

step "load in ONNX Runtime and compare with PyTorch (past 0, then with a past)"
dotnet run models/eval/check-onnx.cs -- "$smoke/model"
step "corpus ∞-gram index, and the hybrid's weights fitted and measured (validation documents stand in for the modern set)"
dotnet run --project models/eval/TransformerLsp.ModelEval -c Release -- build-index "$smoke/data/index.bin" 400 "$smoke/model/corpus.infinigram"
dotnet run --project models/eval/TransformerLsp.HybridEval -c Release -- --model "$smoke/model" --data "$smoke/data" \
  --modern "$smoke/data/docs_val.jsonl" --out "$smoke/hybrid.json" --cache "$smoke/hybrid" --write-config
$PY - "$smoke/hybrid.json" "$smoke/model/config.json" <<'PYEOF'
import json, sys
h, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert h["hybrid_bits_per_byte"] < h["bits_per_byte"], h
assert len(c["hybrid"]["weights"]) > 0, c
print(f"  smoke: hybrid {h['hybrid_bits_per_byte']:.3f} < transformer {h['bits_per_byte']:.3f} bits/byte", file=sys.stderr)
PYEOF
echo "model recipe smoke test passed" >&2
