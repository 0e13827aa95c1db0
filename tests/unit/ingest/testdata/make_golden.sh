#!/bin/sh
# Regenerates golden_counts.tsv from /work/shared/testdata/cloudtrail with jq (1.6), not with
# honeytrail. Files jq cannot parse (the deliberately malformed ones and the wazuh .ini files) get
# "?" and are filled in by hand in the table, with the offsets Python's json module reports.
# Columns: path, records read directly, records in the ".event" of each line (the _source/event
# wrapper of the awsdocs and streamalert files; "-" elsewhere).
set -u
root=${1:-/work/shared/testdata/cloudtrail}
here=$(cd "$(dirname "$0")" && pwd)
cd "$root" || exit 1
find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
  cat_cmd=cat
  case "$f" in *.gz) cat_cmd=zcat ;; esac
  direct=$($cat_cmd "$f" | jq -n -L "$here" "include \"count_records\"; [inputs | count] | add // 0" 2>/dev/null) || direct="?"
  inner=-
  case "$f" in awsdocs/*|streamalert/*)
    inner=$(jq -n -L "$here" 'include "count_records"; [inputs | .event | count] | add // 0' "$f") ;;
  esac
  printf '%s\t%s\t%s\n' "$f" "$direct" "$inner"
done
