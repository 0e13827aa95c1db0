#!/usr/bin/env bash
# The main job: install what is missing, build, and run honeytrail on the embedded default
# (a SQLite file in ./honeytrail-data, or $HONEYTRAIL_DATA_DIR). Arguments go to honeytrail;
# with none it runs `honeytrail status`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Only the program: a first run does not compile the test suite.
bash "$root/scripts/build.sh" release honeytrail >&2
if (($# == 0)); then set -- status; fi
exec "$root/build/release/honeytrail" "$@"
