#!/usr/bin/env bash
# PPML with three high-dimensional fixed effects: detour against pyfixest, side by side, on the synthetic
# gravity panels of ../shared/bench/gen_gravity.py (labelled synthetic; exporter-year, importer-year and pair
# effects, ~30% zeros). Prints a markdown table for bench/RESULTS.md.
#
#   bench/estimate.sh [WORKDIR]        (needs: pip install pyfixest; ../shared/bench/gen_gravity.py)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/detour-bench-estimate}
GEN=${GEN:-../shared/bench/gen_gravity.py}
mkdir -p "$WORK"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/detour/target}
cargo build --quiet --profile bench-fast --bin detour
DETOUR="$CARGO_TARGET_DIR/bench-fast/detour"
FORMULA="trade ~ rta + ln_tariff | exporter^year + importer^year + exporter^importer"

echo "| panel | rows | engine | rta (s.e.) | fit s | wall s | peak MiB | pyfixest ÷ detour (wall) |"
echo "|---|---|---|---|---|---|---|---|"
for spec in "150 20 42" "200 30 7"; do
  set -- $spec
  csv="$WORK/gravity_${1}x${1}x${2}_seed${3}.csv"
  [ -f "$csv" ] || python3 "$GEN" "$1" "$2" "$3" "$csv" >/dev/null
  rows=$(($(wc -l <"$csv") - 1))
  d_json=$(/usr/bin/time -f "%e %M" -o "$WORK/d.time" "$DETOUR" estimate --data "$csv" --formula "$FORMULA" \
    --vcov cluster:exporter^importer --format json)
  read -r d_wall d_kb <"$WORK/d.time"
  p_json=$(/usr/bin/time -f "%e %M" -o "$WORK/p.time" python3 bench/pyfixest_bench.py "$csv")
  read -r p_wall p_kb <"$WORK/p.time"
  python3 - "$1x$1x$2 seed $3" "$rows" "$d_wall" "$d_kb" "$p_wall" "$p_kb" "$d_json" "$p_json" <<'PY'
import json, sys
name, rows, dw, dk, pw, pk, dj, pj = sys.argv[1:]
d, p = json.loads(dj), json.loads(pj)
rta = next(c for c in d["coefficients"] if c["name"] == "rta")
ratio = float(pw) / float(dw)
print(f"| {name} | {int(rows):,} | detour | {rta['estimate']:.6f} ({rta['std_error']:.4f}) | {d['timing']['fit_seconds']:.2f} | {float(dw):.2f} | {int(dk)/1024:.0f} | {ratio:.1f}× |")
print(f"| {name} | {int(rows):,} | pyfixest | {p['rta']:.6f} ({p['rta_se']:.4f}) | {p['fit_seconds']:.2f} | {float(pw):.2f} | {int(pk)/1024:.0f} | |")
PY
done
