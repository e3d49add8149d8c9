"""Tests of the Python package against pyfixest's published estimates (the reference file the Rust
tests use, written by bench/pyfixest_reference.py), against the CLI's JSON, and on bad input.

Run after `pip install .` (or `maturin develop`): `pytest python/tests`. The CLI comparisons use
the `detour` binary at $DETOUR_BIN, else the cargo build's."""

import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import detour

ROOT = Path(__file__).resolve().parents[2]
GRAVITY = ROOT / "data" / "gravity"
REFERENCE = json.loads(
    (ROOT / "crates/detour-cli/tests/fixtures/pyfixest_reference.json").read_text()
)
DATA = {
    "apps": GRAVITY / "yotov2016_agtpa_1986_2006_every4.csv.gz",
    "ge": GRAVITY / "gegravity_sample_2006_30countries.csv",
    "ch2": GRAVITY / "yotov2016_ch2_trade_without_border_2006.csv.gz",
}
APP3 = "trade ~ rta | exporter^year + importer^year + pair_id"


def frame(name):
    return pd.read_csv(DATA[name])


def detour_bin():
    env = os.environ.get("DETOUR_BIN")
    if env:
        return env
    target = os.environ.get("CARGO_TARGET_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "detour" / "target"
    )
    for p in (Path(target) / "debug" / "detour", ROOT / "target" / "debug" / "detour"):
        if p.exists():
            return str(p)
    pytest.skip("no detour binary (cargo build first, or set DETOUR_BIN)")


def cli_json(*args):
    out = subprocess.run([detour_bin(), *args, "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def vcov_of(v):
    """The reference's CLI-style variance as pyfixest writes it."""
    if v.startswith("cluster:"):
        return {"CRV1": "+".join(v[len("cluster:"):].split(","))}
    return {"hc1": "hetero"}.get(v, v)


@pytest.mark.parametrize("m", REFERENCE["models"], ids=[m["name"] for m in REFERENCE["models"]])
def test_estimates_equal_pyfixest(m):
    # pyfixest ran at fixef_tol = iwls_tol = 1e-10; detour at 1e-12. Tolerances: coefficients
    # 1e-8 relative; clustered and iid standard errors 1e-6 relative; the one robust (HC1) model's
    # standard errors 5e-6 (lndist is 1.4e-6 apart, the rest closer).
    est = detour.fepois if m["family"] == "poisson" else detour.feols
    fit = est(m["formula"], frame(m["data"]), vcov=vcov_of(m["vcov"]), subset=m["subset"], tol=1e-12)
    assert fit.converged
    assert fit.nobs == m["nobs"]
    coef, se = fit.coef(), fit.se()
    for c in m["coefficients"]:
        assert coef[c["name"]] == pytest.approx(c["estimate"], rel=1e-8, abs=1e-12), c["name"]
        tol = 5e-6 if m["vcov"] == "hc1" else 1e-6
        assert se[c["name"]] == pytest.approx(c["std_error"], rel=tol), c["name"]


def test_polars_pyarrow_and_pandas_give_the_same_fit():
    pl = pytest.importorskip("polars")
    df = frame("apps")
    fits = [
        detour.fepois(APP3, data, vcov={"CRV1": "pair_id"})
        for data in (df, pa.Table.from_pandas(df), pl.from_pandas(df))
    ]
    for f in fits[1:]:
        assert f.nobs == fits[0].nobs
        assert f.coef()["rta"] == fits[0].coef()["rta"]
        assert f.se()["rta"] == fits[0].se()["rta"]
    t = fits[0].tidy()
    assert list(t.columns) == ["Estimate", "Std. Error", "t value", "Pr(>|t|)", "2.5%", "97.5%"]
    assert t.loc["rta", "2.5%"] < t.loc["rta", "Estimate"] < t.loc["rta", "97.5%"]
    assert "rta" in fits[0].summary()


def test_predict_carries_fixed_effects_and_leaves_unseen_levels_missing():
    df = frame("apps")
    fit = detour.fepois(APP3, df, vcov={"CRV1": "pair_id"}, tol=1e-12)
    # On the estimation data: exp(x·b + the three fixed effects) is the fitted mean of every
    # sample row.
    fitted = fit.predict()
    p = fit.predict(df)
    assert np.allclose(p[fitted.index.to_numpy()], fitted.to_numpy(), rtol=1e-8)
    # The fixed effects by level reproduce the prediction of one row by hand.
    fe = fit.fixef()
    assert set(fe) == {"exporter^year", "importer^year", "pair_id"}
    r = df.iloc[int(fitted.index[0])]
    eta = (fit.coef()["rta"] * r["rta"] + fe["exporter^year"][f"{r['exporter']}^{r['year']}"]
           + fe["importer^year"][f"{r['importer']}^{r['year']}"] + fe["pair_id"][str(r["pair_id"])])
    assert p[int(fitted.index[0])] == pytest.approx(math.exp(eta), rel=1e-10)
    # fixest's rule: a level the estimation never saw gives NA, the others a value.
    new = df.head(3).copy()
    new.loc[new.index[1], "exporter"] = "ATLANTIS"
    q = fit.predict(new)
    assert not np.isnan(q[0]) and np.isnan(q[1]) and not np.isnan(q[2])
    # Rows the separation check dropped (all-zero pairs) get no fixed effect either.
    assert fit.dropped["rows_read"] == len(df)


def test_store_answers_equal_the_cli():
    s = detour.Store()
    for args in (("EU27", "KGZ", "2023"), ("RUS", "KAZ", "2021")):
        got = s.trade_json(*args, flow="turnover" if args[0] == "RUS" else "exports")
        cli = cli_json("trade", "--reporter", args[0], "--partner", args[1], "--period", args[2],
                       "--flow", "turnover" if args[0] == "RUS" else "exports")
        assert got == cli
    m = s.mirror_json("KAZ", "RUS", "2023")
    assert m == cli_json("mirror", "--reporter", "KAZ", "--partner", "RUS", "--period", "2023")
    ser = s.series("EU27", "RUS", "2022-01..2022-06", freq="monthly", commodity="chpl")
    cli = cli_json("series", "--reporter", "EU27", "--partner", "RUS", "--period", "2022-01..2022-06",
                   "--freq", "monthly", "--commodity", "chpl")
    assert ser["value"].tolist() == [p["value"] for p in cli["points"]]
    t = s.sql("SELECT SUM(value) AS v FROM flows WHERE reporter='EU27' AND partner='KGZ' "
              "AND flow='export' AND year=2023 AND month IS NOT NULL AND commodity='TOTAL'")
    assert isinstance(t, pa.Table)
    assert t.to_pandas()["v"][0] == pytest.approx(s.trade_json("EU27", "KGZ", "2023")["value"], rel=1e-12)
    row = s.trade("EU27", "KGZ", "2023", yoy=True)
    assert row.loc[0, "yoy_pct"] == pytest.approx(cli_json(
        "trade", "--reporter", "EU27", "--partner", "KGZ", "--period", "2023", "--yoy")["yoy_pct"])


def test_ingest_into_a_directory(tmp_path):
    src = ROOT / "crates/detour-cli/tests/fixtures/generic_good.csv"
    e = detour.Store.ingest(tmp_path / "s", src, "csv")
    assert e["rows"] > 0 and e["already_present"] is False
    assert detour.Store.ingest(tmp_path / "s", src, "csv")["already_present"] is True
    s = detour.Store(tmp_path / "s")
    assert len(s.files()) == 1
    with pytest.raises(ValueError, match=r"generic_bad_value.csv:\d+: field 'value'"):
        detour.Store.ingest(tmp_path / "s", ROOT / "crates/detour-cli/tests/fixtures/generic_bad_value.csv", "csv")
    assert len(detour.Store(tmp_path / "s").files()) == 1


def test_diversion_and_check_equal_the_cli():
    d = detour.diversion(products="1")
    cli = cli_json("diversion", "--target", "RUS", "--senders", "EU27", "--conduits", "ARM,GEO,KAZ,KGZ,UZB",
                   "--baseline", "2020-01..2022-02", "--after", "2022-03..2022-11", "--products", "1")
    assert d["effects"] == cli["effects"]
    assert list(d["frames"]["effects"]["name"]) == [e["name"] for e in cli["effects"]]
    text = (ROOT / "examples/sanctions_backfire_article.txt").read_text()
    c = detour.check(text, date="2024-12-26")
    cli = cli_json("check", str(ROOT / "examples/sanctions_backfire_article.txt"), "--date", "2024-12-26")
    assert list(c["verdict"]) == [x["verdict"] for x in cli["claims"]]
    # A headline (or the page's address) names the parties the body leaves out.
    body = "They fell by 38 percent in 2022 to 55 billion euros."
    assert list(detour.check(body, date="2023-03-01")["verdict"]) == ["not_checkable"]
    for kw in ({"headline": "EU exports to Russia collapse"},
               {"address": "https://example.com/2023/03/01/eu-exports-to-russia-collapse-12345678.html"}):
        assert list(detour.check(body, date="2023-03-01", **kw)["verdict"]) == ["consistent"], kw


def test_bad_input_is_a_value_error_naming_what():
    df = frame("apps")
    with pytest.raises(ValueError, match="no column 'nope'"):
        detour.fepois("trade ~ nope | exporter", df)
    bad = df.head(50).copy()
    bad["rta"] = bad["rta"].astype(str)
    bad.loc[bad.index[7], "rta"] = "yes"
    with pytest.raises(ValueError, match=r"data:8: field 'rta': 'yes' is not a number"):
        detour.fepois("trade ~ rta | exporter", bad)
    with pytest.raises(ValueError, match="at character"):
        detour.fepois("trade ~ rta +", df)
    with pytest.raises(ValueError, match="vcov"):
        detour.fepois(APP3, df, vcov={"CRV3": "pair_id"})
    with pytest.raises(ValueError, match="expected poisson or ols|flow"):
        detour.Store().trade_json("EU27", "KGZ", "2023", flow="sideways")


def test_simulate_equals_the_cli():
    r = detour.simulate("yotov2016_remove_borders")
    cli = cli_json("simulate", str(ROOT / "examples/scenarios/yotov2016_remove_borders.toml"))
    got = r["frames"]["countries"].set_index("country")["welfare_change_pct"]
    want = {c["country"]: c["welfare_change_pct"] for c in cli["countries"]}
    assert len(got) == len(want)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-12, abs=1e-12), k
    # every pair, domestic flows included, as --pairs-out writes them
    pairs = r["frames"]["pairs"]
    n = len(want)
    assert len(pairs) == n * n
    assert list(pairs.columns) == ["exporter", "importer", "baseline", "conditional", "full"]
    assert (pairs["baseline"] > 0).all()
    with pytest.raises(ValueError, match="no_such.toml"):
        detour.simulate("no_such.toml")


def test_ge_gravity_example_from_python():
    # Zylkin's ge_gravity example (embedded): welfare of every economy against the published run
    # (data/conformance/ge_gravity), additive and multiplicative imbalances, to 1e-6
    r = detour.simulate("ge_gravity_eu_enlargement")
    assert r["partial_effect"]["estimate"] == pytest.approx(0.2242490, abs=5e-8)
    rows = r["frames"]["countries"].set_index("country")
    published = {}
    with open(ROOT / "data/conformance/ge_gravity/eu_enlargement_2000_results.csv") as f:
        next(f)
        for line in f:
            c, add, mult = [x.strip('"') for x in line.strip().split(",")]
            published[c] = (float(add), float(mult))
    assert len(rows) == len(published) == 44
    for c, (add, mult) in published.items():
        assert 1 + rows.loc[c, "welfare_change_pct"] / 100 == pytest.approx(add, abs=1e-6), c
        assert 1 + rows.loc[c, "welfare_change_pct_mult"] / 100 == pytest.approx(mult, abs=1e-6), c
