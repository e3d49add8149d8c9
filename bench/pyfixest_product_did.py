#!/usr/bin/env python3
"""Reference estimates from pyfixest for the product-level difference-in-differences on the embedded
Eurostat CN8 data (`detour diversion --products chpl`, EU27 senders, target RUS, conduits ARM, GEO,
KAZ, KGZ, UZB): years 2020-2021 against 2022, and months 2020-01..2022-02 against 2022-03..2022-11
(destination x month effects).

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

ROWS = []
with gzip.open("data/trade/eurostat_comext_cn8_eu_member_exports_to_rus_neighbours_monthly_2020_2022.csv.gz", "rt") as f:
    for x in csv.DictReader(f):
        if len(x["product"]) == 8 and x["partner"] in DESTS:
            ROWS.append((x["product"][:6], x["partner"], int(x["month"][:4]), int(x["month"][5:7]), float(x["value_eur"])))


def estimate(times, is_after, time_of):
    """The panel over `times` (year, or year*12+month-1), `is_after(t)`; `time_of(year, month)`."""
    cells = defaultdict(float)
    for k, d, year, month, v in ROWS:
        t = time_of(year, month)
        if t not in times:
            continue
        if year >= 2022 and k in recode:
            k = recode[k]
        cells[(k, d, t)] += v
    before = {k for (k, d, t), v in cells.items() if not is_after(t) and v > 0}
    after = {k for (k, d, t), v in cells.items() if is_after(t) and v > 0}
    pairs = sorted({(k, d) for (k, d, t) in cells if k in before and k in after})
    rows = []
    for k, d in pairs:
        for t in times:
            rows.append(
                {
                    "v": cells.get((k, d, t), 0.0),
                    "pd": f"{k}:{d}",
                    "dt": f"{d}:{t}",
                    "product": k,
                    "chpl_rus_after": float(k in chpl and d == "RUS" and is_after(t)),
                    "chpl_conduits_after": float(k in chpl and d != "RUS" and is_after(t)),
                }
            )
    fit = pf.fepois(
        "v ~ chpl_rus_after + chpl_conduits_after | pd + dt",
        data=pd.DataFrame(rows),
        vcov={"CRV1": "product"},
        fixef_tol=1e-10,
        iwls_tol=1e-10,
    )
    coef, se = fit.coef(), fit.se()
    return {
        "nobs": int(fit._N),
        "chpl_in_data": sorted(chpl & {k for k, _ in pairs}),
        "coefficients": {n: float(coef[n]) for n in coef.index},
        "std_errors": {n: float(se[n]) for n in se.index},
    }


# Years 2020-2021 against 2022 (the yearly reading); months 2020-01..2022-02 against 2022-03..2022-11.
yearly = estimate([2020, 2021, 2022], lambda t: t >= 2022, lambda y, m: y)
m0, m1, m2 = 2020 * 12, 2022 * 12 + 1, 2022 * 12 + 10
monthly = estimate(list(range(m0, m2 + 1)), lambda t: t > m1, lambda y, m: y * 12 + m - 1)
print(json.dumps({"pyfixest": pf.__version__, "yearly": yearly, "monthly": monthly}, indent=2))
