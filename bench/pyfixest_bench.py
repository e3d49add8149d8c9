#!/usr/bin/env python3
"""pyfixest side of bench/estimate.sh: the same model on the same CSV; prints one JSON line."""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402

t0 = time.time()
d = pd.read_csv(sys.argv[1])
d["pair"] = d["exporter"] + "_" + d["importer"]
t1 = time.time()
fit = pf.fepois("trade ~ rta + ln_tariff | exporter^year + importer^year + exporter^importer", data=d,
                vcov={"CRV1": "pair"})
t2 = time.time()
tidy = fit.tidy()
print(json.dumps({"load_seconds": t1 - t0, "fit_seconds": t2 - t1, "nobs": int(fit._N),
                  "rta": float(tidy.loc["rta", "Estimate"]), "rta_se": float(tidy.loc["rta", "Std. Error"])}))
