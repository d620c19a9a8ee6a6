"""Generate the seeded simulated data used by tests/reference/regression.R.

Run from the repository root:  python tests/reference/make_regression_data.py
Writes tests/reference/regression_data.csv (300 rows). The R script reads it and
writes tests/reference/regression_reference.json.

Columns: sat, trs, swc (predictors on a 1-7 metric), loy (continuous, heteroskedastic
errors and a sat x swc interaction), loy_item (ordinal 1-5), churned (0/1),
kink_y (continuous, kinked in sat at 5.0).
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261127)
n = 300
sat = np.clip(rng.normal(4.8, 1.1, n), 1, 7)
trs = np.clip(0.5 * sat + rng.normal(2.0, 0.9, n), 1, 7)
swc = np.clip(rng.normal(4.0, 1.2, n), 1, 7)
err = rng.normal(0, 1, n) * (0.4 + 0.15 * np.abs(sat - 4))  # heteroskedastic
loy = 1.0 + 0.55 * sat + 0.25 * trs + 0.3 * swc - 0.25 * (sat - 4.8) * (swc - 4.0) + err
lat = 0.9 * sat + 0.4 * trs + rng.logistic(size=n)
loy_item = np.digitize(lat, np.quantile(lat, [0.12, 0.35, 0.65, 0.88])) + 1
churned = (rng.random(n) < 1 / (1 + np.exp(-(4.0 - 0.9 * sat + 0.15 * swc)))).astype(int)
kink_y = 2.0 + 0.2 * sat + 0.8 * np.maximum(sat - 5.0, 0) + rng.normal(0, 0.5, n)
df = pd.DataFrame(
    {
        "sat": sat.round(4),
        "trs": trs.round(4),
        "swc": swc.round(4),
        "loy": loy.round(4),
        "loy_item": loy_item,
        "churned": churned,
        "kink_y": kink_y.round(4),
    }
)
df.to_csv(Path(__file__).with_name("regression_data.csv"), index=False)
print(df.describe().round(2))
