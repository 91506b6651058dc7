#!/usr/bin/env bash
# Builds ngtcp2-close-vectors.c (next to this script) against the installed libngtcp2 0.12 / libngtcp2_crypto_gnutls
# and writes the close datagrams it makes libngtcp2 produce: the vectors of quic-core's Libngtcp2*VectorsTest.
# Usage: close-vectors.sh [OUTPUT]   (default: the test resource in quic-core; '-' for stdout)
# Needs gcc, pkg-config and the -dev packages that build.sh installs (libngtcp2-dev, libngtcp2-crypto-gnutls-dev,
# libgnutls28-dev). The run is deterministic: with the same library it reproduces the committed file byte for byte.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/../../quic-core/src/test/resources/dev/quicj/core/interop/libngtcp2-0.12.1-close-vectors.txt}
bin=${TMPDIR:-/tmp}/ngtcp2-close-vectors
# shellcheck disable=SC2046  # pkg-config output must split into words
gcc -O1 -Wall -Wextra -o "$bin" "$here/ngtcp2-close-vectors.c" \
  $(pkg-config --cflags --libs libngtcp2 libngtcp2_crypto_gnutls gnutls)
if [[ $out == - ]]; then
  "$bin"
else
  "$bin" >"$out"
  echo "wrote $out ($(grep -vc '^#' "$out") cases, $(head -1 "$out" | cut -c3-))" >&2
fi
