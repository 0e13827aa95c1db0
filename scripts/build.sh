#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds one CMake preset (default: release).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
bash "$root/scripts/deps.sh"
cd "$root"
if [[ ! -f "build/$preset/build.ninja" ]]; then
  cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j "$(nproc)"
