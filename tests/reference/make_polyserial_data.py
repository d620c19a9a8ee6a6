"""Seeded mixed data (ordinal items and continuous variables) for the polyserial reference tests.

Three ordinal items (5, 4 and 7 categories, the 7-point one skewed towards the top as satisfaction
answers are) and two continuous variables (spend in thousands, share of wallet), all driven by one
common factor; 400 respondents, about 4 % of the values missing at random. Columns interleave the
two kinds so that the layout of the asymptotic covariance matrix (lavaan's) is exercised.
Run: ``python tests/reference/make_polyserial_data.py`` (writes ``polyserial_data.csv`` next to it);
then ``Rscript tests/reference/polyserial.R``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261130)
n = 400
f = rng.normal(size=n)
load = np.array([0.75, 0.6, 0.8, 0.55, 0.65])
y = f[:, None] * load + rng.normal(size=(n, 5)) * np.sqrt(1 - load**2)
out = pd.DataFrame(
    {
        "o1": 1 + np.searchsorted([-1.3, -0.4, 0.5, 1.4], y[:, 0]),
        "spend": np.round(40 + 9 * y[:, 1], 2),
        "o2": 1 + np.searchsorted([-0.9, 0.2, 1.0], y[:, 2]),
        "o3": 1 + np.searchsorted([-2.0, -1.5, -1.0, -0.4, 0.3, 1.0], y[:, 3]),
        "share": np.round(0.45 + 0.15 * y[:, 4], 4),
    }
).astype(float)
out[rng.random(size=out.shape) < 0.04] = np.nan
out = out.astype({c: "Int64" for c in ["o1", "o2", "o3"]})
out.to_csv(Path(__file__).with_name("polyserial_data.csv"), index=False)
