"""Internal consistency: Cronbach's alpha with confidence intervals and item analysis.

Every statistic is derived algebraically from ONE item covariance matrix
(complete-case or pairwise-complete), so the cost of :func:`cronbach_alpha` is
essentially the cost of that covariance matrix, whatever the number of items.
The numbers follow ``psych::alpha`` (R): ``raw_alpha``, ``std.alpha``,
``alpha.drop``, ``r.drop``, the Feldt interval of ``psych::alpha.ci`` and the
Duhachek asymptotic standard error ``ase``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._itemdata import _pairwise_cov, _prepare
from ._results import Result, result_dataclass
from ._validation import (
    check_choice,
    check_flag,
    check_n_boot,
    check_probability,
    check_rng,
    label_index,
    reverse_key_message,
    stacklevel,
)
from .errors import ArgumentError, InsufficientDataError, MissingDataWarning, ReverseKeyWarning

__all__ = ["AlphaResult", "cronbach_alpha"]

_CI_METHODS = ("feldt", "duhachek", "bootstrap")
_ITEM_POLICIES = ("listwise", "pairwise")


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    return k / (k - 1) * (1.0 - np.trace(C) / C.sum())


# ----------------------------------------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------------------------------------
@result_dataclass
class AlphaResult(Result):
    """Cronbach's alpha with a confidence interval and item analysis.

    Attributes
    ----------
    alpha : float
        Raw (covariance-based) alpha, psych's ``raw_alpha``.
    std_alpha : float
        Standardized alpha (from the correlation matrix), psych's ``std.alpha``.
    ci : tuple of float
        ``(lower, upper)`` confidence limits from ``ci_method``.
    ci_level, ci_method : float, str
        Confidence level and method used for ``ci``.
    se : float
        Duhachek & Iacobucci's asymptotic standard error of alpha (psych's ``ase``).
    n_obs : int
        Respondents used (complete rows for listwise; rows with at least one answer for pairwise).
    n_excluded : int
        Rows of the input left out (incomplete rows, or rows without any answer).
    n_items : int
        Number of items.
    nan_policy : str
        ``"listwise"`` or ``"pairwise"``.
    item_stats : pandas.DataFrame
        One row per item: ``mean``, ``sd``, ``missing_share`` (share of the input rows missing
        this item), ``r_corrected`` (item-rest correlation, psych's ``r.drop``),
        ``alpha_if_deleted`` and ``std_alpha_if_deleted`` (psych's ``alpha.drop`` columns
        ``raw_alpha`` and ``std.alpha``; NaN with two items).
    ordinal : bool
        True for ordinal alpha (computed from the polychoric correlation matrix).
    """

    alpha: float
    std_alpha: float
    ci: tuple[float, float]
    ci_level: float
    ci_method: str
    se: float
    n_obs: int
    n_excluded: int
    n_items: int
    nan_policy: str
    item_stats: pd.DataFrame = dataclasses.field(repr=False)
    ordinal: bool = False

    _title = "Cronbach's alpha"

    _frame = "item_stats"

    @property
    def r_drop(self) -> pd.Series:
        """Item-rest correlations (psych's ``r.drop``; same as ``item_stats['r_corrected']``)."""
        return self.item_stats["r_corrected"].rename("r_drop")

    @property
    def alpha_drop(self) -> pd.DataFrame:
        """Alpha if an item is deleted, raw and standardized (psych's ``alpha.drop``)."""
        return self.item_stats[["alpha_if_deleted", "std_alpha_if_deleted"]].copy()

    @property
    def average_r(self) -> float:
        """Average inter-item correlation implied by ``std_alpha`` (psych's ``average_r``)."""
        k = self.n_items
        return self.std_alpha / (k - self.std_alpha * (k - 1))


# ----------------------------------------------------------------------------------------------------------
# main function
# ----------------------------------------------------------------------------------------------------------
def cronbach_alpha(
    data: pd.DataFrame,
    items: Sequence[Hashable] | None = None,
    *,
    ci: float = 0.95,
    ci_method: str = "feldt",
    nan_policy: str = "listwise",
    n_boot: int = 2000,
    rng: int | np.random.Generator | None = None,
    scale: tuple[float, float] | None = None,
    ordinal: bool = False,
) -> AlphaResult:
    r"""Cronbach's alpha with a confidence interval and an item analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one column per item (raw answers).
    items : list of column names, optional
        The items of ONE scale; default every column of ``data``. Reverse-keyed
        items must be reverse-coded first (e.g. ``8 - x`` on a 1-7 scale).
    ci : float, default 0.95
        Confidence level.
    ci_method : {"feldt", "duhachek", "bootstrap"}, default "feldt"
        Feldt's F-based interval (psych's ``alpha.ci``), the Duhachek-Iacobucci
        normal interval ``alpha +/- z * se`` or a percentile bootstrap over respondents.
    nan_policy : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"`` uses the respondents who answered every item;
        ``"pairwise"`` computes each covariance from the respondents who
        answered both items, as ``psych::alpha`` does by default.
    n_boot : int, default 2000
        Bootstrap resamples (used by ``ci_method="bootstrap"`` only, always
        checked: an integer >= 100).
    rng : int, numpy.random.Generator or None
        Seed or generator for the bootstrap.
    scale : (low, high), optional
        Declared answer scale, e.g. ``(1, 7)``: answers outside it, or not whole
        numbers, raise :class:`~csl_stats.errors.ScaleError`.
    ordinal : bool, default False
        Ordinal alpha (Zumbo, Gadermann & Zeisser 2007): every statistic from the
        polychoric correlation matrix of :func:`~csl_stats.polychoric` (same
        ``nan_policy``) instead of the covariance matrix; ``alpha`` and ``std_alpha``
        then coincide. The answers must be whole-number categories (at most 10).
        ``ci_method="bootstrap"`` is not available with it.

    Returns
    -------
    AlphaResult
        ``alpha``, ``std_alpha``, ``ci``, ``se``, ``n_obs``, ``n_items`` and
        ``item_stats`` (``mean``, ``sd``, ``missing_share``, ``r_corrected``,
        ``alpha_if_deleted``, ``std_alpha_if_deleted``).

    Raises
    ------
    InsufficientDataError
        Fewer than two items, fewer usable rows than items, or an item pair
        answered together by fewer than two respondents (pairwise), or alpha
        undefined in every bootstrap resample.
    ConstantError
        An item has no variance among the rows used.
    NonNumericError
        An item holds text or infinite values.
    ScaleError
        An answer lies outside ``scale``.
    ColumnNotFoundError, DuplicateColumnError, ArgumentError
        Unknown or repeated items; invalid options.

    Warns
    -----
    ReverseKeyWarning
        An item correlates negatively with the sum of the other items (it was
        probably not reverse-coded); the warning names it.
    MissingDataWarning
        More than 20 % of the rows (listwise) or answers (pairwise) are missing;
        or some bootstrap resamples had to be left out because alpha is undefined
        in them (the count is given).

    Notes
    -----
    With item covariance matrix :math:`C` (:math:`k \times k`), :math:`S = 1'C1`
    (the variance of the sum score), :math:`s = C1` and :math:`c_i = C_{ii}`:

    .. math::

        \alpha = \frac{k}{k-1}\Big(1 - \frac{\operatorname{tr} C}{S}\Big), \qquad
        \alpha_{(-i)} = \frac{k-1}{k-2}\Big(1 - \frac{\operatorname{tr} C - c_i}{S - 2 s_i + c_i}\Big),
        \qquad r_{i,\text{rest}} = \frac{s_i - c_i}{\sqrt{c_i (S - 2 s_i + c_i)}},

    and ``std_alpha`` is the same formula applied to the correlation matrix. No
    statistic loops over the data: one covariance matrix is computed (complete
    cases: :math:`X_c'X_c/(n-1)`; pairwise: from the products :math:`M'M`,
    :math:`X_0'M` and :math:`X_0'X_0` of the observed-mask :math:`M` and the
    zero-filled data :math:`X_0`) and everything else is algebra on it.

    Confidence intervals (:math:`n` = ``n_obs``):

    - Feldt (Feldt, Woodruff & Salih 1987):
      :math:`1 - (1-\hat\alpha) F_{1-a/2;\,n-1,\,(n-1)(k-1)}` to
      :math:`1 - (1-\hat\alpha) F_{a/2;\,n-1,\,(n-1)(k-1)}`; exact for parallel
      items with normal errors.
    - Duhachek & Iacobucci (2004): :math:`\hat\alpha \pm z_{1-a/2}\,\mathrm{se}`,
      :math:`\mathrm{se}^2 = \frac{2k^2}{(k-1)^2 S^3 n}\big[S(\operatorname{tr}C^2 +
      (\operatorname{tr}C)^2) - 2\operatorname{tr}C\, s's\big]` (psych's ``ase``). psych
      prints the interval with :math:`z = 1.96`; we use the exact normal quantile.
    - Bootstrap: percentile interval of alpha over ``n_boot`` resamples of
      respondents (as psych's ``n.iter``). For complete data the resamples are
      vectorised (alpha only needs item variances and the sum-score variance).

    Simulated coverage of the nominal 95 % intervals (``benchmarks/sim_reliability.py``:
    500 replications per row, Monte Carlo SE about 0.01, bootstrap with 1000 resamples;
    6 items on a 1-7 scale from a one-factor model; parallel: all loadings 0.7,
    population alpha 0.840; congeneric: loadings 0.4-0.85, alpha 0.791):

    ======  ===========  ==============  =======  ========  =========
    n       model        missing         Feldt    Duhachek  bootstrap
    ======  ===========  ==============  =======  ========  =========
    50      parallel     none            0.938    0.936     0.928
    50      congeneric   none            0.948    0.936     0.922
    200     parallel     none            0.958    0.948     0.938
    200     congeneric   none            0.948    0.946     0.946
    1000    parallel     none            0.936    0.938     0.934
    1000    congeneric   none            0.966    0.964     0.962
    200     congeneric   5 %, pairwise   0.960    0.960     0.948
    ======  ===========  ==============  =======  ========  =========

    All three are close to nominal from n = 200 (the three intervals then have
    practically the same width); with n = 50 the percentile bootstrap
    under-covers slightly, so prefer Feldt (the default) for small samples.

    Missing data: psych defaults to pairwise deletion (``use = "pairwise"``);
    we default to listwise so that every statistic rests on the same
    respondents, and report ``n_obs`` and ``n_excluded``. With pairwise
    deletion, psych (and we) take ``n`` for the intervals as the number of
    respondents, although each covariance rests on fewer (we leave out rows
    without any answer, psych counts them); item means and standard
    deviations are then available-case values.

    Ordinal alpha (``ordinal=True``) treats the answers as ordered categories cut
    from normal latent responses and applies the standardized-alpha formula to the
    polychoric correlations (psych's ``alpha(polychoric(x)$rho)``). It estimates the
    reliability of the latent responses, not of the observed sum score, and is
    higher than alpha when answers are few-pointed or skewed (Zumbo et al. 2007;
    Chalmers 2018 warns that it is then not the reliability of the scores people
    actually get). Report it beside alpha when the items have 5 or fewer points or
    pile up at one end of the scale. The Feldt and Duhachek intervals reuse the
    normal-theory formulas with the polychoric matrix and are approximate; the
    ``mean`` and ``sd`` columns still describe the raw answers.

    Differences from ``pingouin.cronbach_alpha``: pingouin defaults to
    pairwise deletion, rounds its Feldt limits to 3 decimals and, with
    ``nan_policy="listwise"``, still uses the number of rows *before*
    deletion in the Feldt interval (as ``psych::alpha(x, use = "complete.obs")``
    does); we use the complete rows actually analysed.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334.

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11, 93-103.

    Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE): An accurate and
    precise confidence interval estimate. Journal of Applied Psychology, 89, 792-808.

    Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients
    alpha and theta for Likert rating scales. Journal of Modern Applied Statistical
    Methods, 6, 21-29.

    Chalmers, R. P. (2018). On misconceptions and the limited usefulness of ordinal alpha.
    Educational and Psychological Measurement, 78, 1056-1071.

    Revelle, W. (2024). psych: Procedures for psychological, psychometric, and personality
    research. R package.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=300)
    >>> items = pd.DataFrame({f"q{i}": np.clip(np.round(4 + f + rng.normal(size=300)), 1, 7)
    ...                       for i in range(1, 5)})
    >>> res = csl_stats.cronbach_alpha(items, scale=(1, 7))
    >>> print(f"{res.alpha:.3f} [{res.ci[0]:.3f}, {res.ci[1]:.3f}]")
    0.721 [0.665, 0.769]
    >>> res.item_stats[["r_corrected", "alpha_if_deleted"]].round(2).loc["q1"].tolist()
    [0.58, 0.62]
    >>> print(f"{csl_stats.cronbach_alpha(items, ordinal=True).alpha:.3f}")  # ordinal alpha
    0.742
    """
    level = check_probability(ci, "ci")
    check_choice(ci_method, "ci_method", _CI_METHODS)
    check_choice(nan_policy, "nan_policy", _ITEM_POLICIES)
    n_boot = check_n_boot(n_boot)  # checked whatever ci_method (the shared policy)
    gen = check_rng(rng)
    ordinal = check_flag(ordinal, "ordinal")
    if ordinal and ci_method == "bootstrap":
        raise ArgumentError("ci_method='bootstrap' is not available with ordinal=True; use 'feldt' or 'duhachek'.")
    it = _prepare(data, items, nan_policy, scale=scale)
    X, mask, cols, C, means = it.X, it.missing, it.cols, it.C, it.means
    n, k = X.shape
    sd_answers = np.sqrt(np.diag(C))
    if ordinal:  # ordinal alpha: the same algebra on the polychoric correlation matrix
        from .ordinal import polychoric

        with warnings.catch_warnings():  # missing data were already reported by _prepare
            warnings.simplefilter("ignore", MissingDataWarning)
            C = polychoric(data, cols, nan_policy=nan_policy).correlation.to_numpy()

    d = np.diag(C).copy()
    S = C.sum()
    s = C.sum(axis=1)
    tr = d.sum()
    alpha = k / (k - 1) * (1.0 - tr / S)
    sd = np.sqrt(d)
    R = C / np.outer(sd, sd)
    SR = R.sum()
    sR = R.sum(axis=1)
    std_alpha = k / (k - 1) * (1.0 - k / SR)
    with np.errstate(divide="ignore", invalid="ignore"):
        S_rest = S - 2.0 * s + d
        r_corrected = (s - d) / np.sqrt(d * S_rest)
        if k > 2:
            alpha_drop = (k - 1) / (k - 2) * (1.0 - (tr - d) / S_rest)
            std_alpha_drop = (k - 1) / (k - 2) * (1.0 - (k - 1) / (SR - 2.0 * sR + 1.0))
        else:
            alpha_drop = np.full(k, np.nan)
            std_alpha_drop = np.full(k, np.nan)
    trCC = float((C * C).sum())
    Q = 2.0 * k**2 / ((k - 1) ** 2 * S**3) * (S * (trCC + tr**2) - 2.0 * tr * float(s @ s))
    se = float(np.sqrt(Q / n)) if Q >= 0 else float("nan")

    a = 1.0 - level
    if ci_method == "feldt":
        df1, df2 = n - 1, (n - 1) * (k - 1)
        lims = (
            1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - a / 2, df1, df2),
            1.0 - (1.0 - alpha) * stats.f.ppf(a / 2, df1, df2),
        )
    elif ci_method == "duhachek":
        z = stats.norm.ppf(1.0 - a / 2)
        lims = (alpha - z * se, alpha + z * se)
    else:
        boots = _bootstrap_alpha(X, mask, n_boot, gen)
        finite = np.isfinite(boots)
        if not finite.any():
            raise InsufficientDataError(
                f"alpha is undefined in all {n_boot} bootstrap resamples (an item pair answered together "
                "by fewer than 2 respondents, or a constant sum score); use ci_method='feldt'."
            )
        if not finite.all():
            warnings.warn(
                f"{n_boot - int(finite.sum())} of {n_boot} bootstrap resamples left out: alpha is undefined "
                "in them (an item pair answered together by fewer than 2 respondents, or a constant sum "
                "score); the percentile interval uses the others and may be too narrow.",
                MissingDataWarning,
                stacklevel=stacklevel(),
            )
        boots = boots[finite]
        lo, hi = np.quantile(boots, [a / 2, 1.0 - a / 2])
        lims = (float(lo), float(hi))

    message = reverse_key_message(cols, r_corrected, use="using alpha")  # the one shared check
    if message:
        warnings.warn(message, ReverseKeyWarning, stacklevel=stacklevel())

    table = pd.DataFrame(
        {
            "mean": means,
            "sd": sd_answers,
            "missing_share": it.missing_share,
            "r_corrected": r_corrected,
            "alpha_if_deleted": alpha_drop,
            "std_alpha_if_deleted": std_alpha_drop,
        },
        index=label_index(cols, name="item"),
    )
    return AlphaResult(
        alpha=float(alpha),
        std_alpha=float(std_alpha),
        ci=(float(lims[0]), float(lims[1])),
        ci_level=level,
        ci_method=ci_method,
        se=se,
        n_obs=int(n),
        n_excluded=it.n_excluded,
        n_items=int(k),
        nan_policy=nan_policy,
        item_stats=table,
        ordinal=ordinal,
    )


def _bootstrap_alpha(X: np.ndarray, mask: np.ndarray | None, n_boot: int, gen: np.random.Generator) -> np.ndarray:
    """Alpha in ``n_boot`` resamples of the rows of ``X`` (centered if complete)."""
    n, k = X.shape
    out = np.empty(n_boot)
    if mask is None:
        # alpha = k/(k-1) (1 - sum var_i / var(total)): weighted moments via matrix products.
        Z = np.column_stack([X, X.sum(axis=1)])
        Z2 = Z * Z
        chunk = max(1, min(n_boot, 4_000_000 // max(n, 1)))
        for start in range(0, n_boot, chunk):
            b = min(chunk, n_boot - start)
            idx = gen.integers(0, n, size=(b, n))
            W = np.bincount((idx + n * np.arange(b)[:, None]).ravel(), minlength=b * n).reshape(b, n)
            W = W.astype(np.float64)
            m1 = W @ Z
            var = (W @ Z2 - m1 * m1 / n) / (n - 1)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[start : start + b] = k / (k - 1) * (1.0 - var[:, :k].sum(axis=1) / var[:, k])
        return out
    for b in range(n_boot):
        w = np.bincount(gen.integers(0, n, size=n), minlength=n).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            C, _, _ = _pairwise_cov(X, mask, w)  # X is already centered and zero-filled
            out[b] = _alpha_from_cov(C)
    return out

