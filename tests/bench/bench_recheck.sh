#!/usr/bin/env bash
# Recheck speed against the machine's SHA-1 speed, on data in the page cache:
#   tests/bench/bench_recheck.sh [SIZE_MIB]     (default 1024)
# Prints `openssl speed sha1` (one core, 1 MiB blocks) and `tessera-cli check` on one thread and
# on every core (best of three each), as a markdown table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
size_mib="${1:-1024}"
scripts/setup.sh build >/dev/null
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
cli="$root/build/release/src/cli/tessera-cli"
work="$(mktemp -d /tmp/tessera-recheck-XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
head -c "$((size_mib << 20))" /dev/urandom >"$work/data/payload.bin"
"$cli" create "$work/data/payload.bin" -o "$work/t.torrent" --piece-size 1024 >/dev/null
cat "$work/data/payload.bin" >/dev/null  # into the page cache

# openssl's figure is in 1000-byte kB per second.
openssl_bps="$(openssl speed -seconds 3 -bytes 1048576 -evp sha1 2>/dev/null | awk '/^sha1/ {sub("k","",$2); print $2 * 1000}')"
best() {  # best of three `check` runs: bytes per second
  local t best_s=""
  for _ in 1 2 3; do
    t="$("$cli" check "$work/t.torrent" -d "$work/data" "$@" | sed -E 's/.* in ([0-9.]+) s$/\1/')"
    if [ -z "$best_s" ] || awk -v a="$t" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then best_s="$t"; fi
  done
  awk -v s="$best_s" -v n="$((size_mib << 20))" 'BEGIN { printf "%.0f", n / s }'
}
one="$(best --threads 1)"
all="$(best)"
echo "Run on $(date -u +%Y-%m-%d): \`nproc\` = $(nproc), $(uname -r), ${size_mib} MiB in 1 MiB pieces, in the page cache; load average $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| what | MB/s (10^6 B/s) | vs openssl, one core |"
echo "|---|---:|---:|"
awk -v o="$openssl_bps" -v a="$one" -v b="$all" -v n="$(nproc)" 'BEGIN {
  printf "| `openssl speed -evp sha1`, 1 MiB blocks, one core | %.0f | 1.00 |\n", o / 1e6
  printf "| `tessera-cli check --threads 1` | %.0f | %.2f |\n", a / 1e6, a / o
  printf "| `tessera-cli check` (%d threads) | %.0f | %.2f |\n", n, b / 1e6, b / o
}'
