"""Layer 2 of the SEM engine: the data a fit needs.

Complete data are reduced to sample moments (mean vector and covariance matrix
with divisor N, as lavaan); incomplete data (FIML) to one block per
missingness pattern: its row count, its observed-variable mask and its
pattern-wise mean and covariance of the observed variables, stored padded to
``p x p`` arrays so that every likelihood evaluation is a handful of batched
numpy operations over all patterns at once (no Python loop over rows or
patterns). Also here: the saturated (h1) model by EM and the independence
(baseline) model, both by FIML, as lavaan's ``missing = "ml"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Moments", "moments_from_array", "em_saturated", "baseline_loglik", "saturated_loglik"]

LOG2PI = float(np.log(2 * np.pi))


@dataclass
class Moments:
    """Sufficient statistics of one group, by missingness pattern (a single pattern if complete)."""

    n: int  # rows used
    obs: np.ndarray  # (P, p) bool, observed variables of each pattern
    counts: np.ndarray  # (P,) rows per pattern
    means: np.ndarray  # (P, p) pattern means, 0 where missing
    covs: np.ndarray  # (P, p, p) pattern covariances (divisor n_pattern), 0 where missing
    complete: bool

    @property
    def p(self) -> int:
        return self.obs.shape[1]

    @property
    def mask2(self) -> np.ndarray:
        cached = getattr(self, "_mask2", None)
        if cached is None:
            cached = self._mask2 = self.obs[:, :, None] & self.obs[:, None, :]
        return cached

    @property
    def sample_cov(self) -> np.ndarray:
        return self.covs[0]

    @property
    def sample_mean(self) -> np.ndarray:
        return self.means[0]


def moments_from_array(x: np.ndarray) -> Moments:
    """Group the rows of ``x`` (NaN = missing; no all-missing rows) by missingness pattern."""
    miss = np.isnan(x)
    n, p = x.shape
    if not miss.any():
        mean = x.mean(axis=0)
        cov = np.cov(x, rowvar=False, bias=True).reshape(p, p)
        return Moments(n, np.ones((1, p), bool), np.array([n]), mean[None], cov[None], True)
    pats, inverse = np.unique(~miss, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    P = len(pats)
    counts = np.bincount(inverse, minlength=P)
    xz = np.where(miss, 0.0, x)
    sums = np.zeros((P, p))
    np.add.at(sums, inverse, xz)
    means = sums / counts[:, None]
    cent = xz - means[inverse]
    cent[miss] = 0.0
    order = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    covs = np.empty((P, p, p))
    cs = cent[order]
    for k in range(P):
        blk = cs[bounds[k] : bounds[k + 1]]
        covs[k] = blk.T @ blk / counts[k]
    return Moments(n, pats.astype(bool), counts, means, covs, False)


def _missing_groups(mom: Moments) -> list[tuple[np.ndarray, np.ndarray]]:
    """Patterns grouped by their number of missing variables: (pattern indices, missing-index array)."""
    cached = getattr(mom, "_groups", None)
    if cached is not None:
        return cached
    nmiss = (~mom.obs).sum(axis=1)
    out = []
    for k in np.unique(nmiss):
        pats = np.flatnonzero(nmiss == k)
        idx = np.array([np.flatnonzero(~mom.obs[r]) for r in pats], dtype=int).reshape(len(pats), k)
        out.append((pats, idx))
    mom._groups = out  # type: ignore[attr-defined]
    return out


def pattern_inverses(mom: Moments, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Padded inverses of the observed blocks of ``sigma`` and their log-determinants.

    Returns ``(A, logdet)`` with ``A[k]`` equal to ``Sigma_oo^{-1}`` on the observed
    rows/columns of pattern ``k`` and 0 elsewhere, or None if ``sigma`` is not
    positive definite. From the full inverse ``P`` by the Schur complement,
    :math:`\\Sigma_{oo}^{-1} = P_{oo} - P_{om}P_{mm}^{-1}P_{mo}` and
    :math:`\\log|\\Sigma_{oo}| = \\log|\\Sigma| + \\log|P_{mm}|`, batched over the
    patterns with the same number of missing variables (cost ``p^2 k`` per pattern).
    """
    p = sigma.shape[0]
    try:
        c = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None
    ci = np.linalg.inv(c)
    pinv = ci.T @ ci
    logdet_full = 2 * np.sum(np.log(np.diag(c)))
    if mom.complete:
        return pinv[None], np.array([logdet_full])
    npat = mom.obs.shape[0]
    a = np.empty((npat, p, p))
    logdet = np.empty(npat)
    for pats, idx in _missing_groups(mom):
        k = idx.shape[1]
        if k == 0:
            a[pats] = pinv
            logdet[pats] = logdet_full
            continue
        pm = np.swapaxes(pinv[:, idx], 0, 1)  # (n, p, k)
        pmm = pinv[idx[:, :, None], idx[:, None, :]]  # (n, k, k)
        try:
            cm = np.linalg.cholesky(pmm)
        except np.linalg.LinAlgError:
            return None
        w = np.linalg.solve(cm, np.swapaxes(pm, 1, 2))  # (n, k, p) = L^-1 P_mo
        a[pats] = pinv[None] - np.swapaxes(w, 1, 2) @ w
        logdet[pats] = logdet_full + 2 * np.sum(np.log(np.diagonal(cm, axis1=1, axis2=2)), axis=1)
    a *= mom.mask2
    return a, logdet


def minus2_loglik(mom: Moments, sigma: np.ndarray, mu: np.ndarray | None) -> tuple[float, tuple | None]:
    """-2 log-likelihood of the group and the pieces reused by the gradient (None if Sigma not PD).

    ``mu=None`` means a saturated mean structure (complete data only).
    """
    inv = pattern_inverses(mom, sigma)
    if inv is None:
        return np.inf, None
    a, logdet = inv
    if mu is None:
        d = np.zeros_like(mom.means)
    else:
        d = np.where(mom.obs, mom.means - mu[None], 0.0)
    stil = mom.covs + d[:, :, None] * d[:, None, :]
    tr = np.einsum("kij,kji->k", a, stil)
    p_obs = mom.obs.sum(axis=1)
    val = float(np.sum(mom.counts * (logdet + tr + p_obs * LOG2PI)))
    return val, (a, d, stil)


def gradient_sigma_mu(mom: Moments, pieces: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of -2 logL w.r.t. the (unconstrained) entries of Sigma and mu."""
    a, d, stil = pieces
    w = mom.counts[:, None, None]
    asa = a @ stil @ a
    g_sigma = np.sum(w * (a - asa), axis=0)
    g_mu = -2 * np.sum(mom.counts[:, None] * np.einsum("kij,kj->ki", a, d), axis=0)
    return g_sigma, g_mu


def em_saturated(
    mom: Moments, *, max_iter: int = 10000, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, int]:
    """ML estimates of the unrestricted mean and covariance by EM (lavaan's h1 under missing = "ml")."""
    w = mom.counts
    n = w.sum()
    # start: available-case means and variances
    mu = np.sum(w[:, None] * mom.means, axis=0) / np.maximum(np.sum(w[:, None] * mom.obs, axis=0), 1)
    if mom.complete:
        return mom.means[0].copy(), mom.covs[0].copy(), 0
    sec = mom.covs + mom.means[:, :, None] * mom.means[:, None, :]  # pattern mean of x x' (observed part)
    var = np.sum(w[:, None] * np.diagonal(sec, axis1=1, axis2=2), axis=0) / np.sum(
        w[:, None] * mom.obs, axis=0
    )
    sigma = np.diag(np.maximum(var - mu**2, 1e-6))
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        a, _ = pattern_inverses(mom, sigma)
        bmat = sigma[None] @ a  # rows of missing variables: regression on observed ones
        obs_f = mom.obs.astype(float)
        # E[x] per pattern: mu + B (xbar - mu) on missing entries; xbar on observed
        dev = np.where(mom.obs, mom.means - mu[None], 0.0)
        ex = mu[None] + np.einsum("kij,kj->ki", bmat, dev)
        ex = np.where(mom.obs, mom.means, ex)
        # E[x x'] summed: n (ex ex' + B C B') + n (Sigma - B Sigma_o.) on the missing block
        bc = bmat @ mom.covs @ np.swapaxes(bmat, 1, 2)
        cond = sigma[None] - bmat @ sigma[None]
        cond = cond * (1 - obs_f[:, :, None]) * (1 - obs_f[:, None, :])
        t2 = np.sum(w[:, None, None] * (ex[:, :, None] * ex[:, None, :] + bc + cond), axis=0)
        mu_new = np.sum(w[:, None] * ex, axis=0) / n
        sigma_new = t2 / n - np.outer(mu_new, mu_new)
        change = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if change < tol:
            break
    return mu, (sigma + sigma.T) / 2, n_iter


def saturated_loglik(mom: Moments, mu: np.ndarray, sigma: np.ndarray) -> float:
    return -0.5 * minus2_loglik(mom, sigma, None if mom.complete else mu)[0]


def baseline_loglik(mom: Moments) -> tuple[float, np.ndarray, np.ndarray]:
    """Independence model (free means and variances) by FIML: available-case moments per variable."""
    w = mom.counts
    n_j = np.sum(w[:, None] * mom.obs, axis=0)
    mu = np.sum(w[:, None] * mom.means, axis=0) / n_j
    sec = np.diagonal(mom.covs, axis1=1, axis2=2) + mom.means**2
    var = np.sum(w[:, None] * np.where(mom.obs, sec, 0.0), axis=0) / n_j - mu**2
    ll = -0.5 * float(np.sum(n_j * (LOG2PI + np.log(var) + 1.0)))
    return ll, mu, var
