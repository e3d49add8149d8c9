"""DuckDB side of the store benchmark: the same grouped totals on the same Parquet file.

Usage: python3 bench/compare_duckdb.py PARQUET_FILE detour_results.txt
Prints a table of detour vs DuckDB seconds (best of 3) and the ratio detour/DuckDB.
"""
import re
import sys
import time

import duckdb

QUERIES = {
    "total_by_partner": "SELECT partner, SUM(value) AS v FROM flows GROUP BY partner",
    "total_by_hs2_month": "SELECT substr(commodity, 1, 2) AS hs2, year, month, SUM(value) AS v FROM flows GROUP BY 1, 2, 3",
    "yoy_by_partner_year": "SELECT partner, year, SUM(value) AS v FROM flows "
    "WHERE reporter = 'EU27' AND flow = 'export' AND month <= 8 AND year IN (2022, 2023) GROUP BY partner, year",
    "yoy_by_partner": "SELECT partner, SUM(CASE WHEN year = 2023 THEN value END) AS cur, "
    "SUM(CASE WHEN year = 2022 THEN value END) AS prev, "
    "100 * (SUM(CASE WHEN year = 2023 THEN value END) / SUM(CASE WHEN year = 2022 THEN value END) - 1) AS yoy_pct "
    "FROM flows WHERE reporter = 'EU27' AND flow = 'export' AND month <= 8 GROUP BY partner",
    "filtered_hs6_by_year": "SELECT commodity, year, SUM(value) AS v FROM flows WHERE partner IN ('KAZ','KGZ','ARM') GROUP BY 1, 2",
}

parquet, detour_out = sys.argv[1], sys.argv[2]
detour = {}
for line in open(detour_out):
    m = re.match(r"QUERY (\S+) ([0-9.]+)", line)
    if m:
        detour[m.group(1)] = float(m.group(2))

con = duckdb.connect()
con.execute(f"CREATE VIEW flows AS SELECT * FROM read_parquet('{parquet}')")
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(f"duckdb {duckdb.__version__}, threads={threads}")
print(f"{'query':<24}{'detour s':>10}{'duckdb s':>10}{'ratio':>8}")
for name, q in QUERIES.items():
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        con.execute(q).fetchall()
        best = min(best, time.perf_counter() - t)
    d = detour.get(name, float("nan"))
    print(f"{name:<24}{d:>10.3f}{best:>10.3f}{d / best:>8.2f}")
