#!/usr/bin/env bash
# The size limits CI enforces on the code: no .rs file in src/, tests/, benches/ or examples/
# over 400 lines. (No function over 80 lines is clippy's `too_many_lines`, which .ci/run
# denies with the threshold of clippy.toml.)
#
# usage: scripts/check-limits.sh
set -euo pipefail
cd "$(dirname "$0")/.."

max_lines=400
over=0
while IFS= read -r -d '' file; do
    lines=$(wc -l <"$file")
    if [ "$lines" -gt "$max_lines" ]; then
        echo "$file: $lines lines (at most $max_lines)"
        over=$((over + 1))
    fi
done < <(find src tests benches examples -name '*.rs' -print0 | sort -z)
if [ "$over" -gt 0 ]; then
    echo "$over file(s) over $max_lines lines: split them by what they do" >&2
    exit 1
fi
