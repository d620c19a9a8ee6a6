"""Numerical core of :func:`csl_stats.impute`: chained equations run for all m chains at once.

The m chains are stored in one array ``Z`` of shape ``(m, n, P)`` (intercept,
numeric columns, dummy columns of categorical variables). The cross-product
matrix ``G = Z'Z`` of every chain is kept up to date; the normal equations of
a column's imputation model on its observed rows are ``G`` minus the
contribution of the (few) rows where that column is missing, so no step
refits on all rows. Each step is vectorised across the chains.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import special

__all__ = ["Block", "Engine"]

_RIDGE = 1e-5  # as mice: ridge * diag(X'X) added before solving
_LOGIT_PENALTY = 1e-3  # small L2 penalty on logistic slopes (guards against separation)


@dataclasses.dataclass
class Block:
    """One variable: its columns in Z and how it is imputed."""

    name: str
    cols: np.ndarray  # column indices in Z
    method: str  # "pmm", "norm", "logreg", "polyreg", "none" (predictor only)
    missing: np.ndarray  # row indices where missing (empty for predictors only)
    observed: np.ndarray  # row indices where observed
    levels: tuple = ()  # categorical: level labels (first = reference); logreg on numeric: the two values
    predictors: np.ndarray | None = None  # Z column indices used as predictors (intercept included)


class Engine:
    """Chained equations on ``Z`` (m, n, P)."""

    def __init__(self, Z: np.ndarray, blocks: list[Block], donors: int, rng: np.random.Generator,
                 passive: dict[int, tuple[int, float, float]]):
        self.Z = Z
        self.blocks = blocks
        self.donors = donors
        self.rng = rng
        self.passive = passive  # Z column -> (source Z column, intercept, slope)
        self.G = _crossprod(Z, Z)
        self.m, self.n, self.P = Z.shape
        self._warm: dict[str, np.ndarray] = {}
        self.not_converged: set = set()  # categorical models whose Newton iterations did not converge

    # ------------------------------------------------------------------ bookkeeping
    def refresh_gram(self) -> None:
        """Recompute Z'Z from scratch (once per iteration, so rounding never accumulates)."""
        self.G = _crossprod(self.Z, self.Z)

    def _set(self, cols: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
        """Write values (m, len(rows), len(cols)) and update the Gram matrix columns."""
        Z = self.Z
        Z[:, rows[:, None], cols[None, :]] = values
        changed = list(cols)
        for c in cols:
            for tgt, (src, a, b) in self.passive.items():
                if src == c:
                    Z[:, rows, tgt] = a + b * Z[:, rows, c]
                    changed.append(tgt)
        ch = np.asarray(changed)
        upd = _crossprod(Z, Z[:, :, ch])
        self.G[:, :, ch] = upd
        self.G[:, ch, :] = np.swapaxes(upd, 1, 2)

    # ------------------------------------------------------------------ one step
    def step(self, block: Block) -> None:
        if block.method in ("pmm", "norm"):
            self._linear(block)
        elif block.method == "logreg":
            self._logreg(block)
        else:
            self._polyreg(block)

    def _obs_normal_equations(self, block: Block) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        pr, j, miss = block.predictors, block.cols[0], block.missing
        G = self.G
        Zm = self.Z[:, miss, :]  # (m, n_mis, P): rows whose contribution is removed
        Xm = Zm[:, :, pr]
        xtx = G[:, pr[:, None], pr[None, :]] - _crossprod(Xm, Xm)
        xty = G[:, pr, j] - _crossprod(Xm, Zm[:, :, j:j + 1])[:, :, 0]
        yty = G[:, j, j] - np.einsum("mk,mk->m", Zm[:, :, j], Zm[:, :, j])
        return xtx, xty, yty, Xm

    def _linear(self, block: Block) -> None:
        m, rng = self.m, self.rng
        pr, j, miss = block.predictors, block.cols[0], block.missing
        n_obs = self.n - len(miss)
        xtx, xty, yty, Xm = self._obs_normal_equations(block)
        p = len(pr)
        diag = np.einsum("mii->mi", xtx)
        A = xtx + _RIDGE * diag[:, :, None] * np.eye(p)
        Linv = np.linalg.inv(np.linalg.cholesky(A))  # A^{-1} = Linv' Linv
        LinvT = np.swapaxes(Linv, 1, 2)
        beta_hat = np.matmul(LinvT, np.matmul(Linv, xty[:, :, None]))[:, :, 0]
        rss = yty - 2 * np.einsum("mi,mi->m", beta_hat, xty) + np.einsum("mi,mij,mj->m", beta_hat, xtx, beta_hat)
        rss = np.maximum(rss, 1e-12 * np.maximum(yty, 1.0))
        df = max(n_obs - p, 1)
        sigma = np.sqrt(rss / rng.chisquare(df, size=m))
        z = rng.standard_normal((m, p))
        # A^{-1} = L^{-T} L^{-1}: L^{-T} z has covariance A^{-1}
        beta_star = beta_hat + sigma[:, None] * np.matmul(LinvT, z[:, :, None])[:, :, 0]
        yhat_mis = np.matmul(Xm, beta_star[:, :, None])[:, :, 0]
        if block.method == "norm":
            new = yhat_mis + sigma[:, None] * rng.standard_normal(yhat_mis.shape)
        else:
            obs = block.observed
            full = np.zeros((m, self.P))
            full[:, pr] = beta_hat
            yhat_obs = np.matmul(self.Z, full[:, :, None])[:, obs, 0]  # (m, n_obs)
            new = _pmm_match(yhat_obs, yhat_mis, self.Z[0, obs, j], self.donors, rng)
        self._set(block.cols, miss, new[:, :, None])

    def _logreg(self, block: Block) -> None:
        rng = self.rng
        pr, j, miss, obs = block.predictors, block.cols[0], block.missing, block.observed
        X = self.Z[:, obs][:, :, pr]  # (m, n_obs, p)
        y = self.Z[0, obs, j]
        lo, hi = block.levels
        y01 = (y == hi).astype(float)
        beta, H, ok = _fit_logit(X, y01, self._warm.get(block.name))
        self._warm[block.name] = beta
        if not ok:
            self.not_converged.add(block.name)
        L = np.linalg.cholesky(H)
        z = rng.standard_normal(beta.shape)
        beta_star = beta + np.linalg.solve(np.swapaxes(L, 1, 2), z[:, :, None])[:, :, 0]
        Xm = self.Z[:, miss][:, :, pr]
        prob = special.expit(np.einsum("mki,mi->mk", Xm, beta_star))
        new = np.where(rng.random(prob.shape) < prob, hi, lo)
        self._set(block.cols, miss, new[:, :, None])

    def _polyreg(self, block: Block) -> None:
        m, rng = self.m, self.rng
        pr, miss, obs = block.predictors, block.missing, block.observed
        X = self.Z[:, obs][:, :, pr]
        D = self.Z[0, obs][:, block.cols]  # (n_obs, K-1) dummies of the observed categories
        beta, H, ok = _fit_multinomial(X, D, self._warm.get(block.name))
        self._warm[block.name] = beta
        if not ok:
            self.not_converged.add(block.name)
        p, k1 = beta.shape[1], beta.shape[2]
        L = np.linalg.cholesky(H)
        z = rng.standard_normal((m, p * k1))
        delta = np.linalg.solve(np.swapaxes(L, 1, 2), z[:, :, None])[:, :, 0].reshape(m, k1, p)
        beta_star = beta + np.swapaxes(delta, 1, 2)
        Xm = self.Z[:, miss][:, :, pr]
        eta = np.einsum("mki,mic->mkc", Xm, beta_star)
        eta = np.concatenate([np.zeros(eta.shape[:2] + (1,)), eta], axis=2)
        prob = special.softmax(eta, axis=2)
        u = rng.random(prob.shape[:2])
        cat = (np.cumsum(prob, axis=2) < u[:, :, None]).sum(axis=2)
        cat = np.minimum(cat, prob.shape[2] - 1)
        dummies = np.zeros(cat.shape + (k1,))
        for c in range(1, k1 + 1):
            dummies[:, :, c - 1] = cat == c
        self._set(block.cols, miss, dummies)


def _crossprod(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A'B for each of the m stacked matrices (batched BLAS)."""
    return np.matmul(np.swapaxes(A, 1, 2), B)


def _pmm_match(yhat_obs: np.ndarray, yhat_mis: np.ndarray, y_obs: np.ndarray, donors: int,
               rng: np.random.Generator) -> np.ndarray:
    """Predictive mean matching (type 1): draw one of the ``donors`` closest observed cases.

    The observed predictions are sorted once per chain; the ``donors`` nearest
    neighbours of a missing case lie within ``donors`` places of its insertion
    point, so only ``2 * donors`` candidates per case are compared.
    """
    m, n_mis = yhat_mis.shape
    n_obs = yhat_obs.shape[1]
    d = min(donors, n_obs)
    w = min(2 * d, n_obs)
    order = np.argsort(yhat_obs, axis=1, kind="stable")
    srt = np.take_along_axis(yhat_obs, order, axis=1)
    pos = np.empty((m, n_mis), dtype=int)
    for c in range(m):
        pos[c] = np.searchsorted(srt[c], yhat_mis[c])
    start = np.clip(pos - d, 0, n_obs - w)
    cand = start[:, :, None] + np.arange(w)  # (m, n_mis, w) positions in the sorted order
    dist = np.abs(np.take_along_axis(srt, cand.reshape(m, -1), axis=1).reshape(cand.shape) - yhat_mis[:, :, None])
    near = np.argsort(dist, axis=2, kind="stable")[:, :, :d]
    pick = np.take_along_axis(near, rng.integers(0, d, size=(m, n_mis, 1)), axis=2)[:, :, 0]
    sorted_pos = np.take_along_axis(cand, pick[:, :, None], axis=2)[:, :, 0]
    idx = np.take_along_axis(order, sorted_pos, axis=1)
    return y_obs[idx]


def _fit_logit(X: np.ndarray, y: np.ndarray, beta0: np.ndarray | None, max_iter: int = 30,
               tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray, bool]:
    """Penalised logistic regression by Newton's method for m design matrices; (beta, Hessian, converged)."""
    m, n, p = X.shape
    pen = np.full(p, _LOGIT_PENALTY * n)
    pen[0] = 0.0
    beta = np.zeros((m, p)) if beta0 is None else beta0.copy()
    for _ in range(max_iter):
        mu = special.expit(np.einsum("mni,mi->mn", X, beta))
        w = mu * (1 - mu)
        H = np.einsum("mni,mn,mnj->mij", X, w, X) + np.diag(pen)
        g = np.einsum("mni,mn->mi", X, y[None, :] - mu) - pen * beta
        step = np.linalg.solve(H, g[:, :, None])[:, :, 0]
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    converged = bool(np.max(np.abs(step)) < 1e-4)
    mu = special.expit(np.einsum("mni,mi->mn", X, beta))
    H = np.einsum("mni,mn,mnj->mij", X, mu * (1 - mu), X) + np.diag(pen)
    return beta, H, converged


def _fit_multinomial(X: np.ndarray, D: np.ndarray, beta0: np.ndarray | None, max_iter: int = 30,
                     tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray, bool]:
    """Penalised multinomial logit (first category = reference) by Newton's method.

    Returns beta of shape (m, p, K-1), the Hessian (m, (K-1) p, (K-1) p) in
    category-major order and whether the iterations converged.
    """
    m, n, p = X.shape
    k1 = D.shape[1]
    pen = np.full((k1, p), _LOGIT_PENALTY * n)
    pen[:, 0] = 0.0
    pen = pen.ravel()
    beta = np.zeros((m, p, k1)) if beta0 is None else beta0.copy()

    def hessian(pr: np.ndarray) -> np.ndarray:
        # W[c, d] = diag(pr_c) delta_cd - pr_c pr_d (per row)
        W = -np.einsum("mnc,mnd->mncd", pr, pr)
        idx = np.arange(k1)
        W[:, :, idx, idx] += pr
        H = np.einsum("mncd,mni,mnj->mcidj", W, X, X).reshape(m, k1 * p, k1 * p)
        return H + np.diag(pen)

    for _ in range(max_iter):
        eta = np.einsum("mni,mic->mnc", X, beta)
        full = special.softmax(np.concatenate([np.zeros((m, n, 1)), eta], axis=2), axis=2)[:, :, 1:]
        g = np.einsum("mni,mnc->mci", X, D[None] - full).reshape(m, k1 * p) - pen * np.swapaxes(beta, 1, 2).reshape(
            m, k1 * p)
        H = hessian(full)
        step = np.linalg.solve(H, g[:, :, None])[:, :, 0].reshape(m, k1, p)
        beta = beta + np.swapaxes(step, 1, 2)
        if np.max(np.abs(step)) < tol:
            break
    converged = bool(np.max(np.abs(step)) < 1e-4)
    eta = np.einsum("mni,mic->mnc", X, beta)
    full = special.softmax(np.concatenate([np.zeros((m, n, 1)), eta], axis=2), axis=2)[:, :, 1:]
    return beta, hessian(full), converged
