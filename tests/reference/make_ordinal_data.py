"""Seeded ordinal (Likert-type) data for the polychoric reference tests (tests/reference/ordinal.R).

Six items with six answer categories (1-6), one common factor (loadings 0.5-0.8), skewed towards
the top as satisfaction answers are, and two items with 3 and 4 categories; 500 respondents, about 3 % of the answers missing at random.
Run: ``python tests/reference/make_ordinal_data.py`` (writes ``ordinal_data.csv`` next to it).
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261129)
n = 500
loadings = np.array([0.8, 0.75, 0.7, 0.65, 0.6, 0.5])
f = rng.normal(size=n)
latent = f[:, None] * loadings + rng.normal(size=(n, 6)) * np.sqrt(1 - loadings**2)
cuts = np.array([-1.9, -1.3, -0.7, -0.1, 0.6])  # skewed: most answers in 4-6
cuts_items = cuts[None, :] + rng.uniform(-0.2, 0.2, size=(6, 1))
x = np.empty((n, 6))
for j in range(6):
    x[:, j] = 1 + np.searchsorted(cuts_items[j], latent[:, j])
# two more items with 3 and 4 categories (unequal category counts across pairs)
extra = f[:, None] * np.array([0.7, 0.6]) + rng.normal(size=(n, 2)) * np.sqrt(1 - np.array([0.49, 0.36]))
x = np.column_stack([x, 1 + np.searchsorted([-0.8, 0.7], extra[:, 0]), 1 + np.searchsorted([-1.2, -0.3, 0.9], extra[:, 1])])
x[rng.random(size=x.shape) < 0.03] = np.nan
out = pd.DataFrame(x, columns=[f"a{j + 1}" for j in range(8)]).astype("Int64")
out.to_csv(Path(__file__).with_name("ordinal_data.csv"), index=False)
