#!/usr/bin/env bash
# Generator CPU per command against the floor: the bare C client of
# benches/floor/floor_client.c (N connections, LOGIN, SELECT, then NOOP back to
# back, finding the tagged line and nothing else) and `imapload run
# scenarios/bench-noop.toml` (the same 1,000 sessions sending NOOP), one after
# the other against the same `imapload serve`, ROUNDS times, interleaved.
# Prints each round's µs of CPU (user + sys) per command for both and their
# ratio, then the median ratio. Absolute figures vary 2x between machines; the
# ratio is the figure to track. imapload's CPU is its whole process (start,
# logins, teardown included); the floor's is its NOOP phase only, so the ratio
# leans against imapload.
#
# Each round also runs examples/tokio_floor.rs, the same bare client on tokio
# (imapload's runtime): its ratio is the share of imapload's distance that the
# runtime alone costs; the rest is imapload's own per-command work.
#
# With liburing's headers (apt-get install liburing-dev), each round also runs
# benches/floor/uring_floor.c, the C client on io_uring: its ratio shows what
# batching the syscalls could save below the epoll floor.
#
# usage: scripts/floor-bench.sh [ROUNDS] [SECONDS]   (defaults 5 and 15)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-15}
work=$(mktemp -d)
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin imapload --example tokio_floor
bin=target/release/imapload
cc -O2 -o "$work/floor" benches/floor/floor_client.c
uring=""
if [ -e /usr/include/liburing.h ]; then
    cc -O2 -o "$work/uring_floor" benches/floor/uring_floor.c -luring && uring="$work/uring_floor"
fi

# The ports bench-noop.toml names: CAS 11430, mbx1 11432, mbx2 11434.
"$bin" serve --port-base 11430 --users 1000 --service-time 0 --workers 1000 >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do grep -q '^USERS' "$work/serve.log" 2>/dev/null && break; sleep 0.2; done

sed "s/^duration = .*/duration = \"${secs}s\"/" scenarios/bench-noop.toml >"$work/bench-noop.toml"
ratios=()
tokio_ratios=()
uring_ratios=()
for round in $(seq "$rounds"); do
    floor=$("$work/floor" 1000 11432 "$secs" 1000 | sed -n 's/.*us_per_cmd \([0-9.]*\).*/\1/p')
    tokio=$(target/release/examples/tokio_floor 1000 11432 "$secs" 1000 | sed -n 's/.*us_per_cmd \([0-9.]*\).*/\1/p')
    tokio_ratios+=("$(python3 -c "print(round($tokio / $floor, 3))")")
    if [ -n "$uring" ]; then
        ring=$("$uring" 1000 11432 "$secs" 1000 | sed -n 's/.*us_per_cmd \([0-9.]*\).*/\1/p')
        uring_ratios+=("$(python3 -c "print(round($ring / $floor, 3))")")
        echo "round $round: io_uring floor $ring µs/cmd"
    fi
    rm -rf "$work/out"
    /usr/bin/time -f '%U %S' -o "$work/time" "$bin" run "$work/bench-noop.toml" -o "$work/out" --quiet \
        >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
    read -r user sys <"$work/time"
    commands=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['totals']['commands'])" "$work/out/run.json")
    ours=$(python3 -c "print(round(($user + $sys) * 1e6 / $commands, 2))")
    ratio=$(python3 -c "print(round($ours / $floor, 3))")
    ratios+=("$ratio")
    echo "round $round: floor $floor µs/cmd, tokio floor $tokio, imapload $ours µs/cmd ($commands commands), ratio $ratio"
done
python3 -c "import statistics,sys; print('median ratio', statistics.median(map(float, sys.argv[1:])))" "${ratios[@]}"
python3 -c "import statistics,sys; print('median tokio floor ratio', statistics.median(map(float, sys.argv[1:])))" "${tokio_ratios[@]}"
if [ -n "$uring" ]; then
    python3 -c "import statistics,sys; print('median io_uring floor ratio', statistics.median(map(float, sys.argv[1:])))" "${uring_ratios[@]}"
fi
