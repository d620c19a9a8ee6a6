"""How detectable are the survey's built-in claims at n = 1,000? (not a unit test)

Replicates ``simulate_supply_chain_survey(1000)`` and, on mean scale scores
(reverse-keyed items recoded, listwise per model), records

- the indirect effect sat -> trs -> loy (a*b on standardized scores) and a
  Sobel z,
- the sat x swc interaction t value (standardized scores),
- the hinge t value of loy on sat + max(sat - tau_score, 0) (raw scores),
- Cronbach's alpha of every scale minus its population value (1-7 items).

Run: ``.venv/bin/python benchmarks/sim_datasets.py [reps]`` (200 reps take about a minute).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from csl_stats.datasets import simulate_supply_chain_survey
from csl_stats.datasets._survey import ITEMS


def ols(y, X):
    X = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ beta
    se = np.sqrt(np.diag(r @ r / (len(y) - X.shape[1]) * np.linalg.inv(X.T @ X)))
    return beta, se


def alpha(x):
    x = x.dropna().to_numpy()
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def main(reps: int = 200) -> None:
    seeds = np.random.SeedSequence(20261127).spawn(reps)
    rows, alphas = [], []
    truth = None
    for ss in seeds:
        data, truth = simulate_supply_chain_survey(1000, rng=np.random.default_rng(ss))
        rec = data.copy()
        rec[["srv4", "loy4"]] = 8 - rec[["srv4", "loy4"]]
        sc = pd.DataFrame({c: rec[list(v)].mean(axis=1) for c, v in ITEMS.items()})
        alphas.append({c: alpha(rec[list(v)]) - truth.reliability.loc[c, "alpha_likert"] for c, v in ITEMS.items()})
        s = sc[["sat", "trs", "swc", "loy"]].dropna()
        z = (s - s.mean()) / s.std()
        a, sa = ols(z["trs"].to_numpy(), z[["sat"]].to_numpy())
        b, sb = ols(z["loy"].to_numpy(), z[["sat", "trs"]].to_numpy())
        ab = a[1] * b[2]
        sobel = ab / np.sqrt(a[1] ** 2 * sb[2] ** 2 + b[2] ** 2 * sa[1] ** 2)
        m, sm = ols(z["loy"].to_numpy(), np.column_stack([z["sat"], z["swc"], z["sat"] * z["swc"]]))
        h, sh = ols(s["loy"].to_numpy(), np.column_stack([s["sat"], np.maximum(s["sat"] - truth.tau_score, 0)]))
        rows.append({"indirect": ab, "sobel_z": sobel, "interaction_t": m[3] / sm[3], "hinge_t": h[2] / sh[2]})
    res = pd.DataFrame(rows)
    print(f"{reps} replications of n = 1000")
    print(res.describe().loc[["mean", "std", "min", "max"]].round(3).to_string())
    print("power at alpha = .05 (two-sided):")
    print(f"  indirect (Sobel): {(res['sobel_z'].abs() > 1.96).mean():.3f}")
    print(f"  interaction:      {(res['interaction_t'].abs() > 1.96).mean():.3f}")
    print(f"  hinge:            {(res['hinge_t'].abs() > 1.96).mean():.3f}")
    al = pd.DataFrame(alphas)
    print("sample alpha minus population alpha_likert (mean, sd):")
    print(pd.DataFrame({"mean": al.mean(), "sd": al.std()}).round(4).T.to_string())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
