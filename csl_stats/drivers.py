"""Key-driver analysis: relative importance of correlated drivers.

Regression coefficients mislead when drivers are correlated, and in
satisfaction surveys they always are: a customer unhappy with delivery tends to
be unhappy with service too. :func:`relative_importance` gives the LMG
decomposition of R2 (Lindeman, Merenda & Gold 1980; the Shapley value of R2)
computed exactly over all subsets, and Johnson's (2000) relative weights, with
bootstrap intervals and rank probabilities. Importance-performance and
penalty-reward analysis live in :mod:`csl_stats.ipa`.

All subset R2 values are computed from one correlation matrix (no model is
refitted), so the exact LMG decomposition of 15 predictors (32,767 subsets)
takes well under a second, and the bootstrap only recomputes the correlation
matrix of each resample.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_full_rank,
    check_label,
    check_n_boot,
    check_probability,
    check_rng,
    label_index,
    numeric_frame,
    stacklevel,
)
from .errors import ArgumentError, CSLWarning

__all__ = [
    "MAX_LMG_PREDICTORS",
    "RelativeImportanceResult",
    "relative_importance",
]

#: Largest number of predictors for which the exact LMG enumeration is allowed.
MAX_LMG_PREDICTORS = 15



# ---------------------------------------------------------------------------
# correlation-matrix algebra (batched over bootstrap resamples)
# ---------------------------------------------------------------------------


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R2 of every subset of predictors, indexed by bit mask.

    ``corr`` has shape (..., p + 1, p + 1) with the outcome first. Returns an
    array of shape (..., 2**p) with ``r2[..., 0] = 0``.
    """
    p = corr.shape[-1] - 1
    lead = corr.shape[:-2]
    cxx = corr[..., 1:, 1:]
    cxy = corr[..., 1:, 0]
    masks = np.arange(1 << p)
    sizes = np.bitwise_count(masks.astype(np.uint64)).astype(int)
    bits = (masks[:, None] >> np.arange(p)) & 1
    r2 = np.zeros((*lead, 1 << p))
    for k in range(1, p + 1):
        sel = masks[sizes == k]
        idx = np.nonzero(bits[sel])[1].reshape(len(sel), k)  # predictors in each subset
        # chunk the subsets so memory stays bounded for large p and many resamples
        per = max(1, int(4_000_000 // (max(1, math.prod(lead)) * k * k)))
        for start in range(0, len(sel), per):
            block = idx[start : start + per]
            sub = cxx[..., block[:, :, None], block[:, None, :]]  # (..., s, k, k)
            rhs = cxy[..., block]  # (..., s, k)
            beta = np.linalg.solve(sub, rhs[..., None])[..., 0]
            r2[..., sel[start : start + per]] = np.einsum("...k,...k->...", rhs, beta)
    return r2


def _lmg(corr: np.ndarray) -> np.ndarray:
    """LMG shares of R2 for each predictor, shape (..., p)."""
    p = corr.shape[-1] - 1
    r2 = _subset_r2(corr)
    masks = np.arange(1 << p)
    sizes = np.bitwise_count(masks.astype(np.uint64)).astype(int)
    # weight of a subset S (not containing j) of size s: s! (p - 1 - s)! / p!
    weight = np.array([math.factorial(s) * math.factorial(p - 1 - s) / math.factorial(p) for s in range(p)])
    out = np.empty((*corr.shape[:-2], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[..., without | (1 << j)] - r2[..., without]
        out[..., j] = gain @ weight[sizes[without]]
    return out


def _relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights, shape (..., p)."""
    cxx = corr[..., 1:, 1:]
    cxy = corr[..., 1:, 0]
    evals, evecs = np.linalg.eigh(cxx)
    lam = np.einsum("...ik,...k,...jk->...ij", evecs, np.sqrt(np.clip(evals, 0, None)), evecs)
    beta = np.linalg.solve(lam, cxy[..., None])[..., 0]
    return np.einsum("...jk,...k->...j", lam**2, beta**2)


def _weighted_corr(z: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correlation matrices of bootstrap resamples given multinomial counts (B, n)."""
    n = z.shape[0]
    zc = z - z.mean(axis=0)
    q = z.shape[1]
    outer = (zc[:, :, None] * zc[:, None, :]).reshape(n, q * q)
    mean = counts @ zc / n
    cross = (counts @ outer).reshape(-1, q, q) / n
    cov = cross - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.einsum("bii->bi", cov))
    with np.errstate(divide="ignore", invalid="ignore"):  # constant resamples -> NaN, dropped later
        return cov / (sd[:, :, None] * sd[:, None, :])


# ---------------------------------------------------------------------------
# relative importance
# ---------------------------------------------------------------------------


@result_dataclass
class RelativeImportanceResult(Result):
    """Relative importance of correlated predictors (see :func:`relative_importance`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per predictor, ordered as given: ``importance`` (the part of R2
        attributed to the predictor; the column sums to ``r2``), ``share``
        (importance / R2), ``rank`` (1 = most important) and, with a bootstrap,
        ``ci_low``, ``ci_high`` (percentile interval of ``importance``) and
        ``p_rank1`` ... ``p_rank{p}``: the share of resamples in which the
        predictor took that rank.
    r2 : float
        R2 of the full model.
    n_obs : int
        Complete rows used.
    method : str
        ``"lmg"`` or ``"relative_weights"``.
    n_boot : int
        Bootstrap resamples (0: none).
    ci : float
        Confidence level of the interval.
    boot : numpy.ndarray or None
        Bootstrap draws of the importances, shape (n_boot, p).
    """

    _title = "Relative importance"
    table: pd.DataFrame
    r2: float
    n_obs: int
    method: str
    n_boot: int
    ci: float
    boot: np.ndarray | None = None

    _frame = "table"

    def summary(self) -> pd.DataFrame:
        """The table sorted from most to least important."""
        return self.table.sort_values("rank")

    @property
    def importance(self) -> pd.Series:
        """Importance of each predictor (sums to ``r2``)."""
        return self.table["importance"].copy()


def relative_importance(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    *,
    method: str = "lmg",
    n_boot: int = 0,
    ci: float = 0.95,
    rng: int | np.random.Generator | None = None,
    nan_policy: str = "listwise",
) -> RelativeImportanceResult:
    """Split the R2 of a linear regression among correlated predictors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str
        Outcome column (e.g. overall satisfaction).
    x : list of str
        Predictor columns (the drivers), at least two.
    method : {"lmg", "relative_weights"}
        ``"lmg"``: the average increase in R2 when the predictor is added, over
        all orderings of the predictors (exact enumeration of all subsets; at
        most :data:`MAX_LMG_PREDICTORS` predictors). ``"relative_weights"``:
        Johnson's (2000) approximation, fast for any number of predictors.
    n_boot : int, default 0
        Bootstrap resamples of respondents for percentile intervals and rank
        probabilities (0: no bootstrap; otherwise at least 100, and 1,000 or
        more for reporting).
    ci : float, default 0.95
        Confidence level.
    rng : int or numpy.random.Generator, optional
        Seed or generator for the bootstrap.
    nan_policy : {"listwise", "raise"}
        Incomplete rows are dropped (the count used is ``n_obs``) or raise.

    Returns
    -------
    RelativeImportanceResult
        ``table`` with ``importance``, ``share``, ``rank`` (and ``ci_low``,
        ``ci_high``, ``p_rank1``... with a bootstrap), ``r2``, ``n_obs``.

    Raises
    ------
    ArgumentError
        For LMG with more than :data:`MAX_LMG_PREDICTORS` predictors (use
        ``method="relative_weights"``), fewer than two predictors, or bad options.
    CollinearityError
        If the predictors are perfectly collinear.
    ColumnNotFoundError, NonNumericError, ConstantError, InsufficientDataError
        For unusable columns or too few complete rows.

    Notes
    -----
    Let :math:`R^2(S)` be the R2 of the regression of y on the predictors in
    the set S, computed from the correlation matrix as
    :math:`R^2(S) = r_{yS}^\\top R_{SS}^{-1} r_{yS}`. LMG gives predictor j

    .. math:: \\mathrm{LMG}_j = \\sum_{S \\subseteq P \\setminus \\{j\\}}
              \\frac{|S|!\\,(p - |S| - 1)!}{p!}\\,[R^2(S \\cup \\{j\\}) - R^2(S)],

    the Shapley value of R2 (Lindeman, Merenda & Gold 1980; Grömping 2006). The
    importances are non-negative, sum to the full R2, and do not depend on the
    order or the scale of the predictors.

    Relative weights (Johnson 2000) replace the predictors by their closest
    orthogonal counterparts :math:`Z = X R_{xx}^{-1/2}`: with
    :math:`\\Lambda = R_{xx}^{1/2}` and :math:`\\beta = \\Lambda^{-1} r_{xy}`,
    :math:`\\varepsilon_j = \\sum_k \\Lambda_{jk}^2 \\beta_k^2`. They also sum to
    R2 and are usually within a few thousandths of LMG.

    The bootstrap resamples respondents and recomputes the correlation matrix
    of each resample (no refitting). In a simulation with four correlated
    drivers (population LMG 0.167, 0.130, 0.083, 0.029; 500 data sets per
    cell, B = 500; ``benchmarks/sim_drivers.py``) the 95 % percentile intervals
    covered the population value in 91-96 % of the data sets at n = 100, and
    93-95 % at n = 300 and 1,000, for LMG and relative weights alike (Monte
    Carlo standard error about 1 point). The lowest figure (91 %) was for the
    largest importance at n = 100: with small samples, prefer n_boot >= 2,000
    and read the interval as slightly optimistic.

    Exact agreement with base R (all-subsets ``lm()`` R2 and Johnson's formula,
    ``tests/reference/drivers.R``) is tested to 1e-10.

    References
    ----------
    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to
    bivariate and multivariate analysis*. Scott, Foresman.

    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. *Journal of Statistical Software*, 17(1), 1-27.

    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research*, 35(1), 1-19.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> res = csl_stats.relative_importance(survey, "sat1", ["dlv1", "qlt1", "srv1", "val1"])
    >>> bool(abs(res.table["importance"].sum() - res.r2) < 1e-12)
    True
    """
    method = check_choice(method, "method", ("lmg", "relative_weights"))
    n_boot = check_n_boot(n_boot, allow_zero=True)
    gen = check_rng(rng)
    ci = check_probability(ci, "ci")
    data = check_dataframe(data, unique_columns=False)
    y = check_label(y, "y")
    xs = check_columns(data, x, arg="x", min_count=2)
    check_distinct_roles(y=y, x=xs)
    if method == "lmg" and len(xs) > MAX_LMG_PREDICTORS:
        raise ArgumentError(
            f"exact LMG enumerates all 2^p subsets and is limited to {MAX_LMG_PREDICTORS} predictors; "
            f"got {len(xs)}. Use method='relative_weights', which scales to any number of predictors."
        )
    frame = numeric_frame(data, [y, *xs], arg="y and x", nan_policy=nan_policy, min_rows=len(xs) + 2)
    z = frame.to_numpy()
    check_full_rank(np.column_stack([np.ones(len(z)), z[:, 1:]]), ["Intercept", *xs])
    corr = np.corrcoef(z, rowvar=False)
    fn = _lmg if method == "lmg" else _relative_weights
    imp = fn(corr)
    r2 = float(_subset_r2(corr)[-1]) if method == "lmg" else float(imp.sum())
    table = pd.DataFrame({"importance": imp, "share": imp / r2}, index=label_index(xs, name="predictor"))
    table["rank"] = table["importance"].rank(ascending=False, method="min").astype(int)
    boot = None
    if n_boot:
        n = len(z)
        draws = []
        chunk = max(1, min(n_boot, 2_000_000 // max(n, 1)))
        done = 0
        while done < n_boot:
            b = min(chunk, n_boot - done)
            counts = gen.multinomial(n, np.full(n, 1.0 / n), size=b).astype(float)
            draws.append(fn(_weighted_corr(z, counts)))
            done += b
        boot = np.concatenate(draws)
        finite = np.all(np.isfinite(boot), axis=1)
        if not finite.all():
            warnings.warn(
                f"{int((~finite).sum())} of {n_boot} bootstrap resamples had a constant column "
                "(no correlation defined) and were dropped; n_boot reports the resamples used.",
                CSLWarning,
                stacklevel=stacklevel(),
            )
        boot = boot[finite]
        alpha = (1 - ci) / 2
        table["ci_low"] = np.quantile(boot, alpha, axis=0)
        table["ci_high"] = np.quantile(boot, 1 - alpha, axis=0)
        ranks = (-boot).argsort(axis=1).argsort(axis=1) + 1
        for r in range(1, len(xs) + 1):
            table[f"p_rank{r}"] = (ranks == r).mean(axis=0)
    return RelativeImportanceResult(
        table=table, r2=r2, n_obs=len(z), method=method, n_boot=0 if boot is None else len(boot), ci=ci, boot=boot
    )
