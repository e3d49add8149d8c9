#!/usr/bin/env bash
# Load test of `detour serve` from a second process on loopback (wrk, Debian package `wrk`).
# Usage: bench/serve.sh [DURATION_SECONDS]   (uses the dev build, as `cargo run` does)
set -euo pipefail
cd "$(dirname "$0")/.."
D=${1:-15}
cargo build --bin detour --quiet
BIN="${CARGO_TARGET_DIR:-target}/debug/detour"
"$BIN" serve --addr 127.0.0.1:18099 --threads 8 > /tmp/detour-serve-bench.log 2>&1 &
PID=$!
trap 'kill $PID' EXIT
sleep 2
for path in "/api/health" \
            "/api/trade?reporter=EU27&partner=KGZ&flow=exports&period=2023" \
            "/api/trade?reporter=RUS&partner=KAZ&flow=turnover&period=2021&yoy=true" \
            "/api/series?reporter=EU27&partner=RUS&period=2019-01..2024-08&freq=monthly" \
            "/api/trade?reporter=XXX&partner=KGZ&period=2023"; do
  echo "== $path"
  wrk -t2 -c8 -d"${D}s" --latency "http://127.0.0.1:18099$path" | grep -E "Latency  |50%|90%|99%|Requests/sec|Non-2xx|Socket errors|requests in"
done
