"""Moderation (interaction) analysis with simple slopes and Johnson-Neyman regions.

:func:`moderation` fits Hayes' (2022) PROCESS model 1,
``y = b0 + b1 x + b2 w + b3 x w + covariates``, by OLS, probes the conditional
effect of ``x`` at chosen values of the moderator ``w`` and finds the values
of ``w`` where that effect changes significance (Johnson & Neyman, 1936).
:func:`plot_simple_slopes` and :func:`plot_johnson_neyman` draw the two
usual figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import check_choice, check_flag, check_label, check_number, check_probability
from .errors import ArgumentError
from .regression import SE_TYPES, _as_list, _design, _prepare, _table, _term_names

__all__ = ["ModerationResult", "moderation", "plot_simple_slopes", "plot_johnson_neyman"]

PROBES = ("sd", "percentile", "values")


@result_dataclass
class ModerationResult(Result):
    """Result of :func:`moderation`.

    Attributes
    ----------
    coefs : DataFrame
        ``Intercept``, ``x``, ``w``, ``"{x}:{w}"`` and covariates with
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p``. With
        ``center=True`` the ``x`` and ``w`` rows are effects at the mean of the
        other variable.
    simple_slopes : DataFrame
        Conditional effect of ``x`` at the probed moderator values (index
        ``probe``; columns ``w`` in the original units of W, ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``p``).
    johnson_neyman : DataFrame
        The observed range of W split into regions at the Johnson-Neyman
        boundaries: ``w_low``, ``w_high``, ``significant`` (at level
        ``1 - ci``) and ``direction`` (sign of the effect in the region).
        Empty for a two-valued moderator.
    x, w, y : str
        Column names.
    n_obs : int
        Rows used.
    r2, r2_change : float
        R-squared of the full model and its increase from adding the interaction.
    se_type : str
        Covariance type.
    ci : float
        Confidence level.
    x_center, w_center : float
        Values subtracted from X and W (their means with ``center=True``, else 0).
    x_range, w_range : tuple of float
        Observed (min, max) of X and W in the analysis sample.
    model : statsmodels results
        The fitted OLS model (on the centred variables).
    """

    _title = "Moderation (PROCESS model 1)"

    coefs: pd.DataFrame
    simple_slopes: pd.DataFrame
    johnson_neyman: pd.DataFrame
    x: str
    w: str
    y: str
    n_obs: int
    r2: float
    r2_change: float
    se_type: str
    ci: float
    x_center: float
    w_center: float
    x_range: tuple[float, float]
    w_range: tuple[float, float]
    y_offset: float = dataclasses.field(default=0.0, repr=False)
    model: Any = dataclasses.field(default=None, repr=False)

    _frame = "coefs"

    @property
    def interaction(self) -> pd.Series:
        """The row of ``coefs`` for the ``x:w`` product term."""
        return self.coefs.loc[f"{self.x}:{self.w}"]

    @property
    def df_resid(self) -> float:
        """Residual degrees of freedom, n - k."""
        return float(self.model.df_resid)

    @property
    def f_change(self) -> float:
        """F statistic (1, n - k df) for the R-squared increase (= t^2 of the interaction).

        With robust ``se`` this is the corresponding Wald F, as PROCESS reports.
        """
        row = self.interaction
        return float((row["estimate"] / row["se"]) ** 2)

    @property
    def p_change(self) -> float:
        """p-value of :attr:`f_change`."""
        return float(stats.f.sf(self.f_change, 1, self.df_resid))

    @property
    def jn_boundaries(self) -> tuple[float, ...]:
        """Johnson-Neyman boundaries inside the observed range of W (may be empty)."""
        return tuple(float(v) for v in self.johnson_neyman["w_low"].iloc[1:])

    def conditional_effects(self, w_values: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """Conditional effect of X (estimate, se, CI, p) at arbitrary values of W."""
        return _conditional(self.model, self.x, self.w, self.w_center, np.asarray(w_values, float), self.ci)


def _conditional(fit: Any, x: str, w: str, w_center: float, wv: np.ndarray, ci: float) -> pd.DataFrame:
    names = list(fit.model.exog_names)
    i, j = names.index(x), names.index(f"{x}:{w}")
    b = np.asarray(fit.params)
    V = np.asarray(fit.cov_params())
    u = wv - w_center
    est = b[i] + b[j] * u
    se = np.sqrt(V[i, i] + u**2 * V[j, j] + 2 * u * V[i, j])
    crit = stats.t.ppf(0.5 + ci / 2, fit.df_resid)
    out = _table(est, se, [""] * len(wv), crit, stats.t(fit.df_resid)).reset_index(drop=True)
    out.insert(0, "w", wv)
    return out


def _jn_regions(
    res_fit: Any, x: str, w: str, w_center: float, lo: float, hi: float, ci: float
) -> pd.DataFrame:
    names = list(res_fit.model.exog_names)
    i, j = names.index(x), names.index(f"{x}:{w}")
    b = np.asarray(res_fit.params)
    V = np.asarray(res_fit.cov_params())
    t2 = stats.t.ppf(0.5 + ci / 2, res_fit.df_resid) ** 2
    a = b[j] ** 2 - t2 * V[j, j]
    bb = 2.0 * (b[i] * b[j] - t2 * V[i, j])
    c = b[i] ** 2 - t2 * V[i, i]
    roots: list[float] = []
    if abs(a) < 1e-14 * max(abs(bb), abs(c), 1e-300):
        if bb != 0:
            roots = [-c / bb]
    else:
        disc = bb**2 - 4 * a * c
        if disc >= 0:
            sq = np.sqrt(disc)
            roots = sorted({(-bb - sq) / (2 * a), (-bb + sq) / (2 * a)})
    cuts = [r + w_center for r in roots if lo < r + w_center < hi]
    edges = [lo, *cuts, hi]
    mids = np.array([(edges[k] + edges[k + 1]) / 2 for k in range(len(edges) - 1)])
    eff = _conditional(res_fit, x, w, w_center, mids, ci)
    return pd.DataFrame(
        {
            "w_low": edges[:-1],
            "w_high": edges[1:],
            "significant": (eff["p"] < 1 - ci).to_numpy(),
            "direction": np.where(eff["estimate"] >= 0, "positive", "negative"),
        }
    )


def moderation(
    data: pd.DataFrame,
    x: Hashable,
    w: Hashable,
    y: Hashable,
    covariates: Hashable | Sequence[Hashable] | None = None,
    *,
    center: bool = True,
    probe: str = "sd",
    values: Sequence[float] | None = None,
    se: str = "nonrobust",
    ci: float = 0.95,
    nan_policy: str = "listwise",
) -> ModerationResult:
    """Test whether ``w`` moderates the effect of ``x`` on ``y`` (PROCESS model 1).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    x, w, y : str
        Focal predictor (e.g. satisfaction), moderator (e.g. switching costs)
        and outcome (e.g. loyalty) columns; all numeric.
    covariates : str or list of str, optional
        Numeric control variables.
    center : bool
        Mean-centre X and W before forming the product (default, PROCESS
        ``center=1``). Changes the meaning of the ``x`` and ``w`` rows only;
        the interaction, simple slopes and Johnson-Neyman regions are identical.
    probe : {"sd", "percentile", "values"}
        Where to probe: mean - 1 SD, mean, mean + 1 SD of W (SD with n - 1);
        the 16th, 50th and 84th percentiles (as PROCESS, linear interpolation);
        or ``values``. A moderator with two distinct values is probed at those
        two values unless ``values`` are given.
    values : sequence of float, optional
        Moderator values (original units) to probe at; implies ``probe="values"``.
    se : {"nonrobust", "HC0", "HC1", "HC2", "HC3"}
        Covariance estimator for every test, interval and region.
    ci : float
        Confidence level; Johnson-Neyman regions use significance level ``1 - ci``.
    nan_policy : {"listwise", "raise"}
        Missing-data handling.

    Returns
    -------
    ModerationResult

    Raises
    ------
    ConstantError
        The moderator (or another variable) is constant.
    ModelSpecificationError
        The same column plays two roles (e.g. ``x == w``).
    CollinearityError
        Perfectly collinear predictors.
    ArgumentError
        Invalid ``probe``/``values``/``se``/``ci``.

    Notes
    -----
    With :math:`u = w - c_w` (``c_w`` the centring constant) the conditional
    effect of X is :math:`\\theta(w) = b_1 + b_3 u` with
    :math:`\\operatorname{Var}\\hat\\theta = V_{11} + u^2 V_{33} + 2u V_{13}`
    from the coefficient covariance :math:`V` (classical or HC), tested with
    :math:`t_{n-k}`. The Johnson-Neyman boundaries solve
    :math:`\\theta(w)^2 = t^2_{crit}\\operatorname{Var}\\hat\\theta(w)`, i.e.
    :math:`(b_3^2 - t^2V_{33})u^2 + 2(b_1b_3 - t^2V_{13})u + (b_1^2 - t^2V_{11}) = 0`;
    real roots inside the observed range of W split it into regions, each
    labelled significant or not (no root: one region). The R-squared change
    test is :math:`F = t_{b_3}^2` on (1, n - k) df.

    Simulation (``benchmarks/sim_moderation.py``; n = 200, 1,000
    replications per row, Monte Carlo SE about 0.007): coverage of the 95 %
    simple-slope CIs at mean - 1 SD / mean / mean + 1 SD of W was
    95.1 / 94.6 / 96.2 % (homoskedastic errors, ``se="nonrobust"``) and
    95.8 / 96.5 / 95.5 % (``"HC3"``). With error variance growing with X,
    classical intervals covered only 77.7 / 79.6 / 78.5 % and the interaction
    test rejected a true null 25.5 % of the time, while HC3 kept
    95.2 / 95.4 / 94.4 % coverage (type-I error 7.6 %; 4.4-5.1 % with
    homoskedastic errors). Use ``se="HC3"`` unless the residual spread is
    clearly constant.

    References
    ----------
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional
    process analysis* (3rd ed.). Guilford Press.

    Johnson, P. O., & Neyman, J. (1936). Tests of certain linear hypotheses and
    their application to some educational problems. *Statistical Research
    Memoirs*, 1, 57-93.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({"sat": rng.normal(5, 1, 300), "swc": rng.normal(4, 1, 300)})
    >>> df["loy"] = 0.6 * df.sat + 0.3 * df.swc - 0.2 * (df.sat - 5) * (df.swc - 4) + rng.normal(0, 1, 300)
    >>> res = moderation(df, "sat", "swc", "loy")
    >>> print(f"b3 = {res.interaction['estimate']:.3f}, dR2 = {res.r2_change:.3f}")
    b3 = -0.221, dR2 = 0.027
    >>> res.simple_slopes[["w", "estimate"]].round(3)
                     w  estimate
    probe
    mean - 1 SD  2.943     0.714
    mean         3.864     0.510
    mean + 1 SD  4.786     0.306
    >>> res.jn_boundaries  # effect of sat significant below swc = 5.15
    (5.148...,)
    """
    se = check_choice(se, "se", SE_TYPES)
    probe = check_choice(probe, "probe", PROBES)
    ci = check_probability(ci, "ci")
    center = check_flag(center, "center")
    x, w, y = check_label(x, "x"), check_label(w, "w"), check_label(y, "y")
    if values is not None:
        if probe == "percentile":
            raise ArgumentError("give either probe='percentile' or values=[...], not both.")
        probe = "values"
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray | pd.Series):
            raise ArgumentError(f"values must be a non-empty sequence of finite numbers; got {values!r}.")
        values_arr = np.array([check_number(v, "values") for v in np.asarray(values, dtype=object).ravel()])
        if values_arr.size == 0:
            raise ArgumentError(f"values must be a non-empty sequence of finite numbers; got {values!r}.")
    elif probe == "values":
        raise ArgumentError("probe='values' needs values=[...] (moderator values to probe at).")
    covs = _as_list(covariates, "covariates", data)
    frame = _prepare(
        data, y, [x, w, *covs], nan_policy=nan_policy, roles={"x": x, "w": w, "y": y, "covariates": covs},
        n_coef=4 + len(covs),  # intercept, x, w, x:w and the covariates
    )
    xs, ws = str(x), str(w)
    _term_names([x, w, f"{xs}:{ws}", *covs])  # 1 and "1" would share a coefficient name
    xv, wv = frame[x].to_numpy(), frame[w].to_numpy()
    cx, cw = (xv.mean(), wv.mean()) if center else (0.0, 0.0)
    pred = pd.DataFrame({xs: xv - cx, ws: wv - cw}, index=frame.index)
    pred[f"{xs}:{ws}"] = pred[xs] * pred[ws]
    for c in covs:
        pred[str(c)] = frame[c]
    X = _design(pred, list(pred.columns))

    import statsmodels.api as sm

    fit = sm.OLS(frame[y].to_numpy(), X).fit(cov_type=se)
    reduced = sm.OLS(frame[y].to_numpy(), X.drop(columns=f"{xs}:{ws}")).fit()
    crit = stats.t.ppf(0.5 + ci / 2, fit.df_resid)
    coefs = _table(fit.params.to_numpy(), fit.bse.to_numpy(), list(X.columns), crit, stats.t(fit.df_resid))

    distinct = np.unique(wv)
    if probe == "values":
        labels, probe_w = [f"w = {v:g}" for v in values_arr], values_arr
    elif distinct.size == 2:
        labels, probe_w = [f"w = {v:g}" for v in distinct], distinct
    elif probe == "sd":
        m, s = wv.mean(), wv.std(ddof=1)
        labels, probe_w = ["mean - 1 SD", "mean", "mean + 1 SD"], np.array([m - s, m, m + s])
    else:
        labels, probe_w = ["16th pct", "50th pct", "84th pct"], np.percentile(wv, [16, 50, 84])
    slopes = _conditional(fit, xs, ws, cw, probe_w, ci)
    slopes.index = pd.Index(labels, name="probe")
    lo, hi = float(wv.min()), float(wv.max())
    if distinct.size > 2:
        jn = _jn_regions(fit, xs, ws, cw, lo, hi, ci)
    else:
        jn = pd.DataFrame({"w_low": [], "w_high": [], "significant": [], "direction": []})
    offset = float(sum(fit.params[str(c)] * frame[c].mean() for c in covs))
    return ModerationResult(
        coefs=coefs,
        simple_slopes=slopes,
        johnson_neyman=jn,
        x=xs,
        w=ws,
        y=str(y),
        n_obs=len(frame),
        r2=float(fit.rsquared),
        r2_change=float(fit.rsquared - reduced.rsquared),
        se_type=se,
        ci=ci,
        x_center=float(cx),
        w_center=float(cw),
        x_range=(float(xv.min()), float(xv.max())),
        w_range=(lo, hi),
        y_offset=offset,
        model=fit,
    )


def plot_simple_slopes(result: ModerationResult, ax: Any = None) -> Any:
    """Plot the predicted outcome against X at each probed value of W.

    Covariates are held at their sample means. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, ModerationResult):
        raise ArgumentError(f"result must be a ModerationResult; got {type(result).__name__}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    b = result.coefs["estimate"]
    xg = np.linspace(*result.x_range, 50)
    inter = f"{result.x}:{result.w}"
    for label, row in result.simple_slopes.iterrows():
        u, xc = row["w"] - result.w_center, xg - result.x_center
        yhat = b["Intercept"] + result.y_offset + b[result.x] * xc + b[result.w] * u + b[inter] * xc * u
        ax.plot(xg, yhat, label=f"{result.w} = {row['w']:.2f} ({label})")
    ax.set_xlabel(result.x)
    ax.set_ylabel(f"predicted {result.y}")
    ax.set_title(f"Simple slopes of {result.x} at values of {result.w}")
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_johnson_neyman(result: ModerationResult, ax: Any = None) -> Any:
    """Plot the conditional effect of X across W with its pointwise CI band.

    Significant regions are shaded and Johnson-Neyman boundaries drawn as
    dashed lines. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, ModerationResult):
        raise ArgumentError(f"result must be a ModerationResult; got {type(result).__name__}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    wg = np.linspace(*result.w_range, 200)
    eff = result.conditional_effects(wg)
    ax.plot(wg, eff["estimate"], color="C0", label=f"effect of {result.x}")
    ax.fill_between(wg, eff["ci_low"], eff["ci_high"], color="C0", alpha=0.2, label=f"{result.ci:.0%} CI")
    ax.axhline(0, color="grey", lw=0.8)
    for _, reg in result.johnson_neyman.iterrows():
        if reg["significant"]:
            ax.axvspan(reg["w_low"], reg["w_high"], color="C2", alpha=0.08)
    for k, bnd in enumerate(result.jn_boundaries):
        ax.axvline(bnd, color="C3", ls="--", label="Johnson-Neyman boundary" if k == 0 else None)
    ax.set_xlabel(result.w)
    ax.set_ylabel(f"conditional effect of {result.x} on {result.y}")
    ax.set_title("Johnson-Neyman plot (shaded: significant)")
    ax.legend(frameon=False, fontsize="small")
    return ax
