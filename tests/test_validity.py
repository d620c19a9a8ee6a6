"""Tests for csl_stats.validity (HTMT)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    ConstantError,
    DataError,
    ModelSpecificationError,
)

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "reliability_reference.json").read_text())
CONSTRUCTS = {"A": ["a1", "a2", "a3", "a4"], "B": ["b1", "b2", "b3", "b4"], "C": ["c1", "c2", "c3", "c4"]}


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    """Simulated 300 x 12 questionnaire with three constructs (c4 reverse-keyed, not reversed)."""
    return pd.read_csv(REF_DIR / "reliability_items.csv")


@pytest.mark.parametrize("variant", ["htmt", "htmt2"])
@pytest.mark.parametrize("case", ["", "_reversed", "_pairwise"])
def test_htmt_against_R(items: pd.DataFrame, variant: str, case: str) -> None:
    """R: semTools::htmt("A =~ a1 + ...; B =~ ...; C =~ ...", data = x, htmt2 = FALSE / TRUE,
    missing = "listwise" / "pairwise"), x raw (c4 not reversed) or with c4 reversed."""
    x = items.copy()
    if case == "_reversed":
        x["c4"] = 8 - x["c4"]
    policy = "pairwise" if case == "_pairwise" else "listwise"
    res = csl_stats.htmt(x, CONSTRUCTS, variant=variant, nan_policy=policy)
    expected = np.array(REF["htmt"][variant + case])
    np.testing.assert_allclose(res.to_numpy(), expected, atol=1e-8, rtol=0)
    assert list(res.index) == list(res.columns) == ["A", "B", "C"]


def test_htmt_closed_form_two_constructs() -> None:
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(100, 4)), columns=["x1", "x2", "y1", "y2"])
    df["x2"] += df["x1"]
    df["y2"] += df["y1"] + 0.5 * df["x1"]
    r = df.corr().abs().to_numpy()
    between = [r[0, 2], r[0, 3], r[1, 2], r[1, 3]]
    arith = np.mean(between) / np.sqrt(r[0, 1] * r[2, 3])
    geo = np.exp(np.mean(np.log(between))) / np.sqrt(r[0, 1] * r[2, 3])
    spec = {"X": ["x1", "x2"], "Y": ["y1", "y2"]}
    assert csl_stats.htmt(df, spec).loc["X", "Y"] == pytest.approx(arith, abs=1e-12)
    assert csl_stats.htmt(df, spec, variant="htmt2").loc["Y", "X"] == pytest.approx(geo, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shift=st.floats(-10, 10), factor=st.floats(0.2, 5))
def test_htmt_invariances(seed: int, shift: float, factor: float) -> None:
    """Symmetric with unit diagonal; invariant to shifting and rescaling items and to reversing one."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(80, 2))
    df = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(size=(80, 6)), columns=list("abcdef"))
    spec = {"F": ["a", "b", "c"], "G": ["d", "e", "f"]}
    for variant in ("htmt", "htmt2"):
        base = csl_stats.htmt(df, spec, variant=variant)
        assert np.allclose(base, base.T) and np.allclose(np.diag(base), 1)
        moved = df * factor + shift
        moved["e"] = -moved["e"]
        np.testing.assert_allclose(csl_stats.htmt(moved, spec, variant=variant), base, atol=1e-10)


def test_caller_data_untouched(items: pd.DataFrame) -> None:
    before = items.copy()
    csl_stats.htmt(items, CONSTRUCTS, nan_policy="pairwise")
    pd.testing.assert_frame_equal(items, before)


# ---------------------------------------------------------------------------- errors
def test_error_single_item_construct(items: pd.DataFrame) -> None:
    for variant in ("htmt", "htmt2"):
        with pytest.raises(ModelSpecificationError, match=r"construct 'B' has 1 item\(s\) \['b1'\]"):
            csl_stats.htmt(items, {"A": ["a1", "a2"], "B": ["b1"]}, variant=variant)


def test_error_item_in_two_constructs(items: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecificationError, match=r"item 'a2' is listed in 'A' and in 'B'"):
        csl_stats.htmt(items, {"A": ["a1", "a2"], "B": ["a2", "b1"]})
    with pytest.raises(ModelSpecificationError, match=r"item 'a1' is listed twice in 'A'"):
        csl_stats.htmt(items, {"A": ["a1", "a1"], "B": ["b2", "b1"]})


def test_error_unknown_item(items: pd.DataFrame) -> None:
    with pytest.raises(ColumnNotFoundError, match="'b9'"):
        csl_stats.htmt(items, {"A": ["a1", "a2"], "B": ["b1", "b9"]})


def test_error_specification_types(items: pd.DataFrame) -> None:
    with pytest.raises(ModelSpecificationError, match="at least two are needed"):
        csl_stats.htmt(items, {"A": ["a1", "a2"]})
    with pytest.raises(ArgumentTypeError, match="constructs must be a dict"):
        csl_stats.htmt(items, [["a1", "a2"], ["b1", "b2"]])
    with pytest.raises(ArgumentTypeError, match="construct 'A': items must be a list"):
        csl_stats.htmt(items, {"A": "a1", "B": ["b1", "b2"]})
    with pytest.raises(ArgumentError, match="variant must be one of"):
        csl_stats.htmt(items, CONSTRUCTS, variant="HTMT2")


def test_error_constant_item(items: pd.DataFrame) -> None:
    x = items.copy()
    x["b2"] = 3
    with pytest.raises(ConstantError, match="'b2' is constant"):
        csl_stats.htmt(x, CONSTRUCTS)


def test_error_zero_within_correlation() -> None:
    df = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 6, 7, 8], "x2": [1, -1, -1, 1, 1, -1, -1, 1],
                       "y1": [2, 1, 4, 3, 6, 5, 8, 7], "y2": [1, 3, 2, 5, 4, 7, 6, 9]})
    assert df.corr().loc["x1", "x2"] == pytest.approx(0, abs=1e-15)
    with pytest.raises(DataError, match="'X' are uncorrelated on average"):
        csl_stats.htmt(df, {"X": ["x1", "x2"], "Y": ["y1", "y2"]})
