#!/usr/bin/env python3
"""Reference estimate from pyfixest for the product-level difference-in-differences on the embedded
Eurostat CN8 data (`detour diversion --products all`, EU27 senders, target RUS, conduits ARM, GEO,
KAZ, KGZ, UZB, years 2020-2021 against 2022).

Builds the panel independently from data/trade (CN8 rows summed to HS-6; in 2022, CN follows HS 2022,
so the CHPL codes HS 2022 created are mapped back to their HS 2017 codes through
data/reference/chpl_hs2022_to_hs2017.csv; HS-6 codes seen only before or only after 2022 are dropped;
every product-destination pair with a row, balanced over the three years with zeros) and fits

    exports ~ CHPL x RUS x after + CHPL x conduits x after | product^destination + destination^year

with pyfixest (Poisson, clustered by product, tolerances 1e-10). The output is committed as
crates/detour-cli/tests/fixtures/pyfixest_product_did_cn8.json:
    python3 bench/pyfixest_product_did.py > crates/detour-cli/tests/fixtures/pyfixest_product_did_cn8.json
"""
import csv
import gzip
import json
import warnings
from collections import defaultdict

import pandas as pd
import pyfixest as pf

warnings.filterwarnings("ignore")
DESTS = ["RUS", "ARM", "GEO", "KAZ", "KGZ", "UZB"]
YEARS = [2020, 2021, 2022]

recode = {r["hs2022"]: r["hs2017"] for r in csv.DictReader(open("data/reference/chpl_hs2022_to_hs2017.csv"))}
chpl = set()
for r in csv.DictReader(open("data/reference/chpl_common_high_priority_hs6_2024-02.csv")):
    chpl.add(recode.get(r["hs6"], r["hs6"]))

cells = defaultdict(float)
with gzip.open("data/trade/eurostat_comext_cn8_eu_member_exports_to_rus_neighbours_monthly_2020_2022.csv.gz", "rt") as f:
    for x in csv.DictReader(f):
        if len(x["product"]) != 8 or x["partner"] not in DESTS:
            continue
        year = int(x["month"][:4])
        k = x["product"][:6]
        if year >= 2022 and k in recode:
            k = recode[k]
        cells[(k, x["partner"], year)] += float(x["value_eur"])

before = {k for (k, d, y), v in cells.items() if y <= 2021 and v > 0}
after = {k for (k, d, y), v in cells.items() if y >= 2022 and v > 0}
pairs = sorted({(k, d) for (k, d, y) in cells if k in before and k in after})
rows = []
for k, d in pairs:
    for y in YEARS:
        rows.append(
            {
                "v": cells.get((k, d, y), 0.0),
                "pd": f"{k}:{d}",
                "dt": f"{d}:{y}",
                "product": k,
                "chpl_rus_after": float(k in chpl and d == "RUS" and y >= 2022),
                "chpl_conduits_after": float(k in chpl and d != "RUS" and y >= 2022),
            }
        )
df = pd.DataFrame(rows)
fit = pf.fepois(
    "v ~ chpl_rus_after + chpl_conduits_after | pd + dt",
    data=df,
    vcov={"CRV1": "product"},
    fixef_tol=1e-10,
    iwls_tol=1e-10,
)
coef = fit.coef()
se = fit.se()
print(
    json.dumps(
        {
            "pyfixest": pf.__version__,
            "nobs": int(fit._N),
            "chpl_in_data": sorted(chpl & {k for k, _ in pairs}),
            "coefficients": {n: float(coef[n]) for n in coef.index},
            "std_errors": {n: float(se[n]) for n in se.index},
        },
        indent=2,
    )
)
