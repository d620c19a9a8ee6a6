"""Complaints: how often customers complain, and what complaint handling does.

:func:`complaint_rates` estimates complaint rates per customer (per year,
or per unit of any exposure such as orders) by segment with a Poisson or
negative-binomial regression; :func:`service_recovery` compares customers
who never complained, whose complaint was resolved and whose complaint was
not, on a later outcome (satisfaction, loyalty, lapse), raw and adjusted
for covariates, with the selection caveats such a comparison needs.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence

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
    check_label,
    check_labels,
    check_numeric,
    check_probability,
    preview,
    stacklevel,
)
from .errors import ConvergenceWarning, DataError, InsufficientDataError

__all__ = ["ComplaintRatesResult", "ServiceRecoveryResult", "complaint_rates", "service_recovery"]

FAMILIES = ("negbin", "poisson")


def _levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if (s == c).any()]
    return sorted(s.dropna().unique().tolist(), key=str)


@result_dataclass
class ComplaintRatesResult(Result):
    """Result of :func:`complaint_rates`.

    Attributes
    ----------
    rates : DataFrame
        Indexed by group: ``n``, ``complaints`` (total), ``exposure`` (total),
        ``rate`` (model-based complaints per unit of exposure), ``ci_low``,
        ``ci_high``, ``rate_ratio`` (against the first group), ``rr_ci_low``,
        ``rr_ci_high``, ``p`` (Wald test of the rate ratio).
    alpha : float
        Negative-binomial dispersion (variance = mu + alpha mu^2); 0 for Poisson.
    dispersion : float
        Pearson chi-square / residual df of the Poisson fit (about 1 if the
        Poisson model is adequate; well above 1 = overdispersion).
    lr_test : DataFrame
        Likelihood-ratio test that the rates are equal across groups:
        ``statistic``, ``df``, ``p``.
    n_obs : int
    family : str
    ci : float
    """

    rates: pd.DataFrame
    alpha: float
    dispersion: float
    lr_test: pd.DataFrame
    n_obs: int
    family: str
    ci: float

    _title = "Complaint rates"
    _frame = "rates"


def complaint_rates(
    data: pd.DataFrame,
    count: Hashable = "complaints_12m",
    *,
    by: Hashable,
    exposure: Hashable | None = None,
    family: str = "negbin",
    ci: float = 0.95,
) -> ComplaintRatesResult:
    """Complaint rates per customer by segment, from a Poisson or negative-binomial regression.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    count : column name, default "complaints_12m"
        Number of complaints (whole numbers >= 0).
    by : column name
        Segment; the first level (category order, else sorted) is the reference.
    exposure : column name, optional
        Exposure of each customer (years observed, orders placed); rates are
        per unit of it (log-exposure offset). Default: 1 per customer, i.e.
        rates per customer over the period of ``count``.
    family : {"negbin", "poisson"}, default "negbin"
        Negative binomial (NB2, dispersion estimated by maximum likelihood)
        or Poisson.
    ci : float, default 0.95

    Returns
    -------
    ComplaintRatesResult

    Raises
    ------
    DataError
        Negative or fractional counts; exposure <= 0.

    Notes
    -----
    :math:`\\log E[y_i] = \\log e_i + \\beta_{g(i)}`, so :math:`e^{\\beta_g}`
    is the rate of group :math:`g` and differences of :math:`\\beta` are log
    rate ratios; intervals are Wald intervals on the log scale. Complaint
    counts are usually overdispersed (a few customers complain often): the
    Poisson model then understates the standard errors, which is why the
    negative binomial is the default and the Poisson dispersion is reported.
    A complaint *rate* measures the customers who speak up, not all the
    dissatisfied ones: most dissatisfied customers never complain, so a low
    rate is not proof of satisfaction.

    References
    ----------
    Cameron, A. C., & Trivedi, P. K. (2013). Regression Analysis of Count Data
    (2nd ed.). Cambridge University Press.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> res = csl_stats.complaint_rates(survey, by="size")
    >>> res.rates[["n", "rate", "rate_ratio"]].round(3)
              n   rate  rate_ratio
    size
    large   200  1.345       1.000
    medium  357  1.070       0.796
    small   443  0.770       0.572
    """
    import statsmodels.api as sm

    data = check_dataframe(data, unique_columns=False)
    count, by = check_label(count, "count"), check_label(by, "by")
    exposure = None if exposure is None else check_label(exposure, "exposure")
    check_columns(data, [count, by] + ([exposure] if exposure is not None else []), arg="columns")
    check_distinct_roles(count=[count], by=[by], exposure=None if exposure is None else [exposure])
    check_choice(family, "family", FAMILIES)
    ci = check_probability(ci, "ci")
    frame = apply_nan_policy(data[[count, by] + ([exposure] if exposure is not None else [])], "listwise")
    y = check_numeric(frame, [count])[count].to_numpy()
    bad = (y < 0) | (y != np.round(y))
    if bad.any():
        raise DataError(f"column {count!r} must hold whole numbers >= 0; found {preview(np.unique(y[bad]))}.")
    e = np.ones(len(frame)) if exposure is None else check_numeric(frame, [exposure])[exposure].to_numpy()
    if np.any(e <= 0):
        raise DataError(f"exposure column {exposure!r} must be > 0; found {preview(e[e <= 0])}.")
    levels = _levels(frame[by])
    if len(levels) < 2:
        raise InsufficientDataError(f"column {by!r} has {len(levels)} level(s); need at least two to compare.")
    zero = [lev for lev in levels if y[(frame[by] == lev).to_numpy()].sum() == 0]
    if zero:
        raise InsufficientDataError(
            f"group(s) {preview(zero)} of {by!r} have no complaints: their model-based rate is 0 on the log "
            "scale's edge, so its interval and rate ratios are not estimable. Report their counts directly or "
            "merge them with a neighbouring group.")
    X = np.column_stack([(frame[by] == lev).to_numpy(dtype=float) for lev in levels])  # cell means
    Xr = np.column_stack([np.ones(len(frame)), X[:, 1:]])  # reference coding
    off = np.log(e)
    pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit()
    dispersion = float(pois.pearson_chi2 / pois.df_resid)
    pois0 = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Poisson(), offset=off).fit()
    if family == "poisson":
        fit, fit_r, alpha = pois, sm.GLM(y, Xr, family=sm.families.Poisson(), offset=off).fit(), 0.0
        ll1, ll0 = pois.llf, pois0.llf
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = sm.NegativeBinomial(y, X, offset=off).fit(disp=0, maxiter=200)
            nb_r = sm.NegativeBinomial(y, Xr, offset=off).fit(disp=0, maxiter=200)
            nb0 = sm.NegativeBinomial(y, np.ones((len(y), 1)), offset=off).fit(disp=0, maxiter=200)
        if not (nb.mle_retvals.get("converged", True) and nb_r.mle_retvals.get("converged", True)):
            warnings.warn("negative-binomial fit did not converge; consider family='poisson'.",
                          ConvergenceWarning, stacklevel=stacklevel())
        fit, fit_r = nb, nb_r
        alpha = float(np.asarray(nb.params)[-1])
        ll1, ll0 = nb.llf, nb0.llf
    k = len(levels)
    b = np.asarray(fit.params)[:k]
    se = np.sqrt(np.diag(np.asarray(fit.cov_params()))[:k])
    br = np.asarray(fit_r.params)[1:k]
    ser = np.sqrt(np.diag(np.asarray(fit_r.cov_params()))[1:k])
    z = stats.norm.ppf(0.5 + ci / 2)
    groups = frame[by]
    rates = pd.DataFrame({
        "n": [int((groups == g).sum()) for g in levels],
        "complaints": [float(y[(groups == g).to_numpy()].sum()) for g in levels],
        "exposure": [float(e[(groups == g).to_numpy()].sum()) for g in levels],
        "rate": np.exp(b), "ci_low": np.exp(b - z * se), "ci_high": np.exp(b + z * se),
        "rate_ratio": np.r_[1.0, np.exp(br)], "rr_ci_low": np.r_[np.nan, np.exp(br - z * ser)],
        "rr_ci_high": np.r_[np.nan, np.exp(br + z * ser)], "p": np.r_[np.nan, 2 * stats.norm.sf(np.abs(br / ser))],
    }, index=pd.Index(levels, name=by))
    lr = 2 * (ll1 - ll0)
    lr_test = pd.DataFrame({"statistic": [lr], "df": [k - 1], "p": [stats.chi2.sf(lr, k - 1)]},
                           index=pd.Index(["equal rates"], name="test"))
    return ComplaintRatesResult(rates=rates, alpha=alpha, dispersion=dispersion, lr_test=lr_test,
                                n_obs=len(frame), family=family, ci=ci)


# ============================================================================ service recovery
@result_dataclass
class ServiceRecoveryResult(Result):
    """Result of :func:`service_recovery`.

    Attributes
    ----------
    groups : DataFrame
        Indexed by ``"no complaint"``, ``"resolved"``, ``"not resolved"``:
        ``n``, ``mean`` of the outcome (a share for a 0/1 outcome), ``ci_low``,
        ``ci_high`` (Wilson for 0/1 outcomes, t otherwise).
    contrasts : DataFrame
        Indexed by contrast (``"resolved - no complaint"``, ``"not resolved -
        no complaint"``, ``"resolved - not resolved"``): ``raw`` difference in
        means and, with covariates, the ``adjusted`` difference (least
        squares with the covariates, HC3 standard errors: a linear
        probability model for 0/1 outcomes) with ``se``, ``ci_low``,
        ``ci_high``, ``p``.
    outcome : str
    covariates : tuple of str
    n_obs : int
    ci : float
    """

    groups: pd.DataFrame
    contrasts: pd.DataFrame
    outcome: Hashable
    covariates: tuple
    n_obs: int
    ci: float

    _title = "Service recovery"
    _frame = "contrasts"


_GROUPS = ("no complaint", "resolved", "not resolved")


def service_recovery(
    data: pd.DataFrame,
    outcome: Hashable,
    *,
    complaints: Hashable = "complaints_12m",
    resolved: Hashable = "complaint_resolved",
    covariates: Hashable | Sequence[Hashable] | None = None,
    ci: float = 0.95,
) -> ServiceRecoveryResult:
    """Compare customers who never complained, whose complaint was resolved, and whose was not.

    The service-recovery question: are customers whose complaint was
    resolved as satisfied (loyal, retained) as those who never complained?

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    outcome : column name
        A later outcome: a score (satisfaction, loyalty) or a 0/1 flag
        (churned). Numeric.
    complaints : column name, default "complaints_12m"
        Number of complaints (0 = never complained).
    resolved : column name, default "complaint_resolved"
        1/0: was the (last) complaint resolved; ignored (may be missing) for
        customers without complaints.
    covariates : column name or list, optional
        Numeric covariates for the adjusted contrasts (e.g. the quality and
        delivery scores that drive complaints).
    ci : float, default 0.95

    Returns
    -------
    ServiceRecoveryResult

    Raises
    ------
    DataError
        Negative complaint counts; ``resolved`` not 0/1 (or missing) for a
        customer who complained.
    InsufficientDataError
        One of the three groups is empty.

    Notes
    -----
    **This is an observational comparison.** Customers are not assigned
    to complaining or to having their complaint resolved: those who
    complain have usually had worse deliveries or quality (so "no complaint"
    is not a fair baseline), and complaints that get resolved may be the
    easier ones, from more valuable customers. The adjusted contrast
    removes only the differences the covariates measure. A *recovery
    paradox* (resolved complainers more loyal than non-complainers) in such
    data may reflect selection as much as the effect of handling.

    References
    ----------
    Smith, A. K., & Bolton, R. N. (1998). An experimental investigation of
    customer reactions to service failure and recovery encounters: paradox
    or peril? Journal of Service Research, 1(1), 65-81.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> res = csl_stats.service_recovery(survey, "churned")
    >>> res.groups[["n", "mean"]].round(3)
                    n   mean
    group
    no complaint  462  0.087
    resolved      326  0.138
    not resolved  212  0.142
    """
    data = check_dataframe(data, unique_columns=False)
    outcome, complaints = check_label(outcome, "outcome"), check_label(complaints, "complaints")
    resolved = check_label(resolved, "resolved")
    covs = [] if covariates is None else check_labels(covariates, "covariates", columns=data.columns)
    check_distinct_roles(outcome=[outcome], complaints=[complaints], resolved=[resolved], covariates=covs)
    check_columns(data, [outcome, complaints, resolved, *covs], arg="columns")
    ci = check_probability(ci, "ci")
    comp = check_numeric(data, [complaints])[complaints]
    if (comp.dropna() < 0).any():
        raise DataError(f"column {complaints!r} must be >= 0; found {preview(comp[comp < 0].unique())}.")
    res_v = check_numeric(data, [resolved])[resolved]
    complained = comp > 0
    bad = complained & ~res_v.isin([0.0, 1.0])
    if bad.any():
        raise DataError(f"column {resolved!r} must be 0 or 1 for customers who complained; found "
                        f"{preview(res_v[bad].tolist())} in row(s) {preview(data.index[bad].tolist())}.")
    group = pd.Series(np.where(~complained, _GROUPS[0], np.where(res_v == 1, _GROUPS[1], _GROUPS[2])),
                      index=data.index).where(comp.notna())
    frame = pd.concat([check_numeric(data, [outcome, *covs]), group.rename("_group")], axis=1)
    frame = apply_nan_policy(frame, "listwise")
    yv = frame[outcome].to_numpy()
    binary = bool(np.isin(yv, (0.0, 1.0)).all())
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    for g in _GROUPS:
        v = yv[(frame["_group"] == g).to_numpy()]
        if v.size == 0:
            raise InsufficientDataError(f"no customer in group {g!r}; the comparison needs all three groups.")
        if v.size < 2:
            raise InsufficientDataError(
                f"group {g!r} has 1 customer with complete data; at least 2 per group are needed for its "
                "interval and for the standard errors of the contrasts.")
        if binary:
            from .csat import _wilson

            lo, hi = _wilson(int(v.sum()), v.size, float(z))
        else:
            half = stats.t.ppf(0.5 + ci / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else np.nan
            lo, hi = v.mean() - half, v.mean() + half
        rows.append({"group": g, "n": v.size, "mean": v.mean(), "ci_low": lo, "ci_high": hi})
    groups = pd.DataFrame(rows).set_index("group")
    contrasts = _contrasts(frame, outcome, covs, groups, ci)
    return ServiceRecoveryResult(groups=groups, contrasts=contrasts, outcome=outcome, covariates=tuple(covs),
                                 n_obs=len(frame), ci=ci)


def _contrasts(frame: pd.DataFrame, outcome: Hashable, covs: list[Hashable], groups: pd.DataFrame,
               ci: float) -> pd.DataFrame:
    import statsmodels.api as sm

    names = ["resolved - no complaint", "not resolved - no complaint", "resolved - not resolved"]
    m = groups["mean"]
    raw = [m["resolved"] - m["no complaint"], m["not resolved"] - m["no complaint"],
           m["resolved"] - m["not resolved"]]
    d1 = (frame["_group"] == "resolved").to_numpy(dtype=float)
    d2 = (frame["_group"] == "not resolved").to_numpy(dtype=float)
    X = np.column_stack([np.ones(len(frame)), d1, d2] + [frame[c].to_numpy() for c in covs])
    fit = sm.OLS(frame[outcome].to_numpy(), X).fit(cov_type="HC3")
    b = np.asarray(fit.params)
    V = np.asarray(fit.cov_params())
    L = np.array([[0, 1, 0], [0, 0, 1], [0, 1, -1]], dtype=float)
    L = np.column_stack([L, np.zeros((3, len(covs)))])
    est = L @ b
    se = np.sqrt(np.diag(L @ V @ L.T))
    zc = stats.norm.ppf(0.5 + ci / 2)
    return pd.DataFrame({"raw": raw, "adjusted": est, "se": se, "ci_low": est - zc * se, "ci_high": est + zc * se,
                         "p": 2 * stats.norm.sf(np.abs(est / se))}, index=pd.Index(names, name="contrast"))
