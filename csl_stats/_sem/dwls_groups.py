"""Multi-group WLSMV for measurement invariance of ordered items (Wu & Estabrook 2016 identification).

The engine's multi-group LISREL model (:mod:`.specification`, with a mean structure) gives
per group the loadings, latent (co)variances, latent means and the intercepts :math:`\\nu` of the
latent responses; thresholds :math:`\\tau` and scale factors :math:`\\Delta_j = 1/\\mathrm{sd}(y^*_j)`
are added here. In the delta parameterization group g implies the thresholds
:math:`\\Delta_j(\\tau_{jc} - \\nu_j - (\\Lambda A\\alpha)_j)` and the polychoric correlations
:math:`\\Delta_j\\Delta_k(\\Lambda A\\Psi A^\\top\\Lambda^\\top)_{jk}`. The levels and their
identification are those of ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat =
"Wu.Estabrook.2016", parameterization = "delta")``:

* configural: thresholds free in every group; intercepts 0, scales 1, latent means 0 and
  variances 1 in every group;
* thresholds: thresholds equal; intercepts and scales free in all groups but the first (a binary
  item, with one threshold, only its intercept; its scale is freed at the intercepts level);
* loadings (and thresholds): loadings equal as well; latent variances free in all groups but the first;
* intercepts (and loadings and thresholds): intercepts 0 in every group; latent means free in all
  groups but the first.

DWLS minimises :math:`\\sum_g (n_g/N) F_g`; the statistic is :math:`T = \\sum_g (n_g - 1) F_g`, its
scaled-shifted version uses :math:`\\sum_g` of the per-group traces of :math:`U\\Gamma` with
:math:`U` from the joint model (group weights :math:`n_g/N`), and nested levels are compared by
lavaan's ``lavTestLRT`` for WLSMV (Satorra 2000, scaled and shifted, with the restrictions found by
lavaan's ``"delta"`` method).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, stats

from ..errors import ScaleError
from .dwls import OrdinalMoments, _relative, _rmsea, backtrack, ordinal_moments
from .fitting import start_values
from .inference import jacobian
from .specification import ALPHA, NU, PSI, Model, Spec, build_model

__all__ = ["ORDINAL_LEVELS", "GroupFit", "fit_level", "difference_test"]

ORDINAL_LEVELS = ("configural", "thresholds", "loadings", "intercepts")


@dataclass
class GroupFit:
    level: str
    model: Model
    theta: np.ndarray  # base parameters, then thresholds, then scales
    labels: list[str]
    moms: list[OrdinalMoments]
    delta: list[np.ndarray]  # per group d sigma_g / d theta
    info: np.ndarray  # sum_g (n_g/N) Delta_g' W_g Delta_g
    cov: np.ndarray
    fit: dict
    params: pd.DataFrame
    converged: bool


def _tables(spec: Spec, n_groups: int, level: str, n_th: list[int], binary: Sequence = ()):
    k = ORDINAL_LEVELS.index(level)
    # a binary item has a single threshold, so its intercept and scale cannot both be free (Wu & Estabrook
    # 2016); as semTools, at the thresholds and loadings levels its intercept is free and its scale fixed
    # at 1, at the intercepts level its intercept is 0 and its scale free
    is_bin = np.array([it in set(binary) for it in spec.items])
    equal = ("loadings",) if k >= 2 else ()
    base = build_model(spec, std_lv=True, meanstructure=True, n_groups=n_groups, group_equal=equal)
    t = base.table.copy()
    grp = t["group"].to_numpy()
    nxt = int(t["free"].max()) + 1
    theta_diag = (t["op"] == "~~") & (t["lhs"] == t["rhs"]) & t["lhs"].isin(spec.items)
    t.loc[theta_diag, "free"] = -1  # delta parameterization: residual variances follow from the scales
    nu = (t["mat"] == NU).to_numpy()
    free_nu = nu & (grp > 0) & (k in (1, 2))
    t.loc[nu & ~free_nu, "free"] = -1
    t.loc[nu, "value"] = 0.0
    lv_var = ((t["mat"] == PSI) & (t["row"] == t["col"])).to_numpy()
    for r in np.flatnonzero(lv_var & (grp > 0) & (k >= 2)):
        t.loc[r, "free"] = nxt
        nxt += 1
    alpha = (t["mat"] == ALPHA).to_numpy()
    t.loc[alpha, "free"] = -1
    for r in np.flatnonzero(alpha & (grp > 0) & (k >= 3)):
        t.loc[r, "free"] = nxt
        nxt += 1
    for r in np.flatnonzero(free_nu):
        t.loc[r, "free"] = nxt
        nxt += 1
    free = t["free"].to_numpy()
    keep = np.unique(free[free >= 0])
    remap = {int(o): i for i, o in enumerate(keep)}
    t["free"] = [remap.get(int(f), -1) for f in free]
    model = Model(spec, t, n_groups, True)
    q = model.q
    # thresholds: one block per group (configural) or one shared block
    th_index = []
    if k == 0:
        for g in range(n_groups):
            th_index.append(q + sum(n_th[:g]) + np.arange(n_th[g]))
        n_extra = sum(n_th)
    else:
        th_index = [q + np.arange(n_th[0]) for _ in range(n_groups)]
        n_extra = n_th[0]
    sc_index = []
    start = q + n_extra
    free_sc = ~is_bin if k in (1, 2) else np.ones(len(spec.items), dtype=bool)
    for g in range(n_groups):
        if k == 0 or g == 0 or not free_sc.any():
            sc_index.append(None)
        else:
            idx = np.full(len(spec.items), -1)
            idx[free_sc] = start + np.arange(int(free_sc.sum()))
            sc_index.append(idx)
            start += int(free_sc.sum())
    return model, th_index, sc_index, start


def _scales(theta: np.ndarray, idx: np.ndarray | None, p: int) -> np.ndarray:
    """The scale factors of one group: 1 where fixed (``idx`` -1 or no free scale), else from ``theta``."""
    sc = np.ones(p)
    if idx is not None:
        sc[idx >= 0] = theta[idx[idx >= 0]]
    return sc


class _Level:
    def __init__(self, spec: Spec, moms: list[OrdinalMoments], level: str):
        self.spec, self.moms, self.level = spec, moms, level
        self.G = len(moms)
        n_th = [m.n_th for m in moms]
        if len(set(n_th)) > 1 or any((m.th_item != moms[0].th_item).any() for m in moms):
            raise ScaleError("the groups differ in the answer categories of some item; merge rare categories first.")
        binary = [it for j, it in enumerate(spec.items) if int(np.sum(moms[0].th_item == j)) == 1]
        self.model, self.th_index, self.sc_index, self.n_par = _tables(spec, self.G, level, n_th, binary)
        self.n = np.array([m.n for m in moms], dtype=float)
        self.fg = self.n / self.n.sum()

    def implied(self, theta: np.ndarray) -> list[np.ndarray]:
        q = self.model.q
        out = []
        for g, mat in enumerate(self.model.matrices(theta[:q])):
            m = self.moms[g]
            la = mat["lambda"] @ mat["a"]
            common = la @ mat["psi"] @ la.T
            mu = mat["nu"] + la @ mat["alpha"]
            sc = _scales(theta, self.sc_index[g], self.model.p)
            tau = theta[self.th_index[g]]
            th = sc[m.th_item] * (tau - mu[m.th_item])
            rho = sc[m.pi] * sc[m.pj] * common[m.pi, m.pj]
            out.append(np.concatenate([th, rho]))
        return out

    def stacked(self, theta: np.ndarray) -> np.ndarray:
        return np.concatenate(self.implied(theta))

    def start(self) -> np.ndarray:
        base = start_values(self.model, [(np.zeros(self.model.p), m.corr) for m in self.moms], True)
        theta = np.zeros(self.n_par)
        theta[: self.model.q] = base
        for g in range(self.G):
            theta[self.th_index[g]] = self.moms[g].s[: self.moms[g].n_th]
            if self.sc_index[g] is not None:
                theta[self.sc_index[g][self.sc_index[g] >= 0]] = 1.0
        return theta


def _gauss_newton(lev: _Level, theta: np.ndarray, max_iter: int, tol: float):
    s = [m.s for m in lev.moms]
    w = [m.w for m in lev.moms]

    def f(th: np.ndarray) -> float:
        return float(sum(fg * np.sum(wg * (sg - sig) ** 2)
                         for fg, wg, sg, sig in zip(lev.fg, w, s, lev.implied(th), strict=True)))

    fval = f(theta)
    for _ in range(max_iter):
        d = jacobian(lev.stacked, theta)
        wall = np.concatenate([fg * wg for fg, wg in zip(lev.fg, w, strict=True)])
        e = np.concatenate(s) - lev.stacked(theta)
        h = d.T @ (wall[:, None] * d)
        step = np.linalg.lstsq(h, d.T @ (wall * e), rcond=None)[0]
        theta, fval, moved = backtrack(f, theta, step, fval)
        small = np.max(np.abs(moved)) < tol
        if small:
            return theta, True
    return theta, False


def _labels(lev: _Level, groups: Sequence) -> pd.DataFrame:
    """One row per table entry (lhs, op, rhs, group, index into theta or -1, fixed value)."""
    t = lev.model.table
    rows = [{"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": groups[r.group], "idx": int(r.free),
             "value": float(r.value), "kind": int(r.mat), "g": int(r.group)} for r in t.itertuples()]
    items = lev.model.ov
    for g in range(lev.G):
        m = lev.moms[g]
        for k, (j, num) in enumerate(zip(m.th_item, m.th_num, strict=True)):
            rows.append({"lhs": items[j], "op": "|", "rhs": f"t{num}", "group": groups[g],
                         "idx": int(lev.th_index[g][k]), "value": np.nan, "kind": -1, "g": g})
        for j, it in enumerate(items):
            idx = -1 if lev.sc_index[g] is None else int(lev.sc_index[g][j])
            rows.append({"lhs": it, "op": "~*~", "rhs": it, "group": groups[g], "idx": idx, "value": 1.0,
                         "kind": -2, "g": g})
    return pd.DataFrame(rows)


def fit_level(spec: Spec, data_groups: list[pd.DataFrame], groups: Sequence, level: str, *, nan_policy: str,
              max_iter: int = 200, tol: float = 1e-9, moms: list[OrdinalMoments] | None = None) -> GroupFit:
    if moms is None:
        moms = [ordinal_moments(d, spec.items, nan_policy) for d in data_groups]
    lev = _Level(spec, moms, level)
    theta, converged = _gauss_newton(lev, lev.start(), max_iter, tol)
    G = lev.G
    sizes = [len(m.s) for m in moms]
    d_all = jacobian(lev.stacked, theta)
    cuts = np.cumsum([0, *sizes])
    deltas = [d_all[cuts[g] : cuts[g + 1]] for g in range(G)]
    info = sum(fg * d.T @ (m.w[:, None] * d) for fg, d, m in zip(lev.fg, deltas, moms, strict=True))
    bread = np.linalg.pinv(info)
    meat = sum(fg * (m.w[:, None] * d).T @ m.gamma @ (m.w[:, None] * d)
               for fg, d, m in zip(lev.fg, deltas, moms, strict=True))
    N = lev.n.sum()
    cov = bread @ meat @ bread / (N - G)
    # statistics
    imp = lev.implied(theta)
    fmins = np.array([np.sum(m.w * (m.s - sig) ** 2) for m, sig in zip(moms, imp, strict=True)])
    T = float(np.sum((lev.n - 1) * fmins))
    npar = theta.size
    df = float(sum(sizes) - npar)
    # U Gamma over the stacked groups (W_all = fg W_g, Gamma_all = Gamma_g / fg)
    w_all = np.concatenate([fg * m.w for fg, m in zip(lev.fg, moms, strict=True)])
    g_all = linalg.block_diag(*[m.gamma / fg for fg, m in zip(lev.fg, moms, strict=True)])
    wd = w_all[:, None] * d_all
    u = np.diag(w_all) - wd @ bread @ wd.T
    ug = u @ g_all
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = np.sqrt(df / tr2) if df > 0 else np.nan
    b = df - a * tr1 if df > 0 else np.nan
    ts = a * T + b if df > 0 else 0.0
    # baseline: thresholds free, correlations 0 in every group
    tb, trb1, trb2, dfb = 0.0, 0.0, 0.0, 0.0
    for ng, m in zip(lev.n, moms, strict=True):
        r, wr, grr = m.s[m.n_th :], m.w[m.n_th :], m.gamma[m.n_th :, m.n_th :]
        tb += (ng - 1) * float(np.sum(wr * r * r))
        ubg = wr[:, None] * grr
        trb1 += float(np.trace(ubg))
        trb2 += float(np.sum(ubg * ubg.T))
        dfb += len(r)
    ab = np.sqrt(dfb / trb2)
    tbs = ab * tb + (dfb - ab * trb1)
    n_eff = N - G
    fit = {"npar": float(npar), "chisq": T, "df": df,
           "pvalue": float(stats.chi2.sf(T, df)) if df > 0 else np.nan,
           "chisq_scaled": ts, "pvalue_scaled": float(stats.chi2.sf(ts, df)) if df > 0 else np.nan,
           "scaling_factor": 1 / a if df > 0 else np.nan, "shift_parameter": b,
           "baseline_chisq": tb, "baseline_df": dfb, "baseline_chisq_scaled": tbs}
    fit["cfi"], fit["tli"] = _relative(T, df, tb, dfb)
    fit["cfi_scaled"], fit["tli_scaled"] = _relative(ts, df, tbs, dfb)
    fit["rmsea"] = _rmsea(T, df, n_eff) * np.sqrt(G)
    fit["rmsea_scaled"] = _rmsea(ts, df, n_eff) * np.sqrt(G)
    srmr = []
    for g, m in enumerate(moms):
        resid = np.concatenate([m.s[m.n_th :] - imp[g][m.n_th :], np.zeros(lev.model.p)])
        srmr.append(np.sqrt(np.mean(resid**2)))
    fit["srmr"] = float(np.sum(lev.fg * np.array(srmr)))
    # parameter table
    lab = _labels(lev, groups)
    idx = lab["idx"].to_numpy()
    est = np.where(idx >= 0, theta[np.maximum(idx, 0)], lab["value"].to_numpy())
    se = np.where(idx >= 0, np.sqrt(np.clip(np.diag(cov), 0, None))[np.maximum(idx, 0)], 0.0)
    # residual variances of the latent responses (delta parameterization): 1 / scale^2 - common part
    for g, mat in enumerate(lev.model.matrices(theta[: lev.model.q])):
        la = mat["lambda"] @ mat["a"]
        common = np.einsum("ij,jk,ik->i", la, mat["psi"], la)
        sc = _scales(theta, lev.sc_index[g], lev.model.p)
        rows = np.flatnonzero((lab["g"] == g).to_numpy() & (lab["op"] == "~~").to_numpy()
                              & (lab["lhs"] == lab["rhs"]).to_numpy() & lab["lhs"].isin(spec.items).to_numpy())
        for r in rows:
            j = lev.model.ov.index(lab.at[r, "lhs"])
            est[r] = 1 / sc[j] ** 2 - common[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(idx >= 0, est / se, np.nan)
    params = pd.DataFrame({"lhs": lab["lhs"], "op": lab["op"], "rhs": lab["rhs"], "group": lab["group"],
                           "estimate": est, "se": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z))})
    return GroupFit(level, lev.model, theta, [], moms, deltas, info, cov, fit, params, converged)


def difference_test(m1: GroupFit, m0: GroupFit) -> dict:
    """lavaan's ``lavTestLRT(m1, m0)`` for WLSMV: Satorra (2000), scaled and shifted, ``A.method = "delta"``.

    ``m1`` is the less restricted model; the restrictions are the orthogonal complement of
    :math:`H = \\Delta_1^+\\Delta_0`, each Jacobian at its own model's estimates.
    """
    t1, t0 = m1.fit["chisq"], m0.fit["chisq"]
    m = m0.fit["df"] - m1.fit["df"]
    if m <= 0:  # not nested by df (binary items: equal thresholds is configural again): no test, as lavaan
        return {"chisq_diff": np.nan, "df_diff": m, "p_diff": np.nan}
    d1 = np.vstack(m1.delta)
    d0 = np.vstack(m0.delta)
    h = np.linalg.pinv(d1) @ d0
    # orthogonal complement of the column space of h
    uu, sv, _ = np.linalg.svd(h, full_matrices=True)
    rank = int(np.sum(sv > sv.max() * max(h.shape) * np.finfo(float).eps))
    a_mat = uu[:, rank:].T
    p_inv = np.linalg.pinv(m1.info)
    apa = a_mat @ p_inv @ a_mat.T
    paap = p_inv @ a_mat.T @ np.linalg.pinv(apa) @ a_mat @ p_inv
    fg = np.array([mm.n for mm in m1.moms], dtype=float)
    fg = fg / fg.sum()
    w_all = np.concatenate([mm.w for mm in m1.moms])
    g_all = linalg.block_diag(*[f * mm.gamma for f, mm in zip(fg, m1.moms, strict=True)])
    u = (w_all[:, None] * d1) @ paap @ (w_all[:, None] * d1).T
    ug = u @ g_all
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    diff = (t0 - t1) * a + b
    return {"chisq_diff": diff, "df_diff": m, "p_diff": float(stats.chi2.sf(diff, m))}
