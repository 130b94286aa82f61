#!/usr/bin/env bash
# Noise calibration of the regression gate: how often does `imapload compare`
# fail when nothing changed, on this machine, for this scenario and setting?
#
#   scripts/noise-calibration.sh SCENARIO N [MAX_REGRESSION] [CURRENT_SCENARIO]
#   scripts/noise-calibration.sh scenarios/ci-regression.toml 10            # twins: false alarms
#   scripts/noise-calibration.sh scenarios/ci-regression.toml 10 10% \
#       scenarios/ci-regression-slow-mbx2.toml                             # a real slowdown: catches
#
# Runs N pairs, one after the other (never in parallel: they would load each
# other): a baseline of SCENARIO and a current run of CURRENT_SCENARIO (default
# SCENARIO itself, a "twin"), then `imapload compare BASE CUR --max-regression
# MAX_REGRESSION` (default 10%). With RUNS=K (environment) each side is K runs
# and compare pools them (`compare b1..bK -- c1..cK`). Prints one line per pair
# (exit code, regressions, the rows that failed) and the total: for twins,
# failed/N is the gate's false-alarm rate at that setting; for a slowed
# scenario, the rate at which it catches the slowdown. Extra compare flags go
# in COMPARE_FLAGS (e.g. "--alpha 0.01 --metric p90"). The machine's load
# average is printed before and after: a busy machine makes every run noisier.
#
# Uses $IMAPLOAD, else target/release/imapload (built if missing). Writes
# under ${OUT:-bench/noise}/ (removed first).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
SCENARIO=$1
N=$2
MAXREG=${3:-10%}
CURRENT=${4:-$SCENARIO}
RUNS=${RUNS:-1}
BIN=${IMAPLOAD:-target/release/imapload}
OUT=${OUT:-bench/noise}
[ -x "$BIN" ] || cargo build --release --quiet
rm -rf "$OUT" && mkdir -p "$OUT"
echo "# $SCENARIO vs $CURRENT, $N pairs, $RUNS run(s) a side, --max-regression $MAXREG ${COMPARE_FLAGS:-}"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
for i in $(seq 1 "$N"); do
    base=() cur=()
    for k in $(seq 1 "$RUNS"); do
        "$BIN" run "$SCENARIO" --out "$OUT/$i/base$k" --quiet --fail-on never >/dev/null
        base+=("$OUT/$i/base$k")
    done
    for k in $(seq 1 "$RUNS"); do
        "$BIN" run "$CURRENT" --out "$OUT/$i/cur$k" --quiet --fail-on never >/dev/null
        cur+=("$OUT/$i/cur$k")
    done
    code=0
    # shellcheck disable=SC2086
    "$BIN" compare --max-regression "$MAXREG" ${COMPARE_FLAGS:-} --format json \
        "${base[@]}" -- "${cur[@]}" >"$OUT/$i/compare.json" || code=$?
    rows=$(jq -r '[.rows[] | select(.fails) | "\(.path).\(.server).\(.backend).\(.command)@\(.stat)"] | join(" ")' \
        "$OUT/$i/compare.json")
    summary=$(jq -r .summary "$OUT/$i/compare.json")
    [ "$code" = 4 ] && failed=$((failed + 1))
    echo "pair $i: exit $code: $summary${rows:+ [failed: $rows]}"
    [ "$code" = 0 ] || [ "$code" = 4 ] || { echo "compare exited $code" >&2; exit 1; }
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "failed $failed of $N pairs"
