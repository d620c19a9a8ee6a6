"""Item matrices for reliability, dimensionality and validity: validation, missing data, covariances.

Shared by :mod:`csl_stats.reliability`, :mod:`csl_stats.dimensionality` and
:mod:`csl_stats.validity`. One validated float64 copy of the items is made;
the covariance matrix (complete cases, or pairwise-complete via matrix
products) is computed once and everything else is derived from it.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from ._validation import check_columns, check_dataframe, check_numeric, check_scale
from .errors import ConstantError, InsufficientDataError, MissingDataWarning, NonNumericError

__all__: list[str] = []


class _Items(NamedTuple):
    """Items after validation and the missing-data policy.

    ``X`` holds the rows used, centered by the item means; for pairwise
    deletion missing cells are 0 and ``missing`` flags them (``None`` when
    every cell is observed).
    """

    X: np.ndarray
    missing: np.ndarray | None
    cols: list[Hashable]
    C: np.ndarray
    means: np.ndarray
    n_excluded: int
    missing_share: np.ndarray


def _item_matrix(
    data: Any,
    items: Hashable | Sequence[Hashable] | None,
    *,
    arg: str = "items",
    min_items: int = 2,
    scale: tuple[float, float] | None = None,
) -> tuple[np.ndarray, list[Hashable]]:
    """Validated float64 copy (Fortran order, NaN = missing) of ``data[items]``.

    One copy, no pandas round trips: fast on millions of rows. Infinite values
    are detected later, from the item means (see :func:`_prepare`).
    """
    data = check_dataframe(data, unique_columns=False)
    cols = check_columns(data, items, arg=arg, min_count=min_items)
    n, k = data.shape[0], len(cols)
    X = np.empty((n, k), dtype=np.float64, order="F")
    for j, c in enumerate(cols):
        s = data[c]
        if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fiu":  # plain numpy: copy straight in
            X[:, j] = s.to_numpy()
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            X[:, j] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:  # booleans, object columns holding numbers, or text: the shared checker decides
            X[:, j] = check_numeric(data, [c])[c].to_numpy(dtype=np.float64, na_value=np.nan)
    if scale is not None:
        check_scale(pd.DataFrame(X, columns=cols, copy=False), scale)
    return X, cols


def _prepare(
    data: Any,
    items: Hashable | Sequence[Hashable] | None,
    nan_policy: str,
    *,
    arg: str = "items",
    min_items: int = 2,
    scale: tuple[float, float] | None = None,
    min_rows: str = "items",
    warn_share: float = 0.2,
    stacklevel: int = 3,
) -> _Items:
    """Validate, apply ``nan_policy`` and compute the item covariance matrix.

    ``min_rows="items"`` requires at least as many rows as items, ``"more"``
    more rows than items (a non-singular correlation matrix). ``stacklevel``
    makes a MissingDataWarning point at the user's call.
    """
    X, cols = _item_matrix(data, items, arg=arg, min_items=min_items, scale=scale)
    n_rows, k = X.shape
    isnan = np.isnan(X)
    missing: np.ndarray | None = isnan if isnan.any() else None
    missing_share = isnan.mean(axis=0) if missing is not None else np.zeros(k)
    n_excluded = 0
    if missing is not None and nan_policy == "listwise":
        keep = ~isnan.any(axis=1)
        n_excluded = int(n_rows - keep.sum())
        if n_excluded / n_rows > warn_share:
            warnings.warn(
                f"listwise deletion dropped {n_excluded} of {n_rows} rows ({n_excluded / n_rows:.0%}); "
                "consider nan_policy='pairwise'.",
                MissingDataWarning,
                stacklevel=stacklevel,
            )
        X, missing = np.asfortranarray(X[keep]), None
    elif missing is not None:
        share = float(missing_share.mean())
        if share > warn_share:
            warnings.warn(
                f"{share:.0%} of the answers are missing; pairwise statistics rest on different "
                "subsets of respondents.",
                MissingDataWarning,
                stacklevel=stacklevel,
            )
        keep = ~isnan.all(axis=1)
        if not keep.all():
            n_excluded = int(n_rows - keep.sum())
            X, missing = np.asfortranarray(X[keep]), np.asfortranarray(isnan[keep])
    n = X.shape[0]
    if n < k or (min_rows == "more" and n == k) or n < 2:
        what = "complete rows" if nan_policy == "listwise" else "rows"
        need = "at least as many respondents as" if min_rows == "items" else "more respondents than"
        raise InsufficientDataError(
            f"{n} {what} for {k} items; the analysis needs {need} items"
            + (f" ({n_excluded} row(s) with missing answers excluded)." if n_excluded else ".")
        )
    if missing is None:
        means = X.mean(axis=0)
        with np.errstate(invalid="ignore"):  # +-inf: reported below
            X -= means
        C = X.T @ X
        C /= n - 1
    else:
        with np.errstate(invalid="ignore"):
            C, N, means = _pairwise_cov(X, missing, inplace=True)
        if (N < 2).any():
            i, j = np.argwhere(N < 2)[0]
            raise InsufficientDataError(
                f"items {cols[i]!r} and {cols[j]!r} are answered together by {int(N[i, j])} "
                "respondent(s); pairwise covariances need at least 2."
            )
    if not np.isfinite(means).all():  # NaN are gone (dropped or zero-filled): only +-inf can cause this
        bad = [cols[j] for j in np.flatnonzero(~np.isfinite(means))]
        raise NonNumericError(f"item(s) {bad} contain infinite values.")
    _check_variances(C, X, missing, means, cols)
    return _Items(X, missing, cols, C, means, n_excluded, missing_share)


def _pairwise_cov(
    X: np.ndarray, missing: np.ndarray, weights: np.ndarray | None = None, *, inplace: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete covariance matrix (as R's ``cov(use = "pairwise")``).

    With ``M`` the 0/1 observed mask and ``X0`` the centered data with
    missing cells set to 0: counts ``N = M'M``, joint sums ``S = X0'M`` and
    cross-products ``P = X0'X0``, so ``cov_ij = (P_ij - S_ij S_ji / N_ij) /
    (N_ij - 1)`` -- matrix products, no loop over item pairs. Without
    ``weights`` and with < 10 % missing cells, ``M = 1 - D`` is never formed: with the sparse missing-cell
    indicator ``D``, ``N = n - d_i - d_j + (D'D)_ij`` and ``S = 1'X0 - (D'X0)'``
    cost O(number of missing cells); only ``P`` is a dense product.
    Returns ``(cov, counts, available-case means)``. ``weights`` (bootstrap
    frequencies) multiply each row. With ``inplace=True``, ``X`` becomes ``X0``.
    """
    if not inplace:
        X = X.copy(order="F")
    n, k = X.shape
    np.copyto(X, 0.0, where=missing)
    d = missing.sum(axis=0).astype(np.float64)
    if weights is None and d.sum() < 0.1 * n * k:
        means = X.sum(axis=0) / (n - d)
        X -= means
        np.copyto(X, 0.0, where=missing)
        rows, cols = np.nonzero(missing)
        Dt = sparse.csr_array((np.ones(rows.size), (cols, rows)), shape=(k, n))  # D'
        N = n - d[:, None] - d[None, :] + (Dt @ Dt.T).toarray()
        # (X0'D)_ij: sum of item i over the rows where item j is missing -- gathered per
        # (contiguous) item column over the missing cells only, no copy of X.
        XtD = np.empty((k, k))
        for i in range(k):
            XtD[i] = np.bincount(cols, weights=X[rows, i], minlength=k)
        S = X.sum(axis=0)[:, None] - XtD
        P = X.T @ X
    else:
        M = 1.0 - missing
        w = np.ones(n) if weights is None else weights
        means = (w @ X) / (w @ M)
        X -= means
        np.copyto(X, 0.0, where=missing)
        Mw = M if weights is None else M * w[:, None]
        N = M.T @ Mw
        S = X.T @ Mw
        P = X.T @ (X if weights is None else X * w[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        C = (P - S * S.T / N) / (N - 1)
    return C, N, means


def _correlation_matrix(items: _Items) -> np.ndarray:
    """Correlation matrix as R's ``cor(use = "pairwise")`` (or from ``C`` for complete data).

    R's pairwise correlation standardizes each covariance by the standard
    deviations of the two items *on the rows where both were answered*, not by
    the available-case standard deviations (which ``cov2cor`` of the pairwise
    covariance matrix, as in psych::alpha and lavaan, would use):
    ``V_ij = (Q_ij - S_ij^2 / N_ij) / (N_ij - 1)`` with ``Q = (X0^2)'M``.
    """
    C = items.C
    if items.missing is None:
        sd = np.sqrt(np.diag(C))
        R = C / np.outer(sd, sd)
    else:
        M = 1.0 - items.missing
        X0 = items.X
        N = M.T @ M
        S = X0.T @ M
        Q = (X0 * X0).T @ M
        with np.errstate(divide="ignore", invalid="ignore"):
            V = (Q - S * S / N) / (N - 1)
            R = C / np.sqrt(V * V.T)
    np.fill_diagonal(R, 1.0)
    return R


def _cov2cor(C: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    np.fill_diagonal(R, 1.0)
    return R


def _check_variances(
    C: np.ndarray, X: np.ndarray, missing: np.ndarray | None, means: np.ndarray, cols: Sequence[Hashable]
) -> None:
    """ConstantError for an item without variance among the rows used (``X`` centered)."""
    d = np.diag(C)
    tol = (1e-10 * np.maximum(1.0, np.abs(means))) ** 2
    bad = np.flatnonzero(~(d > tol))
    if bad.size:
        j = bad[0]
        row = 0 if missing is None else int(np.argmin(missing[:, j]))
        value = X[row, j] + means[j]
        others = [cols[b] for b in bad[1:]]
        more = f" (also constant: {others})" if others else ""
        raise ConstantError(
            f"item {cols[j]!r} is constant among the rows used (every answer is {value:g}){more}; "
            "it carries no information and must be removed."
        )
