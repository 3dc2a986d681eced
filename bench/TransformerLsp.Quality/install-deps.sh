#!/usr/bin/env bash
# Installs, idempotently, what the quality benchmark needs: Debian's English word lists (wamerican, wbritish), the
# independent dictionary behind nonword_rate_dictionary (/usr/share/dict/american-english, british-english).
# Runs apt-get only if one is missing.
set -euo pipefail
packages=(wamerican wbritish)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bench/TransformerLsp.Quality/install-deps.sh: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}"
fi
