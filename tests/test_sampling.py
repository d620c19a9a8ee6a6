"""Sample sizes and allocation (csl_stats.sampling): closed forms checked by hand."""

import math

import numpy as np
import pytest
from scipy import stats

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError

Z = stats.norm.ppf(0.975)


def test_classic_values():
    assert csl_stats.sample_size("proportion", margin=0.05).n == 385  # the textbook 385
    assert csl_stats.sample_size("top_box", margin=0.03, p=0.4).n == math.ceil(Z**2 * 0.24 / 0.03**2)
    assert csl_stats.sample_size("mean", margin=0.1, sd=1.2).n == math.ceil((Z * 1.2 / 0.1) ** 2)


def test_nps_variance_fpc_deff_and_invitations():
    res = csl_stats.sample_size("nps", margin=5, promoters=0.45, detractors=0.15, population=4600, deff=1.3,
                                response_rate=0.4)
    v = 1e4 * (0.6 - 0.3**2)
    n0 = Z**2 * v * 1.3 / 25
    assert res.table["n0"].iloc[0] == pytest.approx(n0)
    assert res.n == math.ceil(n0 / (1 + n0 / 4600))
    assert res.n_invite == math.ceil(res.n / 0.4)


def test_difference_independent_paired_and_power():
    ind = csl_stats.sample_size("difference", of="mean", margin=0.2, sd=1.5)
    assert ind.n == math.ceil(Z**2 * 2 * 2.25 / 0.04)
    paired = csl_stats.sample_size("difference", of="mean", margin=0.2, sd=1.5, correlation=0.6)
    assert paired.n == math.ceil(Z**2 * 2 * 2.25 * 0.4 / 0.04)
    pw = csl_stats.sample_size("difference", of="proportion", margin=0.1, p=(0.3, 0.4), power=0.8)
    zz = Z + stats.norm.ppf(0.8)
    assert pw.n == math.ceil(zz**2 * (0.21 + 0.24) / 0.01)


def test_alpha_matches_bonett_interval_width():
    res = csl_stats.sample_size("alpha", margin=0.05, alpha=0.8, k=4)
    n = res.n
    c = Z * math.sqrt(2 * 4 / (3 * (n - 2)))
    assert 0.2 * math.sinh(c) <= 0.05 + 1e-12  # the Bonett half-width at n meets the margin
    c1 = Z * math.sqrt(2 * 4 / (3 * (n - 3)))
    assert 0.2 * math.sinh(c1) > 0.05  # and n - 1 does not


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"metric": "mean", "margin": 0.1}, "needs sd"),
        ({"metric": "nps", "margin": 5}, "promoters"),
        ({"metric": "nps", "margin": 5, "promoters": 0.7, "detractors": 0.4}, "at most 1"),
        ({"metric": "proportion", "margin": -1}, "margin"),
        ({"metric": "proportion", "margin": 0.05, "p": 1.2}, r"p must be a number in \[0, 1\]"),
        ({"metric": "proportion", "margin": 0.05, "power": 0.8}, "power applies"),
        ({"metric": "alpha", "margin": 0.05}, "alpha="),
        ({"metric": "median", "margin": 0.05}, "metric"),
        ({"metric": "proportion", "margin": 0.05, "response_rate": 0}, "response_rate"),
        ({"metric": "difference", "margin": 0.05, "of": "proportion", "correlation": 1}, "correlation"),
    ],
)
def test_sample_size_errors(kwargs, match):
    metric = kwargs.pop("metric")
    with pytest.raises(ArgumentError, match=match):
        csl_stats.sample_size(metric, **kwargs)


FRAME = {"small": 3000, "medium": 1200, "large": 400}


def test_proportional_and_equal_allocation():
    res = csl_stats.allocate(FRAME, 460)
    assert res.n.tolist() == [300, 120, 40]
    assert res.table["weight"].tolist() == [10.0, 10.0, 10.0]
    eq = csl_stats.allocate({"a": 1000, "b": 1000, "key": 30}, 300, method="equal")
    assert eq.n.tolist() == [135, 135, 30]  # key accounts taken in full, the rest re-spread
    assert eq.n.sum() == 300


def test_neyman_allocation_minimises_the_se():
    sd = {"small": 1.6, "medium": 1.3, "large": 1.0}
    ney = csl_stats.allocate(FRAME, 800, method="neyman", sd=sd)
    prop = csl_stats.allocate(FRAME, 800, sd=sd)
    assert ney.n.sum() == 800
    share = np.array([3000 * 1.6, 1200 * 1.3, 400 * 1.0])
    np.testing.assert_allclose(ney.n.to_numpy(), 800 * share / share.sum(), atol=1)
    assert ney.se_mean < prop.se_mean
    W = np.array([3000, 1200, 400]) / 4600
    n = prop.n.to_numpy()
    se = math.sqrt(np.sum(W**2 * (1 - n / np.array([3000, 1200, 400])) * np.array([1.6, 1.3, 1.0]) ** 2 / n))
    assert prop.se_mean == pytest.approx(se)


def test_minimum_and_response_rates():
    res = csl_stats.allocate({"a": 5000, "b": 100, "c": 1}, 100, min_per_stratum=5,
                             response_rate={"a": 0.3, "b": 0.5, "c": 1.0})
    assert res.n.tolist() == [94, 5, 1]
    assert res.table["n_invite"].tolist() == [314, 10, 1]


def test_non_numbers_are_type_errors():
    with pytest.raises(ArgumentTypeError, match="margin must be a number"):
        csl_stats.sample_size("proportion", margin="5")
    with pytest.raises(ArgumentTypeError):
        csl_stats.sample_size("proportion", margin=0.05, p=True)


def test_allocation_errors():
    with pytest.raises(ArgumentError, match="larger than the frame"):
        csl_stats.allocate(FRAME, 5000)
    with pytest.raises(ArgumentError, match="needs sd"):
        csl_stats.allocate(FRAME, 100, method="neyman")
    with pytest.raises(ArgumentError, match="no value for strata"):
        csl_stats.allocate(FRAME, 100, method="neyman", sd={"small": 1})
    with pytest.raises(ArgumentError, match="positive"):
        csl_stats.allocate({"a": 0, "b": 10}, 5)
    with pytest.raises(ArgumentError, match="min_per_stratum"):
        csl_stats.allocate(FRAME, 4, min_per_stratum=2)
    with pytest.raises(ArgumentTypeError):
        csl_stats.allocate([3000, 1200], 100)


def test_neyman_with_zero_sd_everywhere_is_refused():
    with pytest.raises(ArgumentError, match="sd is 0 in every stratum"):
        csl_stats.allocate(FRAME, 100, method="neyman", sd={"small": 0, "medium": 0, "large": 0})
