#!/usr/bin/env bash
# imapload with pipelining against imaptest (default settings), side by side
# against one Dovecot on loopback: 100 sessions, NOOP only, SECONDS each,
# ROUNDS times interleaved. Prints each round's commands/s and µs of CPU
# (user + sys, whole process) per command for both, then the medians and the
# ratios (imapload / imaptest). Absolute figures vary 2x between machines;
# the ratios are the figures to track.
#
# imaptest is not built here: build it from its public repository (dovecot/
# imaptest at 924f619: `apt-get install dovecot-dev autoconf automake libtool`,
# `echo 0.0.924f619 > version`, give imap_parser_create() a 4th NULL argument
# for Debian's Dovecot 2.3.19 headers, `./autogen.sh && ./configure
# --with-dovecot=/usr/lib/dovecot && make`) and pass its binary.
#
# usage: scripts/imaptest-bench.sh IMAPTEST [ROUNDS] [SECONDS] [PIPELINE]
#        (defaults 5, 10 and 8; run as root, Dovecot installed)
set -euo pipefail
cd "$(dirname "$0")/.."
imaptest=${1:?usage: $0 IMAPTEST [ROUNDS] [SECONDS] [PIPELINE]}
rounds=${2:-5}
secs=${3:-10}
depth=${4:-8}
work=$(mktemp -d)
chmod 755 "$work"
trap 'kill "$(cat "$work/run/master.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --bin imapload
bin=target/release/imapload
port=$((20000 + RANDOM % 20000))

mkdir -p "$work"/{run,state,mail}
chown dovecot: "$work/mail"
cat >"$work/dovecot.conf" <<CONF
base_dir = $work/run
state_dir = $work/state
log_path = $work/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$work/mail/%u
first_valid_uid = 0
mail_max_userip_connections = 1000
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
}
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=$(id -u dovecot) gid=$(id -g dovecot) home=$work/mail/%u
}
CONF
dovecot -c "$work/dovecot.conf"
for _ in $(seq 50); do grep -q "starting up" "$work/dovecot.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5

cat >"$work/noop.toml" <<TOML
name = "imaptest-noop"
seed = 5
duration = "${secs}s"
[topology]
kind = "real"
[[topology.backend]]
name = "dovecot"
url = "imap://127.0.0.1:$port"
[users]
pattern = "user{}"
password = "secret"
count = 100
[load]
sessions = 100
cas_share = 0.0
[probes]
enabled = false
[session]
commands = [100000000, 100000000]
think_time = { dist = "none" }
pipeline = $depth
[session.mix]
NOOP = 1
TOML

results=()
for round in $(seq "$rounds"); do
    LD_LIBRARY_PATH=/usr/lib/dovecot /usr/bin/time -f '%U %S' -o "$work/time" "$imaptest" \
        host=127.0.0.1 port="$port" user=user%d pass=secret clients=100 secs="$secs" - noop logout=0 \
        >"$work/imaptest.log" 2>&1
    read -r user sys <"$work/time"
    # The Totals block's last line: the count under each state (Logi Sele Noop).
    theirs=$(awk '/^Totals:/ {t=1} t && /^ *[0-9]+ +[0-9]+ +[0-9]+ *$/ {n=$3} END {print n}' "$work/imaptest.log")
    t_rate=$(python3 -c "print(round($theirs / $secs))")
    t_cpu=$(python3 -c "print(round(($user + $sys) * 1e6 / $theirs, 2))")
    rm -rf "$work/out"
    /usr/bin/time -f '%U %S' -o "$work/time" "$bin" run "$work/noop.toml" -o "$work/out" --quiet \
        >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
    read -r user sys <"$work/time"
    read -r ours errors < <(python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print(t['commands'], t['errors'])" "$work/out/run.json")
    o_rate=$(python3 -c "print(round($ours / $secs))")
    o_cpu=$(python3 -c "print(round(($user + $sys) * 1e6 / $ours, 2))")
    echo "round $round: imaptest $t_rate NOOP/s at $t_cpu µs/cmd; imapload (pipeline $depth) $o_rate/s at $o_cpu µs/cmd, $errors errors"
    results+=("$t_rate,$t_cpu,$o_rate,$o_cpu")
done
python3 - "${results[@]}" <<'PY'
import statistics, sys
rows = [list(map(float, r.split(","))) for r in sys.argv[1:]]
med = [statistics.median(c) for c in zip(*rows)]
print(f"median: imaptest {med[0]:.0f}/s at {med[1]:.2f} µs/cmd; imapload {med[2]:.0f}/s at {med[3]:.2f} µs/cmd")
print(f"ratios: commands/s {med[2] / med[0]:.2f}x imaptest's, CPU per command {med[3] / med[1]:.2f}x imaptest's")
PY
