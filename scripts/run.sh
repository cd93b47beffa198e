#!/usr/bin/env bash
# Sets up (installs missing packages), builds and runs Tessera.
# With arguments they go to tessera-cli, e.g.  scripts/run.sh info file.torrent
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh build
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cmake --preset release >/dev/null
cmake --build --preset release
if [ $# -eq 0 ]; then
  exec build/release/src/cli/tessera-cli --help
fi
exec build/release/src/cli/tessera-cli "$@"
