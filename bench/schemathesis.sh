#!/usr/bin/env bash
# Property-based API testing of `detour serve` against its own OpenAPI document, every check
# class, bounded in time. Installs schemathesis (PyPI) into a virtual environment outside the
# clone. Usage: bench/schemathesis.sh [MAX_EXAMPLES_PER_OPERATION] [SECONDS] [EXTRA st OPTIONS…]
# (for example `--exclude-checks positive_data_acceptance`; see bench/RESULTS.md for why).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
SECS=${2:-900}
shift $(( $# > 2 ? 2 : $# ))
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/detour/target}"
VENV="${DETOUR_ST_VENV:-$(dirname "$CARGO_TARGET_DIR")/venv-schemathesis}"
[ -x "$VENV/bin/st" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet "schemathesis>=4,<5"; }
cargo build --bin detour --quiet
BIN="$CARGO_TARGET_DIR/debug/detour"
LOG=$(mktemp)
"$BIN" serve --addr 127.0.0.1:0 > "$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 50); do grep -q "http://" "$LOG" && break; sleep 0.2; done
URL=$(grep -o 'http://[0-9.:]*' "$LOG" | head -1)
timeout "$SECS" "$VENV/bin/st" run "$URL/api/openapi.json" --url "$URL" \
  --checks all --max-examples "$N" --phases examples,coverage,fuzzing --workers 2 \
  --request-timeout 90 --max-response-time 60 --suppress-health-check all "$@"
