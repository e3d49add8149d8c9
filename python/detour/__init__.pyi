from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd
import pyarrow as pa

__version__: str

VcovSpec = Union[None, str, Dict[str, Union[str, Sequence[str]]]]

class Fit:
    formula: str
    nobs: int
    converged: bool
    iterations: int
    family: str
    vcov_label: str
    deviance: float
    pseudo_r2: float
    collinear: List[str]
    warnings: List[str]
    dropped: Dict[str, int]
    separated: int
    def coef(self) -> pd.Series: ...
    def se(self) -> pd.Series: ...
    def pvalue(self) -> pd.Series: ...
    def confint(self) -> pd.DataFrame: ...
    def vcov(self) -> pd.DataFrame: ...
    def tidy(self) -> pd.DataFrame: ...
    def summary(self) -> str: ...
    def fixef(self) -> Dict[str, Dict[str, float]]: ...
    def predict(self, newdata: Any = ...) -> Union[np.ndarray, pd.Series]: ...

def fepois(
    fml: str,
    data: Any,
    vcov: VcovSpec = ...,
    *,
    ssc: str = ...,
    separation: str = ...,
    subset: Optional[str] = ...,
    weights: Optional[str] = ...,
    offset: Optional[str] = ...,
    tol: float = ...,
    level: float = ...,
) -> Fit: ...
def feols(
    fml: str,
    data: Any,
    vcov: VcovSpec = ...,
    *,
    ssc: str = ...,
    subset: Optional[str] = ...,
    weights: Optional[str] = ...,
    tol: float = ...,
    level: float = ...,
) -> Fit: ...

class Store:
    def __init__(self, path: Optional[str] = ...) -> None: ...
    @property
    def path(self) -> str: ...
    def files(self) -> List[Dict[str, Any]]: ...
    @staticmethod
    def ingest(path: str, file: str, format: str, source: Optional[str] = ..., skip_bad: bool = ...) -> Dict[str, Any]: ...
    def sql(self, query: str) -> pa.Table: ...
    def trade_json(self, reporter: str, partner: str, period: str, **kw: Any) -> Dict[str, Any]: ...
    def trade(self, reporter: str, partner: str, period: str, **kw: Any) -> pd.DataFrame: ...
    def mirror_json(self, reporter: str, partner: str, period: str, **kw: Any) -> Dict[str, Any]: ...
    def mirror(self, reporter: str, partner: str, period: str, **kw: Any) -> pd.DataFrame: ...
    def series_json(self, reporter: str, partner: str, period: str, **kw: Any) -> Dict[str, Any]: ...
    def series(self, reporter: str, partner: str, period: str, freq: str = ..., **kw: Any) -> pd.DataFrame: ...

def diversion(
    target: str = ...,
    senders: str = ...,
    conduits: Sequence[str] = ...,
    baseline: str = ...,
    after: str = ...,
    *,
    by_sender: bool = ...,
    gravity: bool = ...,
    products: Optional[str] = ...,
    store: Optional[Store] = ...,
) -> Dict[str, Any]: ...
def check(
    text: str,
    date: Optional[str] = ...,
    store: Optional[Store] = ...,
    *,
    headline: Optional[str] = ...,
    address: Optional[str] = ...,
) -> pd.DataFrame: ...
def simulate(
    scenario: str,
    draws: Optional[int] = ...,
    *,
    data: Optional[str] = ...,
    stopping: Optional[str] = ...,
    seed: int = ...,
) -> Dict[str, Any]: ...
