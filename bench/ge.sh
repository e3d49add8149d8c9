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
if python3 -c "import gegravity" 2>/dev/null; then
  python3 bench/gegravity_compare.py data/gravity/gegravity_sample_2006_30countries.csv "$WORK/detour_ge.json" \
    | tee "$WORK/compare.json"
else
  echo "GEGravity (pip install gegravity) not installed: comparison 1 skipped"
fi

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

# 4. Zylkin's ge_gravity example (WIOD 2016, 44 economies, EU enlargements as of 2000) against the R port
#    GEGravity run beside it. The R port is not on any registry this machine reaches: point GEGRAVITY_R at
#    R/ge_gravity.R of its public source (VKudlay/GEGravity) to include it.
"$DETOUR" simulate examples/scenarios/ge_gravity_eu_enlargement.toml --format json >"$WORK/ge_gravity.json"
python3 -c "import json; t=json.load(open('$WORK/ge_gravity.json'))['timing']; print(f\"ge_gravity example: detour PPML {t['estimate_seconds']:.4f} s, one solve {t['solve_seconds']/t['solves']:.5f} s\")"
if command -v Rscript >/dev/null && [ -n "${GEGRAVITY_R:-}" ]; then
  Rscript bench/ge_gravity_r.R "$GEGRAVITY_R" data/gravity/wiod2016_agg_allsectors_2000_2014.csv.gz \
    data/conformance/ge_gravity/eu_enlargement_2000_results.csv
fi

# 5. the multi-sector model with input-output links on WIOD 2013 (41 economies x 35 industries)
"$DETOUR" simulate examples/scenarios/russia_sanctions_machinery_wiod2013.toml --format json >"$WORK/sectors.json"
python3 -c "import json; t=json.load(open('$WORK/sectors.json'))['timing']; print(f\"WIOD 2013 41 x 35 with input-output links: one solve {t['solve_seconds']/t['solves']:.3f} s\")"
/usr/bin/time -f "%e" -o "$WORK/sectors_mc.time" "$DETOUR" simulate examples/scenarios/russia_sanctions_machinery_wiod2013.toml \
  --draws 1000 --format json >/dev/null
echo "1000 Monte Carlo draws of it (each solved anew under the scenario's imbalance rule): $(cat "$WORK/sectors_mc.time") s wall"
