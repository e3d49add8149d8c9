#!/usr/bin/env python3
"""detour.fepois from Python against the CLI and against pyfixest in the same process, on a
synthetic gravity panel of ../shared/bench/gen_gravity.py (labelled synthetic).

    python bench/python_fepois.py PANEL.csv [DETOUR_BIN]

Each engine runs in a fresh interpreter (so that peak memory is its own): the data is read into a
pandas DataFrame first, one small warm-up fit runs (pyfixest's numba compiles on first use), and
only the estimation call on the whole panel is timed (detour: best of three runs, the CLI too;
pyfixest: one run). The CLI's time is its own
`timing.fit_seconds` (estimation, after reading the CSV). Needs `pip install . pyfixest`.
Prints a markdown table for bench/RESULTS.md.
"""

import json
import subprocess
import sys

FORMULA = "trade ~ rta + ln_tariff | exporter^year + importer^year + exporter^importer"

RUN = r"""
import json, resource, sys, time
import pandas as pd
engine, path, formula = sys.argv[1:4]
df = pd.read_csv(path)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if engine == "detour":
    import detour
    detour.fepois(formula, df.head(5000), vcov={"CRV1": "exporter^importer"})  # warm-up, as below
    s = float("inf")
    for _ in range(3):  # best of three, as for the CLI
        t = time.perf_counter()
        fit = detour.fepois(formula, df, vcov={"CRV1": "exporter^importer"})
        s = min(s, time.perf_counter() - t)
    b, se = fit.coef()["rta"], fit.se()["rta"]
else:
    import pyfixest as pf
    # pyfixest clusters by a column: the pair as one (built before the clock starts).
    df["pair"] = df["exporter"] + "_" + df["importer"]
    pf.fepois(formula, data=df.head(5000), vcov={"CRV1": "pair"})  # numba compiles on first use
    t = time.perf_counter()
    fit = pf.fepois(formula, data=df, vcov={"CRV1": "pair"})
    s = time.perf_counter() - t
    b, se = fit.coef()["rta"], fit.se()["rta"]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": s, "rta": float(b), "se": float(se),
                  "peak_mib": peak / 1024, "data_mib": base / 1024}))
"""


def python_engine(engine, path):
    out = subprocess.run([sys.executable, "-c", RUN, engine, path, FORMULA],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cli(binary, path):
    runs = [cli_once(binary, path) for _ in range(3)]
    return min(runs, key=lambda r: r["seconds"])


def cli_once(binary, path):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "estimate", "--data", path,
                          "--formula", FORMULA, "--vcov", "cluster:exporter^importer",
                          "--format", "json"], check=True, capture_output=True, text=True)
    d = json.loads(out.stdout)
    rta = next(c for c in d["coefficients"] if c["name"] == "rta")
    peak = int(out.stderr.strip().splitlines()[-1]) / 1024
    return {"seconds": d["timing"]["fit_seconds"], "rta": rta["estimate"], "se": rta["std_error"],
            "peak_mib": peak}


def main():
    path = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else "detour"
    rows = int(subprocess.run(["wc", "-l", path], capture_output=True, text=True).stdout.split()[0]) - 1
    d = python_engine("detour", path)
    c = cli(binary, path)
    p = python_engine("pyfixest", path)
    print(f"| engine ({rows:,} rows) | rta (s.e.) | estimation s | peak MiB | ratio to detour.fepois |")
    print("|---|---|---|---|---|")
    print(f"| detour.fepois (pandas in memory) | {d['rta']:.6f} ({d['se']:.4f}) | {d['seconds']:.2f} | "
          f"{d['peak_mib']:.0f} (data {d['data_mib']:.0f}) | 1.00 |")
    print(f"| detour estimate (CLI, fit only) | {c['rta']:.6f} ({c['se']:.4f}) | {c['seconds']:.2f} | "
          f"{c['peak_mib']:.0f} | {c['seconds'] / d['seconds']:.2f} |")
    print(f"| pyfixest.fepois, same process kind | {p['rta']:.6f} ({p['se']:.4f}) | {p['seconds']:.2f} | "
          f"{p['peak_mib']:.0f} (data {p['data_mib']:.0f}) | {p['seconds'] / d['seconds']:.1f} |")


if __name__ == "__main__":
    main()
