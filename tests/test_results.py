"""Tests of the result base class shared by every result object."""

import dataclasses

import pandas as pd
import pytest

from csl_stats._results import Result, result_dataclass


@result_dataclass
class _Toy(Result):
    _title = "Toy estimate"
    table: pd.DataFrame
    n_obs: int
    method: str

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def estimate(self) -> float:
        return float(self.table.loc["theta", "estimate"])


@pytest.fixture
def toy():
    table = pd.DataFrame({"estimate": [0.123456], "se": [0.01]}, index=["theta"])
    return _Toy(table=table, n_obs=42, method="ml")


def test_result_is_frozen(toy):
    with pytest.raises(dataclasses.FrozenInstanceError):
        toy.n_obs = 3


def test_repr_shows_scalars_and_table(toy):
    text = repr(toy)
    assert text.startswith("_Toy(n_obs=42, method=ml)")
    assert "theta" in text and "0.1235" in text


def test_html_repr(toy):
    html = toy._repr_html_()
    assert "Toy estimate: n_obs=42, method=ml" in html and "<table" in html and "0.1235" in html


def test_summary_defaults_to_tidy_table_and_accessor_derives(toy):
    pd.testing.assert_frame_equal(toy.summary(), toy.to_frame())
    assert toy.estimate == pytest.approx(0.123456, abs=1e-12)  # no rounding inside results


def test_subclass_must_define_to_frame():
    @result_dataclass
    class Broken(Result):
        n_obs: int

    with pytest.raises(TypeError, match="abstract"):
        Broken(n_obs=1)


def test_frame_field_gives_a_copying_to_frame():
    """A result naming its table in ``_frame`` inherits a ``to_frame`` that returns a copy."""

    @result_dataclass
    class Named(Result):
        _frame = "effects"
        effects: pd.DataFrame

    res = Named(effects=pd.DataFrame({"estimate": [1.0]}, index=["a"]))
    out = res.to_frame()
    pd.testing.assert_frame_equal(out, res.effects)
    out.loc["a", "estimate"] = 99.0
    assert res.effects.loc["a", "estimate"] == 1.0
