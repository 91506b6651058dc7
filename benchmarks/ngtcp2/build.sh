#!/usr/bin/env bash
# Builds the libngtcp2 reference benchmark (ngtcp2-close-bench.c, next to this script) against Debian 12's
# libngtcp2 0.12 and libngtcp2_crypto_gnutls, installing the -dev packages with apt-get when they are missing.
# Usage: build.sh [extra gcc flags]
# The binary goes to $NGTCP2_BENCH_BIN (default: ${TMPDIR:-/tmp}/ngtcp2-close-bench); its path is printed last.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${NGTCP2_BENCH_BIN:-${TMPDIR:-/tmp}/ngtcp2-close-bench}
pkgs=(libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev pkg-config gcc)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "build.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "${missing[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; }
fi
echo "libngtcp2 $(pkg-config --modversion libngtcp2), gnutls $(pkg-config --modversion gnutls)" >&2
# shellcheck disable=SC2046  # pkg-config output must split into words
gcc -O2 -Wall -Wextra -o "$bin" "$here/ngtcp2-close-bench.c" "$@" \
  $(pkg-config --cflags --libs libngtcp2 libngtcp2_crypto_gnutls gnutls)
echo "$bin"
