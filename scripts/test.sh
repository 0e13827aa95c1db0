#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run every test with CTest.
# Extra arguments go to ctest (e.g. -R Render).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" release
cd "$root"
ctest --preset release -j "$(nproc)" "$@"
