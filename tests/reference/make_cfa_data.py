"""Generate the simulated data set used by ``cfa.R`` (committed as ``cfa_data.csv``).

Three correlated constructs with four congeneric indicators each (n = 400),
multivariate normal, unequal loadings and item variances, plus a small
cross-loading (rsp3 on satisf) and a residual correlation (rel3, rel4) that the
fitted simple-structure model omits, so the fit is good but not perfect
(RMSEA > 0). Run once from the
repository root::

    .venv/bin/python tests/reference/make_cfa_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

CONSTRUCTS = {
    "reliab": ["rel1", "rel2", "rel3", "rel4"],
    "respon": ["rsp1", "rsp2", "rsp3", "rsp4"],
    "satisf": ["sat1", "sat2", "sat3", "sat4"],
}
LOADINGS = [0.80, 0.75, 0.70, 0.55, 0.85, 0.80, 0.60, 0.65, 0.90, 0.85, 0.80, 0.50]
SDS = [1.0, 1.2, 0.9, 1.5, 1.1, 1.0, 1.3, 0.8, 1.2, 1.0, 1.1, 1.4]
PHI = np.array([[1.0, 0.45, 0.55], [0.45, 1.0, 0.60], [0.55, 0.60, 1.0]])


def main(n: int = 400, seed: int = 20261127) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p, m = len(LOADINGS), len(CONSTRUCTS)
    lam = np.zeros((p, m))
    for j in range(m):
        lam[4 * j : 4 * j + 4, j] = LOADINGS[4 * j : 4 * j + 4]
    eta = rng.multivariate_normal(np.zeros(m), PHI, size=n)
    lam[6, 2] = 0.30  # cross-loading omitted by the fitted model
    eps = rng.standard_normal((n, p)) * np.sqrt(1 - np.asarray(LOADINGS) ** 2)
    eps[:, 3] += 0.35 * eps[:, 2]  # residual correlation omitted by the fitted model
    z = eta @ lam.T + eps
    x = 4.0 + z * np.asarray(SDS)
    cols = [i for items in CONSTRUCTS.values() for i in items]
    return pd.DataFrame(np.round(x, 4), columns=cols)


if __name__ == "__main__":
    out = Path(__file__).with_name("cfa_data.csv")
    main().to_csv(out, index=False)
    print(f"wrote {out}")
