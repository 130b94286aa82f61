#!/usr/bin/env bash
# Soak benchmark: a long run squeezed into a short one by shrinking the
# interval, so the interval count of a working day (8 h at 1 s = 28,800)
# is reached in minutes. Samples the generator's RSS every second and times
# the end of the run (from the moment the load stops to the exit: the drain
# plus writing the results).
#
#   scripts/soak-bench.sh [DURATION] [INTERVAL] [SESSIONS] [SCENARIO]
#   scripts/soak-bench.sh 5m 100ms 60                 # 3,000 intervals
#   scripts/soak-bench.sh 48m 100ms 60                # 28,800 intervals
#   scripts/soak-bench.sh 1h 1s 60                    # an hour, 1 s intervals
#
# Defaults: 5m, 100ms, 60 sessions, the quickstart's scenario (its mix, the
# embedded topology). Writes bench/soak-<DURATION>-<INTERVAL>/ with rss.csv
# (seconds, RSS in KiB), the results directory and a summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5m}
INTERVAL=${2:-100ms}
SESSIONS=${3:-60}
SCENARIO=${4:-scenarios/quickstart.toml}
BIN=${IMAPLOAD:-target/release/imapload}
[ -x "$BIN" ] || cargo build --release --quiet
OUT=bench/soak-$DURATION-$INTERVAL
rm -rf "$OUT" && mkdir -p "$OUT"
# The scenario with the interval, no ramp longer than the run, no warm-up.
sed -e "s/^interval = .*/interval = \"$INTERVAL\"/" \
    -e "s/^ramp_up = .*/ramp_up = \"3s\"/" \
    -e "s/^warmup = .*/warmup = \"0s\"/" \
    -e "s/^cooldown = .*/cooldown = \"0s\"/" "$SCENARIO" > "$OUT/scenario.toml"
secs() { # a duration like 5m, 1h, 90s, 100ms -> seconds (integer part)
  local d=$1
  case $d in *ms) echo $(( ${d%ms} / 1000 ));; *h) echo $(( ${d%h} * 3600 ));;
             *m) echo $(( ${d%m} * 60 ));; *s) echo "${d%s}";; esac
}
LOAD_S=$(secs "$DURATION")
START=$(date +%s.%N)
"$BIN" run "$OUT/scenario.toml" --quiet --duration "$DURATION" --sessions "$SESSIONS" \
  --out "$OUT/results" > "$OUT/stdout.txt" 2> "$OUT/stderr.txt" &
PID=$!
echo "seconds,rss_kib" > "$OUT/rss.csv"
while kill -0 "$PID" 2>/dev/null; do
  NOW=$(date +%s.%N)
  RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status" 2>/dev/null || true)
  [ -n "$RSS" ] && awk -v a="$NOW" -v b="$START" -v r="$RSS" 'BEGIN { printf "%.0f,%s\n", a - b, r }' >> "$OUT/rss.csv"
  sleep 1
done
set +e; wait "$PID"; CODE=$?; set -e
END=$(date +%s.%N)
python3 - "$OUT" "$LOAD_S" "$START" "$END" "$CODE" <<'PY'
import csv, sys
out, load_s, start, end, code = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rows = [(int(r["seconds"]), int(r["rss_kib"])) for r in csv.DictReader(open(out + "/rss.csv"))]
def at(t):
    best = [kib for s, kib in rows if s <= t]
    return best[-1] / 1024 if best else float("nan")
marks = [m for m in (60, 120, 300, 600, 1800, 3600, 7200, 28800) if m <= load_s]
line = ", ".join(f"{m // 60} min {at(m):.1f} MiB" for m in marks)
end_of_run = end - start - load_s
grow = at(load_s) - at(60)
print(f"exit {code}; RSS: {line}; end of load {at(load_s):.1f} MiB; "
      f"growth after the first minute {grow:+.1f} MiB; peak {max(k for _, k in rows) / 1024:.1f} MiB; "
      f"from the end of the load to the exit {end_of_run:.1f} s")
PY
