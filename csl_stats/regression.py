"""Regression of loyalty on satisfaction: continuous, ordinal and binary outcomes.

One entry point, :func:`regress`, fits the three models a loyalty researcher
needs with statsmodels and returns the same tidy table for each:

- ``family="gaussian"``: ordinary least squares (a mean of Likert items,
  share of wallet, revenue), with classical or heteroskedasticity-consistent
  (HC0-HC3) standard errors;
- ``family="ordinal"``: the proportional-odds (cumulative logit) model for a
  single Likert item, parametrised as R's ``MASS::polr``;
- ``family="binomial"``: logistic regression for churn or repurchase (0/1),
  with a check for (quasi-)complete separation.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import (
    apply_nan_policy,
    check_choice,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_flag,
    check_full_rank,
    check_label,
    check_labels,
    check_min_rows,
    check_not_constant,
    check_numeric,
    check_probability,
    preview,
    stacklevel,
)
from .errors import (
    ArgumentError,
    ConvergenceWarning,
    DataError,
    InsufficientDataError,
    ModelSpecificationError,
    SeparationWarning,
)

__all__ = ["RegressionResult", "regress"]

FAMILIES = ("gaussian", "ordinal", "binomial")
SE_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")
_COLS = ["estimate", "se", "ci_low", "ci_high", "p"]


@result_dataclass
class RegressionResult(Result):
    """Result of :func:`regress`.

    Attributes
    ----------
    coefs : DataFrame
        One row per term (``Intercept`` first where there is one, then the
        predictors in the order given) with ``estimate``, ``se``, ``ci_low``,
        ``ci_high`` and ``p``.
    thresholds : DataFrame or None
        Ordinal models only: the cut points ``zeta`` of ``logit P(Y <= k) =
        zeta_k - x'beta`` (named ``"1|2"``, ``"2|3"``, ... as in R's ``polr``)
        with the same columns as ``coefs``.
    family, se_type : str
        The model family and covariance type used.
    n_obs : int
        Rows actually used (after the missing-data policy).
    r2 : float or None
        R-squared (gaussian only).
    pseudo_r2 : float or None
        McFadden's pseudo-R-squared ``1 - logL / logL0`` (ordinal, binomial).
    ci : float
        Confidence level of the intervals.
    model : statsmodels results
        The underlying fitted statsmodels object (not shown in the repr).
    """

    _title = "Regression"

    coefs: pd.DataFrame
    thresholds: pd.DataFrame | None = dataclasses.field(repr=False)
    family: str
    se_type: str
    n_obs: int
    r2: float | None
    pseudo_r2: float | None
    ci: float
    model: Any = dataclasses.field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return the coefficient table (with the cut points appended for ordinal models)."""
        if self.thresholds is None:
            return self.coefs.copy()
        return pd.concat([self.coefs, self.thresholds])

    @property
    def adj_r2(self) -> float | None:
        """Adjusted R-squared (gaussian only)."""
        if self.r2 is None:
            return None
        k = len(self.coefs) - 1
        return 1.0 - (1.0 - self.r2) * (self.n_obs - 1) / (self.n_obs - k - 1)

    @property
    def odds_ratios(self) -> pd.DataFrame:
        """``exp`` of the estimates and CI limits (ordinal and binomial models)."""
        if self.family == "gaussian":
            raise ArgumentError("odds ratios exist only for family='ordinal' or 'binomial'.")
        return np.exp(self.coefs[["estimate", "ci_low", "ci_high"]]).rename(
            columns={"estimate": "odds_ratio"}
        )


# ----------------------------------------------------------------------------------------------
# helpers shared with moderation.py and threshold.py
# ----------------------------------------------------------------------------------------------


def _as_list(cols: Hashable | Sequence[Hashable] | None, name: str = "columns", data: Any = None) -> list[Hashable]:
    """A column argument as a list of labels (the shared :func:`check_labels` rules; None -> [])."""
    if cols is None:
        return []
    columns = data.columns if isinstance(data, pd.DataFrame) else None
    return check_labels(cols, name, allow_empty=True, columns=columns)


def _term_names(labels: Sequence[Hashable]) -> list[str]:
    """Coefficient names (``str`` of each label); two labels printing alike (1 and "1") are refused."""
    names = [str(c) for c in labels]
    seen: dict[str, Hashable] = {}
    for c, nm in zip(labels, names, strict=True):
        if nm in seen:
            raise ModelSpecificationError(
                f"columns {seen[nm]!r} and {c!r} would both be named {nm!r} in the coefficient table; "
                "rename one of them."
            )
        seen[nm] = c
    return names


def _prepare(
    data: Any,
    y: Hashable,
    predictors: list[Hashable],
    *,
    nan_policy: str,
    roles: dict[str, Any],
    n_coef: int | None = None,
) -> pd.DataFrame:
    """Validate and return the complete-case float frame ``[y, *predictors]``.

    At least ``n_coef + 1`` complete rows are required (one residual degree of
    freedom); ``n_coef`` defaults to the intercept plus one slope per predictor.
    """
    data = check_dataframe(data, unique_columns=False)
    y = check_label(y, "y")
    check_distinct_roles(**roles)
    cols = check_columns(data, [y, *predictors], arg="columns")
    frame = check_numeric(data, cols)
    check_not_constant(frame)
    frame = apply_nan_policy(frame, nan_policy, allowed=("listwise", "raise"))
    n_coef = len(predictors) + 1 if n_coef is None else n_coef
    check_min_rows(len(frame), n_coef + 1, what=f"complete rows (for {n_coef} coefficients)")
    check_not_constant(frame)
    return frame


def _design(frame: pd.DataFrame, predictors: list[Hashable], *, intercept: bool = True) -> pd.DataFrame:
    X = frame[predictors].copy()
    X.columns = _term_names(predictors)
    if intercept:
        X.insert(0, "Intercept", 1.0)
    check_full_rank(X.to_numpy(), list(X.columns))
    return X


def _table(est: np.ndarray, se: np.ndarray, names: list[str], crit: float, dist: Any) -> pd.DataFrame:
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    out = pd.DataFrame(
        {
            "estimate": est,
            "se": se,
            "ci_low": est - crit * se,
            "ci_high": est + crit * se,
            "p": 2.0 * dist.sf(np.abs(stat)),
        },
        index=pd.Index(names, name="term"),
    )
    return out


def _check_separation(X: np.ndarray, yv: np.ndarray, names: list[str]) -> None:
    """Warn if the 0/1 outcome is (quasi-)completely separated by the predictors.

    Solves the linear programme of Konis (2007): maximise ``sum_i s_i x_i'b``
    subject to ``s_i x_i'b >= 0`` and ``-1 <= b_j <= 1`` with ``s_i = 2y_i - 1``;
    a positive optimum means a direction exists along which the likelihood
    increases without bound (the ML estimate does not exist).
    """
    from scipy.optimize import linprog

    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    sX = (2.0 * yv - 1.0)[:, None] * (X / scale)
    res = linprog(
        c=-sX.sum(axis=0),
        A_ub=-sX,
        b_ub=np.zeros(len(yv)),
        bounds=[(-1.0, 1.0)] * X.shape[1],
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-7 * len(yv):
        return
    margin = sX @ res.x
    kind = "complete" if np.all(margin > 1e-9) else "quasi-complete"
    n_sep = int(np.sum(margin > 1e-9))
    involved = [n for n, b in zip(names, res.x, strict=True) if abs(b) > 1e-8 and n != "Intercept"]
    warnings.warn(
        f"{kind} separation in the logistic regression: a combination of {involved} predicts the "
        f"outcome perfectly for {n_sep} of {len(yv)} rows, so the maximum-likelihood estimates do "
        "not exist (coefficients and SEs below diverge and must not be interpreted). Merge sparse "
        "categories, drop the separating predictor or use penalised (Firth) logistic regression.",
        SeparationWarning,
        stacklevel=stacklevel(),
    )


def _zscore(frame: pd.DataFrame, cols: list[Hashable]) -> pd.DataFrame:
    out = frame.copy()
    for c in cols:
        out[c] = (out[c] - out[c].mean()) / out[c].std(ddof=1)
    return out


# ----------------------------------------------------------------------------------------------
# public function
# ----------------------------------------------------------------------------------------------


def regress(
    data: pd.DataFrame,
    y: Hashable,
    x: Hashable | Sequence[Hashable],
    covariates: Hashable | Sequence[Hashable] | None = None,
    *,
    family: str = "gaussian",
    se: str = "nonrobust",
    standardize: bool = False,
    nan_policy: str = "listwise",
    ci: float = 0.95,
) -> RegressionResult:
    """Regress a loyalty outcome on satisfaction (and covariates).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    y : str
        Outcome column: a continuous score (``"gaussian"``), an ordered
        category coded by numbers (``"ordinal"``, at least three observed
        values) or a 0/1 indicator (``"binomial"``).
    x : str or list of str
        Focal predictor(s).
    covariates : str or list of str, optional
        Control variables, entered after ``x``. All predictors must be numeric
        (dummy-code categories first, e.g. with :func:`pandas.get_dummies`).
    family : {"gaussian", "ordinal", "binomial"}
        OLS, proportional-odds logit (as ``MASS::polr``) or logistic regression.
    se : {"nonrobust", "HC0", "HC1", "HC2", "HC3"}
        Covariance estimator. ``"nonrobust"`` (default, as R's ``lm`` and
        PROCESS) assumes constant error variance; ``"HC3"`` is the
        heteroskedasticity-consistent choice recommended for OLS by Long & Ervin
        (2000). For ``"ordinal"`` and ``"binomial"`` only ``"nonrobust"`` and
        the sandwich ``"HC0"`` are defined.
    standardize : bool
        If True, predictors (and for ``"gaussian"`` also ``y``) are z-scored
        (SD with n - 1) before fitting, giving standardized coefficients.
    nan_policy : {"listwise", "raise"}
        Missing-data handling; ``n_obs`` reports the rows used.
    ci : float
        Confidence level of the intervals.

    Returns
    -------
    RegressionResult
        ``coefs`` (estimate, se, ci_low, ci_high, p), ``thresholds`` for
        ordinal models, ``n_obs``, ``r2`` or ``pseudo_r2`` and ``model``.

    Raises
    ------
    ColumnNotFoundError, NonNumericError
        Unknown or non-numeric columns.
    ConstantError
        The outcome or a predictor does not vary.
    CollinearityError
        Predictors are perfectly collinear.
    InsufficientDataError
        Ordinal outcome with fewer than three observed categories, or too few rows.
    DataError
        Binomial outcome not coded 0/1.
    ArgumentError
        Unknown ``family``/``se``/``nan_policy`` or an ``se`` not defined for the family.

    Warns
    -----
    SeparationWarning
        (Quasi-)complete separation in a logistic regression (detected with a
        linear programme, not from the size of the estimates).

    Notes
    -----
    Gaussian: :math:`\\hat\\beta = (X'X)^{-1}X'y`, with ``se`` from
    :math:`(X'X)^{-1}X'\\hat\\Omega X(X'X)^{-1}`, where HC0 uses
    :math:`\\hat e_i^2`, HC1 scales HC0 by :math:`n/(n-k)`, HC2 uses
    :math:`\\hat e_i^2/(1-h_{ii})` and HC3 :math:`\\hat e_i^2/(1-h_{ii})^2`;
    tests and intervals use the t distribution with :math:`n-k` df (as
    ``lmtest::coeftest(fit, vcov = sandwich::vcovHC(fit, type = "HC3"))``).

    Ordinal: :math:`\\operatorname{logit} P(Y \\le k) = \\zeta_k - x'\\beta`
    (no intercept; ``thresholds`` holds :math:`\\zeta_k`). statsmodels stores
    :math:`\\zeta_1` and :math:`\\log(\\zeta_k - \\zeta_{k-1})`; the cut points
    and their SEs are transformed back with the delta method. A positive
    :math:`\\beta` means higher categories become more likely.

    Binomial: :math:`\\operatorname{logit} P(Y = 1) = x'\\beta`. Ordinal and
    binomial intervals are Wald intervals on the z scale (R's
    ``confint.default``). Pseudo-R2 is McFadden's
    :math:`1 - \\ell(\\hat\\beta)/\\ell_0`.

    Agreement with R (``tests/reference/regression.R``): lm + HC0-HC3 and
    glm to 1e-6, polr to 1e-4.

    References
    ----------
    Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent
    standard errors in the linear regression model. *The American
    Statistician*, 54(3), 217-224.

    McCullagh, P. (1980). Regression models for ordinal data. *JRSS B*, 42, 109-142.

    Konis, K. (2007). *Linear programming algorithms for detecting separated
    data in binary logistic regression models*. DPhil thesis, University of Oxford.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"sat": rng.normal(5, 1, 200)})
    >>> df["loy"] = 1 + 0.6 * df["sat"] + rng.normal(0, 1, 200)
    >>> res = regress(df, "loy", "sat", se="HC3")
    >>> print(f"{res.coefs.loc['sat', 'estimate']:.3f} (SE {res.coefs.loc['sat', 'se']:.3f})")
    0.640 (SE 0.065)
    """
    family = check_choice(family, "family", FAMILIES)
    se = check_choice(se, "se", SE_TYPES)
    ci = check_probability(ci, "ci")
    if family != "gaussian" and se not in ("nonrobust", "HC0"):
        raise ArgumentError(
            f"se={se!r} is defined for family='gaussian' only; for family={family!r} use "
            "'nonrobust' or the sandwich estimator 'HC0'."
        )
    standardize = check_flag(standardize, "standardize")
    y = check_label(y, "y")
    xs = _as_list(x, "x", data)
    if not xs:
        raise ArgumentError("x must name at least one predictor column.")
    covs = _as_list(covariates, "covariates", data)
    predictors = [*xs, *covs]
    frame = _prepare(data, y, predictors, nan_policy=nan_policy, roles={"y": y, "x": xs, "covariates": covs})
    if standardize:
        frame = _zscore(frame, predictors + ([y] if family == "gaussian" else []))
    yv = frame[y].to_numpy()
    n = len(frame)
    names = _term_names(predictors)

    if family == "gaussian":
        import statsmodels.api as sm

        X = _design(frame, predictors)
        fit = sm.OLS(yv, X).fit(cov_type=se)
        crit = stats.t.ppf(0.5 + ci / 2, fit.df_resid)
        coefs = _table(fit.params, fit.bse, list(X.columns), crit, stats.t(fit.df_resid))
        return RegressionResult(
            coefs=coefs,
            thresholds=None,
            family=family,
            se_type=se,
            n_obs=n,
            r2=float(fit.rsquared),
            pseudo_r2=None,
            ci=ci,
            model=fit,
        )

    if family == "binomial":
        return _fit_logit(frame, yv, y, predictors, se, ci)
    return _fit_ordinal(frame, yv, y, predictors, names, se, ci)


def _fit_logit(
    frame: pd.DataFrame, yv: np.ndarray, y: Hashable, predictors: list[Hashable], se: str, ci: float
) -> RegressionResult:
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning as SMConvergenceWarning,
    )
    from statsmodels.tools.sm_exceptions import (
        HessianInversionWarning,
        PerfectSeparationWarning,
    )

    values = np.unique(yv)
    if not set(values.tolist()) <= {0.0, 1.0}:
        raise DataError(
            f"family='binomial' needs a 0/1 outcome; column {y!r} holds {preview(values)}. "
            "Recode it (e.g. churned = 1, stayed = 0)."
        )
    X = _design(frame, predictors)
    _check_separation(X.to_numpy(), yv, list(X.columns))
    with warnings.catch_warnings():
        # separation has been diagnosed above with a clear message
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", SMConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.Logit(yv, X).fit(disp=0, maxiter=200, cov_type=se)
    crit = stats.norm.ppf(0.5 + ci / 2)
    coefs = _table(fit.params, fit.bse, list(X.columns), crit, stats.norm)
    p1 = yv.mean()
    ll0 = len(yv) * (p1 * np.log(p1) + (1 - p1) * np.log(1 - p1))
    return RegressionResult(
        coefs=coefs,
        thresholds=None,
        family="binomial",
        se_type=se,
        n_obs=len(yv),
        r2=None,
        pseudo_r2=float(1.0 - fit.llf / ll0),
        ci=ci,
        model=fit,
    )


def _fit_ordinal(
    frame: pd.DataFrame,
    yv: np.ndarray,
    y: Hashable,
    predictors: list[Hashable],
    names: list[str],
    se: str,
    ci: float,
) -> RegressionResult:
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.sm_exceptions import ConvergenceWarning as SMConvergenceWarning
    from statsmodels.tools.sm_exceptions import HessianInversionWarning

    levels, counts = np.unique(yv, return_counts=True)
    if len(levels) < 3:
        raise InsufficientDataError(
            f"family='ordinal' needs at least 3 observed categories of {y!r}; found {len(levels)} "
            f"({preview(levels)}). Use family='binomial' for a two-category outcome."
        )
    X = _design(frame, predictors, intercept=False)
    # the intercept is absorbed by the cut points: check rank with it
    check_full_rank(np.column_stack([np.ones(len(X)), X.to_numpy()]), ["Intercept", *X.columns])
    codes = np.searchsorted(levels, yv)
    endog = pd.Series(pd.Categorical(codes, categories=range(len(levels)), ordered=True))
    model = OrderedModel(endog, X.to_numpy(), distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", SMConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # BFGS to get close, then Newton steps to polish (SEs to 1e-4 of polr's)
        start = model.fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-6).params
        fit = model.fit(start_params=start, method="newton", disp=False, maxiter=100, cov_type=se)
    if not fit.mle_retvals.get("converged", True):
        warnings.warn(
            f"the proportional-odds model for {y!r} did not converge; estimates may be unreliable "
            "(sparse categories? consider merging them).",
            ConvergenceWarning,
            stacklevel=stacklevel(),
        )
    k = len(names)
    params = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params())
    beta, raw = params[:k], params[k:]
    # cut points: zeta_1 = raw_0, zeta_j = zeta_{j-1} + exp(raw_{j-1})
    incr = np.concatenate([[raw[0]], np.exp(raw[1:])])
    zeta = np.cumsum(incr)
    m = len(raw)
    jac = np.zeros((m, m))
    for j in range(m):
        jac[j, 0] = 1.0
        jac[j, 1 : j + 1] = np.exp(raw[1 : j + 1])
    zcov = jac @ cov[k:, k:] @ jac.T
    crit = stats.norm.ppf(0.5 + ci / 2)
    coefs = _table(beta, np.sqrt(np.diag(cov[:k, :k])), names, crit, stats.norm)
    labels = [_fmt_level(v) for v in levels]
    tnames = [f"{labels[j]}|{labels[j + 1]}" for j in range(m)]
    thresholds = _table(zeta, np.sqrt(np.diag(zcov)), tnames, crit, stats.norm)
    ll0 = float(np.sum(counts * np.log(counts / counts.sum())))
    return RegressionResult(
        coefs=coefs,
        thresholds=thresholds,
        family="ordinal",
        se_type=se,
        n_obs=len(yv),
        r2=None,
        pseudo_r2=float(1.0 - fit.llf / ll0),
        ci=ci,
        model=fit,
    )


def _fmt_level(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
