#!/usr/bin/env bash
# Long fuzzing runs, one target after another, and a table of what they did for docs/fuzzing.md.
#   tests/fuzz/run_campaign.sh [SECONDS] [TARGET...]     (default: 600 s, every target)
# Builds the fuzz preset first (clang-14). Each target starts from the seed corpus in the repo and
# a scratch corpus under build/fuzz-campaign/ (kept between runs); a crash stops with its input.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bencode metainfo wire extension_handshake tracker_http tracker_udp resume_data peer_session magnet_uri krpc ut_pex lsd_message ut_metadata)
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
out="build/fuzz-campaign"
mkdir -p "$out"
echo "| target | seconds | executions | execs/s | coverage (edges) | features | corpus | findings |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus-$t" "$out/artifacts-$t"
  log="$out/$t.log"
  status=0
  "build/fuzz/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts-$t/" "$out/corpus-$t" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || status=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
  last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')"
  ft="$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')"
  corp="$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo '?')"
  findings="none"
  [ "$status" -eq 0 ] || findings="**crash**: $(ls "$out/artifacts-$t" | head -1) (see $log)"
  echo "| $t | $seconds | $execs | $((execs / seconds)) | $cov | $ft | $corp | $findings |"
done
