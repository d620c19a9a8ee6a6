"""Generate tests/reference/drivers_data.csv (seeded), the input of drivers.R.

Four correlated 1-7 attribute ratings (delivery, quality, service, value) and an
overall satisfaction rating with an asymmetric (basic-factor) effect of delivery
and an excitement-type effect of service, plus a few missing values.
Run: python tests/reference/make_drivers_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261127)
n = 300
common = rng.normal(size=n)
lat = 0.6 * common[:, None] + 0.8 * rng.normal(size=(n, 4))
ratings = np.clip(np.round(4.6 + 1.3 * lat), 1, 7)
dlv, qlt, srv, val = ratings.T
sat = (
    2.0
    + 0.35 * qlt
    + 0.15 * val
    - 0.9 * (dlv <= 3)
    + 0.2 * (dlv >= 6)
    + 0.7 * (srv >= 6)
    + 0.8 * rng.normal(size=n)
)
frame = pd.DataFrame({"sat": np.round(sat, 3), "dlv": dlv, "qlt": qlt, "srv": srv, "val": val})
frame.loc[rng.choice(n, 6, replace=False), "val"] = np.nan
frame.loc[rng.choice(n, 4, replace=False), "sat"] = np.nan
frame.to_csv(Path(__file__).with_name("drivers_data.csv"), index=False)
