#!/usr/bin/env python3
"""Reference estimates from pyfixest for the estimation tests.

Runs pyfixest on the gravity data shipped in data/gravity and writes, for each model, the coefficients and
standard errors that `detour estimate` must reproduce (coefficients to 1e-6 relative, standard errors to 1e-4).
The output is committed as crates/detour-cli/tests/fixtures/pyfixest_reference.json; rerun after a pyfixest
upgrade:  python3 bench/pyfixest_reference.py > crates/detour-cli/tests/fixtures/pyfixest_reference.json
"""
import json
import warnings
import sys

import numpy as np
import pandas as pd
import pyfixest as pf

warnings.filterwarnings("ignore")
ROOT = sys.argv[1] if len(sys.argv) > 1 else "data/gravity"
apps = pd.read_csv(f"{ROOT}/yotov2016_agtpa_1986_2006_every4.csv.gz")
apps["pair"] = apps["exporter"] + "_" + apps["importer"]
intl = apps[apps.exporter != apps.importer].copy()
intl["ln_dist"] = np.log(intl["dist"])
intl["ln_trade"] = np.log(intl["trade"].where(intl["trade"] > 0))
ge = pd.read_csv(f"{ROOT}/gegravity_sample_2006_30countries.csv")
ch2 = pd.read_csv(f"{ROOT}/yotov2016_ch2_trade_without_border_2006.csv.gz")

FE3 = "exporter^year + importer^year + pair_id"
models = [
    # name, family, data, formula (pyfixest), vcov (pyfixest), detour formula, detour vcov, detour subset
    ("ch1_traditional", "poisson", intl, "trade ~ ln_dist + cntg + lang + clny | exporter^year + importer^year",
     {"CRV1": "pair_id"}, "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
     "cluster:pair_id", "exporter != importer"),
    ("app3_rta", "poisson", apps, f"trade ~ rta | {FE3}", {"CRV1": "pair_id"},
     f"trade ~ rta | {FE3}", "cluster:pair_id", None),
    ("app3_lead", "poisson", apps, f"trade ~ rta + rta_lead4 | {FE3}", {"CRV1": "pair_id"},
     f"trade ~ rta + rta_lead4 | {FE3}", "cluster:pair_id", None),
    ("app3_phasing", "poisson", apps, f"trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 | {FE3}",
     {"CRV1": "pair_id"}, f"trade ~ rta + rta_lag4 + rta_lag8 + rta_lag12 | {FE3}", "cluster:pair_id", None),
    ("app3_twoway_cluster", "poisson", apps, f"trade ~ rta | {FE3}", {"CRV1": "exporter+importer"},
     f"trade ~ rta | {FE3}", "cluster:exporter,importer", None),
    ("gegravity_hetero", "poisson", ge, "trade ~ pta + contiguity + common_language + lndist + international | exporter + importer",
     "hetero", "trade ~ pta + contiguity + common_language + lndist + international | exporter + importer", "hc1", None),
    ("ch2_border_iid", "poisson", ch2, "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer", "iid",
     "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer", "iid", None),
    ("ch1_ols_cluster", "ols", intl, "ln_trade ~ ln_dist + cntg + lang + clny | exporter^year + importer^year",
     {"CRV1": "pair_id"}, "log(trade) ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
     "cluster:pair_id", "exporter != importer & trade > 0"),
    ("ch1_ols_hetero", "ols", intl, "ln_trade ~ ln_dist + cntg + lang + clny | exporter^year + importer^year",
     "hetero", "log(trade) ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
     "hc1", "exporter != importer & trade > 0"),
]

out = {"pyfixest_version": pf.__version__, "models": []}
for name, family, data, fml, vcov, dfml, dvcov, dsubset in models:
    if family == "poisson":
        fit = pf.fepois(fml, data=data, vcov=vcov, fixef_tol=1e-10, iwls_tol=1e-10)
    else:
        fit = pf.feols(fml, data=data.dropna(subset=["ln_trade"]), vcov=vcov, fixef_tol=1e-10)
    tidy = fit.tidy()
    rename = {"ln_dist": "log(dist)"}
    out["models"].append({
        "name": name,
        "family": family,
        "data": {"ch1_traditional": "apps", "ch1_ols_cluster": "apps", "ch1_ols_hetero": "apps",
                 "gegravity_hetero": "ge", "ch2_border_iid": "ch2"}.get(name, "apps"),
        "formula": dfml,
        "vcov": dvcov,
        "subset": dsubset,
        "nobs": int(fit._N),
        "coefficients": [
            {"name": rename.get(k, k), "estimate": float(r["Estimate"]), "std_error": float(r["Std. Error"])}
            for k, r in tidy.iterrows()
        ],
    })
json.dump(out, sys.stdout, indent=1)
print()
