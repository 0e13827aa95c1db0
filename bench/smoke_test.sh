#!/usr/bin/env bash
# CTest "bench" smoke test: a tiny corpus, hunted twice (key IDs only, then the registry), must
# match the ground truth exactly. Correctness only; speed is bench/run.sh's business.
#   smoke_test.sh HONEYTRAIL HT_BENCH_CORPUS HT_BENCH_CHECK
set -uo pipefail
ht=$1 corpus_gen=$2 check=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/ht-bench-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

corpus=$work/corpus
"$corpus_gen" --out "$corpus" --bytes 5M --seed 42 --honey-keys 8 >"$work/gen.log" 2>&1 ||
  { cat "$work/gen.log"; fail "ht_bench_corpus failed"; }
cat "$work/gen.log"

keys=()
while read -r k; do keys+=(--key-id "$k"); done <"$corpus/keys.txt"
"$ht" hunt "$corpus/AWSLogs" "${keys[@]}" --output json --threads 2 >"$work/key.out" 2>"$work/key.err" ||
  { cat "$work/key.err"; fail "hunt --key-id exited non-zero"; }
tail -n 1 "$work/key.err"
"$check" --corpus "$corpus" --hunt "$work/key.out" --mode key-only --summary "$work/key.err" ||
  fail "hunt --key-id does not match the ground truth"

data=$work/data
while read -r k p; do
  "$ht" --data-dir "$data" token import --key-id "$k" --principal-id "$p" >/dev/null ||
    fail "token import $k failed"
done <"$corpus/principals.txt"
"$ht" --data-dir "$data" hunt "$corpus/AWSLogs" --output json --threads 1 >"$work/reg.out" 2>"$work/reg.err" ||
  { cat "$work/reg.err"; fail "hunt with the registry exited non-zero"; }
tail -n 1 "$work/reg.err"
"$check" --corpus "$corpus" --hunt "$work/reg.out" --mode registry --summary "$work/reg.err" ||
  fail "hunt with the registry does not match the ground truth"

# The checker itself must notice a missed event, or the two passes above prove nothing.
sed 1d "$work/reg.out" >"$work/short.out"
if "$check" --corpus "$corpus" --hunt "$work/short.out" --mode registry >/dev/null; then
  fail "ht_bench_check accepted output with a missed event"
fi
echo "PASS: both hunts match the ground truth"
