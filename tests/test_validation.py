"""Tests of the shared input validation helpers (messages name column and values)."""

import numpy as np
import pandas as pd
import pytest

from csl_stats import errors
from csl_stats._validation import (
    apply_nan_policy,
    as_generator,
    check_choice,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_full_rank,
    check_int,
    check_not_constant,
    check_numeric,
    check_probability,
    check_scale,
    numeric_frame,
    preview,
)


@pytest.fixture
def answers():
    return pd.DataFrame(
        {
            "sat1": [1, 2, 3, 4, 5, 6, 7, np.nan],
            "sat2": [2, 2, 3, 5, 5, 6, 6, 7],
            "region": list("nsewnsew"),
        }
    )


def test_check_dataframe_rejects_non_frames():
    with pytest.raises(errors.ArgumentTypeError, match="must be a pandas DataFrame; got ndarray"):
        check_dataframe(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="must be a pandas DataFrame; got list"):  # also a built-in TypeError
        check_dataframe([[1, 2]])


def test_check_dataframe_empty_and_duplicated_labels():
    with pytest.raises(errors.InsufficientDataError, match="has no rows"):
        check_dataframe(pd.DataFrame({"a": []}))
    dup = pd.DataFrame([[1, 2, 3]], columns=["q1", "q2", "q1"])
    with pytest.raises(errors.DuplicateColumnError, match=r"duplicated column labels \['q1'\]"):
        check_dataframe(dup)


def test_check_columns_normalises_and_suggests(answers):
    assert check_columns(answers, "sat1") == ["sat1"]
    assert check_columns(answers, None) == ["sat1", "sat2", "region"]
    with pytest.raises(errors.ColumnNotFoundError, match=r"items: column\(s\) not found in data: 'sat3' \(did you mean 'sat2'\?\)"):
        check_columns(answers, ["sat1", "sat3"], arg="items")
    with pytest.raises(KeyError, match=r"column\(s\) not found in data: 'nope'"):  # also a KeyError
        check_columns(answers, ["nope"])
    with pytest.raises(errors.DuplicateColumnError, match=r"column\(s\) \['sat1'\] named more than once"):
        check_columns(answers, ["sat1", "sat1"])
    with pytest.raises(errors.InsufficientDataError, match="at least 2 column"):
        check_columns(answers, ["sat1"], min_count=2)


def test_check_numeric_names_column_and_values(answers):
    out = check_numeric(answers, ["sat1", "sat2"])
    assert out.dtypes.eq("float64").all()
    with pytest.raises(errors.NonNumericError, match=r"column 'region' must be numeric .* \['n', 's', 'e', 'w'\]"):
        check_numeric(answers, ["sat1", "region"])
    txt = pd.DataFrame({"q": ["5", "don't know", 3]})
    with pytest.raises(errors.NonNumericError, match="don't know"):
        check_numeric(txt, ["q"])
    inf = pd.DataFrame({"q": [1.0, np.inf]})
    with pytest.raises(errors.NonNumericError, match="infinite"):
        check_numeric(inf, ["q"])


def test_check_numeric_accepts_nullable_and_bool():
    df = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [True, False, True]})
    out = check_numeric(df, ["a", "b"])
    assert np.isnan(out.loc[1, "a"]) and out["b"].tolist() == [1.0, 0.0, 1.0]


def test_check_numeric_does_not_mutate(answers):
    before = answers.copy(deep=True)
    out = check_numeric(answers, ["sat1", "sat2"])
    out.iloc[0, 0] = 99
    pd.testing.assert_frame_equal(answers, before)


def test_check_scale_out_of_range_and_fractions():
    df = pd.DataFrame({"q1": [1.0, 7.0, 9.0, 12.0, np.nan]})
    with pytest.raises(errors.ScaleError, match=r"column 'q1' has values outside the declared 1-7 scale: \[9.0, 12.0\] \(2 row"):
        check_scale(df, (1, 7))
    frac = pd.DataFrame({"q1": [1.0, 2.5, 3.0]})
    with pytest.raises(errors.ScaleError, match=r"whole-number answers .* \[2.5\]"):
        check_scale(frac, (1, 7))
    check_scale(frac, (1, 7), integer=False)  # fractional answers allowed when declared
    check_scale(df, None)
    with pytest.raises(errors.ArgumentError, match=r"\(low, high\) pair"):
        check_scale(frac, (1, 4, 7))
    with pytest.raises(errors.ArgumentError, match="low < high"):
        check_scale(frac, (7, 1))


def test_check_not_constant():
    with pytest.raises(errors.ConstantError, match=r"column 'q2' is constant \(every valid answer is 4\)"):
        check_not_constant(pd.DataFrame({"q1": [1, 2], "q2": [4, 4]}))
    with pytest.raises(errors.ConstantError, match="no non-missing values"):
        check_not_constant(pd.DataFrame({"q1": [np.nan, np.nan]}))


def test_apply_nan_policy(answers):
    num = check_numeric(answers, ["sat1", "sat2"])
    assert len(apply_nan_policy(num, "listwise")) == 7
    assert len(apply_nan_policy(num, "pairwise", allowed=("listwise", "pairwise"))) == 8
    with pytest.raises(errors.InsufficientDataError, match=r"missing values found \('sat1': 1\)"):
        apply_nan_policy(num, "raise")
    with pytest.raises(errors.ArgumentError, match="nan_policy must be one of"):
        apply_nan_policy(num, "omit")
    heavy = pd.DataFrame({"a": [1.0, np.nan, np.nan, 4.0], "b": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(errors.MissingDataWarning, match="dropped 2 of 4 rows"):
        apply_nan_policy(heavy, "listwise")


def test_numeric_frame_pipeline(answers):
    out = numeric_frame(answers, ["sat1", "sat2"], scale=(1, 7))
    assert list(out.columns) == ["sat1", "sat2"] and len(out) == 7
    with pytest.raises(errors.InsufficientDataError, match="at least 20 complete rows"):
        numeric_frame(answers, ["sat1", "sat2"], min_rows=20)


def test_choice_probability_int():
    assert check_choice("a", "opt", ["a", "b"]) == "a"
    with pytest.raises(errors.ArgumentError, match=r"opt must be one of \['a', 'b'\]; got 'c'"):
        check_choice("c", "opt", ["a", "b"])
    with pytest.raises(errors.ArgumentError, match="opt must be one of"):
        check_choice(["unhashable"], "opt", ["a"])
    assert check_probability(0.9) == 0.9
    for bad in (0, 1, 1.5, True, "0.95"):
        with pytest.raises(errors.ArgumentError, match="strictly between 0 and 1"):
            check_probability(bad)
    assert check_int(5, "n_boot") == 5
    with pytest.raises(errors.ArgumentTypeError, match="n_boot must be an integer; got float"):
        check_int(5.0, "n_boot")
    with pytest.raises(errors.ArgumentError, match="n_boot must be >= 1; got 0"):
        check_int(0, "n_boot", minimum=1)


def test_distinct_roles():
    check_distinct_roles(x="sat", m=["trs", "cph"], y="loy", covariates=None)
    with pytest.raises(errors.ModelSpecificationError, match="'sat' is used both as x and as m"):
        check_distinct_roles(x="sat", m=["sat"], y="loy")
    with pytest.raises(errors.ModelSpecificationError, match="'trs' is used twice as m"):
        check_distinct_roles(x="sat", m=["trs", "trs"], y="loy")


def test_full_rank_names_the_collinear_columns():
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(3, 50))
    X = np.column_stack([np.ones(50), a, b, c, a + 2 * b])
    with pytest.raises(errors.CollinearityError, match=r"\['a', 'b', 'a_plus_2b'\] are perfectly collinear"):
        check_full_rank(X, ["const", "a", "b", "c", "a_plus_2b"])
    check_full_rank(X[:, :4], ["const", "a", "b", "c"])
    with pytest.raises(errors.InsufficientDataError, match="3 complete rows for 4 coefficients"):
        check_full_rank(X[:3, :4], ["const", "a", "b", "c"])


def test_as_generator():
    g = np.random.default_rng(3)
    assert as_generator(g) is g
    assert as_generator(7).integers(1000) == np.random.default_rng(7).integers(1000)
    assert isinstance(as_generator(None), np.random.Generator)
    assert isinstance(as_generator(np.random.SeedSequence(1)), np.random.Generator)
    with pytest.raises(errors.ArgumentTypeError, match="RandomState"):
        as_generator(np.random.RandomState(1))
    with pytest.raises(errors.ArgumentError, match="non-negative"):
        as_generator(-1)
    with pytest.raises(errors.ArgumentTypeError, match="rng must be None, a non-negative int .*; got float"):
        as_generator(1.5)


def test_preview_shortens():
    assert preview([1, 1, 2]) == "[1, 2]"
    assert preview(range(10), limit=3) == "[0, 1, 2, ...] (10 distinct)"
    assert preview([np.float64(2.5)]) == "[2.5]"


def test_check_numeric_object_column_with_pd_na():
    """An object column mixing numbers and pd.NA (common after concat/merge) converts, NA -> NaN."""
    df = pd.DataFrame({"a": pd.Series([1, pd.NA, 3.5, None], dtype=object)})
    out = check_numeric(df, ["a"])
    np.testing.assert_array_equal(out["a"].to_numpy(), [1.0, np.nan, 3.5, np.nan])


def test_check_numeric_rejects_complex_and_huge_integers():
    with pytest.raises(errors.NonNumericError, match=r"column 'z' .*complex"):
        check_numeric(pd.DataFrame({"z": np.array([1 + 2j, 3, 4])}), ["z"])
    with pytest.raises(errors.NonNumericError, match=r"column 'big' .*float"):
        check_numeric(pd.DataFrame({"big": pd.Series([10**400, 1, 2], dtype=object)}), ["big"])


def test_scale_argument_must_be_a_finite_numeric_pair():
    frame = pd.DataFrame({"q": [1.0, 2.0]})
    with pytest.raises(errors.ArgumentError, match=r"\(low, high\) pair"):
        check_scale(frame, "17")
    with pytest.raises(errors.ArgumentError, match="finite"):
        check_scale(frame, (1, np.inf))
