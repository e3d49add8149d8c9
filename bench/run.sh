#!/usr/bin/env bash
# Store benchmark: ingest of a SYNTHETIC 50M-row HS-6 x partner x month panel, then grouped
# totals in detour (DataFusion) and DuckDB on the same Parquet file. Needs ~4 GB of disk.
# Usage: bench/run.sh [ROWS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-50000000}"
WORK="${2:-/tmp/detour-bench}"
pip install --quiet duckdb >/dev/null 2>&1 || true
cargo run -q --profile bench-fast -p detour-store --example bench_store -- "$ROWS" "$WORK" | tee "$WORK/detour.txt"
PARQUET=$(sed -n 's/^PARQUET //p' "$WORK/detour.txt")
python3 bench/compare_duckdb.py "$PARQUET" "$WORK/detour.txt"
