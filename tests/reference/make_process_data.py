"""Generate ``process_data.csv``, the seeded data set of the PROCESS (conditional process) R references.

Run from the repository root: ``python tests/reference/make_process_data.py``.
Columns: x (antecedent), g (a three-group categorical antecedent, A/B/C), m1, m2
(mediators; m2 depends on m1 for the serial model), w and z (continuous moderators of
the a, b and direct paths, with a three-way x*w*z term), wc (a three-group moderator,
lo/mid/hi), c1 (covariate), y (continuous outcome) and ybin (0/1 outcome from a logit).
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261129)
n = 250
x = rng.normal(4.0, 1.0, n)
g = rng.choice(["A", "B", "C"], size=n, p=[0.3, 0.4, 0.3])
gb, gc = (g == "B").astype(float), (g == "C").astype(float)
w = rng.normal(3.0, 1.0, n)
z = rng.normal(0.0, 1.5, n)
wc = rng.choice(["lo", "mid", "hi"], size=n)
c1 = rng.normal(0, 1, n)
m1 = (0.5 + 0.40 * x + 0.20 * w + 0.15 * x * w + 0.1 * z + 0.05 * x * w * z + 0.5 * gb - 0.4 * gc
      + 0.2 * c1 + rng.normal(0, 1, n))
m2 = 0.3 + 0.25 * x + 0.35 * m1 + rng.normal(0, 1, n)
y = (0.2 + 0.20 * x + 0.35 * m1 + 0.25 * m2 + 0.10 * w - 0.08 * m1 * w + 0.1 * m1 * z + 0.05 * x * z
     + 0.3 * gb + 0.15 * c1 + rng.normal(0, 1, n))
eta = -3.0 + 0.3 * x + 0.4 * m1 - 0.1 * w
ybin = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
df = pd.DataFrame({"x": x, "g": g, "m1": m1, "m2": m2, "w": w, "z": z, "wc": wc, "c1": c1, "y": y,
                   "ybin": ybin})
df.round(6).to_csv(Path(__file__).with_name("process_data.csv"), index=False)
