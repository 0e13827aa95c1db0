#!/usr/bin/env bash
# Throughput and correctness of `honeytrail hunt` against the gzip floor. Prints figures; never
# fails on time (it fails only when a tool breaks). See bench/README.md.
#
#   bench/run.sh [CORPUS_DIR]
#   BENCH_BYTES=1G   uncompressed JSON to generate (K, M, G = 10^3, 10^6, 10^9)
#   BENCH_SEED=1     corpus seed
#   BENCH_REPEAT=1   runs of each timed step; the best is reported
# Without CORPUS_DIR the corpus goes to $TMPDIR/honeytrail-bench-<bytes>-<seed> and is reused
# by later runs with the same size and seed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/release
bytes=${BENCH_BYTES:-1G}
seed=${BENCH_SEED:-1}
repeat=${BENCH_REPEAT:-1}
corpus=${1:-${TMPDIR:-/tmp}/honeytrail-bench-$bytes-seed$seed}

ht=$build/honeytrail
gen=$build/bench/ht_bench_corpus
inflate=$build/bench/ht_bench_inflate
check=$build/bench/ht_bench_check
if [[ ! -x $ht || ! -x $gen || ! -x $inflate || ! -x $check ]]; then
  echo "== building release (scripts/build.sh release)"
  bash "$root/scripts/build.sh" release
fi

if [[ ! -f $corpus/corpus.env ]]; then
  echo "== generating $bytes of CloudTrail JSON into $corpus"
  "$gen" --out "$corpus" --bytes "$bytes" --seed "$seed"
else
  echo "== reusing the corpus in $corpus"
fi
# shellcheck disable=SC1091
source "$corpus/corpus.env"
logs=$corpus/AWSLogs
work=$(mktemp -d "${TMPDIR:-/tmp}/ht-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
# x / y with 1 decimal (awk: bash has no floating point).
div() { awk -v a="$1" -v b="$2" -v s="${3:-1}" 'BEGIN { if (b > 0) printf "%.1f", a / b / s; else print "n/a" }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }

have_time=0
[[ -x /usr/bin/time ]] && have_time=1

echo "== corpus: $FILES files, $RECORDS records, $(div "$JSON_BYTES" 1e6) MB JSON," \
  "$(div "$GZ_BYTES" 1e6) MB gzip, $HONEY_KEYS honey keys, $EXPECTED_EVENTS expected matches"
echo "== machine: $(nproc) core(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "== load before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

# Page cache warm-up, so every step reads from memory.
find "$logs" -name '*.gz' -print0 | xargs -0 cat >/dev/null

# (a) zcat
zcat_s=""
for ((i = 0; i < repeat; i++)); do
  t0=$(now)
  find "$logs" -name '*.gz' -print0 | xargs -0 zcat >/dev/null
  t1=$(now)
  zcat_s=$(best "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$zcat_s")
done

# (b) libdeflate on one core
inflate_line=$("$inflate" "$logs" --repeat "$repeat" | tee "$work/inflate.txt" | grep '^INFLATE_SECONDS=')
inflate_s=${inflate_line#INFLATE_SECONDS=}
inflate_s=${inflate_s%% *}

# (c) hunt, key IDs on the command line
keys=()
while read -r k; do keys+=(--key-id "$k"); done <"$corpus/keys.txt"

# Runs hunt; leaves stdout in $work/$name.out, stderr in $name.err, and "seconds rss_kb" in
# $name.res (best time of $repeat runs, the largest peak RSS seen).
hunt() {
  local name=$1
  shift
  local s="" rss=0
  for ((i = 0; i < repeat; i++)); do
    if ((have_time)); then
      /usr/bin/time -f '%e %M' -o "$work/$name.time" "$ht" "$@" >"$work/$name.out" 2>"$work/$name.err"
      read -r e m <"$work/$name.time"
    else
      local t0 t1
      t0=$(now)
      "$ht" "$@" >"$work/$name.out" 2>"$work/$name.err"
      t1=$(now)
      e=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
      m=0
    fi
    s=$(best "$e" "$s")
    ((m > rss)) && rss=$m
  done
  echo "$s $rss" >"$work/$name.res"
}
hunt t1 hunt "$logs" "${keys[@]}" --output json --threads 1
hunt t2 hunt "$logs" "${keys[@]}" --output json --threads 2

# (d) hunt with the registry: every honey key imported with its principal ID
data=$work/data
while read -r k p; do
  "$ht" --data-dir "$data" token import --key-id "$k" --principal-id "$p" >/dev/null
done <"$corpus/principals.txt"
hunt reg --data-dir "$data" hunt "$logs" --output json --threads 2

json_mb=$(div "$JSON_BYTES" 1e6)
row() {  # name seconds rss_kb
  local mbs rps rss
  mbs=$(div "$JSON_BYTES" "$2" 1e6)
  rps=$(awk -v r="$RECORDS" -v s="$2" 'BEGIN { printf "%.0f", r / s }')
  rss=n/a
  if [[ -n $3 && $3 != 0 ]]; then rss=$(div "$3" 1024); fi
  printf "%-34s %8.3f %10s %12s %10s\n" "$1" "$2" "$mbs" "$rps" "$rss"
}
echo
printf "%-34s %8s %10s %12s %10s\n" "step ($json_mb MB JSON, $RECORDS records)" "seconds" "MB/s" "records/s" "peak MiB"
printf "%-34s %8s %10s %12s %10s\n" "----" "-------" "----" "---------" "--------"
row "zcat (gzip -d, 1 core)" "$zcat_s" 0
row "libdeflate (1 core, in memory)" "$inflate_s" 0
read -r t1_s t1_rss <"$work/t1.res"
read -r t2_s t2_rss <"$work/t2.res"
read -r reg_s reg_rss <"$work/reg.res"
row "hunt --key-id x$HONEY_KEYS --threads 1" "$t1_s" "$t1_rss"
row "hunt --key-id x$HONEY_KEYS --threads 2" "$t2_s" "$t2_rss"
row "hunt registry --threads 2" "$reg_s" "$reg_rss"
echo
ratio=$(awk -v h="$t1_s" -v d="$inflate_s" 'BEGIN { printf "%.0f", 100 * d / h }')
verdict=$([[ $ratio -ge 80 ]] && echo "meets" || echo "BELOW")
echo "hunt 1 thread / libdeflate 1 core = $ratio% ($verdict the 80% target)"
echo "hunt 2 threads / hunt 1 thread    = $(awk -v a="$t1_s" -v b="$t2_s" 'BEGIN { printf "%.2fx", a / b }')"
echo "hunt summaries (stderr):"
for n in t1 t2 reg; do echo "  $n: $(tail -n 1 "$work/$n.err")"; done
echo
echo "correctness:"
status=0
"$check" --corpus "$corpus" --hunt "$work/t1.out" --mode key-only --summary "$work/t1.err" || status=1
if cmp -s "$work/t1.out" "$work/t2.out"; then
  echo "  --threads 2 output is identical to --threads 1"
else
  echo "  FAIL: --threads 2 output differs from --threads 1"
  status=1
fi
"$check" --corpus "$corpus" --hunt "$work/reg.out" --mode registry --summary "$work/reg.err" || status=1
exit $status
