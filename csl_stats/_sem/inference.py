"""Layer 4 of the SEM engine: standard errors, fit indices, standardized solution, effects.

Conventions are lavaan 0.6's: expected information for complete-data ML,
observed information (Hessian) under FIML and for MLR, the Huber-White
sandwich for MLR with the Yuan-Bentler scaled test (lavaan's
``"yuan.bentler.mplus"``), the baseline model with free means and variances
(by FIML when data are incomplete), and std.all standardization.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .estimator import Objective, casewise_scores, observed_information
from .fitting import Fit
from .moments import LOG2PI, baseline_loglik, minus2_loglik
from .specification import ALPHA, BETA, LAMBDA, NU, PSI, THETA, Model

__all__ = ["vcov", "fit_indices", "standardized", "effects_table", "jacobian", "rmsea_ci", "robust_test"]


def jacobian(fun: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of a vector function of the free parameters."""
    f0 = np.asarray(fun(theta))
    out = np.empty((f0.size, theta.size))
    for k in range(theta.size):
        step = h * max(1.0, abs(theta[k]))
        e = np.zeros_like(theta)
        e[k] = step
        out[:, k] = (np.asarray(fun(theta + e)) - np.asarray(fun(theta - e))) / (2 * step)
    return out


def information(fit: Fit, kind: str) -> np.ndarray:
    """Information matrix of the log-likelihood per observation (``kind`` expected/observed)."""
    if kind == "expected":
        info = fit.objective.expected_information(fit.theta)
    else:
        info = observed_information(fit.objective, fit.theta)
    return info / 2.0  # F = -2 log L / N


def vcov(fit: Fit, *, kind: str, data: Sequence[np.ndarray] | None = None) -> tuple[np.ndarray, dict]:
    """Covariance matrix of the estimates: ``kind`` in {"expected", "observed", "sandwich"}."""
    n = fit.objective.n_total
    extra: dict = {}
    bread = information(fit, "expected" if kind == "expected" else "observed")
    try:
        inv = np.linalg.inv(bread)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(bread)
    extra["info_inv"] = inv
    if kind != "sandwich":
        return inv / n, extra
    scores = casewise_scores(fit.model, data, fit.theta)
    meat = scores.T @ scores / n
    extra["meat"] = meat
    return inv @ meat @ inv / n, extra


def _moments_count(fit: Fit) -> int:
    p = fit.model.p
    per = p * (p + 1) // 2 + (p if fit.model.meanstructure else 0)
    return per * fit.model.n_groups


def model_loglik(fit: Fit) -> float:
    return -0.5 * fit.objective.n_total * fit.objective.value(fit.theta)


def h1_loglik(fit: Fit) -> float:
    total = 0.0
    for mom, (mu, sigma) in zip(fit.objective.groups, fit.h1, strict=True):
        total += -0.5 * minus2_loglik(mom, sigma, mu if fit.model.meanstructure else None)[0]
    return total


def rmsea_ci(chisq: float, df: float, n: int, g: int = 1, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the noncentral chi-square (as lavaan)."""
    if df <= 0:
        return np.nan, np.nan
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def ncp_for(prob: float) -> float:
        def h(lam: float) -> float:
            cdf = stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df)
            return float(cdf) - prob

        if h(0.0) < 0:
            return 0.0
        hi = max(chisq, 1.0)
        while h(hi) > 0:
            hi *= 2
        return optimize.brentq(h, 0.0, hi, xtol=1e-12)

    lo, hi = ncp_for(upper_p), ncp_for(lower_p)
    return float(np.sqrt(lo / (n * df)) * np.sqrt(g)), float(np.sqrt(hi / (n * df)) * np.sqrt(g))


def _srmr(fit: Fit) -> float:
    vals = []
    weights = []
    for mom, (mu_s, s), (sigma, mu) in zip(
        fit.objective.groups, fit.h1, fit.model.implied(fit.theta), strict=True
    ):
        sd = np.sqrt(np.diag(s))
        resid = (s - sigma) / np.outer(sd, sd)
        iu = np.triu_indices(len(sd))
        sq = list(resid[iu] ** 2)
        if fit.model.meanstructure:
            sq += list(((mu_s - mu) / sd) ** 2)
        vals.append(np.sqrt(np.mean(sq)))
        weights.append(mom.n)
    return float(np.average(vals, weights=weights))


def fit_indices(fit: Fit, *, npar: int | None = None) -> dict[str, float]:
    """lavaan's ``fitMeasures`` (ML / FIML)."""
    n = fit.objective.n_total
    g = fit.model.n_groups
    p = fit.model.p
    npar = fit.model.q if npar is None else npar
    df = _moments_count(fit) - npar
    logl = model_loglik(fit)
    logl_h1 = h1_loglik(fit)
    chisq = max(2 * (logl_h1 - logl), 0.0)
    if df == 0 and chisq < 1e-6:  # a saturated model reproduces the moments: its chi-square is 0
        chisq = 0.0
    base_ll = sum(baseline_loglik(mom)[0] for mom in fit.objective.groups)
    base_chisq = 2 * (logl_h1 - base_ll)
    base_df = g * p * (p - 1) // 2
    out: dict[str, float] = {"chisq": chisq, "df": float(df)}
    out["pvalue"] = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    out.update(_relative(chisq, df, base_chisq, base_df))
    out.update(_rmsea(chisq, df, n, g))
    out["srmr"] = _srmr(fit)
    out["baseline_chisq"] = base_chisq
    out["baseline_df"] = float(base_df)
    out["loglik"] = logl
    out["loglik_h1"] = logl_h1
    out["aic"] = -2 * logl + 2 * npar
    out["bic"] = -2 * logl + np.log(n) * npar
    out["npar"] = float(npar)
    return out


def _relative(chisq: float, df: float, base_chisq: float, base_df: float, suffix: str = "") -> dict:
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, base_chisq - base_df, 0.0)
    cfi = 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2
    if df > 0:
        num = base_chisq / base_df - chisq / df
        den = base_chisq / base_df - 1
        tli = 1.0 if (num < 0 and den < 0) else num / den
    else:
        tli = 1.0
    return {"cfi" + suffix: cfi, "tli" + suffix: tli}


def _rmsea(chisq: float, df: float, n: int, g: int) -> dict:
    if df > 0:
        rmsea = float(np.sqrt(max(chisq / (n * df) - 1 / n, 0.0)) * np.sqrt(g))
        lo, hi = rmsea_ci(chisq, df, n, g)
        pv = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2 / g))
    else:
        rmsea, lo, hi, pv = 0.0, 0.0, 0.0, np.nan
    return {"rmsea": rmsea, "rmsea_ci_low": lo, "rmsea_ci_high": hi, "rmsea_pvalue": pv}


# --------------------------------------------------------------------------- standardized solution
def latent_moments(model: Model, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per group: total latent covariance matrix and model-implied item variances."""
    out = []
    for mat, (sigma, _mu) in zip(model.matrices(theta), model.implied(theta), strict=True):
        a = mat["a"]
        out.append((a @ mat["psi"] @ a.T, np.diag(sigma)))
    return out


def standardized(model: Model, theta: np.ndarray) -> np.ndarray:
    """std.all value of every table row (lavaan's ``standardizedSolution``)."""
    v = model.values(theta)
    t = model.table
    mats, grp, row, col = t["mat"].to_numpy(), t["group"].to_numpy(), t["row"].to_numpy(), t["col"].to_numpy()
    lm = latent_moments(model, theta)
    sd_lv = np.sqrt(np.clip(np.array([np.diag(eta) for eta, _ in lm]), 0, None))[grp]  # (rows, m)
    sd_ov = np.sqrt(np.clip(np.array([ov for _, ov in lm]), 0, None))[grp]  # (rows, p)
    r = np.arange(len(t))
    ri = np.minimum(row, sd_ov.shape[1] - 1)
    li = np.minimum(row, sd_lv.shape[1] - 1)
    lj = np.minimum(col, sd_lv.shape[1] - 1)
    oj = np.minimum(col, sd_ov.shape[1] - 1)
    scale = np.ones(len(t))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(mats == LAMBDA, sd_lv[r, lj] / sd_ov[r, ri], scale)
        scale = np.where(mats == BETA, sd_lv[r, lj] / sd_lv[r, li], scale)
        scale = np.where(mats == PSI, 1 / (sd_lv[r, li] * sd_lv[r, lj]), scale)
        scale = np.where(mats == THETA, 1 / (sd_ov[r, ri] * sd_ov[r, oj]), scale)
        # residual covariances (off-diagonal): correlations of the residuals, as lavaan's std.all
        mm = model.matrices(theta)
        rv_lv = np.array([np.diag(m_["psi"]) for m_ in mm])[grp]
        rv_ov = np.array([np.diag(m_["theta"]) for m_ in mm])[grp]
        off = row != col
        scale = np.where((mats == PSI) & off, 1 / np.sqrt(rv_lv[r, li] * rv_lv[r, lj]), scale)
        scale = np.where((mats == THETA) & off, 1 / np.sqrt(rv_ov[r, ri] * rv_ov[r, oj]), scale)
        scale = np.where(mats == NU, 1 / sd_ov[r, ri], scale)
        scale = np.where(mats == ALPHA, 1 / sd_lv[r, li], scale)
        return v * scale


def r_squared(model: Model, theta: np.ndarray) -> list[pd.Series]:
    """R^2 of every endogenous construct, per group."""
    lv_pos = {c: j for j, c in enumerate(model.lv)}
    out = []
    for mat, (eta, _ov) in zip(model.matrices(theta), latent_moments(model, theta), strict=True):
        vals = {
            c: 1 - mat["psi"][lv_pos[c], lv_pos[c]] / eta[lv_pos[c], lv_pos[c]] for c in model.spec.endogenous
        }
        out.append(pd.Series(vals, dtype=float, name="r2"))
    return out


# --------------------------------------------------------------------------- effects
def effect_pairs(model: Model) -> list[tuple[str, str]]:
    """Ordered pairs of constructs joined by a directed path."""
    m = model.m
    adj = np.zeros((m, m), dtype=bool)  # adj[to, from]
    pos = {c: j for j, c in enumerate(model.lv)}
    for a, b in model.spec.structural:
        adj[pos[b], pos[a]] = True
    reach = adj.copy()
    for _ in range(m):
        reach = reach | (reach.astype(int) @ adj.astype(int) > 0)
    return [(model.lv[j], model.lv[i]) for j in range(m) for i in range(m) if reach[i, j]]


def effects_vector(
    model: Model, theta: np.ndarray, pairs: Sequence[tuple[str, str]], std: bool = False, group: int = 0
) -> np.ndarray:
    """Direct, indirect and total effect (in that order) of every pair, flattened."""
    mat = model.matrices(theta)[group]
    b, a = mat["beta"], mat["a"]
    total = a - np.eye(model.m)
    pos = {c: j for j, c in enumerate(model.lv)}
    if std:
        eta = a @ mat["psi"] @ a.T
        sd = np.sqrt(np.diag(eta))
    out = []
    for frm, to in pairs:
        i, j = pos[to], pos[frm]
        vals = np.array([b[i, j], total[i, j] - b[i, j], total[i, j]])
        if std:
            vals = vals * sd[j] / sd[i]
        out.extend(vals)
    return np.array(out)


def effects_table(
    model: Model,
    theta: np.ndarray,
    cov: np.ndarray,
    ci: float,
    boot: np.ndarray | None = None,
    boot_ci: Callable | None = None,
) -> pd.DataFrame:
    pairs = effect_pairs(model)
    cols = ["from", "to", "kind", "estimate", "se", "z", "p", "ci_low", "ci_high", "std_estimate"]
    if not pairs:
        return pd.DataFrame(columns=cols)
    est = effects_vector(model, theta, pairs)
    jac = jacobian(lambda th: effects_vector(model, th, pairs), theta)
    se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, cov, jac), 0, None))
    std = effects_vector(model, theta, pairs, std=True)
    rows = [(f, t, k) for f, t in pairs for k in ("direct", "indirect", "total")]
    tab = pd.DataFrame(rows, columns=["from", "to", "kind"])
    tab["estimate"] = est
    tab["se"] = se
    with np.errstate(divide="ignore", invalid="ignore"):
        tab["z"] = est / se
    tab["p"] = 2 * stats.norm.sf(np.abs(tab["z"]))
    zc = stats.norm.ppf(0.5 + ci / 2)
    if boot is None:
        tab["ci_low"], tab["ci_high"] = est - zc * se, est + zc * se
    else:
        lo, hi = boot_ci(est, np.array([effects_vector(model, th, pairs) for th in boot]))
        tab["ci_low"], tab["ci_high"] = lo, hi
    tab["std_estimate"] = std
    # rows only for effects the path diagram contains (no direct row without a path, no indirect
    # row without a path of length 2 or more)
    direct = set(model.spec.structural)
    longer = set(indirect_pairs(model))
    keep = [
        (k == "total") or (k == "direct" and (f, t) in direct) or (k == "indirect" and (f, t) in longer)
        for f, t, k in rows
    ]
    return tab[np.array(keep)].reset_index(drop=True)


def indirect_pairs(model: Model) -> list[tuple[str, str]]:
    """Pairs joined by a directed path of length 2 or more."""
    m = model.m
    pos = {c: j for j, c in enumerate(model.lv)}
    adj = np.zeros((m, m), dtype=int)
    for a, b in model.spec.structural:
        adj[pos[b], pos[a]] = 1
    step = adj @ adj
    reach = step > 0
    for _ in range(m):
        step = step @ adj
        reach |= step > 0
    return [(model.lv[j], model.lv[i]) for j in range(m) for i in range(m) if reach[i, j]]


def robust_test(fit: Fit, extra: dict, data: Sequence[np.ndarray], df: float) -> float:
    """Yuan-Bentler scaling factor (lavaan's MLR, "yuan.bentler.mplus").

    :math:`c = [\\mathrm{tr}(A_1^{-1}B_1) - \\mathrm{tr}(J^{-1} B)]/df` with the
    h1 (saturated) observed information :math:`A_1` and first-order information
    :math:`B_1`, both evaluated at the unrestricted (h1, EM under missing data)
    moments, :math:`J` the observed information of the model and :math:`B` its
    first-order information (the pieces of the sandwich). This reproduces
    lavaan 0.6-14's MLR scaling factor to 1e-6.
    """
    sat = saturated_fit(fit)
    a1 = information(sat, "observed")
    scores = casewise_scores(sat.model, data, sat.theta)
    b1 = scores.T @ scores / fit.objective.n_total
    trace_h1 = float(np.trace(np.linalg.solve(a1, b1)))
    trace_h0 = float(np.trace(extra["info_inv"] @ extra["meat"]))
    return (trace_h1 - trace_h0) / df


class _SaturatedModel:
    """Unrestricted mean/covariance "model" (for the robust test), at the h1 moments.

    Parameters per group: the means (only with a mean structure) and vech(Sigma).
    """

    def __init__(self, model: Model):
        self.p = model.p
        self.n_groups = model.n_groups
        self.meanstructure = model.meanstructure
        self.iu = np.triu_indices(self.p)
        self.nm = self.p if self.meanstructure else 0
        self.per = self.nm + len(self.iu[0])
        self.q = self.per * self.n_groups
        self.lv, self.ov = model.lv, model.ov
        self.linear = np.ones(self.q, dtype=bool)

    def implied(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for g in range(self.n_groups):
            blk = theta[g * self.per : (g + 1) * self.per]
            mu = blk[: self.nm] if self.meanstructure else np.zeros(self.p)
            s = np.zeros((self.p, self.p))
            s[self.iu] = blk[self.nm :]
            s = s + np.triu(s, 1).T
            out.append((s, mu))
        return out

    def delta(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for g in range(self.n_groups):
            ds = np.zeros((self.q, self.p, self.p))
            dm = np.zeros((self.q, self.p))
            off = g * self.per
            if self.meanstructure:
                dm[off + np.arange(self.p), np.arange(self.p)] = 1.0
            k = off + self.nm + np.arange(len(self.iu[0]))
            ds[k, self.iu[0], self.iu[1]] = 1.0
            ds[k, self.iu[1], self.iu[0]] = 1.0
            out.append((ds, dm))
        return out


def saturated_fit(fit: Fit) -> Fit:
    sat = _SaturatedModel(fit.model)
    theta = np.concatenate(
        [np.concatenate([mu if sat.meanstructure else [], sigma[sat.iu]]) for mu, sigma in fit.h1]
    )
    obj = Objective(sat, fit.objective.groups)  # type: ignore[arg-type]
    return Fit(sat, obj, theta, 0, True, fit.h1)  # type: ignore[arg-type]


__all__ += [
    "information",
    "h1_loglik",
    "model_loglik",
    "r_squared",
    "effect_pairs",
    "effects_vector",
    "saturated_fit",
    "LOG2PI",
]
