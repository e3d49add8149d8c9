#!/usr/bin/env python3
"""GEGravity (USITC, PyPI `gegravity` 0.3) side by side with `detour simulate` on the GEGravity sample world:
the Canada-Japan PTA of examples/scenarios/gegravity_sample.toml, σ = 5, reference importer DEU, the same
trade-cost coefficients (detour's PPML estimates, passed to GEGravity as CostCoeffs) and the data's Y and E.

    python3 bench/gegravity_compare.py DATA.csv DETOUR.json

DETOUR.json is `detour simulate SCENARIO --format json` for a scenario with `[data] output = "Y"` and
`expenditure = "E"`. Prints the largest relative differences (conditional resistances, where the two
formulations coincide; full-endowment results, where they do not) and both solve times, as JSON."""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import gegravity as ge  # noqa: E402
import pandas as pd  # noqa: E402

data_path, detour_path = sys.argv[1], sys.argv[2]
det = json.load(open(detour_path))
data = pd.read_csv(data_path)
data["year"] = data["year"].astype(str)
coefs = pd.DataFrame([{"var": c["name"], "coeff": c["estimate"], "ste": c["std_error"]} for c in det["coefficients"]])
t0 = time.time()
baseline = ge.BaselineData(data, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
                           trade_var_name="trade", expend_var_name="E", output_var_name="Y")
model = ge.OneSectorGE(baseline, year="2006", expend_var_name="E", output_var_name="Y",
                       cost_coeff_values=ge.CostCoeffs(estimates=coefs, identifier_col="var", coeff_col="coeff",
                                                       stderr_col="ste"),
                       cost_variables=list(coefs["var"]), reference_importer="DEU", sigma=5, quiet=True)
model.build_baseline(omr_rescale=100)
exp = model.baseline_data.copy()
for a, b in (("CAN", "JPN"), ("JPN", "CAN")):
    exp.loc[(exp["exporter"] == a) & (exp["importer"] == b), "pta"] = 1
model.define_experiment(exp)
model.simulate()
seconds = time.time() - t0

d = {c["country"]: c for c in det["countries"]}
worst = {}
for c, cs in model.country_set.items():
    c = "DEU" if c not in d else c
    pairs = {
        "conditional IMR change": (100 * (cs.conditional_imr / cs.baseline_imr - 1), d[c]["imr_change_pct_conditional"]),
        "conditional OMR change": (100 * (cs.conditional_omr / cs.baseline_omr - 1), d[c]["omr_change_pct_conditional"]),
        "full: factory-gate price change": (cs.factory_price_change, d[c]["factory_gate_price_change_pct"]),
        "full: IMR change": (cs.imr_change, d[c]["imr_change_pct"]),
        "full: real GDP change": (100 * (cs.experiment_factory_price / (cs.experiment_imr / cs.baseline_imr) - 1),
                                  d[c]["real_gdp_change_pct"]),
    }
    for k, (g, m) in pairs.items():
        rel = abs(g - m) / max(abs(g), 1e-300)
        worst[k] = max(worst.get(k, 0.0), rel)
if len(sys.argv) > 3:
    # reference values for the tests: GEGravity's conditional resistance changes by country
    ref = {c: {"imr_change_pct_conditional": 100 * (cs.conditional_imr / cs.baseline_imr - 1),
               "omr_change_pct_conditional": 100 * (cs.conditional_omr / cs.baseline_omr - 1)}
           for c, cs in model.country_set.items()}
    with open(sys.argv[3], "w") as f:
        json.dump({"gegravity_version": ge.__version__ if hasattr(ge, "__version__") else "0.3",
                   "scenario": "examples/scenarios/gegravity_sample.toml with [data] output = Y, expenditure = E",
                   "countries": ref}, f, indent=1, sort_keys=True)
print(json.dumps({"gegravity_seconds": seconds, "detour_solve_seconds": det["timing"]["solve_seconds"],
                  "max_relative_difference": worst}, indent=1))
