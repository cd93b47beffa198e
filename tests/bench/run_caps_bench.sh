#!/usr/bin/env bash
# Reproduces the speed-cap table in docs/benchmarks.md: installs what is missing (the test tools
# plus qbittorrent-nox), builds Tessera, and runs every client in one go. Arguments go to
# tests/bench/bench_caps.py (--only, --skip-swarm, --seconds, --size-mib, --write, ...).
# CMAKE_BUILD_PARALLEL_LEVEL limits the build's parallelism on a shared machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
scripts/setup.sh test
if ! dpkg-query -W -f='${Status}' qbittorrent-nox 2>/dev/null | grep -q "install ok installed"; then
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends qbittorrent-nox
fi
cmake --preset release >/dev/null
cmake --build --preset release
TESSERA_CLI="$root/build/release/src/cli/tessera-cli" exec /usr/bin/python3 tests/bench/bench_caps.py "$@"
