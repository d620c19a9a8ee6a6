"""Composite reliability, AVE, the Fornell-Larcker criterion and the scale report.

Everything here comes from ONE joint confirmatory factor analysis of all
constructs (:func:`csl_stats.cfa`, lavaan's ``cfa(..., std.lv = TRUE)``), fitted
on the respondents who answered every item (listwise deletion), so that alpha,
omega, AVE, factor correlations and HTMT in one table rest on the same rows.

The joint fit is memoised (a small cache keyed on the constructs, the NaN
policy and a hash of the item columns' contents), so that calling
:func:`composite_reliability`, :func:`fornell_larcker` and :func:`scale_report`
on the same data fits the model once; warnings raised by the fit are re-issued
on every call.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_flag,
    check_probability,
    stacklevel,
)
from .confirmatory import CFAResult, _check_constructs, cfa

__all__ = ["composite_reliability", "fornell_larcker", "scale_report"]

_DENOMINATORS = ("model", "observed")

# the flags of scale_report, their thresholds and the thresholds' sources (also in attrs["thresholds"])
_THRESHOLDS = {
    "alpha_ok": "alpha >= .70 (Nunnally 1978)",
    "omega_ok": "omega >= .70 (Nunnally 1978)",
    "ave_ok": "AVE >= .50 (Fornell & Larcker 1981)",
    "fornell_larcker_ok": "sqrt(AVE) > every |factor correlation| (Fornell & Larcker 1981)",
    "htmt_ok_85": "max HTMT < .85 (Henseler, Ringle & Sarstedt 2015)",
    "htmt_ok_90": "max HTMT < .90 (Henseler, Ringle & Sarstedt 2015)",
}


_CACHE_SIZE = 8
_FIT_CACHE: OrderedDict[tuple, tuple[CFAResult, list[tuple[Warning, type[Warning]]]]] = OrderedDict()


def _joint_fit(
    data: pd.DataFrame, spec: dict[str, list[Hashable]], nan_policy: str, ordinal: bool = False
) -> CFAResult:
    """``cfa(data, spec)``, memoised on the content of the item columns.

    Only "listwise" and "raise" are accepted: omega, AVE, HTMT and alpha in one table must rest on
    one complete data matrix, which a FIML fit (``cfa(..., nan_policy="fiml")``) does not have.
    With ``ordinal`` the fit is WLSMV on the polychoric correlations (``"listwise"`` or ``"pairwise"``).
    """
    check_choice(nan_policy, "nan_policy", ("listwise", "pairwise") if ordinal else ("listwise", "raise"))
    items = check_columns(data, [it for its in spec.values() for it in its], arg="constructs")
    frame = data[items]
    digest = hashlib.sha1(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    key = (tuple((k, tuple(v)) for k, v in spec.items()), nan_policy, ordinal, digest.hexdigest())
    hit = _FIT_CACHE.get(key)
    if hit is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if ordinal:
                fit = cfa(data, spec, nan_policy=nan_policy, ordered=True, estimator="wlsmv")
            else:
                fit = cfa(data, spec, nan_policy=nan_policy)
        hit = (fit, [(w.message, w.category) for w in caught])
        _FIT_CACHE[key] = hit
        while len(_FIT_CACHE) > _CACHE_SIZE:
            _FIT_CACHE.popitem(last=False)
    else:
        _FIT_CACHE.move_to_end(key)
    for message, category in hit[1]:
        warnings.warn(message, category, stacklevel=stacklevel())
    return hit[0]


def _complete_rows(data: pd.DataFrame, spec: dict[str, list[Hashable]], nan_policy: str) -> pd.DataFrame:
    """The item columns of the rows the joint CFA uses (listwise complete)."""
    items = [it for its in spec.values() for it in its]
    frame = data[items]
    return frame.dropna() if nan_policy == "listwise" else frame


def _reliability_table(fit: CFAResult, complete: pd.DataFrame, denominator: str) -> pd.DataFrame:
    from .reliability import cronbach_alpha

    load = fit.loadings
    s = fit.sample_cov
    rows = {}
    for name, items in fit.constructs.items():
        sub = load[load["construct"] == name]
        std = sub["std_estimate"].to_numpy()
        if denominator == "model":
            omega = std.sum() ** 2 / (std.sum() ** 2 + np.sum(1 - std**2))
        else:
            var_sum = float(s.loc[items, items].to_numpy().sum())
            omega = sub["estimate"].sum() ** 2 / var_sum
        alpha = cronbach_alpha(complete, items).alpha
        rows[name] = {"alpha": alpha, "omega": omega, "ave": float(np.mean(std**2)), "n_items": len(items)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "construct"
    return out


def _cum_probs(fit: CFAResult, items: Sequence[Hashable]) -> np.ndarray:
    """Thresholds of each item, padded with -8 (normal tail mass 6e-16) to a common length."""
    th = fit.thresholds
    per = [th.loc[th["item"] == it, "estimate"].to_numpy() for it in items]
    width = max(len(t) for t in per)
    return np.array([np.concatenate([t, np.full(width - len(t), -8.0)]) for t in per])


def _omega_categorical(tau: np.ndarray, true_corr: np.ndarray, total_corr: np.ndarray) -> float:
    r"""Green & Yang's (2009) reliability of the sum of ordinal answers (semTools' ``omegaCat``).

    With thresholds :math:`\tau_{jc}` and :math:`\Phi_2` the bivariate normal CDF,
    :math:`\omega = \sum_{j,j'}[\sum_{c,c'}\Phi_2(\tau_{jc}, \tau_{j'c'}; \rho^T_{jj'}) -
    \sum_c\Phi(\tau_{jc})\sum_{c'}\Phi(\tau_{j'c'})]` over the same sum with the total correlations,
    :math:`\rho^T` the correlations of the true (common) parts of the latent responses.
    """
    from scipy import special

    from .ordinal import _bvn_cdf_grid

    k = len(tau)
    jj, ii = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    jj, ii = jj.ravel(), ii.ravel()
    marg = special.ndtr(tau).sum(axis=1)
    prod = marg[jj] * marg[ii]

    def cov_sum(r: np.ndarray) -> float:
        r = np.clip(r, -0.999999, 0.999999)
        grid = _bvn_cdf_grid(tau[jj], tau[ii], r).sum(axis=(1, 2))
        return float(np.sum(grid - prod))

    num = cov_sum(true_corr[jj, ii])
    off = jj != ii
    den_off = _bvn_cdf_grid(tau[jj[off]], tau[ii[off]], np.clip(total_corr[jj[off], ii[off]], -0.999999,
                                                                   0.999999)).sum(axis=(1, 2))
    # the diagonal (unit correlation): Phi_2(a, b; 1) = Phi(min(a, b))
    diag = special.ndtr(np.minimum(tau[:, :, None], tau[:, None, :])).sum(axis=(1, 2))
    den = float(np.sum(den_off - prod[off]) + np.sum(diag - marg**2))
    return num / den


def _ordinal_reliability_table(fit: CFAResult, data: pd.DataFrame, nan_policy: str, denominator: str):
    from .reliability import cronbach_alpha

    load = fit.loadings
    phi = fit.factor_corr_matrix
    observed = fit.sample_cov  # polychoric correlations
    implied = fit.implied_cov
    rows = {}
    for name, items in fit.constructs.items():
        sub = load[load["construct"] == name]
        lam = sub["estimate"].to_numpy()
        common = np.outer(lam, lam) * float(phi.loc[name, name])
        total = (observed if denominator == "observed" else implied).loc[items, items].to_numpy()
        tau = _cum_probs(fit, items)
        std = sub["std_estimate"].to_numpy()
        rows[name] = {
            "alpha": cronbach_alpha(data, items, nan_policy=nan_policy, ordinal=True).alpha,
            "omega": _omega_categorical(tau, common, total),
            "omega_latent": float(common.sum() / total.sum()),
            "ave": float(np.mean(std**2)),
            "n_items": len(items),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "construct"
    return out


def composite_reliability(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[Hashable]],
    *,
    denominator: str = "model",
    nan_policy: str = "listwise",
    ordinal: bool = False,
) -> pd.DataFrame:
    """Cronbach's alpha, composite reliability (omega) and AVE per construct.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; reverse-keyed items reverse-coded already.
    constructs : dict
        ``{"construct": ["item", ...]}``; all constructs are fitted jointly
        in one CFA (:func:`csl_stats.cfa`).
    denominator : {"model", "observed"}
        ``"model"`` (default): the Fornell-Larcker / McDonald formula on the
        standardized loadings. ``"observed"``: the variance of the observed
        sum score, as ``semTools::compRelSEM`` does by default.
    nan_policy : {"listwise", "raise"}
        Rows with a missing item are dropped (alpha uses the same rows as the CFA).
        With ``ordinal=True``: ``"listwise"`` or ``"pairwise"`` (polychoric
        correlations from everyone who answered both items).
    ordinal : bool, default False
        Treat the items as ordered categories: the joint CFA is fitted by WLSMV
        (``cfa(..., ordered=True, estimator="wlsmv")``), ``alpha`` is ordinal
        alpha, ``omega`` is Green & Yang's (2009) categorical omega and an
        ``omega_latent`` column is added (see Notes).

    Returns
    -------
    DataFrame
        Indexed by construct: ``alpha`` (Cronbach, raw), ``omega``, ``ave``,
        ``n_items`` (with ``ordinal=True`` also ``omega_latent``).
        ``attrs["n_obs"]`` holds the number of rows used.

    Raises
    ------
    ArgumentError
        An unknown ``denominator``.
    ModelSpecificationError, ColumnNotFoundError, InsufficientDataError, CollinearityError
        As :func:`csl_stats.cfa` (the joint CFA is fitted here).

    Notes
    -----
    With standardized (std.all) loadings :math:`l_i` of the k items of a
    construct,

    .. math:: \\omega = \\frac{(\\sum l_i)^2}{(\\sum l_i)^2 + \\sum (1 - l_i^2)}, \\qquad
              \\mathrm{AVE} = \\frac{1}{k}\\sum l_i^2 .

    This ``"model"`` version puts the items on a common (standardized) scale
    and takes the error variance from the model, which assumes the congeneric
    model holds: it is the composite reliability of Fornell & Larcker (1981)
    and the reliability of the standardized sum score. The ``"observed"``
    version of ``semTools::compRelSEM`` (``obs.var = TRUE``) uses the
    unstandardized loadings :math:`\\lambda_i` and divides by the sample
    variance of the raw sum score:
    :math:`(\\sum\\lambda_i)^2 / \\mathrm{Var}(\\sum x_i)`. It is the
    reliability of the raw (unweighted) sum score and absorbs any misfit
    (e.g. correlated residuals) into the denominator, so it is usually a
    little lower when the model does not fit perfectly. The two coincide when
    the model fits exactly and all items have equal variances. AVE is always
    the Fornell-Larcker mean of squared standardized loadings
    (``semTools::AVE`` instead divides the summed squared loadings by the
    summed item variances, which weights items by their variance).

    Verified against lavaan 0.6-14 / semTools 0.5-6 (``tests/reference/cfa.R``):
    ``"observed"`` equals ``compRelSEM(fit)`` and ``"model"`` equals the
    formula above on ``standardizedSolution(fit)`` to 1e-6.

    **Ordinal items** (``ordinal=True``). Loadings :math:`\\lambda_j` and
    thresholds :math:`\\tau_{jc}` come from the WLSMV fit of the latent
    responses :math:`y^*_j` (unit variances). ``omega`` is the reliability of
    the sum of the *answers* as they are scored (1-7), not of the latent
    responses (Green & Yang 2009):

    .. math:: \\omega_{cat} = \\frac{\\sum_{j,j'}\\big[\\sum_{c,c'}\\Phi_2(\\tau_{jc}, \\tau_{j'c'};
              \\lambda_j\\lambda_{j'}) - \\sum_c\\Phi(\\tau_{jc})\\sum_{c'}\\Phi(\\tau_{j'c'})\\big]}
              {\\sum_{j,j'}\\big[\\sum_{c,c'}\\Phi_2(\\tau_{jc}, \\tau_{j'c'}; \\rho_{jj'}) -
              \\sum_c\\Phi(\\tau_{jc})\\sum_{c'}\\Phi(\\tau_{j'c'})\\big]},

    with :math:`\\rho` the model-implied (``denominator="model"``, Green &
    Yang's original) or the sample polychoric (``"observed"``, semTools'
    default) correlations. ``omega_latent`` :math:`= (\\sum\\lambda_j)^2 /
    \\sum_{j,j'}\\rho_{jj'}` is the reliability of the sum of the latent
    responses (semTools' ``ord.scale = FALSE``), an upper bound of what any
    scoring of the answers can reach. Report ``omega`` when the scale is
    scored as the sum or mean of its answers (the usual case): it answers
    "how reliable is the score we use"; ``omega_latent`` (like ordinal alpha)
    describes the latent responses and overstates the reliability of the
    sum score when answers pile up in one or two categories (Chalmers 2018).
    Checked against ``semTools::compRelSEM`` (``obs.var = TRUE`` and
    ``FALSE``, ``ord.scale = TRUE`` and ``FALSE``) on a WLSMV fit to 1e-6
    (``tests/reference/ordinal_wlsmv.R``).

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models
    with unobservable variables and measurement error. *Journal of Marketing
    Research*, 18(1), 39-50.

    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.

    Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using
    structural equation modeling: An alternative to coefficient alpha.
    *Psychometrika*, 74(1), 155-167.

    Chalmers, R. P. (2018). On misconceptions and the limited usefulness of
    ordinal alpha. *Educational and Psychological Measurement*, 78(6), 1056-1071.

    Examples
    --------
    >>> import csl_stats
    >>> data, _ = csl_stats.simulate_supply_chain_survey(n=300, rng=1)
    >>> tab = csl_stats.composite_reliability(
    ...     data, {"sat": ["sat1", "sat2", "sat3"], "trust": ["trs1", "trs2", "trs3", "trs4"]})
    >>> list(tab.columns)
    ['alpha', 'omega', 'ave', 'n_items']
    >>> bool((tab["omega"] > 0.5).all())
    True
    """
    check_choice(denominator, "denominator", _DENOMINATORS)
    ordinal = check_flag(ordinal, "ordinal")
    data = check_dataframe(data, unique_columns=False)
    spec = _check_constructs(constructs)
    fit = _joint_fit(data, spec, nan_policy, ordinal)
    if ordinal:
        out = _ordinal_reliability_table(fit, data, nan_policy, denominator)
        out.attrs["n_obs"] = fit.n_obs
        return out
    out = _reliability_table(fit, _complete_rows(data, spec, nan_policy), denominator)
    out.attrs["n_obs"] = fit.n_obs
    return out


def _fornell_larcker_from_fit(fit: CFAResult) -> pd.DataFrame:
    load = fit.loadings
    ave = load.assign(l2=load["std_estimate"] ** 2).groupby("construct", sort=False)["l2"].mean()
    mat = fit.factor_corr_matrix.copy()
    for name in mat.index:
        mat.loc[name, name] = np.sqrt(ave[name])
    return mat


def fornell_larcker(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[Hashable]],
    *,
    nan_policy: str = "listwise",
) -> pd.DataFrame:
    """Fornell-Larcker matrix: sqrt(AVE) on the diagonal, factor correlations off it.

    Discriminant validity holds for a construct when its sqrt(AVE) exceeds the
    absolute value of every correlation in its row (and column): the construct
    shares more variance with its own items than with any other construct.

    Parameters
    ----------
    data, constructs, nan_policy
        As in :func:`composite_reliability` (one joint CFA of all constructs).

    Returns
    -------
    DataFrame
        Square, symmetric, indexed and labelled by construct. The correlations
        are the latent (disattenuated) factor correlations of the CFA.

    Raises
    ------
    ModelSpecificationError, ColumnNotFoundError, InsufficientDataError, CollinearityError
        As :func:`csl_stats.cfa` (the joint CFA is fitted here).

    Notes
    -----
    The criterion is widely reported but insensitive: Henseler, Ringle &
    Sarstedt (2015) show it rarely detects a lack of discriminant validity
    when loadings differ only moderately; report HTMT
    (:func:`csl_stats.htmt`) alongside it.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). *Journal of Marketing Research*, 18(1), 39-50.

    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
    assessing discriminant validity in variance-based structural equation
    modeling. *Journal of the Academy of Marketing Science*, 43(1), 115-135.

    Examples
    --------
    >>> import csl_stats
    >>> data, _ = csl_stats.simulate_supply_chain_survey(n=300, rng=1)
    >>> fl = csl_stats.fornell_larcker(
    ...     data, {"sat": ["sat1", "sat2", "sat3"], "trust": ["trs1", "trs2", "trs3", "trs4"]})
    >>> fl.shape
    (2, 2)
    """
    data = check_dataframe(data, unique_columns=False)
    spec = _check_constructs(constructs)
    return _fornell_larcker_from_fit(_joint_fit(data, spec, nan_policy))


def scale_report(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[Hashable]],
    *,
    ci: float = 0.95,
    htmt_variant: str = "htmt",
    nan_policy: str = "listwise",
) -> pd.DataFrame:
    """The reliability and validity table a paper needs, one row per construct.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; reverse-keyed items reverse-coded already.
    constructs : dict
        ``{"construct": ["item", ...]}``; all constructs enter one joint CFA.
    ci : float
        Confidence level of the (Feldt) interval for alpha.
    htmt_variant : {"htmt", "htmt2"}
        Passed to :func:`csl_stats.htmt` (arithmetic or geometric means).
    nan_policy : {"listwise", "raise"}
        Every statistic uses the same complete rows.

    Returns
    -------
    DataFrame
        Indexed by construct: ``items`` (comma-separated), ``n_items``,
        ``alpha``, ``alpha_ci_low``, ``alpha_ci_high``, ``omega`` (model-based
        composite reliability), ``ave``, ``sqrt_ave``, ``max_factor_corr``
        (largest absolute correlation with another construct), ``max_htmt``
        and ``max_htmt_with`` (the construct it is reached with), and the
        boolean flags ``alpha_ok`` (alpha >= .70), ``omega_ok`` (omega >= .70),
        ``ave_ok`` (AVE >= .50), ``fornell_larcker_ok`` (sqrt(AVE) >
        max_factor_corr), ``htmt_ok_85`` (max HTMT < .85) and ``htmt_ok_90``
        (max HTMT < .90). HTMT columns are NaN (flags True) with one
        construct. ``attrs["n_obs"]`` is the number of rows used and
        ``attrs["thresholds"]`` maps each flag to its threshold and source.

    Raises
    ------
    ArgumentError
        ``ci`` not strictly between 0 and 1, or an unknown ``htmt_variant``.
    ModelSpecificationError, ColumnNotFoundError, InsufficientDataError, CollinearityError
        As :func:`csl_stats.cfa` (the joint CFA is fitted here).

    Notes
    -----
    Thresholds and their sources:

    - alpha and omega >= .70: Nunnally (1978, p. 245), the usual minimum for
      research instruments (Nunnally & Bernstein 1994 keep it); .60 is
      sometimes accepted for new scales, .90 is asked for decisions about
      individuals.
    - AVE >= .50: Fornell & Larcker (1981): the construct explains at least
      half of its items' variance.
    - Fornell-Larcker criterion: sqrt(AVE) above every correlation with
      another construct (Fornell & Larcker 1981).
    - HTMT < .85 (conservative, for conceptually distinct constructs) or
      < .90 (for conceptually similar ones, e.g. satisfaction and loyalty):
      Henseler, Ringle & Sarstedt (2015); Kline (2011) proposed .85.

    A flag is a prompt to look at the items, not a verdict: thresholds are
    conventions, and alpha, omega and AVE are point estimates.

    References
    ----------
    Nunnally, J. C. (1978). *Psychometric theory* (2nd ed.). McGraw-Hill.

    Fornell, C., & Larcker, D. F. (1981). *Journal of Marketing Research*, 18(1), 39-50.

    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). *Journal of the
    Academy of Marketing Science*, 43(1), 115-135.

    Examples
    --------
    >>> import csl_stats
    >>> data, _ = csl_stats.simulate_supply_chain_survey(n=300, rng=1)
    >>> rep = csl_stats.scale_report(
    ...     data, {"sat": ["sat1", "sat2", "sat3"], "trust": ["trs1", "trs2", "trs3", "trs4"]})
    >>> int(rep.loc["sat", "n_items"]), bool(rep.loc["sat", "htmt_ok_85"])
    (3, True)
    """
    from .reliability import cronbach_alpha
    from .validity import htmt

    ci = check_probability(ci, "ci")
    check_choice(htmt_variant, "htmt_variant", ("htmt", "htmt2"))
    data = check_dataframe(data, unique_columns=False)
    spec = _check_constructs(constructs)
    fit = _joint_fit(data, spec, nan_policy)
    complete = _complete_rows(data, spec, nan_policy)
    rel = _reliability_table(fit, complete, "model")
    fl = _fornell_larcker_from_fit(fit)
    if len(spec) > 1:
        ht = htmt(complete, spec, variant=htmt_variant).astype(float)
        ht = ht.where(~np.eye(len(ht), dtype=bool))
        max_htmt = ht.max(axis=1)
        max_with = ht.idxmax(axis=1)
    else:
        max_htmt = pd.Series(np.nan, index=list(spec))
        max_with = pd.Series(None, index=list(spec), dtype=object)
    rows = []
    for name, items in spec.items():
        a = cronbach_alpha(complete, items, ci=ci)
        off = fl.loc[name].drop(name).abs()
        max_r = float(off.max()) if len(off) else np.nan
        sqrt_ave = float(fl.loc[name, name])
        mh = float(max_htmt[name])
        rows.append(
            {
                "construct": name,
                "items": ", ".join(str(i) for i in items),
                "n_items": len(items),
                "alpha": a.alpha,
                "alpha_ci_low": a.ci[0],
                "alpha_ci_high": a.ci[1],
                "omega": rel.loc[name, "omega"],
                "ave": rel.loc[name, "ave"],
                "sqrt_ave": sqrt_ave,
                "max_factor_corr": max_r,
                "max_htmt": mh,
                "max_htmt_with": max_with[name],
                "alpha_ok": bool(a.alpha >= 0.70),
                "omega_ok": bool(rel.loc[name, "omega"] >= 0.70),
                "ave_ok": bool(rel.loc[name, "ave"] >= 0.50),
                "fornell_larcker_ok": bool(np.isnan(max_r) or sqrt_ave > max_r),
                "htmt_ok_85": bool(np.isnan(mh) or mh < 0.85),
                "htmt_ok_90": bool(np.isnan(mh) or mh < 0.90),
            }
        )
    out = pd.DataFrame(rows).set_index("construct")
    out.attrs["n_obs"] = fit.n_obs
    out.attrs["thresholds"] = dict(_THRESHOLDS)
    return out
