#!/usr/bin/env bash
# The whole test suite: install what is missing, build, and run every test with CTest, first in
# the release build and then under AddressSanitizer + UndefinedBehaviorSanitizer.
# Extra arguments go to ctest (e.g. -R Render). HT_SKIP_SANITIZERS=1 runs the release pass only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/build.sh release
ctest --preset release -j "$(nproc)" "$@"
if [[ "${HT_SKIP_SANITIZERS:-0}" != 1 ]]; then
  bash scripts/build.sh asan-ubsan
  ctest --preset asan-ubsan -j "$(nproc)" "$@"
fi
