"""Planning a customer survey: how many customers to survey, and how to spread them over segments.

:func:`sample_size` turns the precision a manager asks for ("the NPS to
within 5 points") into a number of completed questionnaires, and into a
number of invitations given the expected response rate.
:func:`allocate` spreads a total sample over the strata of the customer
frame (proportionally, optimally by Neyman, or equally), taking small strata
such as key accounts in full.

Examples
--------
>>> res = sample_size("nps", margin=5, promoters=0.45, detractors=0.15)
>>> res.n
784
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import check_choice, check_int, check_number, check_probability, preview
from .errors import ArgumentError, ArgumentTypeError, DuplicateColumnError, InsufficientDataError

__all__ = ["AllocationResult", "SampleSizeResult", "allocate", "sample_size"]

METRICS = ("mean", "proportion", "top_box", "nps", "difference", "alpha")
ALLOCATIONS = ("proportional", "neyman", "equal")


def _positive(value: Any, name: str, *, upper: float | None = None) -> float:
    out = float(check_number(value, name, minimum=0, inclusive=False))
    if upper is not None:
        out = float(check_number(out, name, maximum=upper))
    return out


def _share(value: Any, name: str) -> float:
    return float(check_number(value, name, minimum=0, maximum=1))


def _pair(value: Any, name: str) -> tuple[Any, Any]:
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ArgumentError(f"{name} must be one value or a pair (group 1, group 2); got {value!r}.")
        return value[0], value[1]
    return value, value


# --------------------------------------------------------------------------- sample size


@result_dataclass
class SampleSizeResult(Result):
    """Completed questionnaires needed for a target precision.

    Attributes
    ----------
    table : pandas.DataFrame
        One row: ``n`` (completes needed, per group for a difference),
        ``n0`` (before the finite-population correction), ``n_invite``
        (invitations given the response rate), ``margin``, ``unit_variance``
        (variance of one answer, or of the difference), ``deff``.
    metric : str
    ci_level : float
    power : float or None
        Power for a difference (None: ``margin`` is the interval half-width).
    """

    table: pd.DataFrame
    metric: str
    ci_level: float
    power: float | None
    _title = "Sample size"
    _frame = "table"

    @property
    def n(self) -> int:
        """Completed questionnaires needed (per group for a difference)."""
        return int(self.table["n"].iloc[0])

    @property
    def n_invite(self) -> int:
        """Invitations needed at the expected response rate (per group for a difference)."""
        return int(self.table["n_invite"].iloc[0])


def sample_size(
    metric: str,
    *,
    margin: float,
    ci: float = 0.95,
    sd: float | tuple[float, float] | None = None,
    p: float | tuple[float, float] = 0.5,
    promoters: float | tuple[float, float] | None = None,
    detractors: float | tuple[float, float] | None = None,
    of: str = "mean",
    correlation: float = 0.0,
    power: float | None = None,
    alpha: float | None = None,
    k: int | None = None,
    population: float | None = None,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> SampleSizeResult:
    """Completed questionnaires needed to estimate a metric to within ``margin``.

    Parameters
    ----------
    metric : {"mean", "proportion", "top_box", "nps", "difference", "alpha"}
        What is estimated: a mean score (needs ``sd``), a share or top-box
        share (``p``, default the worst case 0.5), the NPS (expected
        ``promoters`` and ``detractors`` shares; ``margin`` in NPS points), a
        difference between two waves or segments (``of`` says of what), or
        Cronbach's alpha (expected ``alpha`` and ``k`` items; ``margin`` is
        the half-width of its interval).
    margin : float
        Half-width of the confidence interval wanted (the "plus or minus").
        For ``"difference"`` with ``power``: the smallest change to detect.
    ci : float, default 0.95
        Confidence level (for a difference with ``power``: 1 minus the
        two-sided significance level).
    sd : float or pair
        Expected standard deviation of one answer (``"mean"``, or a
        difference of means: one value or a pair for the two groups).
    p : float or pair, default 0.5
        Expected share (``"proportion"``, ``"top_box"``, difference of shares).
    promoters, detractors : float or pair
        Expected shares of promoters (9-10) and detractors (0-6).
    of : {"mean", "proportion", "nps"}, default "mean"
        For ``metric="difference"``.
    correlation : float, default 0
        For a difference between waves answered by the same customers
        (paired): correlation of a customer's answers across the two waves.
        0 for independent samples.
    power : float, optional
        For ``"difference"``: power to detect a change of ``margin``.
    alpha, k : float, int
        Expected Cronbach's alpha and number of items (``metric="alpha"``).
    population : float, optional
        Number of customers in the population (frame): applies the
        finite-population correction :math:`n = n_0 / (1 + n_0/N)`.
    deff : float, default 1
        Expected design effect (unequal weights, clustering).
    response_rate : float, default 1
        Expected response rate, for the number of invitations.

    Returns
    -------
    SampleSizeResult
        ``n`` (completes, per group for a difference) and ``n_invite``.

    Raises
    ------
    ArgumentError
        Missing or out-of-range assumptions (e.g. ``sd`` for a mean,
        promoter and detractor shares above 1 in total).

    Notes
    -----
    With unit variance :math:`v`, :math:`n_0 = z^2 v\\,\\text{deff}/E^2`, where
    :math:`z` is the normal quantile for the confidence level and :math:`E` the
    margin (Cochran 1977, ch. 4). :math:`v` is :math:`\\sigma^2` for a mean,
    :math:`p(1-p)` for a share, :math:`10^4\\,[P + D - (P - D)^2]` for the
    NPS in points (the variance of the +1/0/-1 recode, as in
    :func:`csl_stats.nps`), and :math:`v_1 + v_2 - 2\\rho\\sqrt{v_1 v_2}`
    for a difference (paired when :math:`\\rho > 0`). With ``power``,
    :math:`z` becomes :math:`z_{1-a/2} + z_{\\text{power}}`. For Cronbach's
    alpha, the interval of Bonett (2002) on :math:`\\ln(1-\\alpha)` has
    variance :math:`2k/[(k-1)(n-2)]`; its half-width is about
    :math:`(1-\\alpha)\\sinh(c)` with :math:`c = z\\sqrt{2k/[(k-1)(n-2)]}`, so
    :math:`n = 2 + 2k/(k-1)\\,(z/\\operatorname{asinh}(E/(1-\\alpha)))^2`.

    ``benchmarks/sim_survey_design.py`` draws 2,000 surveys of the planned
    size for each case (Monte Carlo SE 0.5 points): the estimate fell within
    the planned margin in 94.95 % (mean of a 1-7 answer, margin 0.1),
    93.7 % (share of 0.4, margin 0.04: the binomial's discreteness costs a
    little), 94.85 % (NPS, margin 5 points), 95.25 % (change in NPS between
    independent waves, margin 8) and 94.4 % (paired waves, recode
    correlation 0.58, margin 5) of them; for alpha = 0.8 with 4 items the
    planned n = 170 gave Feldt intervals of mean half-width 0.0504 for a
    0.05 margin.

    References
    ----------
    Bonett, D. G. (2002). Sample size requirements for testing and estimating
    coefficient alpha. *Journal of Educational and Behavioral Statistics*,
    27(4), 335-340.

    Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley.

    Examples
    --------
    >>> sample_size("proportion", margin=0.05).n
    385
    >>> sample_size("nps", margin=5, promoters=0.45, detractors=0.15, population=4600).n
    670
    >>> sample_size("difference", of="nps", margin=10, promoters=0.45, detractors=0.15, power=0.8).n
    801
    """
    check_choice(metric, "metric", METRICS)
    ci = check_probability(ci, "ci")
    margin = _positive(margin, "margin")
    deff = _positive(deff, "deff")
    response_rate = _positive(response_rate, "response_rate", upper=1.0)
    if power is not None:
        if metric != "difference":
            raise ArgumentError("power applies to metric='difference' only; for an estimate give its margin.")
        power = check_probability(power, "power")
    if population is not None:
        population = _positive(population, "population")
    z = float(stats.norm.ppf(0.5 + ci / 2))
    if power is not None:
        z += float(stats.norm.ppf(power))

    def unit_var(kind: str, i: int | None) -> float:
        if kind == "mean":
            if sd is None:
                raise ArgumentError("a mean needs sd=..., the expected standard deviation of one answer.")
            s = _pair(sd, "sd")[i] if i is not None else sd
            return _positive(s, "sd") ** 2
        if kind in ("proportion", "top_box"):
            q = _share(_pair(p, "p")[i] if i is not None else p, "p")
            return q * (1 - q)
        if kind == "nps":
            if promoters is None or detractors is None:
                raise ArgumentError("an NPS needs promoters=... and detractors=... (expected shares, e.g. 0.45, 0.15).")
            pp = _share(_pair(promoters, "promoters")[i] if i is not None else promoters, "promoters")
            dd = _share(_pair(detractors, "detractors")[i] if i is not None else detractors, "detractors")
            if pp + dd > 1:
                raise ArgumentError(f"promoters + detractors must be at most 1; got {pp} + {dd}.")
            return 1e4 * (pp + dd - (pp - dd) ** 2)
        raise ArgumentError(f"of must be one of ['mean', 'proportion', 'nps']; got {kind!r}.")

    if metric == "alpha":
        if alpha is None or k is None:
            raise ArgumentError("metric='alpha' needs alpha=... (expected alpha) and k=... (number of items).")
        alpha = check_number(alpha, "alpha", minimum=0, maximum=1, inclusive=False)
        k = check_int(k, "k", minimum=2)
        c = math.asinh(margin / (1 - alpha))
        v = 2 * k / (k - 1)
        n0 = 2 + v * (z / c) ** 2 * deff
    else:
        if metric == "difference":
            check_choice(of, "of", ("mean", "proportion", "nps"))
            rho = check_number(correlation, "correlation", minimum=-1, maximum=1, inclusive=False)
            v1, v2 = unit_var(of, 0), unit_var(of, 1)
            v = v1 + v2 - 2 * rho * math.sqrt(v1 * v2)
        else:
            v = unit_var(metric, None)
        if v <= 0:
            raise ArgumentError("the expected answers have no variance (a share of 0 or 1); no sample is needed.")
        n0 = z**2 * v * deff / margin**2
    n_fpc = n0 / (1 + n0 / population) if population is not None else n0
    n = int(math.ceil(n_fpc - 1e-9))
    table = pd.DataFrame(
        {"n": [n], "n0": [n0], "n_invite": [int(math.ceil(n / response_rate - 1e-9))], "margin": [margin],
         "unit_variance": [v], "deff": [deff]},
        index=pd.Index([metric if metric != "difference" else f"difference ({of})"]),
    )
    return SampleSizeResult(table=table, metric=metric, ci_level=ci, power=power)


# --------------------------------------------------------------------------- allocation


@result_dataclass
class AllocationResult(Result):
    """A sample spread over the strata of the frame.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per stratum: ``population`` (:math:`N_h`), ``n`` (completes
        allocated), ``fraction`` (:math:`n_h/N_h`), ``weight``
        (:math:`N_h/n_h`, the design weight), ``sd`` (if given), ``n_invite``
        (if a response rate was given).
    method : str
    se_mean : float or None
        Standard error of the stratified mean, with fpc, when ``sd`` is given.
    """

    table: pd.DataFrame
    method: str
    se_mean: float | None
    _title = "Sample allocation"
    _frame = "table"

    @property
    def n(self) -> pd.Series:
        """Completes per stratum."""
        return self.table["n"].copy()


def _series(values: Any, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        s = values.copy()
    elif isinstance(values, Mapping):
        s = pd.Series(dict(values))
    else:
        raise ArgumentTypeError(
            f"{name} must be a pandas Series or a dict {{stratum: value}}; got {type(values).__name__}."
        )
    if s.empty:
        raise InsufficientDataError(f"{name} is empty.")
    if not s.index.is_unique:
        raise DuplicateColumnError(f"{name} names stratum/strata {preview(s.index[s.index.duplicated()].unique().tolist())} "
                                   "more than once; give one value per stratum.")
    if pd.api.types.is_bool_dtype(s):
        raise ArgumentError(f"{name} must hold numbers, not True/False; got {preview(s.tolist())}.")
    try:
        s = s.astype(float)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must hold numbers; got {preview(s.tolist())}.") from None
    if s.isna().any() or not np.isfinite(s).all():
        raise ArgumentError(f"{name} has missing or infinite values for {preview(s.index[~np.isfinite(s)].tolist())}.")
    return s


def allocate(
    frame_counts: pd.Series | Mapping[Hashable, float],
    n: int,
    *,
    method: str = "proportional",
    sd: pd.Series | Mapping[Hashable, float] | None = None,
    min_per_stratum: int = 2,
    response_rate: float | pd.Series | Mapping[Hashable, float] | None = None,
) -> AllocationResult:
    """Spread ``n`` completed questionnaires over the strata of the customer frame.

    Parameters
    ----------
    frame_counts : Series or dict
        Customers in the frame per stratum (e.g. ``frame.groupby(["region",
        "size"]).size()``).
    n : int
        Total completes wanted.
    method : {"proportional", "neyman", "equal"}, default "proportional"
        Proportional to :math:`N_h`; Neyman (optimal for a mean, needs
        ``sd``): proportional to :math:`N_h S_h`; or equal.
    sd : Series or dict, optional
        Expected standard deviation per stratum (Neyman; also gives
        ``se_mean`` for any method).
    min_per_stratum : int, default 2
        Smallest sample per stratum (2 so that every stratum's variance can
        be estimated); strata smaller than this are taken in full.
    response_rate : float, Series or dict, optional
        Expected response rate (overall or per stratum), for ``n_invite``.

    Returns
    -------
    AllocationResult

    Raises
    ------
    ArgumentError
        ``n`` larger than the frame or too small for the minimum per
        stratum; non-positive counts; ``sd`` missing a stratum.

    Notes
    -----
    Allocations are capped at :math:`N_h` (a stratum that would get more is
    taken in full, the key-account case, and the rest is re-spread) and
    raised to ``min_per_stratum``; the integer allocation keeps the total
    exactly by largest remainders. With :math:`W_h = N_h/N`, the stratified
    mean's standard error is
    :math:`\\sqrt{\\sum_h W_h^2 (1 - n_h/N_h) S_h^2 / n_h}` (Cochran 1977,
    ch. 5); Neyman's allocation minimises it for a fixed :math:`n`.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley.

    Neyman, J. (1934). On the two different aspects of the representative
    method. *Journal of the Royal Statistical Society*, 97(4), 558-625.

    Examples
    --------
    >>> res = allocate({"small": 3000, "medium": 1200, "large": 400}, 800, method="neyman",
    ...                sd={"small": 1.6, "medium": 1.3, "large": 1.0})
    >>> res.n.tolist()
    [568, 185, 47]
    """
    check_choice(method, "method", ALLOCATIONS)
    N = _series(frame_counts, "frame_counts")
    if (N <= 0).any():
        raise ArgumentError(f"frame_counts must be positive; strata {preview(N.index[N <= 0].tolist())} are not.")
    n = check_int(n, "n", minimum=1)
    min_per_stratum = check_int(min_per_stratum, "min_per_stratum", minimum=0)
    if n > N.sum():
        raise ArgumentError(f"n = {n} is larger than the frame ({N.sum():g} customers); survey everyone instead.")
    floor = np.minimum(min_per_stratum, N.to_numpy())
    if n < floor.sum():
        raise ArgumentError(f"n = {n} cannot give {min_per_stratum} completes to each of the {len(N)} strata "
                            f"(needs {int(floor.sum())}); lower min_per_stratum or collapse strata.")
    S = None
    if sd is not None:
        S = _series(sd, "sd")
        missing = [h for h in N.index if h not in S.index]
        if missing:
            raise ArgumentError(f"sd has no value for strata {preview(missing)}.")
        S = S.reindex(N.index)
        if (S < 0).any():
            raise ArgumentError("sd must be non-negative.")
    elif method == "neyman":
        raise ArgumentError("method='neyman' needs sd=..., the expected standard deviation in each stratum.")
    size = N.to_numpy()
    a = {"proportional": size, "neyman": size * (S.to_numpy() if S is not None else 1.0),
         "equal": np.ones(len(N))}[method].astype(float)
    if not (a > 0).any():
        raise ArgumentError("sd is 0 in every stratum; Neyman allocation is undefined (use 'proportional').")
    fixed = np.full(len(N), np.nan)
    for _ in range(len(N) + 1):
        free = np.isnan(fixed)
        rest = n - np.nansum(fixed)
        x = np.where(free, rest * a / a[free].sum(), fixed)
        over = free & (x > size)
        under = free & (x < floor)
        if not over.any() and not under.any():
            break
        fixed[over] = size[over]
        fixed[under] = floor[under]
    # integers by largest remainders among the free strata, within the caps
    alloc = np.floor(x + 1e-9)
    short = int(round(n - alloc.sum()))
    order = np.argsort(-(x - alloc), kind="stable")
    for i in order:
        if short <= 0:
            break
        if alloc[i] < size[i]:
            alloc[i] += 1
            short -= 1
    alloc = alloc.astype(np.int64)
    table = pd.DataFrame({"population": size, "n": alloc, "fraction": alloc / size}, index=N.index)
    table["weight"] = np.where(alloc > 0, size / np.maximum(alloc, 1), np.nan)
    se = None
    if S is not None:
        table["sd"] = S.to_numpy()
        W = size / size.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(alloc > 0, W**2 * (1 - alloc / size) * S.to_numpy() ** 2 / alloc, np.inf)
        se = float(np.sqrt(terms.sum()))
    if response_rate is not None:
        if isinstance(response_rate, pd.Series | Mapping):
            rr = _series(response_rate, "response_rate")
            missing = [h for h in N.index if h not in rr.index]
            if missing:
                raise ArgumentError(f"response_rate has no value for strata {preview(missing)}.")
            rr = rr.reindex(N.index).to_numpy()
        else:
            rr = np.full(len(N), _positive(response_rate, "response_rate", upper=1.0))
        if ((rr <= 0) | (rr > 1)).any():
            raise ArgumentError("response rates must be in (0, 1].")
        table["n_invite"] = np.minimum(np.ceil(alloc / rr - 1e-9), size).astype(np.int64)
    return AllocationResult(table=table, method=method, se_mean=se)
