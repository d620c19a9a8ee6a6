"""Simulated mystery-shopping audits: several shoppers rate the same sites.

Used to illustrate inter-rater reliability (intraclass correlations) in the
reliability chapter.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._validation import as_generator, check_int
from ..errors import ArgumentError

__all__ = ["simulate_mystery_shopping"]


def simulate_mystery_shopping(
    n_sites: int = 30,
    n_shoppers: int = 4,
    *,
    site_sd: float = 10.0,
    shopper_sd: float = 4.0,
    noise_sd: float = 6.0,
    mean: float = 70.0,
    rng: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Simulate a fully crossed mystery-shopping audit in long format.

    Every shopper audits every site (e.g. a distribution centre's customer
    service desk) and records a checklist compliance score from 0 to 100.

    Parameters
    ----------
    n_sites, n_shoppers : int
        Number of audited sites (>= 2) and of mystery shoppers (>= 2).
    site_sd : float
        SD of the true site quality (the signal the audit should capture).
    shopper_sd : float
        SD of the shoppers' systematic leniency or severity.
    noise_sd : float
        SD of visit-to-visit noise (the interaction / error term).
    mean : float
        Average score.
    rng : int, Generator or None
        Seed or generator.

    Returns
    -------
    DataFrame
        ``n_sites * n_shoppers`` rows with ``site`` ("S01", ...), ``shopper``
        ("M1", ...) and ``score`` (whole numbers clipped to 0-100).

    Raises
    ------
    ArgumentError
        Fewer than 2 sites or shoppers, a negative or infinite SD, a non-finite mean or a
        negative seed.
    ArgumentTypeError
        A non-integer ``n_sites``/``n_shoppers`` or an invalid ``rng``.

    Notes
    -----
    The score is :math:`y_{ij} = \\mu + s_i + m_j + e_{ij}` with independent
    normal site, shopper and error effects. Before rounding and clipping the
    population intraclass correlations are

    .. math:: ICC(2,1) = \\frac{\\sigma_s^2}{\\sigma_s^2 + \\sigma_m^2 + \\sigma_e^2}, \\qquad
              ICC(3,1) = \\frac{\\sigma_s^2}{\\sigma_s^2 + \\sigma_e^2},

    i.e. 0.658 (absolute agreement) and 0.735 (consistency) with the defaults.

    Examples
    --------
    >>> from csl_stats.datasets import simulate_mystery_shopping
    >>> audits = simulate_mystery_shopping(n_sites=5, n_shoppers=3, rng=1)
    >>> audits.shape
    (15, 3)
    >>> list(audits.columns)
    ['site', 'shopper', 'score']
    """
    n_sites = check_int(n_sites, "n_sites", minimum=2)
    n_shoppers = check_int(n_shoppers, "n_shoppers", minimum=2)
    for name, value in (("site_sd", site_sd), ("shopper_sd", shopper_sd), ("noise_sd", noise_sd)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < np.inf:
            raise ArgumentError(f"{name} must be a non-negative number and finite; got {value!r}.")
    if isinstance(mean, bool) or not isinstance(mean, numbers.Real) or not np.isfinite(mean):
        raise ArgumentError(f"mean must be a finite number; got {mean!r}.")
    gen = as_generator(rng)
    site = gen.normal(0.0, site_sd, n_sites)
    shopper = gen.normal(0.0, shopper_sd, n_shoppers)
    noise = gen.normal(0.0, noise_sd, (n_sites, n_shoppers))
    score = np.clip(np.round(mean + site[:, None] + shopper[None, :] + noise), 0, 100)
    width = len(str(n_sites))
    return pd.DataFrame(
        {
            "site": np.repeat([f"S{i + 1:0{max(width, 2)}d}" for i in range(n_sites)], n_shoppers),
            "shopper": np.tile([f"M{j + 1}" for j in range(n_shoppers)], n_sites),
            "score": score.ravel().astype(int),
        }
    )
