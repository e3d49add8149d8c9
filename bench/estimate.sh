#!/usr/bin/env bash
# PPML with three high-dimensional fixed effects, side by side in one run: detour, fixest (R, where it is
# installed: it is skipped otherwise) and pyfixest, on the synthetic gravity panels of
# ../shared/bench/gen_gravity.py (labelled synthetic; exporter-year, importer-year and pair effects, ~30%
# zeros), standard errors clustered by pair. Engines alternate within each round; three rounds; the
# table gives the medians and the ratios to detour at the same thread count. Prints markdown for
# bench/RESULTS.md.
#
#   bench/estimate.sh [WORKDIR]    (needs: pip install pyfixest; ../shared/bench/gen_gravity.py;
#                                   optionally R with fixest, found through R_LIBS)
#   ROUNDS=3 PANELS="150 20 42;200 30 7" PYFIXEST=1 bench/estimate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/detour-bench-estimate}
GEN=${GEN:-../shared/bench/gen_gravity.py}
ROUNDS=${ROUNDS:-3}
PANELS=${PANELS:-"150 20 42;200 30 7"}
PYFIXEST=${PYFIXEST:-1}
mkdir -p "$WORK"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/detour/target}
cargo build --quiet --profile bench-fast --bin detour
DETOUR="$CARGO_TARGET_DIR/bench-fast/detour"
FORMULA="trade ~ rta + ln_tariff | exporter^year + importer^year + exporter^importer"
HAVE_FIXEST=0
if command -v Rscript >/dev/null && Rscript -e 'library(fixest)' >/dev/null 2>&1; then HAVE_FIXEST=1; fi
RES="$WORK/results.jsonl"
: >"$RES"

# one timed run: ENGINE THREADS PANEL_NAME CSV
run() {
  local engine=$1 threads=$2 name=$3 csv=$4 out
  case $engine in
    detour)
      out=$(RAYON_NUM_THREADS=$threads /usr/bin/time -f "%e %M" -o "$WORK/t" "$DETOUR" estimate --data "$csv" \
        --formula "$FORMULA" --vcov cluster:exporter^importer --format json) ;;
    fixest)
      out=$(/usr/bin/time -f "%e %M" -o "$WORK/t" Rscript bench/fixest_bench.R "$csv" "$threads" 2>/dev/null) ;;
    pyfixest)
      out=$(NUMBA_NUM_THREADS=$threads /usr/bin/time -f "%e %M" -o "$WORK/t" python3 bench/pyfixest_bench.py "$csv") ;;
  esac
  read -r wall kb <"$WORK/t"
  python3 - "$engine" "$threads" "$name" "$wall" "$kb" "$out" >>"$RES" <<'PY'
import json, sys
engine, threads, name, wall, kb, out = sys.argv[1:]
o = json.loads(out)
if engine == "detour":
    rta = next(c for c in o["coefficients"] if c["name"] == "rta")
    fit, b, se, it = o["timing"]["fit_seconds"], rta["estimate"], rta["std_error"], o.get("iterations")
else:
    fit, b, se, it = o["fit_seconds"], o["rta"], o["rta_se"], o.get("iterations")
print(json.dumps({"engine": engine, "threads": int(threads), "panel": name, "wall": float(wall),
                  "peak_mib": int(kb) / 1024, "fit": fit, "rta": b, "rta_se": se, "iterations": it}))
PY
}

IFS=';' read -ra SPECS <<<"$PANELS"
for round in $(seq 1 "$ROUNDS"); do
  for spec in "${SPECS[@]}"; do
    set -- $spec
    name="${1}x${1}x${2} seed ${3}"
    csv="$WORK/gravity_${1}x${1}x${2}_seed${3}.csv"
    [ -f "$csv" ] || python3 "$GEN" "$1" "$2" "$3" "$csv" >/dev/null
    for threads in 1 2; do
      run detour "$threads" "$name" "$csv"
      [ "$HAVE_FIXEST" = 1 ] && run fixest "$threads" "$name" "$csv"
    done
    [ "$PYFIXEST" = 1 ] && run pyfixest 2 "$name" "$csv"
    echo "round $round: $name done" >&2
  done
done

python3 - "$RES" "$ROUNDS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = lambda xs: statistics.median(xs)
keys = sorted({(r["panel"], r["engine"], r["threads"]) for r in rows},
              key=lambda k: (k[0], ["detour", "fixest", "pyfixest"].index(k[1]), k[2]))
fit = {k: med([r["fit"] for r in rows if (r["panel"], r["engine"], r["threads"]) == k]) for k in keys}
print(f"| panel | engine | threads | rta (s.e.) | IRLS iterations | fit s (median of {sys.argv[2]}) | wall s | peak MiB | fit ÷ detour's fit, same threads |")
print("|---|---|---|---|---|---|---|---|---|")
for k in keys:
    rs = [r for r in rows if (r["panel"], r["engine"], r["threads"]) == k]
    d = fit.get((k[0], "detour", k[2]))
    ratio = f"{fit[k] / d:.2f}×" if d and k[1] != "detour" else ""
    r0 = rs[0]
    print(f"| {k[0]} | {k[1]} | {k[2]} | {r0['rta']:.6f} ({r0['rta_se']:.4f}) | {r0['iterations'] or ''} | "
          f"{fit[k]:.2f} | {med([r['wall'] for r in rs]):.2f} | {med([r['peak_mib'] for r in rs]):.0f} | {ratio} |")
PY
