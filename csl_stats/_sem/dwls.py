"""The WLSMV estimator of the SEM engine: ordered items, delta parameterization, DWLS, robust tests.

Ordered items are taken as cut normal latent responses :math:`y^*`; their
sample statistics are the thresholds and the polychoric correlations of
:func:`csl_stats.polychoric` (two-step, with the asymptotic covariance ``NACOV``
:math:`\\Gamma`), stacked as :math:`s = (\\hat\\tau, \\hat\\rho)`. The model is the
engine's own LISREL model (:mod:`.specification`) in the *delta*
parameterization: :math:`\\Sigma^* = \\Lambda A\\Psi A^\\top\\Lambda^\\top + \\Theta`
with the residual variances of ordered items not free but
:math:`\\theta_{jj} = 1 - (\\Lambda A\\Psi A^\\top\\Lambda^\\top)_{jj}` (unit variances of
:math:`y^*`), thresholds free parameters, so :math:`\\sigma(\\vartheta) = (\\tau,
\\operatorname{offdiag}\\Sigma^*)`. Diagonally weighted least squares minimises

.. math:: F = (s - \\sigma)^\\top W (s - \\sigma),\\qquad W = \\operatorname{diag}(\\Gamma)^{-1},

by Gauss-Newton with the engine's analytic :math:`\\partial\\Sigma/\\partial\\vartheta`
(:meth:`Model.delta`). Inference is lavaan's ``estimator = "WLSMV"``: sandwich
covariance :math:`(\\Delta^\\top W\\Delta)^{-1}\\Delta^\\top W\\Gamma W\\Delta
(\\Delta^\\top W\\Delta)^{-1}/(N-1)`, the statistic :math:`T = (N-1)F`, its
mean-and-variance adjusted ("scaled-shifted") version :math:`aT + b` with
:math:`U = W - W\\Delta(\\Delta^\\top W\\Delta)^{-1}\\Delta^\\top W`,
:math:`a = \\sqrt{df/\\mathrm{tr}((U\\Gamma)^2)}`, :math:`b = df - a\\,\\mathrm{tr}(U\\Gamma)`
(Asparouhov & Muthen 2010), scaled CFI/TLI/RMSEA from the scaled statistics
and the "robust" CFI/TLI/RMSEA of Savalei (2021) from the ML discrepancy of
the polychoric matrix (lavaan's ``catML``).

With continuous indicators beside the ordered items (``ordered=[subset]``, one
group), :math:`s` is lavaan's ``wls.obs`` for mixed data
(``polychoric(..., continuous=...).wls_obs``): thresholds and minus the means,
then the variances of the continuous indicators, then polychoric correlations
and, for pairs with a continuous indicator, covariances (polyserial or Pearson
correlation times standard deviations). The model keeps continuous indicators in
their metric (free residual variances; intercepts saturated, equal to the means),
the structured part of :math:`s` is :math:`\\Sigma^*` at those variances and pairs,
the baseline frees the variances, and the catML measures are NaN (lavaan: NA).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._threads import blas_single_thread
from .._validation import stacklevel
from ..errors import ConvergenceWarning, HeywoodWarning, ModelSpecificationError
from .fitting import Fit, _first_loading_positive, start_values
from .inference import effects_table, jacobian, r_squared, rmsea_ci, standardized
from .specification import LAMBDA, THETA, Model, Spec, build_model

__all__ = ["OrdinalMoments", "ordinal_moments", "DeltaModel", "estimate_wlsmv", "check_ordered", "ordered_items"]


@dataclass
class OrdinalMoments:
    """Sample statistics for DWLS in lavaan's layout (``polychoric(...).wls_obs``).

    First the saturated univariate statistics (thresholds of ordered items, minus the means of
    continuous variables, variable by variable; ``n_th`` of them), then the structured ones: the
    variances of continuous variables and the polychoric / polyserial / Pearson statistics of every
    pair (covariances for pairs with a continuous variable), located by ``(pi, pj)``.
    """

    s: np.ndarray  # (n_th + n_structured,)
    w: np.ndarray  # DWLS weights, 1 / diag(gamma)
    gamma: np.ndarray  # NACOV (N * acov)
    n: int
    n_excluded: int
    n_th: int
    th_item: np.ndarray  # item position (model order) of every threshold (ordered items only)
    th_num: np.ndarray  # threshold number (1, 2, ...)
    pi: np.ndarray  # rows of the structured statistics in Sigma (model order); pi == pj for variances
    pj: np.ndarray
    corr: np.ndarray  # polychoric / polyserial / Pearson correlation matrix (model order)
    thresholds: pd.DataFrame
    uni_item: np.ndarray  # variable position (model order) of every univariate statistic
    continuous: np.ndarray  # positions of the continuous variables
    sd: np.ndarray  # standard deviations (1 for ordered items)

    @property
    def cov(self) -> np.ndarray:
        """The sample matrix the model is fitted to: correlations, rescaled to covariances for continuous."""
        return self.corr * np.outer(self.sd, self.sd)

    @property
    def pair_rows(self) -> np.ndarray:
        """Positions (in the structured part) of the pair statistics (not the variances of continuous)."""
        return np.flatnonzero(self.pi != self.pj)


def ordinal_moments(
    data: pd.DataFrame, items: Sequence[Hashable], nan_policy: str, continuous: Sequence[Hashable] = ()
) -> OrdinalMoments:
    """Run :func:`csl_stats.polychoric` on ``items`` (``continuous`` among them) and arrange it for DWLS."""
    from ..errors import ScaleError
    from ..ordinal import polychoric

    cont = [it for it in items if it in set(continuous)]
    try:
        pc = polychoric(data, list(items), nan_policy=nan_policy, continuous=cont or None)
    except ScaleError as err:
        # polychoric's own options are not arguments of cfa/sem: say it in their terms
        msg = str(err)
        hint = ", or pass collapse_empty=True to use only the observed categories"
        if hint in msg:
            raise ScaleError(msg.replace(hint, " before fitting (lavaan uses only the observed categories, which is the same as merging the empty one "
                               "away; here that recode is explicit)")) from None
        if "rather than as ordered categories: continuous=" in msg:
            raise ScaleError(msg.split(": continuous=")[0] + ": leave it out of ordered (a continuous "
                             "indicator).") from None
        if "(list it in items, not in continuous)" in msg:
            raise ScaleError(msg.replace("(list it in items, not in continuous)", "(list it in ordered)")) from None
        raise
    pos = {it: k for k, it in enumerate(items)}
    th = pc.thresholds
    labels = list(pc.acov.index)
    names = [str(it) for it in items]
    lab_pos = {nm: k for k, nm in enumerate(names)}
    uni = [k for k, lab in enumerate(labels) if "|" in lab or lab.endswith("~1")]
    n_th = len(uni)
    if uni != list(range(n_th)):  # polychoric's layout: univariate statistics first
        raise RuntimeError("unexpected layout of the polychoric statistics")
    uni_item = np.array([lab_pos[lab.split("|")[0] if "|" in lab else lab[:-2]] for lab in labels[:n_th]])
    acov = pc.acov.to_numpy()
    s = pc.wls_obs.to_numpy()
    gamma = acov * pc.n_obs
    var = dict(zip(pc.moments["variable"], pc.moments["variance"], strict=True)) if cont else {}
    sd = np.array([np.sqrt(var[it]) if it in var else 1.0 for it in items])
    n_var = len(cont)
    cpos = np.array([pos[it] for it in cont], dtype=int)
    pi = np.concatenate([cpos, pc.pairs["item1"].map(pos).to_numpy()]).astype(int)
    pj = np.concatenate([cpos, pc.pairs["item2"].map(pos).to_numpy()]).astype(int)
    if len(pi) != len(s) - n_th or n_var and not all(labels[n_th + k] == f"{names[c]}~~{names[c]}"
                                                     for k, c in enumerate(cpos)):
        raise RuntimeError("unexpected layout of the polychoric statistics")
    return OrdinalMoments(
        s=s,
        w=1.0 / np.diag(gamma),
        gamma=gamma,
        n=pc.n_obs,
        n_excluded=pc.n_excluded,
        n_th=n_th,
        th_item=th["item"].map(pos).to_numpy(),
        th_num=th["threshold"].to_numpy(),
        pi=pi,
        pj=pj,
        corr=pc.correlation.to_numpy(),
        thresholds=th,
        uni_item=uni_item,
        continuous=cpos,
        sd=sd,
    )


class DeltaModel(Model):
    """The engine's model with the residual variances of ordered items tied to unit latent-response variances.

    Those table rows are fixed (not parameters); :meth:`matrices` sets them to
    :math:`1 - (\\Lambda A\\Psi A^\\top\\Lambda^\\top)_{jj}` so that every implied
    quantity of the base class (implied correlations, std.all, R^2) is that of
    the delta parameterization. Only off-diagonal elements of
    :meth:`Model.delta` are used (the diagonal is constant).
    """

    def __init__(self, base: Model, ordered: Sequence[Hashable]):
        t = base.table.copy()
        self.ordered_pos = np.array([base.ov.index(it) for it in ordered], dtype=int)
        tie = (t["mat"] == THETA) & (t["row"] == t["col"]) & t["row"].isin(self.ordered_pos)
        t.loc[tie, "free"] = -1
        t.loc[tie, "value"] = np.nan
        free = t["free"].to_numpy()
        keep = np.unique(free[free >= 0])
        remap = {int(old): new for new, old in enumerate(keep)}
        t["free"] = [remap.get(int(f), -1) for f in free]
        self.tied_rows = np.flatnonzero(tie.to_numpy())
        super().__init__(base.spec, t, base.n_groups, base.meanstructure)
        # residual variances of ordered items depend on loadings and latent variances: not linear
        self.linear = np.zeros(self.q, dtype=bool)

    def values(self, theta: np.ndarray) -> np.ndarray:
        v = super().values(theta)
        if self.tied_rows.size:
            mats = self.matrices(theta)
            rows = self._row[self.tied_rows]
            v[self.tied_rows] = [np.diag(mats[g]["theta"])[r] for g, r in zip(self._grp[self.tied_rows], rows,
                                                                                strict=True)]
        return v

    def matrices(self, theta: np.ndarray) -> list[dict[str, np.ndarray]]:
        """The engine's matrices, with the residual variance of each ordered item set to 1 - its common variance."""
        base_vals = Model.values(self, theta)
        out = self._assemble(np.where(np.isnan(base_vals), 0.0, base_vals))
        o = self.ordered_pos
        for mat in out:
            la = mat["lambda"] @ mat["a"]
            common = np.einsum("ij,jk,ik->i", la, mat["psi"], la)
            mat["theta"][o, o] = 1.0 - common[o]
        return out


# --------------------------------------------------------------------------------------------- fitting
def _implied(model: DeltaModel, theta: np.ndarray, om: OrdinalMoments) -> np.ndarray:
    sigma = model.implied(theta)[0][0]
    return sigma[om.pi, om.pj]


def _delta_rho(model: DeltaModel, theta: np.ndarray, om: OrdinalMoments) -> np.ndarray:
    ds = model.delta(theta)[0][0]  # (q, p, p)
    return ds[:, om.pi, om.pj].T  # (pairs, q)


def _dwls(model: DeltaModel, om: OrdinalMoments, theta: np.ndarray, max_iter: int, tol: float):
    """Gauss-Newton on the correlation part (thresholds are saturated: their estimates are the sample ones)."""
    r = om.s[om.n_th :]
    w = om.w[om.n_th :]

    def f(th: np.ndarray) -> float:
        e = r - _implied(model, th, om)
        return float(np.sum(w * e * e))

    fval = f(theta)
    for it in range(1, max_iter + 1):
        e = r - _implied(model, theta, om)
        d = _delta_rho(model, theta, om)
        h = d.T @ (w[:, None] * d)
        g = d.T @ (w * e)
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(h, g, rcond=None)[0]
        theta, fval, moved = backtrack(f, theta, step, fval)
        small = np.max(np.abs(moved)) < tol
        if small:
            return theta, it, True
    return theta, max_iter, False


def _check_identification(model: DeltaModel, om: OrdinalMoments, theta: np.ndarray) -> None:
    d = _delta_rho(model, theta, om)
    h = d.T @ (om.w[om.n_th :, None] * d)
    sc = np.sqrt(np.clip(np.diag(h), 1e-300, None))
    vals, vecs = np.linalg.eigh(h / np.outer(sc, sc))
    if vals[0] < 1e-9 * max(vals[-1], 1.0):
        names = model.param_labels()
        v = vecs[:, 0]
        bad = [names[k] for k in np.flatnonzero(np.abs(v) > 0.1 * np.abs(v).max())]
        raise ModelSpecificationError(
            f"the model is not identified: the DWLS information is singular in the direction of {bad}. Fix a "
            "loading or a variance of the construct(s) involved, add items, or drop paths or residual "
            "covariances."
        )


# --------------------------------------------------------------------------------------------- inference
def _full_delta(model: DeltaModel, theta: np.ndarray, om: OrdinalMoments) -> np.ndarray:
    """Jacobian of (thresholds, correlations) w.r.t. (model parameters, thresholds)."""
    d_r = _delta_rho(model, theta, om)
    q, nt, m = model.q, om.n_th, len(om.pi)
    out = np.zeros((nt + m, q + nt))
    out[:nt, q:] = np.eye(nt)
    out[nt:, :q] = d_r
    return out


def _scaled_shifted(u_gamma: np.ndarray, df: float) -> tuple[float, float]:
    tr = float(np.trace(u_gamma))
    tr2 = float(np.sum(u_gamma * u_gamma.T))
    a = np.sqrt(df / tr2)
    return float(a), float(df - a * tr)


def _scaled_shifted_traces(
    w: np.ndarray, gamma: np.ndarray, wd: np.ndarray, bread: np.ndarray, meat: np.ndarray, df: float
) -> tuple[float, float]:
    r"""``a`` and ``b`` of the scaled-shifted statistic without forming ``U Gamma`` (M x M, M moments).

    With :math:`U\Gamma = W\Gamma - W\Delta B X` (:math:`B = (\Delta^\top W\Delta)^{-1}`,
    :math:`X = \Delta^\top W\Gamma`, :math:`X W\Delta` the meat of the sandwich):
    :math:`\mathrm{tr}(U\Gamma) = \sum_i w_i\Gamma_{ii} - \mathrm{tr}(B\,XW\Delta)` and
    :math:`\mathrm{tr}((U\Gamma)^2) = \mathrm{tr}(W\Gamma W\Gamma) - 2\,\mathrm{tr}(B\,XWX^\top)
    + \mathrm{tr}((B\,XW\Delta)^2)`, which costs :math:`O(kM^2)` for k parameters instead of :math:`O(M^3)`.
    """
    wg = w[:, None] * gamma
    x = wd.T @ gamma  # (k, M)
    bm = bread @ meat
    tr1 = float(np.sum(w * np.diag(gamma))) - float(np.trace(bm))
    tr2 = float(np.sum(wg * wg.T)) - 2.0 * float(np.sum(bread * ((x * w[None, :]) @ x.T))) + float(
        np.sum(bm * bm.T))
    a = np.sqrt(df / tr2)
    return float(a), float(df - a * tr1)


def _relative(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> tuple:
    """lavaan's CFI and TLI (with the robust corrections ``c``, ``cb`` when given)."""
    t1 = max(x2 - c * df, 0.0)
    t2 = max(x2 - c * df, x2b - cb * dfb, 0.0)
    cfi = 1.0 if (abs(t1) < 1e-12 and abs(t2) < 1e-12) else 1 - t1 / t2
    n1 = (x2 - c * df) * dfb
    n2 = (x2b - cb * dfb) * df
    tli = 1 - n1 / n2 if (df > 0 and abs(n2) > 0) else 1.0
    return cfi, tli


def _rmsea(x2: float, df: float, n: int, c: float = 1.0) -> float:
    return float(np.sqrt(max(x2 / n / df - c / n, 0.0))) if df > 0 else 0.0


def _ml_discrepancy(r: np.ndarray, sigma: np.ndarray) -> float:
    """``log|Sigma| + tr(R Sigma^-1) - log|R| - p``; NaN if either matrix is not positive definite."""
    try:
        ls = np.linalg.slogdet(sigma)
        lr = np.linalg.slogdet(r)
        if ls[0] <= 0 or lr[0] <= 0:
            return np.nan
        return float(ls[1] + np.trace(np.linalg.solve(sigma, r)) - lr[1] - r.shape[0])
    except np.linalg.LinAlgError:
        return np.nan


def wlsmv_inference(model: DeltaModel, om: OrdinalMoments, theta: np.ndarray) -> tuple[np.ndarray, dict, dict]:
    """Sandwich covariance of (parameters, thresholds) and lavaan's WLSMV fit measures."""
    n = om.n
    nt = om.n_th
    w = om.w
    gamma = om.gamma
    dl = _full_delta(model, theta, om)
    wd = w[:, None] * dl
    info = dl.T @ wd
    try:
        bread = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        bread = np.linalg.pinv(info)
    meat = wd.T @ gamma @ wd
    cov = bread @ meat @ bread / (n - 1)

    r = om.s[nt:]
    rho_hat = _implied(model, theta, om)
    w_r = w[nt:]
    fmin = float(np.sum(w_r * (r - rho_hat) ** 2))
    x2 = (n - 1) * fmin
    npar = model.q + nt
    df = float(len(om.s) - npar)
    out: dict[str, float] = {"npar": float(npar), "chisq": x2, "df": df}
    out["pvalue"] = float(stats.chi2.sf(x2, df)) if df > 0 else np.nan
    if df > 0:
        a, b = _scaled_shifted_traces(w, gamma, wd, bread, meat, df)
    else:
        a, b = 1.0, 0.0
    x2s = a * x2 + b if df > 0 else 0.0
    out.update(chisq_scaled=x2s, df_scaled=df,
               pvalue_scaled=float(stats.chi2.sf(x2s, df)) if df > 0 else np.nan,
               scaling_factor=1.0 / a, shift_parameter=b)
    # baseline: thresholds, means and variances free, correlations / covariances zero
    m = len(r)
    pr = om.pair_rows
    x2b = (n - 1) * float(np.sum(w_r[pr] * r[pr] ** 2))
    dfb = float(len(pr))
    g_rr = gamma[nt:, nt:]
    ub_g = w_r[pr, None] * g_rr[np.ix_(pr, pr)]
    ab, bb = _scaled_shifted(ub_g, dfb)
    x2bs = ab * x2b + bb
    out.update(baseline_chisq=x2b, baseline_df=dfb, baseline_chisq_scaled=x2bs,
               baseline_pvalue_scaled=float(stats.chi2.sf(x2bs, dfb)), baseline_scaling_factor=1.0 / ab)
    out["cfi"], out["tli"] = _relative(x2, df, x2b, dfb)
    out["cfi_scaled"], out["tli_scaled"] = _relative(x2s, df, x2bs, dfb)
    # robust (Savalei 2021, lavaan's catML): the ML discrepancy of the polychoric matrix at the DWLS estimates
    sigma = model.implied(theta)[0][0]
    corr = om.corr
    x3 = n * _ml_discrepancy(corr, sigma)
    x3b = n * _ml_discrepancy(corr, np.eye(len(corr)))
    mixed = om.continuous.size > 0
    # with continuous indicators lavaan reports the robust (catML) measures as NA: so do we
    if not mixed and df > 0 and np.isfinite(x3) and np.linalg.eigvalsh(corr)[0] >= np.sqrt(np.finfo(float).eps):
        si = np.linalg.inv(sigma)
        i, j = om.pi, om.pj
        v = si[i[:, None], i[None, :]] * si[j[:, None], j[None, :]] + si[i[:, None], j[None, :]] * si[
            j[:, None], i[None, :]]
        e_inv = bread  # inverse DWLS information, all parameters
        d_r = dl[nt:]
        wiu = np.eye(m) - d_r @ e_inv @ d_r.T * w_r[None, :]
        ks = float(np.sum((wiu.T @ v @ wiu) * g_rr.T))
        c3 = ks / df
        c3b = float(np.trace(g_rr)) / dfb
        out["cfi_robust"], out["tli_robust"] = _relative(x3, df, x3b, dfb, c3, c3b)
        out["rmsea_robust"] = _rmsea(x3, df, n - 1, c3)
        lo, hi = rmsea_ci(x3 / c3, df, n - 1)
        out["rmsea_ci_low_robust"], out["rmsea_ci_high_robust"] = lo * np.sqrt(c3), hi * np.sqrt(c3)
    else:
        out.update(cfi_robust=np.nan, tli_robust=np.nan, rmsea_robust=np.nan, rmsea_ci_low_robust=np.nan,
                   rmsea_ci_high_robust=np.nan)
    # RMSEA: lavaan divides by N - (number of groups) for (D)WLS estimators
    out["rmsea"] = _rmsea(x2, df, n - 1)
    out["rmsea_ci_low"], out["rmsea_ci_high"] = rmsea_ci(x2, df, n - 1)
    out["rmsea_scaled"] = _rmsea(x2s, df, n - 1)
    out["rmsea_ci_low_scaled"], out["rmsea_ci_high_scaled"] = rmsea_ci(x2s, df, n - 1)
    # SRMR: root mean square of the residual correlations (lavaan's srmr for categorical data)
    p = len(corr)
    dg = np.sqrt(np.diag(sigma))
    resid = (corr - sigma / np.outer(dg, dg))[np.triu_indices(p)]
    out["srmr"] = float(np.sqrt(np.mean(resid**2)))
    if df == 0:  # a saturated model reproduces the statistics: lavaan's conventions
        out.update(chisq=0.0, chisq_scaled=0.0, scaling_factor=np.nan, shift_parameter=np.nan)
        for k in ("cfi", "tli", "cfi_scaled", "tli_scaled", "cfi_robust", "tli_robust"):
            out[k] = 1.0
        for k in ("rmsea", "rmsea_ci_low", "rmsea_ci_high", "rmsea_scaled", "rmsea_ci_low_scaled",
                  "rmsea_ci_high_scaled", "rmsea_robust", "rmsea_ci_low_robust", "rmsea_ci_high_robust"):
            out[k] = 0.0
    extra = {"fmin": fmin, "scaling_a": a, "shift_b": b, "info": info, "delta": dl}
    return cov, out, extra


def backtrack(f, theta: np.ndarray, step: np.ndarray, fval: float) -> tuple[np.ndarray, float, np.ndarray]:
    """A Gauss-Newton step halved until the DWLS function does not increase (or the step is tiny):
    ``(new theta, its function value, the step taken)``; shared by the one- and multi-group fits."""
    t = 1.0
    while True:
        cand = theta + t * step
        f_new = f(cand)
        if f_new <= fval + 1e-14 * max(abs(fval), 1.0) or t < 1e-8:
            return cand, f_new, t * step
        t /= 2


# --------------------------------------------------------------------------------------------- one call
def estimate_wlsmv(*args, **kwargs):
    """Fit ``spec`` to the ordered items of ``data`` by WLSMV (BLAS limited to one thread, as the ML fits)."""
    with blas_single_thread():
        return _estimate_wlsmv(*args, **kwargs)


def _estimate_wlsmv(
    spec: Spec,
    data: pd.DataFrame,
    *,
    nan_policy: str,
    std_lv: bool,
    ci: float = 0.95,
    max_iter: int = 200,
    tol: float = 1e-9,
    ordered: Sequence[Hashable] | None = None,
):
    """Fit ``spec`` to the ordered items of ``data`` by WLSMV; returns the engine's ``Outcome``."""
    from .run import Outcome, _heywood

    ordered = list(spec.items) if ordered is None else list(ordered)
    continuous = [it for it in spec.items if it not in set(ordered)]
    om = ordinal_moments(data, spec.items, nan_policy, continuous)
    base = build_model(spec, std_lv=std_lv, meanstructure=False, n_groups=1)
    model = DeltaModel(base, ordered)
    df = len(om.s) - model.q - om.n_th
    if df < 0:
        raise ModelSpecificationError(
            f"the model has {model.q} free parameters besides the thresholds and means but only {len(om.pi)} "
            "correlations and variances; it is not identified (give constructs more items, or drop paths or residual "
            "covariances)."
        )
    h1 = [(_means(om, model.p), om.cov)]
    theta0 = start_values(model, h1, std_lv)
    _check_identification(model, om, theta0)
    theta, n_iter, converged = _dwls(model, om, theta0, max_iter, tol)
    if std_lv:
        theta = _first_loading_positive(model, theta)
    if not converged:
        warnings.warn(
            f"the WLSMV fit did not converge in {n_iter} Gauss-Newton iterations; estimates are unreliable. "
            "Check for constructs with weak or near-zero loadings, or increase max_iter.",
            ConvergenceWarning,
            stacklevel=stacklevel(),
        )
    cov_full, fit_ind, extra = wlsmv_inference(model, om, theta)
    q = model.q
    cov = cov_full[:q, :q]
    if np.linalg.eigvalsh((cov_full + cov_full.T) / 2)[0] < -1e-10 * np.abs(cov_full).max():
        warnings.warn(
            "the covariance matrix of the estimates is not positive definite; standard errors are unreliable "
            "(the model may be empirically under-identified).",
            HeywoodWarning,
            stacklevel=stacklevel(),
        )
    params = _params_table(model, om, theta, cov, cov_full, ci)
    fit = Fit(model, None, theta, n_iter, converged, h1)  # type: ignore[arg-type]
    eff = effects_table(model, theta, cov, ci)
    r2 = r_squared(model, theta)[0]
    std = standardized(model, theta)
    _heywood(model, theta, std)
    info = {
        "n_iter": n_iter,
        "converged": converged,
        "n_boot_ok": 0,
        "n_boot_failed": 0,
        "n_boot_improper": 0,
        "n_obs": om.n,
        "n_excluded": om.n_excluded,
        "thresholds": om.thresholds,
        "cov_full": cov_full,
        **extra,
    }
    return Outcome(model, fit, params, pd.Series(fit_ind, dtype=float), cov, r2, eff, info)


def _means(om: OrdinalMoments, p: int) -> np.ndarray:
    """Sample means of the continuous variables (0 for ordered items), from the statistics ``-mean``."""
    mu = np.zeros(p)
    cont = np.flatnonzero(~np.isin(om.uni_item, om.th_item))
    mu[om.uni_item[cont]] = -om.s[cont]
    return mu


def _params_table(
    model: DeltaModel, om: OrdinalMoments, theta: np.ndarray, cov: np.ndarray, cov_full: np.ndarray, ci: float
) -> pd.DataFrame:
    """lavaan's ``parameterEstimates`` layout: loadings, regressions, thresholds (op ``|``), (co)variances,
    scale factors (op ``~*~``, fixed at 1 in the delta parameterization)."""
    t = model.table
    q = model.q
    se_full = np.sqrt(np.clip(np.diag(cov_full), 0, None))
    vals = model.values(theta)
    free = t["free"].to_numpy()
    se_rows = np.where(free >= 0, se_full[np.maximum(free, 0)], 0.0)
    std = standardized(model, theta)
    jac = jacobian(lambda th: standardized(model, th), theta)
    std_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, cov, jac), 0, None))
    body = pd.DataFrame({"lhs": t["lhs"], "op": t["op"], "rhs": t["rhs"], "estimate": vals, "se": se_rows,
                         "std_estimate": std, "std_se": std_se, "_free": free >= 0})
    items = model.ov
    uni = om.s[: om.n_th]
    se_uni = se_full[q : q + om.n_th]
    is_th = np.isin(om.uni_item, om.th_item)
    tau, se_tau = uni[is_th], se_uni[is_th]
    th = pd.DataFrame({"lhs": [items[k] for k in om.th_item], "op": "|", "rhs": [f"t{k}" for k in om.th_num],
                       "estimate": tau, "se": se_tau, "std_estimate": tau, "std_se": se_tau, "_free": True})
    # intercepts of continuous indicators (the statistic is minus the mean): saturated, estimate = sample mean
    cont = om.uni_item[~is_th]
    sd_impl = np.sqrt(np.diag(model.implied(theta)[0][0]))[cont]
    nu_hat = -uni[~is_th]
    # std.all of an intercept, nu / sqrt(sigma_jj(theta)): delta method over the statistic and the model parameters
    d_sig = model.delta(theta)[0][0][:, cont, cont]  # (q, n_cont)
    grad = np.zeros((len(cont), q + om.n_th))
    grad[:, :q] = (-nu_hat / (2 * sd_impl**3) * d_sig).T
    grad[np.arange(len(cont)), q + np.flatnonzero(~is_th)] = -1.0 / sd_impl
    nu_std_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", grad, cov_full, grad), 0, None))
    nu = pd.DataFrame({"lhs": [items[k] for k in cont], "op": "~1", "rhs": "", "estimate": nu_hat,
                       "se": se_uni[~is_th], "std_estimate": nu_hat / sd_impl, "std_se": nu_std_se, "_free": True})
    ordered = [items[k] for k in model.ordered_pos]
    scale = pd.DataFrame({"lhs": ordered, "op": "~*~", "rhs": ordered, "estimate": 1.0, "se": 0.0,
                          "std_estimate": 1.0, "std_se": 0.0, "_free": False})
    head = body["op"].isin(["=~", "~"]).to_numpy() & (t["mat"].isin([LAMBDA, 1])).to_numpy()
    out = pd.concat([body[head], th, body[~head], nu, scale], ignore_index=True)
    is_free = out.pop("_free").to_numpy(dtype=bool)
    est, se = out["estimate"].to_numpy(dtype=float), out["se"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(is_free, est / se, np.nan)
    zc = stats.norm.ppf(0.5 + ci / 2)
    out.insert(5, "z", z)
    out.insert(6, "p", 2 * stats.norm.sf(np.abs(z)))
    out.insert(7, "ci_low", np.where(is_free, est - zc * se, est))
    out.insert(8, "ci_high", np.where(is_free, est + zc * se, est))
    return out


# --------------------------------------------------------------------------------------------- arguments
ORDINAL_NAN_POLICIES = ("listwise", "pairwise")


def ordered_items(ordered, items: Sequence[Hashable]) -> list[Hashable]:
    """The ordered items of the model in model order (``ordered`` already checked by :func:`check_ordered`)."""
    if ordered is True:
        return list(items)
    listed = set(ordered)
    return [it for it in items if it in listed]


def check_ordered(ordered, items: Sequence[Hashable], estimator: str, nan_policy: str, *,
                  mixed: bool = False) -> bool:
    """Validate ``ordered`` / ``estimator`` / ``nan_policy`` together; True when the fit is WLSMV.

    ``ordered`` is None/False (continuous items), True (every item of the model) or a list of item
    names. With ``mixed=True`` (single-group ``cfa`` / ``sem``) the list may leave out items, which are
    then continuous indicators (polyserial and Pearson statistics, as lavaan); otherwise (multi-group)
    it must name every item of the model and a mix is refused with that explanation.
    """
    from ..errors import ArgumentError, ArgumentTypeError

    if ordered is None or ordered is False:
        if estimator == "wlsmv":
            raise ArgumentError(
                "estimator='wlsmv' is for ordered (Likert) items: pass ordered=True (every item of the model) "
                "or ordered=[the item names]; for continuous items use estimator='ml' or 'mlr'."
            )
        return False
    if ordered is True:
        listed = list(items)
    elif isinstance(ordered, str) or not isinstance(ordered, Sequence | pd.Index):
        raise ArgumentTypeError(
            f"ordered must be True, False/None or a list of item names; got {type(ordered).__name__} {ordered!r}."
        )
    else:
        listed = list(ordered)
        unknown = [it for it in listed if it not in items]
        if unknown:
            raise ModelSpecificationError(
                f"ordered names {unknown}, which are not items of the model (items: {list(items)})."
            )
        if not listed:
            raise ModelSpecificationError(
                "ordered is an empty list: name the ordered items, or drop ordered= and use estimator='ml' or "
                "'mlr' for continuous items."
            )
        missing = [it for it in items if it not in listed]
        if missing and not mixed:
            raise ModelSpecificationError(
                f"ordered leaves out item(s) {missing} of the model. Multi-group WLSMV here needs every item "
                "to be ordered (a mix of ordered and continuous indicators is available in cfa and sem, one "
                "group); pass ordered=True, or treat all items as continuous with estimator='ml' or 'mlr'."
            )
    if estimator != "wlsmv":
        raise ArgumentError(
            f"ordered items are estimated by estimator='wlsmv' (lavaan's default for ordered data); got "
            f"estimator={estimator!r}. Pass estimator='wlsmv', or drop ordered= to treat the answers as continuous."
        )
    if nan_policy not in ORDINAL_NAN_POLICIES:
        raise ArgumentError(
            f"with estimator='wlsmv' nan_policy must be one of {list(ORDINAL_NAN_POLICIES)} ('pairwise' is "
            f"lavaan's missing = 'pairwise': each correlation uses everyone who answered both items); got "
            f"{nan_policy!r}."
        )
    return True
