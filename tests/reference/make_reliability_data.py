"""Generate the simulated questionnaire used by tests/reference/reliability.R.

Run from the repository root: ``python tests/reference/make_reliability_data.py``.
Writes ``tests/reference/reliability_items.csv``: 300 respondents, 12 items on a
1-7 scale measuring three correlated constructs (a1-a4, b1-b4, c1-c4).
``b4`` is a deliberately weak item, ``c4`` is reverse-keyed and NOT reversed,
and about 1.5 % of the answers (so that listwise deletion over all 12 items keeps > 80 % of the rows) are missing completely at random.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261127)
n = 300
phi = np.array([[1.0, 0.45, 0.30], [0.45, 1.0, 0.40], [0.30, 0.40, 1.0]])
eta = rng.multivariate_normal(np.zeros(3), phi, size=n)
loadings = {
    "a1": (0, 0.80), "a2": (0, 0.75), "a3": (0, 0.70), "a4": (0, 0.65),
    "b1": (1, 0.75), "b2": (1, 0.70), "b3": (1, 0.70), "b4": (1, 0.25),
    "c1": (2, 0.80), "c2": (2, 0.75), "c3": (2, 0.70), "c4": (2, -0.70),
}
cols = {}
for name, (f, lam) in loadings.items():
    latent = lam * eta[:, f] + np.sqrt(1 - lam**2) * rng.normal(size=n)
    cols[name] = np.clip(np.round(4 + 1.4 * latent), 1, 7)
data = pd.DataFrame(cols)
data = data.mask(rng.random(data.shape) < 0.015)
out = Path(__file__).with_name("reliability_items.csv")
data.to_csv(out, index=False, float_format="%.0f")
print(f"wrote {out} ({data.shape[0]} rows, {int(data.isna().sum().sum())} missing answers)")
