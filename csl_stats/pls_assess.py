"""Overall model fit of a PLS path model (issue 19).

:func:`pls_fit` tests the fit of a model estimated by
:func:`csl_stats.pls_pm` (plain PLS or consistent PLS) with the
discrepancies SRMR, :math:`d_{ULS}` and :math:`d_G` between the observed and
the model-implied indicator correlations, and their bootstrap reference
distributions under the model (Dijkstra & Henseler 2015).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import _pls_core as core
from ._results import Result, result_dataclass
from ._validation import check_n_boot, check_rng
from .errors import ArgumentTypeError, ConvergenceWarning, HeywoodWarning

__all__ = ["PLSFitResult", "pls_fit"]

CRITERIA = ("SRMR", "dULS", "dG")


@result_dataclass
class PLSFitResult(Result):
    """Result of :func:`pls_fit`.

    ``table`` has one row per model (``saturated``, ``estimated``) and
    criterion (``SRMR``, ``dULS``, ``dG``): the ``value`` in the sample, the
    95 % and 99 % quantiles of its bootstrap distribution under the model
    (``HI95``, ``HI99``) and the bootstrap ``p`` value (share of resamples
    with a discrepancy at least as large). A value above ``HI95`` rejects
    the model at the 5 % level.
    """

    _title = "PLS model fit"

    table: pd.DataFrame
    n: int
    n_boot: int
    n_boot_failed: int
    consistent: bool

    _frame = "table"

    @property
    def srmr(self) -> pd.Series:
        """SRMR of the saturated and the estimated model."""
        return self.table.xs("SRMR", level="criterion")["value"].rename("srmr")


def _discrepancies(s: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """SRMR (lower triangle with diagonal), dULS (half the squared Frobenius norm), dG (geodesic)."""
    resid = s - sigma
    tri = np.tril_indices(len(s))
    srmr = np.sqrt(np.mean(resid[tri] ** 2))
    duls = 0.5 * np.sum(resid**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ev = np.linalg.eigvals(np.linalg.solve(s, sigma))
    ev = np.real_if_close(ev)
    dg = 0.5 * np.sum(np.log(ev) ** 2) if np.isrealobj(ev) and (ev > 0).all() else np.nan
    return np.array([srmr, duls, dg])


def _implied(xs: np.ndarray, w: np.ndarray, spec: core.ModelSpec, factor: np.ndarray) -> dict[str, np.ndarray]:
    """Observed and (saturated, estimated) model-implied indicator correlations of one data set."""
    n = xs.shape[0]
    s = (xs.T @ xs) / (n - 1)
    est = core.estimates_from_weights(xs, w, spec)
    if factor.any():
        c = core.consistent(xs, w, spec, factor)
        lam, rho, beta = c["loadings"], c["cor"], c["beta"]
    else:
        lam, beta = est["loadings"], est["beta"]
        rho = np.corrcoef(est["scores"], rowvar=False)
    return {
        "S": s,
        "saturated": core.implied_indicator_cor(s, lam, rho, spec, factor),
        "estimated": core.implied_indicator_cor(s, lam, core.implied_construct_cor(rho, beta), spec, factor),
    }


def _sqrtm(a: np.ndarray, inverse: bool = False) -> np.ndarray:
    vals, vecs = np.linalg.eigh(a)
    if vals.min() <= 1e-12 * max(vals.max(), 1.0):
        raise np.linalg.LinAlgError("not positive definite")
    return (vecs * (vals ** (-0.5 if inverse else 0.5))) @ vecs.T


def pls_fit(
    result: object,
    *,
    n_boot: int = 499,
    rng: int | np.random.Generator | None = None,
) -> PLSFitResult:
    """Overall fit of a PLS path model: SRMR, dULS and dG with bootstrap quantiles.

    Parameters
    ----------
    result : PLSResult
        A model fitted by :func:`csl_stats.pls_pm` (with or without
        ``consistent``); its data, modes, scheme and PLSc choice are reused.
    n_boot : int
        Bootstrap resamples for each of the two models (at least 100;
        499 or 999 are usual, so that the quantiles fall on a resample).
    rng : int, Generator or None
        Seed of the bootstrap.

    Returns
    -------
    PLSFitResult
        ``table`` indexed by ``model`` (``saturated``, ``estimated``) and
        ``criterion`` (``SRMR``, ``dULS``, ``dG``) with ``value``, ``HI95``,
        ``HI99`` and ``p``.

    Warns
    -----
    HeywoodWarning
        The model-implied correlation matrix is not positive definite (the
        bootstrap test is then impossible and its columns are NaN; dG is NaN).
    ConvergenceWarning
        Bootstrap resamples in which the PLS algorithm failed (dropped).

    Notes
    -----
    The observed indicator correlation matrix :math:`S` is compared with
    the matrix :math:`\\hat\\Sigma` implied by the model (see
    :attr:`csl_stats.PLSResult.srmr`): within a composite block the observed
    correlations, within a common-factor block (PLSc) :math:`\\lambda\\lambda'`,
    between blocks :math:`\\lambda_k \\rho_{kl} \\lambda_l'`. In the
    *saturated* model :math:`\\rho` are the construct correlations as
    estimated; in the *estimated* model they are those implied by the
    structural paths (uncorrelated disturbances). The discrepancies are

    .. math::

        \\mathrm{SRMR} = \\sqrt{\\overline{(s_{ij} - \\hat\\sigma_{ij})^2}}_{\\,i \\ge j},\\quad
        d_{ULS} = \\tfrac12 \\sum_{i,j} (s_{ij} - \\hat\\sigma_{ij})^2,\\quad
        d_G = \\tfrac12 \\sum_k (\\log \\varphi_k)^2,

    with :math:`\\varphi_k` the eigenvalues of :math:`S^{-1}\\hat\\Sigma`.
    Their reference distribution under the null hypothesis that the model
    holds comes from the bootstrap of Beran & Srivastava (1985), the
    Bollen-Stine transformation: the standardized data :math:`X` are
    rotated to :math:`X S^{-1/2}\\hat\\Sigma^{1/2}`, whose correlation matrix is
    exactly :math:`\\hat\\Sigma`; each resample of the rotated data is
    re-estimated with the same model and its discrepancy computed
    (Dijkstra & Henseler 2015; cSEM's ``testOMF``). ``HI95`` and ``HI99``
    are the 95 % and 99 % quantiles of the resampled discrepancies; the
    model is rejected at 5 % when the sample value exceeds ``HI95``.

    ``dULS`` and ``SRMR`` are tied: with unit diagonals,
    :math:`d_{ULS} = \\mathrm{SRMR}^2\\,p(p+1)/2`. The exact test is
    sensitive to large samples (any small misfit is rejected with enough
    respondents); SRMR below about 0.08 is the usual descriptive mark.

    References
    ----------
    Beran, R., & Srivastava, M. S. (1985). Bootstrap tests and confidence regions for functions of
    a covariance matrix. *The Annals of Statistics*, 13(1), 95-115.

    Dijkstra, T. K., & Henseler, J. (2015). Consistent and asymptotically normal PLS estimators
    for linear structural equations. *Computational Statistics & Data Analysis*, 81, 10-23.

    Henseler, J., Dijkstra, T. K., Sarstedt, M., et al. (2014). Common beliefs and reality about
    PLS. *Organizational Research Methods*, 17(2), 182-209.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> g = np.random.default_rng(1)
    >>> x = g.normal(size=300)
    >>> y = 0.5 * x + np.sqrt(0.75) * g.normal(size=300)
    >>> df = pd.DataFrame({f"{v}{k}": lam * lv + np.sqrt(1 - lam**2) * g.normal(size=300)
    ...                    for v, lv in (("x", x), ("y", y)) for k, lam in ((1, 0.7), (2, 0.8), (3, 0.6))})
    >>> res = csl_stats.pls_pm(df, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}, [("X", "Y")],
    ...                        consistent=True)
    >>> fit = csl_stats.pls_fit(res, n_boot=199, rng=1)
    >>> bool(fit.table.loc[("estimated", "SRMR"), "value"] < fit.table.loc[("estimated", "SRMR"), "HI95"])
    True
    """
    from .pls import PLSResult

    if not isinstance(result, PLSResult):
        raise ArgumentTypeError(f"result must be a PLSResult from pls_pm; got {type(result).__name__}.")
    if result.data is None:
        raise ArgumentTypeError("result does not carry its data; refit it with csl_stats.pls_pm.")
    n_boot = check_n_boot(n_boot)
    gen = check_rng(rng)
    spec = result._spec()
    factor = result._factor_mask()
    x = result.data[spec.indicators].to_numpy(dtype=float)
    n = x.shape[0]
    xs = core.standardize(x)
    owner = np.array([j for j, b in enumerate(spec.blocks) for _ in b])
    w = np.zeros((len(owner), len(spec.constructs)))
    w[np.arange(len(owner)), owner] = result.outer_table["weight"].to_numpy()
    obs = _implied(xs, w, spec, factor)

    rows = []
    failed_total = 0
    for model in ("saturated", "estimated"):
        value = _discrepancies(obs["S"], obs[model])
        try:
            rot = xs @ _sqrtm(obs["S"], inverse=True) @ _sqrtm(obs[model])
        except np.linalg.LinAlgError:
            warnings.warn(
                f"the {model} model's implied indicator correlation matrix is not positive definite "
                "(a Heywood case); its bootstrap test cannot be run and dG is undefined.",
                HeywoodWarning,
                stacklevel=2,
            )
            rows += [(model, c, v, np.nan, np.nan, np.nan) for c, v in zip(CRITERIA, value, strict=True)]
            continue
        reps, failed = _boot(rot, spec, factor, result, n_boot, gen, model)
        failed_total += failed
        hi95, hi99 = np.nanquantile(reps, [0.95, 0.99], axis=0)
        ok = np.isfinite(reps)
        p = ((reps >= value) & ok).sum(axis=0) / np.maximum(ok.sum(axis=0), 1)
        rows += [(model, c, value[k], hi95[k], hi99[k], p[k]) for k, c in enumerate(CRITERIA)]
    if failed_total:
        warnings.warn(
            f"{failed_total} of {2 * n_boot} bootstrap resamples of the fit test failed (no convergence, a "
            "constant indicator or an undefined consistent loading) and were dropped.",
            ConvergenceWarning,
            stacklevel=2,
        )
    table = pd.DataFrame(rows, columns=["model", "criterion", "value", "HI95", "HI99", "p"])
    table = table.set_index(["model", "criterion"])
    return PLSFitResult(table=table, n=n, n_boot=n_boot, n_boot_failed=failed_total,
                        consistent=bool(factor.any()))


def _boot(rot: np.ndarray, spec: core.ModelSpec, factor: np.ndarray, result: object, n_boot: int,
          gen: np.random.Generator, model: str) -> tuple[np.ndarray, int]:
    n = rot.shape[0]
    draws = gen.integers(0, n, size=(n_boot, n))
    reps = np.full((n_boot, len(CRITERIA)), np.nan)
    step = max(1, 3_000_000 // (n * rot.shape[1]))
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for start in range(0, n_boot, step):
            idx = np.arange(start, min(start + step, n_boot))
            xb = rot[draws[idx]]
            sd_ok = (xb.std(axis=1) > 0).all(axis=-1)
            idx, xb = idx[sd_ok], xb[sd_ok]
            if not len(idx):
                continue
            xbs = core.standardize(xb)
            try:
                fit = core.fit_pls(xbs, spec, result.scheme, result.max_iter, result.tol)
            except (core.CollinearityError, np.linalg.LinAlgError):
                continue
            wb = core.orient(xbs, fit.weights, spec)
            for k, i in enumerate(idx):
                if not fit.converged[k]:
                    continue
                try:
                    imp = _implied(xbs[k], wb[k], spec, factor)
                    reps[i] = _discrepancies(imp["S"], imp[model])
                except (core.CollinearityError, np.linalg.LinAlgError):
                    continue
    failed = int((~np.isfinite(reps[:, 0])).sum())
    return reps, failed
