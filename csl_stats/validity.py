"""Discriminant validity: the heterotrait-monotrait ratio of correlations (HTMT).

:func:`htmt` matches ``semTools::htmt`` (R) for both the arithmetic
(``htmt2 = FALSE``) and the geometric (``htmt2 = TRUE``) variant.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._itemdata import _cov2cor, _prepare
from ._validation import check_choice
from .errors import ArgumentTypeError, DataError, ModelSpecificationError

__all__ = ["htmt"]

_VARIANTS = ("htmt", "htmt2")


def _check_constructs(constructs: Any, *, min_items: int = 1) -> dict[Hashable, list[Hashable]]:
    """Validate a ``{"construct": ["item", ...]}`` mapping (no item in two constructs)."""
    if not isinstance(constructs, Mapping):
        raise ArgumentTypeError(
            "constructs must be a dict such as {'satisfaction': ['sat1', 'sat2', 'sat3'], ...}; "
            f"got {type(constructs).__name__}."
        )
    out: dict[Hashable, list[Hashable]] = {}
    owner: dict[Hashable, Hashable] = {}
    for name, items in constructs.items():
        if isinstance(items, str) or not isinstance(items, Sequence | pd.Index):
            raise ArgumentTypeError(
                f"construct {name!r}: items must be a list of column names; got {items!r}."
            )
        items = list(items)
        if len(items) < min_items:
            raise ModelSpecificationError(
                f"construct {name!r} has {len(items)} item(s) {items}; at least {min_items} are needed "
                "(HTMT averages the correlations among a construct's own items)."
            )
        for it in items:
            if it in owner:
                where = f"twice in {name!r}" if owner[it] == name else f"in {owner[it]!r} and in {name!r}"
                raise ModelSpecificationError(f"item {it!r} is listed {where}; each item measures one construct.")
            owner[it] = name
        out[name] = items
    return out


def htmt(
    data: pd.DataFrame,
    constructs: Mapping[Hashable, Sequence[Hashable]],
    *,
    variant: str = "htmt",
    nan_policy: str = "listwise",
) -> pd.DataFrame:
    r"""Heterotrait-monotrait ratio of correlations between constructs.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, raw item answers.
    constructs : dict
        ``{"construct": ["item", ...], ...}``; at least two constructs, each with
        at least two items, no item in two constructs.
    variant : {"htmt", "htmt2"}, default "htmt"
        ``"htmt"``: arithmetic means (Henseler, Ringle & Sarstedt 2015),
        ``semTools::htmt(..., htmt2 = FALSE)``. ``"htmt2"``: geometric means
        (Roemer, Schuberth & Henseler 2021), semTools' default.
    nan_policy : {"listwise", "pairwise"}, default "listwise"
        Complete rows over all items (semTools' default ``missing = "listwise"``),
        or pairwise-complete covariances scaled by the available-case standard
        deviations (``missing = "pairwise"`` in semTools/lavaan's ``lavCor``).

    Returns
    -------
    pandas.DataFrame
        Full symmetric construct x construct matrix with ones on the diagonal
        (the layout of semTools' output). Take ``.where(np.tril(np.ones(m.shape, bool), -1))``
        for the lower triangle.

    Raises
    ------
    ModelSpecificationError
        Fewer than two constructs, a construct with fewer than two items, or an
        item in two constructs.
    ColumnNotFoundError
        An item is not in ``data``.
    DataError
        The average within-construct correlation is zero (the ratio is undefined).
    ConstantError, NonNumericError, InsufficientDataError
        As for :func:`~csl_stats.cronbach_alpha`.

    Notes
    -----
    With :math:`|r|` the absolute item correlations, for constructs :math:`i`
    (:math:`K_i` items) and :math:`j`:

    .. math::

        \mathrm{HTMT}_{ij} = \frac{\overline{|r|}_{\text{between } i, j}}
        {\sqrt{\overline{|r|}_{\text{within } i}\;\overline{|r|}_{\text{within } j}}},

    where the between-mean runs over the :math:`K_i K_j` heterotrait-heteromethod
    correlations and the within-mean over the :math:`K_i(K_i-1)/2` monotrait-heteromethod
    correlations. ``"htmt"`` uses arithmetic means, ``"htmt2"`` geometric means
    (consistent under congeneric rather than tau-equivalent measurement).
    Like semTools (``absolute = TRUE``), correlations enter in absolute value, so a
    reverse-keyed item need not be recoded here; a zero correlation makes the
    geometric mean zero. Values above 0.85 (strict) or 0.90 (lenient) signal a
    lack of discriminant validity (Henseler et al. 2015).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43, 115-135.

    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for
    assessing discriminant validity in structural equation modeling. Industrial Management
    & Data Systems, 121, 2637-2650.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> rng = np.random.default_rng(0)
    >>> f = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=500)
    >>> df = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(size=(500, 6)),
    ...                   columns=["s1", "s2", "s3", "l1", "l2", "l3"])
    >>> m = csl_stats.htmt(df, {"sat": ["s1", "s2", "s3"], "loy": ["l1", "l2", "l3"]})
    >>> print(f"{m.loc['loy', 'sat']:.2f}")
    0.49
    """
    check_choice(variant, "variant", _VARIANTS)
    check_choice(nan_policy, "nan_policy", ("listwise", "pairwise"))
    spec = _check_constructs(constructs, min_items=2)
    if len(spec) < 2:
        raise ModelSpecificationError(
            f"HTMT compares constructs; at least two are needed, got {len(spec)} ({list(spec)})."
        )
    items = [it for its in spec.values() for it in its]
    it = _prepare(data, items, nan_policy, arg="constructs")
    # pairwise: cov2cor of the pairwise covariances, as lavaan::lavCor(missing = "pairwise")
    A = np.abs(_cov2cor(it.C))
    pos: dict[Hashable, np.ndarray] = {}
    start = 0
    for name, its in spec.items():
        pos[name] = np.arange(start, start + len(its))
        start += len(its)

    def mean(block: np.ndarray) -> float:
        if variant == "htmt":
            return float(block.mean())
        with np.errstate(divide="ignore"):
            return float(np.exp(np.log(block).mean()))

    names = list(spec)
    within = {}
    for name in names:
        idx = pos[name]
        block = A[np.ix_(idx, idx)][np.triu_indices(len(idx), 1)]
        within[name] = mean(block)
        if not within[name] > 0:
            raise DataError(
                f"the items of construct {name!r} are uncorrelated on average (mean |r| = 0); "
                "HTMT is undefined."
            )
    out = np.eye(len(names))
    for a in range(len(names)):
        for b in range(a):
            between = mean(A[np.ix_(pos[names[a]], pos[names[b]])].ravel())
            out[a, b] = out[b, a] = between / np.sqrt(within[names[a]] * within[names[b]])
    return pd.DataFrame(out, index=pd.Index(names, name="construct"), columns=pd.Index(names, name="construct"))
