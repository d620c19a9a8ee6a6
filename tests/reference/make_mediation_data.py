"""Generate ``mediation_data.csv``, the seeded data set of the mediation R references.

Run from the repository root: ``python tests/reference/make_mediation_data.py``.
Columns: x (antecedent), m1-m3 (mediators, m2 depends on m1 and m3 on m2 for the
serial chain), w (continuous moderator of the x -> m1 and m1 -> y paths), c1, c2
(covariates), y (continuous outcome) and ybin (0/1 outcome from a logit).
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261127)
n = 300
x = rng.normal(4.5, 1.1, n)
w = rng.normal(3.0, 1.2, n)
c1 = rng.normal(0, 1, n)
c2 = rng.binomial(1, 0.4, n).astype(float)
m1 = 1.0 + 0.45 * x + 0.15 * w + 0.12 * x * w + 0.2 * c1 + rng.normal(0, 1, n)
m2 = 0.5 + 0.25 * x + 0.35 * m1 - 0.1 * c2 + rng.normal(0, 1, n)
m3 = 0.2 + 0.15 * x + 0.30 * m2 + rng.normal(0, 1, n)
y = 0.3 + 0.20 * x + 0.35 * m1 + 0.25 * m2 + 0.20 * m3 + 0.10 * w - 0.08 * m1 * w + 0.15 * c1 + rng.normal(0, 1, n)
eta = -4.0 + 0.3 * x + 0.5 * m1 + 0.2 * m2
ybin = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
df = pd.DataFrame({"x": x, "m1": m1, "m2": m2, "m3": m3, "w": w, "c1": c1, "c2": c2, "y": y, "ybin": ybin})
df.round(6).to_csv(Path(__file__).with_name("mediation_data.csv"), index=False)
