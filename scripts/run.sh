#!/usr/bin/env bash
# Sets up (installs missing packages), builds and runs Tessera.
#   scripts/run.sh                      the desktop app (try: scripts/run.sh --demo)
#   scripts/run.sh file.torrent         the desktop app, adding file.torrent
#   scripts/run.sh info file.torrent    tessera-cli (commands: info download seed create check magnet help)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh build
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
cmake --preset release >/dev/null
cmake --build --preset release

case "${1:-}" in
  info | download | seed | create | check | magnet | help)
    exec build/release/src/cli/tessera-cli "$@"
    ;;
esac
if [ $# -eq 0 ]; then
  echo "Starting the Tessera desktop app (scripts/run.sh --demo shows a live swarm on this machine;"
  echo "scripts/run.sh help lists the tessera-cli commands)."
fi
exec build/release/ui/tessera "$@"
