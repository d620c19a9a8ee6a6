"""Shared argument checkers of csl_stats._validation (issue 15): one policy per class of argument."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csl_stats import errors
from csl_stats._validation import (
    N_BOOT_MIN,
    align_series,
    check_columns,
    check_dates,
    check_flag,
    check_label,
    check_labels,
    check_n_boot,
    check_number,
    check_rng,
    label_index,
    stacklevel,
    warn,
    warn_reverse_keyed,
)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), np.bool_(False)])
def test_check_flag_accepts_booleans(value):
    assert check_flag(value, "paired") is bool(value)


@pytest.mark.parametrize("value", ["no", "yes", 0, 1, None, 1.0, [True]])
def test_check_flag_refuses_everything_else(value):
    with pytest.raises(errors.ArgumentTypeError, match=r"paired must be True or False; got "):
        check_flag(value, "paired")


def test_check_number():
    assert check_number(3, "tol") == 3.0 and isinstance(check_number(3, "tol"), float)
    assert check_number(np.float32(0.5), "tol") == 0.5
    assert check_number(np.int64(7), "k", integer=True) == 7
    assert check_number(float("inf"), "cut", finite=False) == float("inf")
    for bad in ("x", True, None, [1], "1"):
        with pytest.raises(errors.ArgumentTypeError, match="tol must be a number"):
            check_number(bad, "tol")
    with pytest.raises(errors.ArgumentError, match="tol must be a number, not NaN"):
        check_number(float("nan"), "tol")
    with pytest.raises(errors.ArgumentError, match="tol must be a finite number; got inf"):
        check_number(np.inf, "tol")
    with pytest.raises(errors.ArgumentError, match=r"tol must be > 0; got 0"):
        check_number(0, "tol", minimum=0, inclusive=False)
    with pytest.raises(errors.ArgumentError, match=r"trim must be a number in \[0, 0.5\]; got 0.6"):
        check_number(0.6, "trim", minimum=0, maximum=0.5)
    with pytest.raises(errors.ArgumentTypeError, match="grid must be an integer; got float 10.0"):
        check_number(10.0, "grid", integer=True)


def test_check_labels_containers():
    assert check_labels("sat1", "items") == ["sat1"]
    assert check_labels(5, "items") == [5]  # one int label (the column labelled 5)
    assert check_labels(["a", "b"], "items") == ["a", "b"]
    assert check_labels(("a", "b"), "items") == ["a", "b"]  # no columns given: a tuple is a list of labels
    assert check_labels(pd.Index(["a", "b"]), "items") == ["a", "b"]
    assert check_labels(np.array(["a", "b"]), "items") == ["a", "b"]
    assert isinstance(check_labels(np.array(["a", "b"]), "items")[0], str)
    assert check_labels(pd.Series(["a", "b"], index=[9, 8]), "items") == ["a", "b"]
    mi = pd.MultiIndex.from_tuples([("sat", "q1"), ("sat", "q2")])
    assert check_labels(("sat", "q1"), "items", columns=mi) == [("sat", "q1")]
    assert check_labels(mi, "items") == [("sat", "q1"), ("sat", "q2")]
    assert check_labels([], "items", allow_empty=True) == []


@pytest.mark.parametrize("value", [{"a", "b"}, {"a": 1}, np.zeros((2, 2)), iter(["a"])])
def test_check_labels_refuses_other_containers(value):
    with pytest.raises(errors.ArgumentTypeError, match="items must be"):
        check_labels(value, "items")


def test_check_labels_refuses_bad_labels_empty_and_duplicates():
    with pytest.raises(errors.ArgumentTypeError, match=r"\[None\] cannot be column labels"):
        check_labels(["a", None], "items")
    with pytest.raises(errors.ArgumentTypeError, match=r"cannot be column labels"):
        check_labels([True], "items")
    with pytest.raises(errors.InsufficientDataError, match="at least one label"):
        check_labels([], "items")
    with pytest.raises(errors.DuplicateColumnError, match=r"items: label\(s\) \['a', 'b'\] named more than once"):
        check_labels(["a", "b", "a", "b", "b"], "items")


def test_check_label_single_column():
    assert check_label("CUSL", "y") == "CUSL"
    assert check_label(("sat", "q1"), "y") == ("sat", "q1")
    assert check_label(3, "y") == 3
    with pytest.raises(errors.ArgumentTypeError, match=r"y must be a single column label \(e.g. y='CUSL'\)"):
        check_label(["CUSL"], "y")
    with pytest.raises(errors.ArgumentTypeError, match="y must be a single column label"):
        check_label(pd.Index(["a", "b"]), "y")
    for bad in (None, True, {"a"}):
        with pytest.raises(errors.ArgumentTypeError):
            check_label(bad, "y")


def test_check_columns_multiindex_and_unused_duplicates():
    cols = pd.MultiIndex.from_tuples([("sat", "q1"), ("sat", "q2"), ("loy", "q1")])
    df = pd.DataFrame(np.arange(6).reshape(2, 3), columns=cols)
    assert check_columns(df, ("sat", "q1")) == [("sat", "q1")]
    assert check_columns(df, [("sat", "q1"), ("loy", "q1")]) == [("sat", "q1"), ("loy", "q1")]
    with pytest.raises(errors.ColumnNotFoundError, match=r"2-level column labels.*\('sat', 'q1'\)"):
        check_columns(df, "sat")  # a first-level name would select several columns
    dup = pd.DataFrame([[1, 2, 3]], columns=["q1", "q2", "q1"])
    assert check_columns(dup, ["q2"]) == ["q2"]  # a duplicated label that is not used does not matter
    with pytest.raises(errors.DuplicateColumnError, match=r"duplicated column labels \['q1'\]"):
        check_columns(dup, ["q1", "q2"])
    idx = label_index([("sat", "q1"), ("sat", "q2")], name="item")
    assert idx.nlevels == 1 and idx[0] == ("sat", "q1")


def test_check_n_boot_policy():
    assert N_BOOT_MIN == 100
    assert check_n_boot(100) == 100 and check_n_boot(np.int64(2000)) == 2000
    assert check_n_boot(0, allow_zero=True) == 0
    with pytest.raises(errors.ArgumentError, match="n_boot must be >= 100 .* or 0 for no bootstrap; got 10"):
        check_n_boot(10, allow_zero=True)
    with pytest.raises(errors.ArgumentError, match="n_boot must be >= 100"):
        check_n_boot(0)
    for bad in (100.0, "100", True, None):
        with pytest.raises(errors.ArgumentTypeError, match="n_boot must be an integer"):
            check_n_boot(bad)


def test_check_rng_policy():
    g = np.random.default_rng(1)
    assert check_rng(g) is g
    assert check_rng(3).integers(10**9) == np.random.default_rng(3).integers(10**9)
    assert isinstance(check_rng(None), np.random.Generator)
    for bad in ("abc", 1.5, True, np.random.RandomState(1)):
        with pytest.raises(errors.ArgumentTypeError, match="rng must be None"):
            check_rng(bad)
    with pytest.raises(errors.ArgumentError, match="non-negative"):
        check_rng(-1)


def test_check_dates_ambiguous_and_settled():
    amb = pd.Series(["03/04/2024", "05/06/2024", None])
    with pytest.raises(errors.DateError, match=r"'03/04/2024'.*dd/mm or mm/dd; pass date_format"):
        check_dates(amb, "date")
    assert check_dates(amb, "date", dayfirst=True).dt.month.tolist()[:2] == [4, 6]
    assert check_dates(amb, "date", dayfirst=False).dt.month.tolist()[:2] == [3, 5]
    assert check_dates(amb, "date", date_format="%d/%m/%Y").dt.day.tolist()[:2] == [3, 5]
    assert pd.isna(check_dates(amb, "date", dayfirst=True).iloc[2])
    # a day above 12 settles the order for the whole column
    assert check_dates(pd.Series(["03/04/2024", "25/06/2024"]), "date").dt.month.tolist() == [4, 6]
    assert check_dates(pd.Series(["03/04/2024", "06/25/2024"]), "date").dt.month.tolist() == [3, 6]
    with pytest.raises(errors.DateError, match="mix dd/mm and mm/dd"):
        check_dates(pd.Series(["13/04/2024", "06/25/2024"]), "date")
    iso = check_dates(pd.Series(["2024-03-04", "2024-05-06"]), "date")
    assert iso.dt.month.tolist() == [3, 5]
    with pytest.raises(errors.ArgumentTypeError, match="dayfirst must be True or False"):
        check_dates(amb, "date", dayfirst="yes")


def test_check_dates_time_zones_and_bad_values():
    berlin = pd.Series(pd.to_datetime(["2024-03-31 23:30", "2024-04-01 00:30"]).tz_localize("Europe/Berlin"))
    out = check_dates(berlin, "date")
    assert str(out.dt.tz) == "Europe/Berlin"  # kept, not converted to UTC
    assert out.dt.month.tolist() == [3, 4]
    txt = check_dates(pd.Series(["2024-03-31T23:30+02:00", "2024-04-01T10:00+02:00"]), "date")
    assert txt.dt.day.tolist() == [31, 1]
    with pytest.raises(errors.DateError, match=r"different UTC offsets.*\+01:00.*\+02:00.*tz_convert"):
        check_dates(pd.Series(["2024-01-31T23:30+01:00", "2024-04-01T10:00+02:00"]), "date")
    mixed = pd.Series([pd.Timestamp("2024-01-01", tz="Europe/Berlin"), pd.Timestamp("2024-01-01", tz="UTC")])
    with pytest.raises(errors.DateError, match="mixes time zones"):
        check_dates(mixed, "date")
    with pytest.raises(errors.DateError, match=r"1 value\(s\) could not be parsed as dates: \['soon'\]"):
        check_dates(pd.Series(["2024-01-05", "soon"]), "date")
    with pytest.raises(errors.DateError, match="holds numbers"):
        check_dates(pd.Series([20240105, 20240106]), "date")
    with pytest.raises(errors.DateError, match=r"not dates: \[3.5\]"):
        check_dates(pd.Series(["2024-01-05", 3.5], dtype=object), "date")


def test_align_series_policy():
    a = pd.Series([1.0, 2.0, 3.0], index=["x", "y", "z"])
    same = pd.Series([4.0, 5.0, 6.0], index=["x", "y", "z"])
    assert align_series(a, same, names=["a", "b"])[1] is same
    shuffled = pd.Series([6.0, 4.0, 5.0], index=["z", "x", "y"])
    assert align_series(a, shuffled, names=["a", "b"])[1].tolist() == [4.0, 5.0, 6.0]
    arr = align_series(a, np.array([7, 8, 9]), names=["a", "b"])[1]
    assert arr.index.equals(a.index) and arr.tolist() == [7, 8, 9]
    with pytest.raises(errors.AlignmentError, match=r"\['z'\] only in a, \['w'\] only in b"):
        align_series(a, pd.Series([1, 2, 3], index=["x", "y", "w"]), names=["a", "b"])
    dup1 = pd.Series([1, 2], index=["x", "x"])
    assert align_series(dup1, pd.Series([3, 4], index=["x", "x"]), names=["a", "b"])[1].tolist() == [3, 4]
    with pytest.raises(errors.AlignmentError, match="duplicated"):
        align_series(pd.Series([1, 2, 3], index=["x", "x", "y"]), pd.Series([1, 2, 3], index=["x", "y", "x"]),
                     names=["a", "b"])
    with pytest.raises(errors.ArgumentError, match="b has 2 values for 3 rows"):
        align_series(a, [1, 2], names=["a", "b"])


def test_warn_reverse_keyed_names_item_and_construct():
    g = np.random.default_rng(0)
    t = g.normal(size=300)
    df = pd.DataFrame({f"q{i}": t + g.normal(size=300) for i in range(1, 5)})
    df["q4"] = -df["q4"]
    df.loc[:10, "q2"] = np.nan
    with pytest.warns(errors.ReverseKeyWarning, match=r"'q4' \(r = -0\.\d\d\).* of 'quality'.*reverse-code") as rec:
        flagged = warn_reverse_keyed(df, {"quality": ["q1", "q2", "q3", "q4"]})
    assert flagged == ["q4"]
    assert rec[0].filename == __file__  # points at this line, outside the package
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_reverse_keyed(df, ["q1", "q2", "q3"]) == []
        assert warn_reverse_keyed(df, {"single": ["q1"]}) == []


def test_stacklevel_points_outside_package():
    assert stacklevel() == 1
    with pytest.warns(errors.CSLWarning) as rec:
        warn("message", errors.CSLWarning)
    assert rec[0].filename == __file__
