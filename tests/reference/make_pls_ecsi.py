"""Generate tests/reference/pls_ecsi.csv: a seeded ECSI-type survey (n = 400, answers 1-7).

Run from the repository root: ``.venv/bin/python tests/reference/make_pls_ecsi.py``.
The structural model is the ECSI model (image -> expectation -> quality ->
value -> satisfaction -> complaints, loyalty); tests/reference/pls.R
estimates PLS path models on this file.
"""

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261127)
n = 400
img = rng.normal(size=n)
exp = 0.5 * img + np.sqrt(1 - 0.25) * rng.normal(size=n)
qual = 0.55 * exp + np.sqrt(1 - 0.55**2) * rng.normal(size=n)
val = 0.1 * exp + 0.5 * qual + 0.8 * rng.normal(size=n)
sat = 0.2 * img + 0.1 * exp + 0.45 * qual + 0.2 * val + 0.6 * rng.normal(size=n)
cmp_ = 0.5 * sat + 0.85 * rng.normal(size=n)
loy = 0.2 * img + 0.5 * sat + 0.1 * cmp_ + 0.75 * rng.normal(size=n)
blocks = {"IMG": (img, [0.8, 0.7, 0.75, 0.6]), "EXP": (exp, [0.75, 0.7, 0.55]),
          "QUA": (qual, [0.8, 0.75, 0.8, 0.7, 0.65]), "VAL": (val, [0.85, 0.9]),
          "SAT": (sat, [0.85, 0.8, 0.8]), "CMP": (cmp_, [1.0]), "LOY": (loy, [0.85, 0.3, 0.8])}
cols = {}
for prefix, (lv, lams) in blocks.items():
    z = lv / lv.std()
    for k, lam in enumerate(lams, start=1):
        x = lam * z + np.sqrt(max(1 - lam**2, 0.15)) * rng.normal(size=n)
        cols[f"{prefix}{k}"] = np.clip(np.round(5 + 1.3 * x), 1, 7).astype(int)
pd.DataFrame(cols).to_csv("tests/reference/pls_ecsi.csv", index=False)
