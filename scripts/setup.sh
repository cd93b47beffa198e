#!/usr/bin/env bash
# Installs the Debian 12 packages Tessera needs that are not installed yet.
#   scripts/setup.sh build   compiler, CMake, libraries
#   scripts/setup.sh test    the above, plus the tools and reference clients the tests use
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-system-dev libssl-dev
  qt6-base-dev qt6-svg-dev libgl-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
)
test_packages=(
  clang-14 libclang-rt-14-dev python3
  opentracker python3-libtorrent transmission-cli transmission-daemon aria2 mktorrent
  xvfb xauth imagemagick iproute2 procps
)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
