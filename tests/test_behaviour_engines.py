"""rfm and retention on Polars (eager, lazy), DuckDB, PyArrow and Dask (on a distributed LocalCluster):
and PySpark (local mode, where pyspark and Java are installed): the same results and errors as the pandas path."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.datasets import load_transactions
from csl_stats.errors import (
    ArgumentError,
    ColumnNotFoundError,
    DataError,
    DateError,
    DuplicateColumnError,
    InsufficientDataError,
    MissingDataWarning,
)

pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")
pytest.importorskip("narwhals")
pa = pytest.importorskip("pyarrow")


def _polars(df: pd.DataFrame):
    return pl.from_pandas(df)


def _lazy(df: pd.DataFrame):
    return pl.from_pandas(df).lazy()


def _duckdb(df: pd.DataFrame):
    return duckdb.from_arrow(pl.from_pandas(df).to_arrow())


def _arrow(df: pd.DataFrame):
    return pa.Table.from_pandas(df, preserve_index=False)


ENGINES = {"polars": _polars, "polars-lazy": _lazy, "duckdb": _duckdb, "pyarrow": _arrow}
KIND = {"polars": pl.DataFrame, "polars-lazy": pl.LazyFrame, "duckdb": duckdb.DuckDBPyRelation, "pyarrow": pa.Table}

try:
    import dask.dataframe as dd
    import distributed
except ImportError:  # pragma: no cover - the test extra installs dask[distributed]
    dd = None
else:
    def _dask(df: pd.DataFrame):
        return dd.from_pandas(df, npartitions=3)  # several partitions: sorts, cumsums and joins cross them



@pytest.fixture(scope="module", autouse=True)
def dask_cluster():
    """A small distributed LocalCluster (two one-thread workers): Dask inputs are computed by the
    distributed scheduler, as on a real cluster. Workers are threads to keep CI time down; with worker
    processes (processes=True, the graph pickled to them) the same tests pass, about 1.7x slower.

    No worker memory limit (``memory_limit=0``): thread workers measure the RSS of the whole test
    process, and a worker pauses at 80 % of its limit, so with a 1 GB limit the tests hung for good
    once the pytest process had grown past 800 MB."""
    if dd is None:  # pragma: no cover
        yield None
        return
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=0, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def _to_pandas(out) -> pd.DataFrame:
    if isinstance(out, pl.LazyFrame):
        out = out.collect()
    if isinstance(out, duckdb.DuckDBPyRelation):
        out = out.pl()
    if isinstance(out, pa.Table):
        return out.to_pandas()
    if dd is not None and isinstance(out, dd.DataFrame):
        return out.compute().reset_index(drop=True)
    return out.to_pandas()


def _same_rfm(expected: pd.DataFrame, got: pd.DataFrame, customer: str) -> None:
    got = got.set_index(customer)
    assert list(got.index) == list(expected.index)
    assert list(got.columns) == list(expected.columns)
    for col in expected.columns:
        if col == "monetary":
            np.testing.assert_allclose(got[col].to_numpy(), expected[col].to_numpy(), rtol=0, atol=1e-9)
        elif col in ("first_order", "last_order"):
            assert (pd.to_datetime(got[col]).to_numpy() == pd.to_datetime(expected[col]).to_numpy()).all(), col
        else:
            assert got[col].tolist() == expected[col].tolist(), col


def _same_retention(expected: pd.DataFrame, got: pd.DataFrame, by_cohort: bool) -> None:
    if by_cohort:
        exp = expected.copy()
        exp.columns = [str(c) for c in exp.columns]
        exp = exp.reset_index()
        exp["cohort"] = exp["cohort"].astype(str)
    else:
        exp = expected.reset_index()
        exp["period"] = exp["period"].astype(str)
    assert list(got.columns) == list(exp.columns)
    for col in exp.columns:
        if exp[col].dtype.kind == "f":
            np.testing.assert_allclose(got[col].to_numpy(float), exp[col].to_numpy(float), rtol=0, atol=1e-9)
        else:
            assert got[col].tolist() == exp[col].tolist(), col


def _generated(seed: int, n_customers: int = 60, n_orders: int = 400) -> pd.DataFrame:
    """A log with many ties (whole-euro amounts, few distinct dates), single-order customers and
    orders after the as_of used in the tests."""
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, n_customers, n_orders)
    cust = np.concatenate([cust, np.arange(n_customers, n_customers + 8)])  # 8 single-order customers
    days = rng.integers(0, 40, len(cust)) * 7  # weekly order days: tied recencies
    dates = pd.Timestamp("2023-01-02") + pd.to_timedelta(days, unit="D")
    dates = dates + pd.to_timedelta(rng.integers(0, 20, len(cust)), unit="h")  # times of day
    amount = rng.integers(1, 6, len(cust)).astype(float) * 10.0  # tied amounts
    return pd.DataFrame(
        {"order": [f"o{i:05d}" for i in range(len(cust))], "cust": cust.astype("int64"), "when": dates,
         "value": amount}
    )


CASES = [
    ("shipped", dict(order="order_id")),
    ("shipped", dict(order="order_id", as_of="2024-09-30", ties="first", bins=4, monetary="mean")),
    ("generated-1", dict(customer="cust", date="when", amount="value", order="order", as_of="2023-07-31")),
    ("generated-2", dict(customer="cust", date="when", amount="value", ties="first", bins=3,
                         as_of="2023-06-15 12:00")),
    ("generated-3", dict(customer="cust", date="when", amount="value", order="order", bins=10, ties="first")),
]


def _data(name: str) -> pd.DataFrame:
    return load_transactions() if name == "shipped" else _generated(int(name[-1]))


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize(("data", "kwargs"), CASES)
def test_rfm_engines_match_pandas(engine, data, kwargs):
    df = _data(data)
    expected = csl_stats.rfm(df, **kwargs)
    out = csl_stats.rfm(ENGINES[engine](df), **kwargs)
    assert isinstance(out, KIND[engine])
    _same_rfm(expected, _to_pandas(out), kwargs.get("customer", "customer_id"))


RET_CASES = [
    ("shipped", dict(period="Q")),
    ("shipped", dict(period="M", by_cohort=True)),
    ("shipped", dict(period="W", start="2024-02-01", end="2024-05-31")),
    ("generated-1", dict(customer="cust", date="when", period="M")),
    ("generated-2", dict(customer="cust", date="when", period="W", order="order")),
    ("generated-3", dict(customer="cust", date="when", period="Q", by_cohort=True)),
    ("generated-4", dict(customer="cust", date="when", period="Y")),
]


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize(("data", "kwargs"), RET_CASES)
def test_retention_engines_match_pandas(engine, data, kwargs):
    df = _data(data)
    expected = csl_stats.retention(df, **kwargs)
    out = csl_stats.retention(ENGINES[engine](df), **kwargs)
    assert isinstance(out, KIND[engine])
    _same_retention(expected, _to_pandas(out), kwargs.get("by_cohort", False))


def test_retention_empty_period_matches_pandas():
    df = pd.DataFrame({"customer_id": ["a", "b", "a", "b"],
                       "date": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-04-02", "2024-04-03"])})
    expected = csl_stats.retention(df, period="M")
    assert expected["active"].tolist() == [2, 0, 0, 2]
    for make in ENGINES.values():
        _same_retention(expected, _to_pandas(csl_stats.retention(make(df), period="M")), False)


def test_lazy_in_lazy_out_and_no_mutation():
    df = _generated(5)
    lf = pl.from_pandas(df).lazy()
    out = csl_stats.rfm(lf, customer="cust", date="when", amount="value", order="order")
    assert isinstance(out, pl.LazyFrame)  # a query, not yet run
    assert lf.collect_schema().names() == ["order", "cust", "when", "value"]


def test_text_dates_iso_and_settled_day_order():
    df = load_transactions().head(500)
    for fmt, kw in [("%Y-%m-%d", {}), ("%d/%m/%Y", {"dayfirst": True}), ("%m.%d.%Y", {"date_format": "%m.%d.%Y"})]:
        text = df.assign(date=df["date"].dt.strftime(fmt))
        expected = csl_stats.rfm(text, order="order_id", **kw)
        for make in ENGINES.values():
            _same_rfm(expected, _to_pandas(csl_stats.rfm(make(text), order="order_id", **kw)), "customer_id")


def test_time_zone_aware_dates_bucketed_locally():
    """Same policy as pandas: local calendar days in the data's own zone, never UTC."""
    df = pd.DataFrame({"customer_id": ["a", "a", "b"],
                       "date": pd.to_datetime(["2024-03-31 23:30", "2024-06-30 23:30", "2024-04-01 00:30"]),
                       "amount": [1.0, 2.0, 3.0]})
    df["date"] = df["date"].dt.tz_localize("Europe/Berlin")
    expected_r = csl_stats.rfm(df, as_of="2024-07-01")
    expected_q = csl_stats.retention(df, period="Q")
    got_r = _to_pandas(csl_stats.rfm(_polars(df), as_of="2024-07-01"))
    got_r["first_order"] = pd.to_datetime(got_r["first_order"])
    _same_rfm(expected_r, got_r, "customer_id")
    _same_retention(expected_q, _to_pandas(csl_stats.retention(_lazy(df), period="Q")), False)
    # DuckDB's TIMESTAMPTZ keeps the instant, not the zone: local days are unknown, so it is refused
    with pytest.raises(DateError, match="TIME ZONE"):
        csl_stats.rfm(_duckdb(df), as_of="2024-07-01")
    local = duckdb.sql("SELECT * FROM df").project("customer_id, timezone('Europe/Berlin', date) AS date, amount")
    _same_rfm(expected_r, _to_pandas(csl_stats.rfm(local, as_of="2024-07-01")), "customer_id")


BAD = {
    "missing column": (lambda d: d, dict(customer="client"), ColumnNotFoundError, "client"),
    "same column twice": (lambda d: d, dict(amount="date"), DuplicateColumnError, "date"),
    "negative amount": (lambda d: d.assign(amount=d["amount"].where(d.index != 3, -5.0)), {}, DataError,
                        "negative"),
    "duplicate order": (lambda d: d.assign(order_id=d["order_id"].where(d.index != 3, d["order_id"][2])),
                        dict(order="order_id"), DataError, "unique"),
    "exact duplicate rows": (lambda d: pd.concat([d, d.iloc[[7]]], ignore_index=True), {}, DataError,
                             "duplicates"),
    "ambiguous text dates": (lambda d: d.assign(date=["03/04/2024", "05/06/2024"] * (len(d) // 2)), {},
                             DateError, "dd/mm or mm/dd"),
    "unparsable text dates": (lambda d: d.assign(date=d["date"].dt.strftime("%d/%m/%Y").where(d.index != 5, "31/02/2024")),
                              dict(date_format="%d/%m/%Y"), DateError, "could not be parsed"),
    "numeric dates": (lambda d: d.assign(date=np.arange(len(d))), {}, DateError, "numbers"),
    "missing values": (lambda d: d.assign(amount=d["amount"].where(d.index != 4)), {}, InsufficientDataError,
                       "missing"),
    "nothing before as_of": (lambda d: d, dict(as_of="2000-01-01"), InsufficientDataError, "as_of"),
}


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_same_errors(engine, case):
    change, kwargs, error, text = BAD[case]
    df = change(load_transactions().head(200).copy())
    with pytest.raises(error, match=text):
        csl_stats.rfm(df, **kwargs)
    with pytest.raises(error, match=text):
        csl_stats.rfm(ENGINES[engine](df), **kwargs)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_listwise_drops_incomplete_rows(engine):
    df = load_transactions().head(300).copy()
    df.loc[[4, 9], "amount"] = np.nan
    expected = csl_stats.rfm(df, nan_policy="listwise")
    _same_rfm(expected, _to_pandas(csl_stats.rfm(ENGINES[engine](df), nan_policy="listwise")), "customer_id")
    df.loc[df.index[:100], "date"] = pd.NaT  # a third of the rows: the same named warning as pandas
    with pytest.warns(MissingDataWarning, match="dropped 100 of 300 rows") as pandas_warning:
        csl_stats.rfm(df, nan_policy="listwise")
    with pytest.warns(MissingDataWarning) as engine_warning:
        csl_stats.rfm(ENGINES[engine](df), nan_policy="listwise")
    assert str(engine_warning[0].message) == str(pandas_warning[0].message)


def test_retention_start_after_end_and_memory_limit_without_path():
    with pytest.raises(ArgumentError, match="after end"):
        csl_stats.retention(_lazy(load_transactions()), start="2024-06-01", end="2024-01-01")
    with pytest.raises(ArgumentError, match="memory_limit"):
        csl_stats.rfm(load_transactions(), memory_limit="1GB")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_paths_run_on_duckdb(tmp_path, fmt):
    df = load_transactions()
    half = len(df) // 2
    for i, part in enumerate([df.iloc[:half], df.iloc[half:]]):
        path = tmp_path / f"orders-{i}.{fmt}"
        if fmt == "parquet":
            pl.from_pandas(part).write_parquet(path)
        else:
            part.assign(date=part["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    expected = csl_stats.rfm(df, order="order_id")
    got = csl_stats.rfm(str(tmp_path / f"*.{fmt}"), order="order_id", memory_limit="500MB")
    assert isinstance(got, pd.DataFrame)
    _same_rfm(expected, got.reset_index(), "customer_id")
    expected_q = csl_stats.retention(df, period="Q")
    _same_retention(expected_q, csl_stats.retention(tmp_path / f"*.{fmt}", period="Q"), False)


def test_bad_path_suffix():
    with pytest.raises(csl_stats.errors.ArgumentTypeError, match="parquet"):
        csl_stats.rfm("orders.xlsx")


def test_import_does_not_load_engines():
    code = "import sys, csl_stats; print([m for m in ('narwhals', 'polars', 'duckdb') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("engine", list(ENGINES))
def test_float_summation_order_does_not_split_ties(engine):
    """0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1 in floating point; both customers spent 0.60 and share a score."""
    df = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "b", "c", "d"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"] * 2 + ["2024-01-04", "2024-01-05"]),
        "amount": [0.1, 0.2, 0.3, 0.3, 0.2, 0.1, 0.05, 9.0],
    })
    expected = csl_stats.rfm(df, bins=4)
    assert 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1
    assert expected.loc["a", "m_score"] == expected.loc["b", "m_score"] == 3  # mid-rank 2.5 of 4; unrounded: 2 and 3
    for ties in ("average", "first"):
        expected = csl_stats.rfm(df, bins=4, ties=ties)
        _same_rfm(expected, _to_pandas(csl_stats.rfm(ENGINES[engine](df), bins=4, ties=ties)), "customer_id")


# --------------------------------------------------------------------------- Dask on a distributed cluster
# Each Dask query is a round trip to the cluster's scheduler, so Dask gets a selection of the cases above:
# the shipped log, generated logs with ties, single-order customers and orders after as_of, the bad inputs.
needs_dask = pytest.mark.skipif(dd is None, reason="dask[distributed] not installed")
DASK_RFM = [CASES[0], CASES[3]]
DASK_RET = [RET_CASES[0], RET_CASES[5]]


@needs_dask
@pytest.mark.parametrize(("data", "kwargs"), DASK_RFM)
def test_rfm_dask_matches_pandas(dask_cluster, data, kwargs):
    df = _data(data)
    expected = csl_stats.rfm(df, **kwargs)
    out = csl_stats.rfm(_dask(df), **kwargs)
    assert isinstance(out, dd.DataFrame)  # lazy in, lazy out: a task graph, computed below on the cluster
    _same_rfm(expected, _to_pandas(out), kwargs.get("customer", "customer_id"))


@needs_dask
@pytest.mark.parametrize(("data", "kwargs"), DASK_RET)
def test_retention_dask_matches_pandas(dask_cluster, data, kwargs):
    df = _data(data)
    expected = csl_stats.retention(df, **kwargs)
    out = csl_stats.retention(_dask(df), **kwargs)
    assert isinstance(out, dd.DataFrame)
    _same_retention(expected, _to_pandas(out), kwargs.get("by_cohort", False))


@needs_dask
def test_dask_ties_first_time_zones_and_float_ties(dask_cluster):
    df = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "b", "c", "d"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"] * 2 + ["2024-03-31 23:30", "2024-01-05"],
                               format="ISO8601"),
        "amount": [0.1, 0.2, 0.3, 0.3, 0.2, 0.1, 0.05, 9.0],
    })
    df["date"] = df["date"].dt.tz_localize("Europe/Berlin")
    for ties in ("average", "first"):
        expected = csl_stats.rfm(df, bins=4, ties=ties, as_of="2024-03-31")
        got = _to_pandas(csl_stats.rfm(_dask(df), bins=4, ties=ties, as_of="2024-03-31"))
        for col in ("first_order", "last_order"):
            got[col] = pd.to_datetime(got[col]).dt.tz_localize(None)
        _same_rfm(expected.assign(first_order=expected["first_order"], last_order=expected["last_order"]), got,
                  "customer_id")


@needs_dask
@pytest.mark.parametrize("case", ["missing column", "negative amount", "duplicate order", "ambiguous text dates",
                                  "missing values"])
def test_bad_input_same_errors_dask(dask_cluster, case):
    change, kwargs, error, text = BAD[case]
    df = change(load_transactions().head(200).copy())
    with pytest.raises(error, match=text):
        csl_stats.rfm(_dask(df), **kwargs)


# --------------------------------------------------------------------------- PySpark, local mode
# pyspark (~300 MB) is NOT in the test extra (csl-stats[spark] installs it) and Spark needs a JVM (Java 17:
# Debian's openjdk-17-jre-headless): these tests are skipped where either is missing, and run where both are
# (see README, "Engines"). A JVM start and Spark's per-query planning make them slow: marked so.
needs_spark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="pyspark and a Java runtime are needed for the Spark tests",
)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]").appName("csl_stats-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")  # naive pandas datetimes stay wall-clock times
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("OFF")
    yield session
    session.stop()


def _spark_to_pandas(out) -> pd.DataFrame:
    return out.toPandas()


@pytest.mark.slow
@needs_spark
@pytest.mark.parametrize(("data", "kwargs"), [CASES[0], CASES[3]])
def test_rfm_spark_matches_pandas(spark, data, kwargs):
    from pyspark.sql import DataFrame as SparkFrame

    df = _data(data)
    expected = csl_stats.rfm(df, **kwargs)
    out = csl_stats.rfm(spark.createDataFrame(df), **kwargs)
    assert isinstance(out, SparkFrame)  # lazy in, lazy out: a Spark plan, run by toPandas()
    _same_rfm(expected, _spark_to_pandas(out), kwargs.get("customer", "customer_id"))


@pytest.mark.slow
@needs_spark
@pytest.mark.parametrize(("data", "kwargs"), [RET_CASES[0], RET_CASES[5]])
def test_retention_spark_matches_pandas(spark, data, kwargs):
    df = _data(data)
    expected = csl_stats.retention(df, **kwargs)
    out = csl_stats.retention(spark.createDataFrame(df), **kwargs)
    _same_retention(expected, _spark_to_pandas(out), kwargs.get("by_cohort", False))


@pytest.mark.slow
@needs_spark
def test_spark_session_time_zone_is_the_datas_zone(spark):
    """Spark's TIMESTAMP (with local time zone) is read in the session's zone, as pandas reads tz-aware dates
    in their own zone."""
    df = pd.DataFrame({"customer_id": ["a", "a", "b"],
                       "date": pd.to_datetime(["2024-03-31 23:30", "2024-06-30 23:30", "2024-04-01 00:30"]),
                       "amount": [1.0, 2.0, 3.0]})
    local = df.assign(date=df["date"].dt.tz_localize("Europe/Berlin"))
    expected = csl_stats.retention(local, period="Q")
    spark.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    try:
        sdf = spark.createDataFrame(df).selectExpr("customer_id", "CAST(date AS TIMESTAMP_LTZ) AS date", "amount")
        _same_retention(expected, _spark_to_pandas(csl_stats.retention(sdf, period="Q")), False)
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


@pytest.mark.slow
@needs_spark
@pytest.mark.parametrize("case", ["negative amount", "duplicate order", "ambiguous text dates", "missing values"])
def test_bad_input_same_errors_spark(spark, case):
    change, kwargs, error, text = BAD[case]
    df = change(load_transactions().head(200).copy())
    with pytest.raises(error, match=text):
        csl_stats.rfm(spark.createDataFrame(df), **kwargs)


# --------------------------------------------------------------------------- customer_lifetimes (order-log side)
LT_CASES = [
    ("shipped", dict(inactivity=90)),
    ("shipped", dict(inactivity=60, origin="2024-12-31")),
    ("shipped", dict(inactivity=120, as_of="2025-12-31", observation_end="2025-06-30", origin="2024-06-30")),
    ("generated-1", dict(customer="cust", date="when", inactivity=21, origin="2023-04-03")),
    ("generated-2", dict(customer="cust", date="when", inactivity=35, observation_end="2023-08-01")),
]


def _same_lifetimes(expected: pd.DataFrame, got: pd.DataFrame, customer: str) -> None:
    got = got.set_index(customer)
    assert list(got.index) == list(expected.index)
    assert list(got.columns) == list(expected.columns)
    for col in expected.columns:
        if col in ("start", "first_order", "last_order", "lapse_date", "end"):
            a = pd.to_datetime(expected[col]).astype("datetime64[ns]").to_numpy()
            b = pd.to_datetime(got[col]).astype("datetime64[ns]").to_numpy()
            assert ((a == b) | (np.isnat(a) & np.isnat(b))).all(), col
        else:
            assert got[col].tolist() == expected[col].tolist(), col


def _warned(call) -> tuple[object, list[str]]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call()
    return out, [str(w.message) for w in caught if issubclass(w.category, csl_stats.errors.CSLWarning)]


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize(("data", "kwargs"), LT_CASES)
def test_lifetimes_engines_match_pandas(engine, data, kwargs):
    df = _data(data)
    expected, warned = _warned(lambda: csl_stats.customer_lifetimes(df, **kwargs))
    out, engine_warned = _warned(lambda: csl_stats.customer_lifetimes(ENGINES[engine](df), **kwargs))
    assert isinstance(out, KIND[engine])
    assert engine_warned == warned  # customers left out: the same named warnings, word for word
    _same_lifetimes(expected, _to_pandas(out), kwargs.get("customer", "customer_id"))


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
def test_lifetimes_engines_bad_input(engine):
    df = load_transactions().head(300).copy()
    make = ENGINES[engine]
    with pytest.raises(DataError, match="after as_of"):
        csl_stats.customer_lifetimes(make(df), as_of="2024-01-02")
    with pytest.raises(DataError, match="missing"):
        csl_stats.customer_lifetimes(make(df.assign(date=df["date"].where(df.index != 3))))
    with pytest.raises(DateError, match="dd/mm or mm/dd"):
        csl_stats.customer_lifetimes(make(df.assign(date=["03/04/2024", "05/06/2024"] * 150)))
    with pytest.raises(ColumnNotFoundError, match="client"):
        csl_stats.customer_lifetimes(make(df), customer="client")
    with pytest.raises(ArgumentError, match="gap_multiple"):
        csl_stats.customer_lifetimes(make(df), gap_multiple=3)
    with pytest.raises(ArgumentError, match="observation_end"):
        csl_stats.customer_lifetimes(make(df), as_of="2024-01-04", observation_end="2024-01-31")


@needs_dask
@pytest.mark.parametrize(("data", "kwargs"), [LT_CASES[1], LT_CASES[4]])
def test_lifetimes_dask_matches_pandas(dask_cluster, data, kwargs):
    df = _data(data)
    expected, warned = _warned(lambda: csl_stats.customer_lifetimes(df, **kwargs))
    out, engine_warned = _warned(lambda: csl_stats.customer_lifetimes(_dask(df), **kwargs))
    assert isinstance(out, dd.DataFrame)
    assert engine_warned == warned
    _same_lifetimes(expected, _to_pandas(out), kwargs.get("customer", "customer_id"))


@pytest.mark.slow
@needs_spark
def test_lifetimes_spark_matches_pandas(spark):
    df = load_transactions()
    kwargs = dict(inactivity=60, origin="2024-12-31")
    expected, warned = _warned(lambda: csl_stats.customer_lifetimes(df, **kwargs))
    out, engine_warned = _warned(lambda: csl_stats.customer_lifetimes(spark.createDataFrame(df), **kwargs))
    assert engine_warned == warned
    _same_lifetimes(expected, _spark_to_pandas(out), "customer_id")


@pytest.mark.parametrize("ids", ["sequence", "negative", "wide"])
def test_integer_order_ids_checked_in_a_bitmap_on_duckdb(monkeypatch, ids):
    """Integer order ids on DuckDB are counted in a bitmap over their range (the hash-table distinct count
    when the range is too wide): the same results, and a repeated id is refused as by pandas."""
    from csl_stats import _behaviour_engines as eng

    df = load_transactions().head(400).copy()
    start = {"sequence": 1, "negative": -250, "wide": 0}[ids]
    df["order_id"] = np.arange(start, start + len(df), dtype="int64")
    if ids == "wide":
        df.loc[df.index[-1], "order_id"] = 2**40  # wider than the bitmap: the distinct count instead
    lf = eng.as_engine_frame(_duckdb(df)).lazy().rename({"order_id": "order"})
    assert (eng._bitmap_unique(lf) is None) == (ids == "wide")
    expected = csl_stats.rfm(df, order="order_id")
    for make in (_duckdb, _arrow):
        _same_rfm(expected, _to_pandas(csl_stats.rfm(make(df), order="order_id")), "customer_id")
    dup = df.assign(order_id=df["order_id"].where(df.index != 7, df["order_id"][3]))
    repeated = rf"must be unique .* \[{df['order_id'][3]}\] occur more than once"
    with pytest.raises(DataError, match=repeated):
        csl_stats.rfm(dup, order="order_id")
    for make in (_duckdb, _arrow):
        with pytest.raises(DataError, match=repeated):
            csl_stats.rfm(make(dup), order="order_id")
    monkeypatch.setattr(eng, "_BITMAP_BITS", 8)  # the hash-table path gives the same answer
    with pytest.raises(DataError, match=repeated):
        csl_stats.rfm(_duckdb(dup), order="order_id")


def test_retention_bitmaps_on_duckdb_span_several_words(monkeypatch):
    """On DuckDB, per-period counts come from a bitmap of active periods per customer: weeks over two years
    need two 64-bit words; the same table as pandas, and as the pairs-and-window path (too many words)."""
    from csl_stats import _behaviour_engines as eng

    df = load_transactions()
    expected = csl_stats.retention(df, period="W")
    assert len(expected) > 64
    lf = eng.as_engine_frame(_duckdb(df)).lazy().rename({"customer_id": "customer"})
    assert eng._bitmask_counts(lf, "W") is not None
    for make in (_duckdb, _arrow):
        _same_retention(expected, _to_pandas(csl_stats.retention(make(df), period="W")), False)
    monkeypatch.setattr(eng, "_MASK_WORDS", 1)
    assert eng._bitmask_counts(lf, "W") is None
    _same_retention(expected, _to_pandas(csl_stats.retention(_duckdb(df), period="W")), False)


# --------------------------------------------------------------------------- review (issue 16): NaN is missing
def _native_nan(engine: str, df: pd.DataFrame):
    """The frame built natively, keeping float NaN as NaN (not null), as a Polars or DuckDB user's own data
    holds it (``pl.from_pandas`` and Arrow turn NaN into null, hiding the case)."""
    frame = pl.from_pandas(df, nan_to_null=False)
    if engine == "polars":
        return frame
    if engine == "polars-lazy":
        return frame.lazy()
    return duckdb.from_arrow(frame.to_arrow())


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"])
@pytest.mark.parametrize("column", ["amount", "customer_id"])
def test_float_nan_is_missing_as_in_pandas(engine, column):
    """A float NaN (not null) in the customer or amount column is a missing value, as for pandas: refused
    with nan_policy="raise", dropped with "listwise". It used to become a customer "NaN" with scores, or an
    "infinite values" error that listwise deletion could not clear."""
    df = load_transactions().head(300).copy()
    if column == "customer_id":
        df[column] = df[column].str.slice(1).astype("float64")
    df.loc[[4, 9], column] = np.nan
    native = _native_nan(engine, df)
    with pytest.raises(InsufficientDataError, match="missing values"):
        csl_stats.rfm(df)
    with pytest.raises(InsufficientDataError, match="missing values"):
        csl_stats.rfm(native)
    expected = csl_stats.rfm(df, nan_policy="listwise")
    _same_rfm(expected, _to_pandas(csl_stats.rfm(native, nan_policy="listwise")), "customer_id")
    if column == "customer_id":
        with pytest.raises(InsufficientDataError, match="missing values"):
            csl_stats.retention(native)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_empty_log_same_error_on_every_function(engine):
    """An empty log is refused with the pandas path's InsufficientDataError and message by rfm, retention and
    customer_lifetimes (customer_lifetimes raised DataError on Polars and a bare TypeError on DuckDB/Arrow)."""
    empty = load_transactions().iloc[:0]
    for func in (csl_stats.rfm, csl_stats.retention, csl_stats.customer_lifetimes):
        with pytest.raises(InsufficientDataError, match="has no rows") as pandas_error:
            func(empty)
        with pytest.raises(InsufficientDataError, match="has no rows") as engine_error:
            func(ENGINES[engine](empty))
        assert str(engine_error.value) == str(pandas_error.value)


@pytest.mark.parametrize("engine", ["polars", "polars-lazy", "duckdb"])
def test_lifetimes_float_nan_customer_is_missing(engine):
    """customer_lifetimes refuses a float NaN customer id on a native Polars/DuckDB frame as pandas does
    (it used to follow a customer "NaN")."""
    df = load_transactions().head(300).copy()
    df["customer_id"] = df["customer_id"].str.slice(1).astype("float64")
    df.loc[7, "customer_id"] = np.nan
    with pytest.raises(DataError, match="'customer_id' is missing"):
        csl_stats.customer_lifetimes(df)
    with pytest.raises(DataError, match="'customer_id' is missing in 1 row"):
        csl_stats.customer_lifetimes(_native_nan(engine, df))


@needs_dask
@pytest.mark.parametrize("tz", ["America/New_York", "Asia/Ho_Chi_Minh"])
def test_dask_time_zone_with_underscore(dask_cluster, tz):
    """Time zones whose name has an underscore are read by narwhals' Dask backend as an Unknown dtype: they
    used to be refused ("holds Unknown values, not dates") where pandas and Polars bucket them locally."""
    df = load_transactions().head(300).copy()
    df["date"] = (df["date"] + pd.Timedelta(hours=23)).dt.tz_localize(tz)
    expected = csl_stats.rfm(df, as_of="2024-02-29")
    for make in (_dask, _polars):
        got = _to_pandas(csl_stats.rfm(make(df), as_of="2024-02-29"))
        for col in ("first_order", "last_order"):
            got[col] = pd.to_datetime(got[col]).dt.tz_localize(None)
        _same_rfm(expected, got, "customer_id")
    _same_retention(csl_stats.retention(df, period="M"),
                    _to_pandas(csl_stats.retention(_dask(df), period="M")), by_cohort=False)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_missing_customer_ids_named_by_column(engine):
    """The missing-value error names the caller's column ('cust'), on pandas as on the engines (the pandas
    path named the role, 'customer')."""
    df = load_transactions().head(200).rename(columns={"customer_id": "cust"})
    df.loc[3, "cust"] = None
    with pytest.raises(InsufficientDataError) as pandas_error:
        csl_stats.rfm(df, customer="cust")
    with pytest.raises(InsufficientDataError) as engine_error:
        csl_stats.rfm(ENGINES[engine](df), customer="cust")
    assert "'cust': 1" in str(pandas_error.value)
    assert str(engine_error.value) == str(pandas_error.value)
    with pytest.raises(InsufficientDataError, match="'cust': 1"):
        csl_stats.retention(df, customer="cust")


@pytest.mark.parametrize("engine", list(ENGINES))
def test_retention_end_date_includes_the_whole_day(engine):
    """end="2024-06-30" keeps the orders placed during that day (as as_of does in rfm); an order at 15:00 on
    the quarter's last day was silently left out of the quarter."""
    tx = pd.DataFrame({"customer_id": ["A", "B", "A", "B"],
                       "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-04-02", "2024-06-30 15:00"],
                                             format="ISO8601")})
    expected = csl_stats.retention(tx, end="2024-06-30")
    assert expected.loc[pd.Period("2024Q2", "Q"), "active"] == 2
    assert expected.loc[pd.Period("2024Q2", "Q"), "retained"] == 2
    assert csl_stats.retention(tx, end="2024-06-30 12:00").loc[pd.Period("2024Q2", "Q"), "active"] == 1
    _same_retention(expected, _to_pandas(csl_stats.retention(ENGINES[engine](tx), end="2024-06-30")),
                    by_cohort=False)


def test_pyarrow_time_zone_bucketed_locally():
    """A PyArrow table keeps its timestamps' zone (unlike DuckDB's TIMESTAMP WITH TIME ZONE): it is bucketed
    in that zone as for pandas and Polars, a zoned as_of converted to it; it used to be refused."""
    df = load_transactions().head(300).copy()
    df["date"] = (df["date"] + pd.Timedelta(hours=23)).dt.tz_localize("America/New_York")
    table = _arrow(df)
    as_of = pd.Timestamp("2024-03-01 02:00", tz="UTC")  # 2024-02-29 21:00 in New York
    _same_rfm(csl_stats.rfm(df, as_of=as_of), _to_pandas(csl_stats.rfm(table, as_of=as_of)), "customer_id")
    _same_retention(csl_stats.retention(df, period="M", end=as_of),
                    _to_pandas(csl_stats.retention(table, period="M", end=as_of)), by_cohort=False)
    expected, warned = _warned(lambda: csl_stats.customer_lifetimes(df, inactivity=30))
    got, engine_warned = _warned(lambda: csl_stats.customer_lifetimes(table, inactivity=30))
    assert engine_warned == warned
    _same_lifetimes(expected, _to_pandas(got), "customer_id")
