"""detour for Python: PPML and OLS with high-dimensional fixed effects in fixest's idiom, the
embedded trade store, the diversion analysis and the claims check — the same library calls as
the `detour` command line, in process.

    >>> import detour
    >>> fit = detour.fepois("trade ~ rta | exporter^year + importer^year + pair_id",
    ...                     data=df, vcov={"CRV1": "pair_id"})
    >>> fit.tidy()

Data may be a pandas, polars or pyarrow table: it is read through the Arrow C data interface.
Bad input (a missing column, a column that is not numeric, a formula that does not parse)
raises ``ValueError`` with the column, line or character named.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _detour

__version__: str = _detour.__version__

__all__ = [
    "Fit",
    "Store",
    "check",
    "diversion",
    "feols",
    "fepois",
    "simulate",
]


def _arrow(data: Any) -> Any:
    """An object the native module can read through ``__arrow_c_stream__``."""
    if hasattr(data, "__arrow_c_stream__"):
        # pandas >= 2.2 (with pyarrow), polars, pyarrow and other Arrow libraries.
        return data
    try:
        import pyarrow as pa
    except ImportError as e:  # pragma: no cover - pyarrow is a dependency
        raise TypeError("detour reads data through Arrow; install pyarrow") from e
    if hasattr(data, "to_arrow"):
        return data.to_arrow()
    try:
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return pa.Table.from_pandas(data, preserve_index=False)
    except ImportError:
        pass
    if isinstance(data, dict):
        return pa.table(data)
    raise TypeError(
        f"data: expected a pandas, polars or pyarrow table (or a dict of columns), got {type(data).__name__}"
    )


def _vcov(vcov: Union[None, str, Dict[str, Union[str, Sequence[str]]]]) -> Optional[str]:
    """pyfixest's and fixest's ways of naming a variance: "iid", "hetero", "HC1",
    {"CRV1": "pair_id"}, {"CRV1": "exporter+importer"} or {"CRV1": ["a", "b"]}."""
    if vcov is None:
        return None
    if isinstance(vcov, str):
        v = vcov.strip().lower()
        if v in ("iid", "hetero", "hc1", "robust"):
            return v
        if v.startswith("cluster:"):
            return vcov
        raise ValueError(f"vcov '{vcov}': expected 'iid', 'hetero' or {{'CRV1': 'cluster variable'}}")
    if isinstance(vcov, dict) and len(vcov) == 1:
        kind, cols = next(iter(vcov.items()))
        if kind.upper() != "CRV1":
            raise ValueError(f"vcov {{'{kind}': …}}: only CRV1 clustering is implemented")
        if isinstance(cols, str):
            cols = [c.strip() for c in cols.split("+")]
        return "cluster:" + ",".join(cols)
    raise ValueError(f"vcov {vcov!r}: expected 'iid', 'hetero' or {{'CRV1': 'cluster variable'}}")


class Fit:
    """A fitted model. ``coef()``, ``se()``, ``tidy()``, ``summary()``, ``fixef()`` and
    ``predict(newdata)`` as in pyfixest; ``nobs``, ``converged`` and the separation counts as
    attributes."""

    def __init__(self, native: Any, formula: str):
        self._n = native
        self.formula = formula
        self.nobs: int = native.nobs
        self.converged: bool = native.converged
        self.iterations: int = native.iterations
        self.family: str = native.family
        self.vcov_label: str = native.vcov_label
        self.deviance: float = native.deviance
        self.pseudo_r2: float = native.pseudo_r2
        self.collinear: List[str] = native.collinear
        self.warnings: List[str] = native.warnings
        self.dropped: Dict[str, int] = dict(native.dropped())
        self.separated: int = self.dropped["separated"]
        self._coefs = native.coefficients()

    def _series(self, k: int, name: str):
        import pandas as pd

        return pd.Series([c[k] for c in self._coefs], index=[c[0] for c in self._coefs], name=name)

    def coef(self):
        """The estimates, a pandas Series by coefficient name."""
        return self._series(1, "Estimate")

    def se(self):
        """The standard errors, a pandas Series by coefficient name."""
        return self._series(2, "Std. Error")

    def pvalue(self):
        return self._series(4, "Pr(>|t|)")

    def confint(self):
        import pandas as pd

        return pd.DataFrame(
            {"2.5%": [c[5] for c in self._coefs], "97.5%": [c[6] for c in self._coefs]},
            index=[c[0] for c in self._coefs],
        )

    def vcov(self):
        """The variance matrix of the coefficients, a pandas DataFrame."""
        import pandas as pd

        names = [c[0] for c in self._coefs]
        return pd.DataFrame(self._n.vcov(), index=names, columns=names)

    def tidy(self):
        """One row per coefficient: Estimate, Std. Error, t value, Pr(>|t|), 2.5%, 97.5%
        (pyfixest's columns)."""
        import pandas as pd

        rows = [
            {
                "Coefficient": c[0],
                "Estimate": c[1],
                "Std. Error": c[2],
                "t value": c[3],
                "Pr(>|t|)": c[4],
                "2.5%": c[5],
                "97.5%": c[6],
            }
            for c in self._coefs
        ]
        return pd.DataFrame(rows).set_index("Coefficient")

    def summary(self) -> str:
        """A printed summary (also what ``print(fit)`` shows)."""
        lines = [
            f"detour {self.family}: {self.formula}",
            f"Observations: {self.nobs:,}   Variance: {self.vcov_label}   Converged: {self.converged} ({self.iterations} iterations)",
        ]
        dropped = {k: v for k, v in self.dropped.items() if k != "rows_read" and v}
        if dropped:
            lines.append("Dropped: " + ", ".join(f"{k} {v:,}" for k, v in dropped.items()))
        lines.append(f"{'':24} {'Estimate':>12} {'Std. Error':>12} {'t value':>9} {'Pr(>|t|)':>10}")
        for c in self._coefs:
            lines.append(f"{c[0]:24} {c[1]:12.6f} {c[2]:12.6f} {c[3]:9.3f} {c[4]:10.3g}")
        if self.collinear:
            lines.append("Collinear (dropped): " + ", ".join(self.collinear))
        for w in self.warnings:
            lines.append("warning: " + w)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def fixef(self) -> Dict[str, Dict[str, float]]:
        """The estimated fixed effects: {dimension: {level: value}}; a level of an interaction
        is its columns' values joined by ``^``."""
        out: Dict[str, Dict[str, float]] = {}
        for dim, level, value in self._n.fixef():
            out.setdefault(dim, {})[level] = value
        return out

    def predict(self, newdata: Any = None):
        """Predicted means (``exp(η)`` for Poisson) on ``newdata``, with the fixed effects
        carried over by level; as fixest, NaN where a level was not in the estimation sample.
        Without ``newdata``: the fitted values of the estimation sample, by input row."""
        import numpy as np

        if newdata is None:
            rows, fitted = self._n.fitted()
            import pandas as pd

            return pd.Series(fitted, index=rows, name="fitted")
        p = self._n.predict(_arrow(newdata))
        return np.array([np.nan if v is None else v for v in p], dtype=float)


def _fit(family: str, fml: str, data: Any, vcov: Any, **kw: Any) -> Fit:
    native = _detour.fit(fml, _arrow(data), family, vcov=_vcov(vcov), **kw)
    return Fit(native, fml)


def fepois(
    fml: str,
    data: Any,
    vcov: Any = None,
    *,
    ssc: str = "fixest",
    separation: str = "fe,simplex,relu",
    subset: Optional[str] = None,
    weights: Optional[str] = None,
    offset: Optional[str] = None,
    tol: float = 1e-8,
    level: float = 0.95,
) -> Fit:
    """Poisson PML with high-dimensional fixed effects (fixest's ``fepois``):
    ``fepois("trade ~ rta | exporter^year + importer^year + pair_id", data=df, vcov={"CRV1": "pair_id"})``.
    The default variance is fixest's: clustered by the first fixed effect."""
    return _fit(
        "poisson", fml, data, vcov, ssc=ssc, separation=separation, subset=subset,
        weights=weights, offset=offset, tol=tol, level=level,
    )


def feols(
    fml: str,
    data: Any,
    vcov: Any = None,
    *,
    ssc: str = "fixest",
    subset: Optional[str] = None,
    weights: Optional[str] = None,
    tol: float = 1e-8,
    level: float = 0.95,
) -> Fit:
    """Least squares with high-dimensional fixed effects (fixest's ``feols``)."""
    return _fit(
        "ols", fml, data, vcov, ssc=ssc, separation="none", subset=subset,
        weights=weights, offset=None, tol=tol, level=level,
    )


class Store:
    """The trade store: ``Store()`` opens the embedded default data (built on first use in the
    cache directory), ``Store(path)`` a store directory. Answers are the CLI's JSON, as
    DataFrames or dicts."""

    def __init__(self, path: Optional[str] = None):
        self._s = _detour.Store(None if path is None else str(path))

    @property
    def path(self) -> str:
        return str(self._s.path)

    def files(self) -> List[Dict[str, Any]]:
        """The files in the store with their provenance and coverage."""
        return json.loads(self._s.files())

    @staticmethod
    def ingest(path: str, file: str, format: str, source: Optional[str] = None, skip_bad: bool = False) -> Dict[str, Any]:
        """Ingest ``file`` into the store at ``path`` (created if missing; atomic and
        idempotent). Returns the manifest entry with ``already_present``."""
        return json.loads(_detour.Store.ingest(str(path), str(file), format, source, skip_bad))

    def sql(self, query: str):
        """SQL over the ``flows`` table; a pyarrow Table (``.to_pandas()`` on it)."""
        return self._s.sql(query)

    def trade_json(self, reporter: str, partner: str, period: str, **kw: Any) -> Dict[str, Any]:
        """One figure with its provenance, as ``detour trade --format json``."""
        return json.loads(self._s.ask("trade", reporter, partner, period, **kw))

    def trade(self, reporter: str, partner: str, period: str, **kw: Any):
        """One figure as a one-row DataFrame (reporter, partner, flow, period, value, currency,
        reporter_side, complete, yoy_pct, sources)."""
        import pandas as pd

        t = self.trade_json(reporter, partner, period, **kw)
        row = {k: t.get(k) for k in ("reporter", "partner", "flow", "period", "value", "currency",
                                      "reporter_side", "complete", "previous_value", "yoy_pct", "commodity")}
        row["sources"] = "; ".join(p["file"] for p in t["provenance"])
        return pd.DataFrame([row])

    def mirror_json(self, reporter: str, partner: str, period: str, **kw: Any) -> Dict[str, Any]:
        """Both sides' records and the gap, as ``detour mirror --format json``."""
        return json.loads(self._s.ask("mirror", reporter, partner, period, **kw))

    def mirror(self, reporter: str, partner: str, period: str, **kw: Any):
        """Both sides' records as a DataFrame (one row per side) with the gap in ``attrs``."""
        import pandas as pd

        m = self.mirror_json(reporter, partner, period, **kw)
        rows = []
        for role, v in (("reporter", m["reporter_view"]), ("partner", m.get("partner_view"))):
            if v:
                rows.append({"view": role, "reporter_side": v["reporter_side"], "value": v["value"],
                             "currency": v["currency"], "sources": "; ".join(p["file"] for p in v["provenance"])})
        df = pd.DataFrame(rows)
        df.attrs.update(gap=m.get("gap"), gap_pct=m.get("gap_pct"), notes=m.get("notes", []))
        return df

    def series_json(self, reporter: str, partner: str, period: str, **kw: Any) -> Dict[str, Any]:
        return json.loads(self._s.ask("series", reporter, partner, period, **kw))

    def series(self, reporter: str, partner: str, period: str, freq: str = "monthly", **kw: Any):
        """A series as a DataFrame (period, value, complete)."""
        import pandas as pd

        s = self.series_json(reporter, partner, period, freq=freq, **kw)
        df = pd.DataFrame(s["points"], columns=["period", "value", "complete"])
        df.attrs.update(currency=s.get("currency"), sources=[p["file"] for p in s["provenance"]])
        return df


def diversion(
    target: str = "RUS",
    senders: str = "EU27",
    conduits: Sequence[str] = ("ARM", "GEO", "KAZ", "KGZ", "UZB"),
    baseline: str = "2019-01..2021-12",
    after: str = "2022-03..2024-08",
    *,
    by_sender: bool = False,
    gravity: bool = False,
    products: Optional[str] = None,
    store: Optional[Store] = None,
) -> Dict[str, Any]:
    """The diversion analysis on the store (the embedded one by default): the JSON of
    ``detour diversion --format json`` as a dict, with DataFrames added under ``frames``
    (``by_year``, ``by_conduit``, ``mirror``; with ``products``: ``effects``,
    ``event_study``, ``substitution``, ``growth``)."""
    import pandas as pd

    s = store if store is not None else Store()
    if products is not None and baseline == "2019-01..2021-12" and after == "2022-03..2024-08":
        baseline, after = "2020-01..2022-02", "2022-03..2022-11"
    d = json.loads(s._s.diversion(target, senders, list(conduits), baseline, after,
                                  by_sender, gravity, products))
    keys = ("effects", "event_study", "substitution", "growth") if products else ("by_year", "by_conduit", "mirror")
    d["frames"] = {k: pd.DataFrame(d.get(k) or []) for k in keys}
    if not products and d.get("gravity"):
        d["frames"]["gravity"] = pd.DataFrame(d["gravity"]["effects"])
    return d


def check(
    text: str,
    date: Optional[str] = None,
    store: Optional[Store] = None,
    *,
    headline: Optional[str] = None,
    address: Optional[str] = None,
):
    """Find the trade claims of a text and check each against the store and the official
    releases; a DataFrame (sentence, verdict, explanation, …) with the summary in ``attrs``.
    ``headline`` (or the page's ``address``, whose words spell it) names the parties and period
    of claims that do not name their own, as ``detour check --headline/--address`` does."""
    import pandas as pd

    s = store if store is not None else Store()
    r = json.loads(s._s.check(text, date, headline, address))
    df = pd.DataFrame(r["claims"])
    df.attrs.update(date=r["date"], summary=r["summary"])
    return df


def simulate(
    scenario: str,
    draws: Optional[int] = None,
    *,
    data: Optional[str] = None,
    stopping: Optional[str] = None,
    seed: int = 1,
) -> Dict[str, Any]:
    """A general-equilibrium counterfactual: an embedded scenario by name
    (``russia_sanctions_2022_ge``, ``ge_gravity_eu_enlargement``,
    ``coalition_sanctions_illustration``, ``yotov2016_remove_borders``) or a scenario file. The
    JSON of ``detour simulate --format json`` as a dict, with ``frames["countries"]`` (one row per
    country: welfare, real GDP, exports, prices), ``frames["pairs"]`` (every pair's baseline and
    counterfactual flows, by sector with sectoral data) and, with draws, ``frames["monte_carlo"]``."""
    import pandas as pd

    answer, pairs = _detour.simulate(str(scenario), draws, None if data is None else str(data), stopping, seed)
    r = json.loads(answer)
    r["frames"] = {
        "countries": pd.DataFrame(r.get("countries") or []),
        "pairs": pd.DataFrame(json.loads(pairs)),
    }
    mc = r.get("monte_carlo")
    if mc and mc.get("countries"):
        rows = []
        for c in mc["countries"]:
            row = {"country": c["country"]}
            for k, v in c.items():
                if isinstance(v, dict):
                    for kk, vv in v.items():
                        row[f"{k}.{kk}"] = vv
            rows.append(row)
        r["frames"]["monte_carlo"] = pd.DataFrame(rows)
    return r
