#!/usr/bin/env bash
# General-equilibrium simulation benchmarks: detour against GEGravity (pip install gegravity) on the
# GEGravity sample world, 1,000 Monte Carlo draws on the book's 69-country data, and a SYNTHETIC
# 250-country world (bench/gen_world.py). Prints lines for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/detour-bench-ge}
mkdir -p "$WORK"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/detour/target}
cargo build --quiet --profile bench-fast --bin detour
DETOUR="$CARGO_TARGET_DIR/bench-fast/detour"
solve() { python3 -c "import json,sys; d=json.load(sys.stdin); print(f\"{d['timing']['solve_seconds']:.4f}\")"; }

# 1. GEGravity sample, same scenario and inputs (data's Y and E, detour's coefficients)
sed 's/^\[model\]/output = "Y"\nexpenditure = "E"\n\n[model]/' examples/scenarios/gegravity_sample.toml \
  | sed "s|file = \"../../data|file = \"$PWD/data|" >"$WORK/gegravity_ye.toml"
"$DETOUR" simulate "$WORK/gegravity_ye.toml" --format json >"$WORK/detour_ge.json"
python3 bench/gegravity_compare.py data/gravity/gegravity_sample_2006_30countries.csv "$WORK/detour_ge.json" \
  | tee "$WORK/compare.json"

# 2. Monte Carlo on the book's data
/usr/bin/time -f "%e" -o "$WORK/mc.time" "$DETOUR" simulate examples/scenarios/yotov2016_remove_borders.toml \
  --draws 1000 --format json >/dev/null
echo "1000 Monte Carlo draws, 69 countries: $(cat "$WORK/mc.time") s wall"

# 3. a synthetic 250-country world
[ -f "$WORK/world250.csv" ] || python3 bench/gen_world.py 250 1 "$WORK/world250.csv"
cat >"$WORK/world250.toml" <<TOML
name = "SYNTHETIC 250-country world, borders removed"
[data]
file = "$WORK/world250.csv"
[model]
formula = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"
sigma = 7
reference = "C000"
[[change]]
variable = "INTL_BRDR"
value = 0
TOML
echo "250-country world: solve $("$DETOUR" simulate "$WORK/world250.toml" --format json | solve) s"
echo "69-country book data: solve $("$DETOUR" simulate examples/scenarios/yotov2016_remove_borders.toml --format json | solve) s"
