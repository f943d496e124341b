#!/usr/bin/env bash
# Runs the cargo-fuzz targets one after another, at low priority, on stable Rust.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 600 s; offer_file redact understand)
#   PARALLEL=1 scripts/fuzz.sh 600                      (all targets at once, each for the time given)
# Needs `cargo install cargo-fuzz`. Seeds each corpus from the knowledge base and the routing
# questions; corpora and crash artifacts stay in fuzz/corpus and fuzz/artifacts (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(offer_file redact understand)

mkdir -p fuzz/corpus/offer_file fuzz/corpus/redact fuzz/corpus/understand
cp -n knowledge/offers/*.md tests/fixtures/valid-offer.md fuzz/corpus/offer_file/ 2>/dev/null || true
i=0
tail -n +2 tests/routing-questions.tsv | cut -f5 | while IFS= read -r q; do
  i=$((i + 1))
  printf '%s' "$q" > "fuzz/corpus/understand/seed-$i"
  printf '%s' "$q" > "fuzz/corpus/redact/seed-$i"
done
printf '%s' 'Mail mij op jan.jansen@bakkerij-jansen.nl of bel 06-12345678, IBAN NL91 ABNA 0417 1643 00, Stationsstraat 12, 9401 KA Assen. Mvg, Jan de Vries' \
  > fuzz/corpus/redact/seed-pii

# Instrumented builds get a target dir of their own so they never wait on the main build's lock.
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-target}/fuzz}
export RUSTC_BOOTSTRAP=1
run_one() {
  local t="$1"
  echo "== $t: $(date -u +%FT%TZ), ${secs}s"
  local rc=0
  nice -n 19 cargo fuzz run "$t" --sanitizer none -- \
    -max_total_time="$secs" -max_len=8192 -print_final_stats=1 >"fuzz/$t.log" 2>&1 || rc=$?
  echo "== $t: exit $rc, $(grep -E '^#[0-9]+' "fuzz/$t.log" | tail -n 1)"
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "fuzz/$t.log" | sed "s/^/== $t: /" || true
  echo "== $t: corpus $(ls "fuzz/corpus/$t" | wc -l) files, crashes $(ls "fuzz/artifacts/$t" 2>/dev/null | wc -l)"
  return $rc
}
# Build once before any run, so parallel runs do not race for the build.
nice -n 19 cargo fuzz build --sanitizer none
failed=0
if [ "${PARALLEL:-0}" = 1 ]; then
  pids=()
  for t in "${targets[@]}"; do run_one "$t" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
else
  for t in "${targets[@]}"; do run_one "$t" || failed=1; done
fi
exit $failed
