#!/usr/bin/env bash
# Renders RESULTS_DIR/report.html in headless Chromium and checks that every chart really drew:
# the DOM Chromium built (not the file we wrote) must hold each expected chart id with an <svg>
# containing at least one <path>, <polyline> or <rect> (data; frames and legends are <line>s).
# Expected ids: throughput, errors, queue, sessions, monitors, spectrum, and latency-<server> and
# commands-<server> for every server in run.json. Also prints the page's size, how long Chromium took to load it, and the points
# of each chart (its longest line's, from the <path> data): a long run's charts merge
# intervals, so these stay bounded. Optionally saves a screenshot.
#
# usage: scripts/check-report.sh RESULTS_DIR [PNG]
set -euo pipefail

dir=${1:?usage: check-report.sh RESULTS_DIR [PNG]}
png=${2:-}
page="$dir/report.html"
[ -f "$page" ] || { echo "no $page" >&2; exit 2; }
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}
[ -x "$chromium" ] || { echo "chromium not found (apt-get install -y chromium)" >&2; exit 2; }

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT
url="file://$(cd "$dir" && pwd)/report.html"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$profile")

start=$(date +%s%N)
"$chromium" "${flags[@]}" --dump-dom "$url" >"$dom" 2>/dev/null
end=$(date +%s%N)
echo "page: $(stat -c %s "$page") bytes, loaded and dumped by Chromium in $(( (end - start) / 1000000 )) ms"

python3 - "$dom" "$dir/run.json" <<'PY'
import html.parser, json, re, sys

dom_path, run_path = sys.argv[1], sys.argv[2]
ids = ["throughput", "errors", "queue", "sessions", "monitors", "spectrum"]
try:
    run = json.load(open(run_path))
    for role in ("cas", "backends"):
        for s in run.get("servers", {}).get(role, []):
            ids.append("latency-" + re.sub(r"[^A-Za-z0-9_-]", "-", s["name"]))
            ids.append("commands-" + re.sub(r"[^A-Za-z0-9_-]", "-", s["name"]))
except (OSError, ValueError) as e:
    print(f"warning: cannot read server names from {run_path}: {e}")

class Charts(html.parser.HTMLParser):
    """Counts data shapes inside each <figure class="chart" id=...>'s <svg>."""
    def __init__(self):
        super().__init__()
        self.found, self.stack, self.current, self.in_svg = {}, [], None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and "chart" in (a.get("class") or "").split():
            self.current = a.get("id", "")
            self.found[self.current] = {"svg": 0, "shapes": 0, "points": 0}
        elif self.current is not None and tag == "svg":
            self.found[self.current]["svg"] += 1
            self.in_svg += 1
        elif self.current is not None and self.in_svg and tag in ("path", "polyline", "rect"):
            self.found[self.current]["shapes"] += 1
            if tag == "path":
                pts = len(re.findall(r"[MLml]", a.get("d") or ""))
                f = self.found[self.current]
                f["points"] = max(f["points"], pts)
    def handle_endtag(self, tag):
        if tag == "svg" and self.in_svg:
            self.in_svg -= 1
        elif tag == "figure":
            self.current = None

p = Charts()
p.feed(open(dom_path, encoding="utf-8").read())
bad = 0
for i in ids:
    f = p.found.get(i)
    if f is None:
        print(f"FAIL {i}: missing"); bad += 1
    elif not f["svg"] or not f["shapes"]:
        print(f"FAIL {i}: svg={f['svg']} shapes={f['shapes']}"); bad += 1
    else:
        print(f"ok   {i}: {f['shapes']} shapes, longest line {f['points']} points")
for i in sorted(set(p.found) - set(ids)):
    print(f"note {i}: extra chart, {p.found[i]['shapes']} shapes")
print(f"{len(ids) - bad}/{len(ids)} charts drawn")
sys.exit(1 if bad else 0)
PY

if [ -n "$png" ]; then
  "$chromium" "${flags[@]}" --hide-scrollbars --window-size=1400,2400 \
    --screenshot="$(realpath -m "$png")" "$url" >/dev/null 2>&1
  echo "screenshot: $png"
fi
