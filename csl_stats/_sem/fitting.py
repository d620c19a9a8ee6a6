"""Start values, identification check and the fit of one model (glue of layers 1-3)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import stacklevel
from ..errors import ConvergenceWarning, ModelSpecificationError
from .estimator import Objective, fisher_scoring
from .moments import Moments, em_saturated, moments_from_array
from .specification import ALPHA, BETA, LAMBDA, NU, PSI, THETA, Model

__all__ = ["Fit", "start_values", "fit_model", "check_identification"]


@dataclass
class Fit:
    model: Model
    objective: Objective
    theta: np.ndarray
    n_iter: int
    converged: bool
    h1: list[tuple[np.ndarray, np.ndarray]]  # unrestricted (mu, Sigma) per group


def _one_factor(s: np.ndarray) -> np.ndarray:
    """Principal-axis loadings of a one-factor model of the block ``s`` (first loading positive)."""
    d = np.diag(s)
    if len(d) == 1:
        return np.sqrt(d)
    try:
        h = np.clip(d - 1.0 / np.diag(np.linalg.inv(s)), 0.05 * d, 0.95 * d)
    except np.linalg.LinAlgError:
        h = 0.5 * d
    load = np.sqrt(0.5 * d)
    for _ in range(3):
        w, v = np.linalg.eigh(s - np.diag(d) + np.diag(h))
        load = v[:, -1] * np.sqrt(max(w[-1], 1e-8))
        h = np.clip(load**2, 0.05 * d, 0.95 * d)
    return -load if load[0] < 0 else load


def start_values(model: Model, h1: Sequence[tuple[np.ndarray, np.ndarray]], std_lv: bool) -> np.ndarray:
    """Start values from each group's unrestricted moments (lavaan-like "simple" starts, refined)."""
    theta = np.zeros(model.q)
    assigned = np.zeros(model.q, dtype=bool)
    t = model.table
    spec = model.spec
    ov_pos = {it: i for i, it in enumerate(model.ov)}
    for g, (mu, s) in enumerate(h1):
        lam = np.zeros((model.p, model.m))
        scale = np.ones(model.m)
        for j, items in enumerate(spec.measurement.values()):
            idx = [ov_pos[it] for it in items]
            load = _one_factor(s[np.ix_(idx, idx)])
            if len(items) == 1:
                load = np.array([1.0])
                scale[j] = np.sqrt(s[idx[0], idx[0]])
            elif not std_lv:
                scale[j] = load[0]
                load = load / load[0]
            lam[idx, j] = load
        # latent covariances implied by the loadings: C_jk = l_j' S_jk l_k / (l_j'l_j l_k'l_k)
        cov = np.zeros((model.m, model.m))
        for j in range(model.m):
            for k in range(model.m):
                lj, lk = lam[:, j], lam[:, k]
                cov[j, k] = lj @ s @ lk / ((lj @ lj) * (lk @ lk))
        for j, items in enumerate(spec.measurement.values()):
            if len(items) == 1:
                continue
            cov[j, j] = scale[j] ** 2 if not std_lv else 1.0
        w, v = np.linalg.eigh(cov)
        cov = (v * np.maximum(w, 0.05 * max(w.max(), 1e-8))) @ v.T
        beta = np.zeros((model.m, model.m))
        psi = cov.copy()
        lv_pos = {c: j for j, c in enumerate(model.lv)}
        for c in spec.endogenous:
            j = lv_pos[c]
            preds = [lv_pos[a] for a, b in spec.structural if b == c]
            b = np.linalg.solve(cov[np.ix_(preds, preds)], cov[preds, j])
            beta[j, preds] = b
            psi[j, j] = max(cov[j, j] - b @ cov[preds, j], 0.1 * cov[j, j])
        theta_diag = np.maximum(np.diag(s) - np.einsum("ij,jk,ik->i", lam, cov, lam), 0.1 * np.diag(s))
        sel = (t["group"] == g).to_numpy()
        for r in np.flatnonzero(sel & (t["free"] >= 0).to_numpy()):
            code, i, j = t.at[r, "mat"], t.at[r, "row"], t.at[r, "col"]
            k = t.at[r, "free"]
            if code == LAMBDA:
                val = lam[i, j]
            elif code == BETA:
                val = beta[i, j]
            elif code == PSI:
                val = psi[i, j]
            elif code == THETA:
                val = theta_diag[i] if i == j else 0.0
            elif code == NU:
                val = mu[i]
            else:
                val = 0.0
            if not assigned[k]:  # parameters shared across groups keep the first group's start
                theta[k] = val
                assigned[k] = True
    return theta


def _first_loading_positive(model: Model, theta: np.ndarray) -> np.ndarray:
    """With std_lv the sign of each construct is arbitrary: make its first loading positive (lavaan)."""
    t = model.table
    theta = theta.copy()
    vals = model.values(theta)
    for j, c in enumerate(model.lv):
        first = t.index[(t["mat"] == LAMBDA) & (t["lhs"] == c) & (t["group"] == 0)][0]
        if vals[first] >= 0 or t.at[first, "free"] < 0:
            continue
        flip = ((t["mat"] == LAMBDA) & (t["col"] == j)) | ((t["mat"] == ALPHA) & (t["row"] == j))
        flip |= t["mat"].isin([PSI, BETA]) & ((t["row"] == j) ^ (t["col"] == j))
        ks = np.unique(t.loc[flip & (t["free"] >= 0), "free"].to_numpy())
        theta[ks] = -theta[ks]
    return theta


def check_identification(obj: Objective, theta: np.ndarray) -> None:
    """Refuse a model whose information matrix is singular at the start values, naming the parameters."""
    info = obj.expected_information(theta)
    if info is None:
        return
    d = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    w, v = np.linalg.eigh(info / np.outer(d, d))
    if w[0] < 1e-9 * max(w[-1], 1.0):
        names = obj.model.param_labels()
        vec = v[:, 0]
        bad = [names[k] for k in np.flatnonzero(np.abs(vec) > 0.1 * np.abs(vec).max())]
        raise ModelSpecificationError(
            "the model is not identified: the information matrix is singular in the direction of "
            f"{bad}. Fix a loading or a variance of the construct(s) involved, add items, or drop "
            "paths or residual covariances."
        )


def moments_for(xs: Sequence[np.ndarray]) -> list[Moments]:
    return [moments_from_array(x) for x in xs]


def fit_model(
    model: Model,
    xs: Sequence[np.ndarray],
    *,
    std_lv: bool,
    max_iter: int = 500,
    tol: float = 1e-9,
    start: np.ndarray | None = None,
    moments: list[Moments] | None = None,
    h1: list[tuple[np.ndarray, np.ndarray]] | None = None,
    check: bool = True,
    warn: bool = True,
    n_scoring: int = 4,
) -> Fit:
    """Fit ``model`` to the row arrays ``xs`` (one per group; NaN = missing)."""
    groups = moments if moments is not None else moments_for(xs)
    if h1 is None:
        h1 = []
        for mom in groups:
            mu, sigma, _ = em_saturated(mom)
            h1.append((mu, sigma))
    obj = Objective(model, groups)
    theta0 = start_values(model, h1, std_lv) if start is None else start
    if check:
        check_identification(obj, theta0)
    theta, n_iter, converged = fisher_scoring(obj, theta0, max_iter=max_iter, tol=tol, n_scoring=n_scoring)
    if std_lv:
        theta = _first_loading_positive(model, theta)
    if warn and not converged:
        warnings.warn(
            f"the SEM did not converge in {n_iter} Fisher-scoring iterations; estimates are unreliable. "
            "Check for constructs with weak or near-zero loadings, or increase max_iter.",
            ConvergenceWarning,
            stacklevel=stacklevel(),
        )
    return Fit(model, obj, theta, n_iter, converged, h1)
