"""A small simulated supplier panel for the supplier scorecard (the Dell case).

A PC maker rates its component suppliers every quarter on cost, technology,
delivery, service, continuity of supply and global support, and tracks
quality as defective parts per million (ppm). :func:`simulate_suppliers`
draws such a panel; the packaged copy (``suppliers.csv``, 15 suppliers) is
``simulate_suppliers(15, rng=SUPPLIERS_SEED)``.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from .._validation import as_generator, check_int

__all__ = [
    "SUPPLIERS_SEED",
    "SUPPLIER_CRITERIA",
    "simulate_suppliers",
    "load_suppliers",
    "suppliers_csv_text",
]

#: Seed that generates the committed ``suppliers.csv``.
SUPPLIERS_SEED = 20240930
_N = 15

#: The scorecard criteria of the data set and their direction (see :func:`csl_stats.supplier_scorecard`).
SUPPLIER_CRITERIA: dict[str, str] = {
    "cost_index": "cost",
    "technology": "benefit",
    "on_time_delivery": "benefit",
    "service": "benefit",
    "continuity": "benefit",
    "global_support": "benefit",
    "defects_ppm": "cost",
}

_COMMODITIES = ("memory", "storage", "displays", "power supplies", "chassis", "keyboards")
_REGIONS = ("Asia", "Americas", "Europe")
_COLUMNS = ["supplier", "commodity", "region", *SUPPLIER_CRITERIA]


def _points(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), 0, 100).astype(np.int64)


def simulate_suppliers(n: int = _N, *, rng: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Simulate a panel of component suppliers rated on a Dell-style scorecard.

    Parameters
    ----------
    n : int, default 15
        Number of suppliers (2 to 99).
    rng : int, numpy.random.Generator or None
        Seed or generator; ``SUPPLIERS_SEED`` with ``n=15`` reproduces the
        packaged data (:func:`load_suppliers`).

    Returns
    -------
    pandas.DataFrame
        One row per supplier: ``supplier`` (``"S01"``...), ``commodity``,
        ``region`` and the criteria

        - ``cost_index``: landed unit cost relative to the benchmark price
          (100 = benchmark; lower is better), one decimal;
        - ``technology``, ``service``, ``continuity`` (continuity of supply),
          ``global_support``: audit points 0-100 (higher is better);
        - ``on_time_delivery``: share of deliveries on time, % (one decimal);
        - ``defects_ppm``: defective parts per million delivered (lower is better).

    Notes
    -----
    Two latent traits drive the ratings: capability :math:`c` and global
    footprint :math:`g` (independent standard normal), plus independent
    normal noise :math:`e` per criterion:
    ``cost_index = 100 + 4c - 3g + 4e`` (capable suppliers charge more, large
    ones less), ``technology = 70 + 10c + 6e``, ``on_time_delivery = 94 +
    2.5c + 2e`` (clipped to 80-99.9), ``service = 72 + 7c + 8e``,
    ``continuity = 70 + 5c + 8g + 6e``, ``global_support = 65 + 3c + 12g + 6e``
    (points rounded and clipped to 0-100), ``defects_ppm = 350 exp(-0.6c +
    0.4e)``. Good suppliers are therefore better on most criteria but more
    expensive, so the ranking depends on the weight given to cost.

    Examples
    --------
    >>> from csl_stats.datasets import simulate_suppliers
    >>> simulate_suppliers(5, rng=1).shape
    (5, 10)
    """
    n = check_int(n, "n", minimum=2)
    if n > 99:
        from ..errors import ArgumentError

        raise ArgumentError(f"n must be at most 99 (supplier ids S01..S99); got {n}.")
    gen = as_generator(rng)
    c = gen.standard_normal(n)
    g = gen.standard_normal(n)
    e = gen.standard_normal((n, 7))
    commodity = np.asarray(_COMMODITIES, dtype=object)[gen.integers(0, len(_COMMODITIES), n)]
    region = np.asarray(_REGIONS, dtype=object)[gen.choice(len(_REGIONS), size=n, p=[0.6, 0.2, 0.2])]
    data = pd.DataFrame(
        {
            "supplier": [f"S{i:02d}" for i in range(1, n + 1)],
            "commodity": commodity,
            "region": region,
            "cost_index": np.round(100 + 4 * c - 3 * g + 4 * e[:, 0], 1),
            "technology": _points(70 + 10 * c + 6 * e[:, 1]),
            "on_time_delivery": np.round(np.clip(94 + 2.5 * c + 2 * e[:, 2], 80, 99.9), 1),
            "service": _points(72 + 7 * c + 8 * e[:, 3]),
            "continuity": _points(70 + 5 * c + 8 * g + 6 * e[:, 4]),
            "global_support": _points(65 + 3 * c + 12 * g + 6 * e[:, 5]),
            "defects_ppm": np.round(350 * np.exp(-0.6 * c + 0.4 * e[:, 6])).astype(np.int64),
        }
    )
    return _set_dtypes(data)


def _set_dtypes(data: pd.DataFrame) -> pd.DataFrame:
    out = data[_COLUMNS].copy()
    for col in ("supplier", "commodity", "region"):
        out[col] = out[col].astype("str")
    for col in ("technology", "service", "continuity", "global_support", "defects_ppm"):
        out[col] = out[col].astype("int64")
    for col in ("cost_index", "on_time_delivery"):
        out[col] = out[col].astype("float64")
    return out


def suppliers_csv_text(data: pd.DataFrame | None = None) -> str:
    """CSV text of the supplier panel exactly as committed (``None``: regenerate from ``SUPPLIERS_SEED``)."""
    if data is None:
        data = simulate_suppliers(_N, rng=SUPPLIERS_SEED)
    return data.to_csv(index=False, lineterminator="\n", float_format="%.1f")


def load_suppliers() -> pd.DataFrame:
    """Load the packaged panel of 15 simulated component suppliers (the Dell scorecard case).

    Exactly ``simulate_suppliers(15, rng=SUPPLIERS_SEED)``; identical to
    ``data/suppliers.csv``. Column meanings: :func:`simulate_suppliers` and
    ``codebook("suppliers")``; criterion directions: ``SUPPLIER_CRITERIA``.

    Examples
    --------
    >>> from csl_stats.datasets import load_suppliers
    >>> sup = load_suppliers()
    >>> sup.shape
    (15, 10)
    """
    ref = resources.files("csl_stats.datasets").joinpath("data", "suppliers.csv")
    with ref.open("r", encoding="utf-8", newline="") as fh:
        return _set_dtypes(pd.read_csv(fh))
