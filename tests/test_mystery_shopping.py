"""Tests for csl_stats.datasets.simulate_mystery_shopping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import csl_stats
from csl_stats.datasets import simulate_mystery_shopping
from csl_stats.errors import ArgumentError, ArgumentTypeError

# pingouin 0.7 calls DataFrame.dropna(inplace=True), deprecated in pandas 3.1
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


def test_layout_and_determinism():
    a = simulate_mystery_shopping(n_sites=12, n_shoppers=3, rng=5)
    assert a.shape == (36, 3) and list(a.columns) == ["site", "shopper", "score"]
    assert a["site"].nunique() == 12 and a["shopper"].nunique() == 3
    assert (a.groupby("site").size() == 3).all()  # fully crossed
    assert a["score"].between(0, 100).all() and a["score"].dtype.kind == "i"
    assert a["site"].iloc[0] == "S01" and a["shopper"].iloc[:3].tolist() == ["M1", "M2", "M3"]
    pd.testing.assert_frame_equal(a, simulate_mystery_shopping(n_sites=12, n_shoppers=3, rng=5))
    assert not a.equals(simulate_mystery_shopping(n_sites=12, n_shoppers=3, rng=6))
    assert csl_stats.simulate_mystery_shopping is simulate_mystery_shopping


def test_icc_recovers_population_value():
    """ICC(A,1) = 100 / (100 + 16 + 36) = 0.658 and ICC(C,1) = 100 / 136 = 0.735 with the defaults."""
    a = simulate_mystery_shopping(n_sites=400, n_shoppers=30, rng=11)
    icc = pg.intraclass_corr(data=a, targets="site", raters="shopper", ratings="score").set_index("Type")[
        "ICC"
    ]
    assert icc["ICC(A,1)"] == pytest.approx(100 / 152, abs=0.04)
    assert icc["ICC(C,1)"] == pytest.approx(100 / 136, abs=0.04)


def test_zero_site_variance_gives_icc_near_zero():
    a = simulate_mystery_shopping(n_sites=200, n_shoppers=5, site_sd=0.0, rng=3)
    icc = pg.intraclass_corr(data=a, targets="site", raters="shopper", ratings="score").set_index("Type")[
        "ICC"
    ]
    assert abs(icc["ICC(A,1)"]) < 0.1
    assert np.isfinite(icc).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_sites": 1}, ArgumentError, "n_sites must be >= 2"),
        ({"n_shoppers": 1}, ArgumentError, "n_shoppers must be >= 2"),
        ({"n_sites": 2.5}, ArgumentTypeError, "n_sites must be an integer"),
        ({"shopper_sd": -1.0}, ArgumentError, "shopper_sd must be a non-negative number"),
        ({"noise_sd": float("nan")}, ArgumentError, "noise_sd must be a non-negative number"),
        ({"site_sd": float("inf")}, ArgumentError, "site_sd must be a non-negative number and finite"),
        ({"mean": float("inf")}, ArgumentError, "mean must be a finite number"),
        ({"rng": "seed"}, ArgumentTypeError, "rng must be None"),
    ],
)
def test_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_mystery_shopping(**kwargs)
