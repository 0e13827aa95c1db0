#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds one CMake preset (default: release):
# every target, or only the targets named after the preset (`build.sh release honeytrail`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
shift || true
bash "$root/scripts/deps.sh"
cd "$root"
if [[ ! -f "build/$preset/build.ninja" ]]; then
  cmake --preset "$preset" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
