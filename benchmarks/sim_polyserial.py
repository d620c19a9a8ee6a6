"""Bias and CI coverage of the polyserial correlation (``polychoric(..., continuous=[...])``) against known truth.

Design: a continuous variable x (say spend) and a latent response y* correlate rho = 0.5 in a
bivariate normal population; y* is cut into 5 symmetric categories ("5-point sym", thresholds
-1.5, -0.5, 0.5, 1.5) or 7 categories skewed towards the top as satisfaction answers are
("7-point skew", thresholds -2.2, -1.7, -1.2, -0.6, 0.1, 0.9; 58 % answer 6 or 7); n = 300
(and n = 100). "lognormal x": the customer figure is exp(x), skewed as spend is, and the truth
is still rho = 0.5 between log spend and y*; "log of lognormal x" analyses log(exp(x)) (the remedy).
Per condition: mean bias against rho of the maximum-likelihood two-step polyserial estimate, of
the "ad hoc" estimate r_xy s_y / sum phi(tau) (psych::polyserial) and of the Pearson correlation of
x with the category codes; the coverage of the 95 % Wald interval rho +/- 1.96 se; and the ratio of
the mean SE to the SD of the estimates.
Results (1,000 replications; Monte Carlo SE of a bias about 0.001-0.003, of a coverage about 0.007)::

         answers                  x   n  polyserial_bias  adhoc_bias  pearson_bias  ci_coverage  se_over_sd
     5-point sym           normal x 300           -0.003      -0.003        -0.026        0.940       1.010
    7-point skew           normal x 300            0.000       0.001        -0.023        0.942       0.946
    7-point skew           normal x 100            0.000       0.003        -0.022        0.931       0.968
    7-point skew        lognormal x 300           -0.051      -0.136        -0.153        0.614       0.519
    7-point skew log of lognormal x 300           -0.000       0.000        -0.023        0.944       0.979

Under bivariate normality the polyserial estimate is unbiased (|bias| <= 0.003), the Wald interval
covers 93-94 % and the SE matches the spread of the estimates (ratio 0.95-1.01); Pearson with the
category codes is 0.02-0.03 too low. With a lognormal (skewed) x the model misfits: bias -0.05
(ad hoc and Pearson -0.14/-0.15), coverage 61 %, SEs half the true spread; the log restores everything.

Usage::

    .venv/bin/python benchmarks/sim_polyserial.py [n_rep]
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd

import csl_stats

RHO = 0.5
CUTS = {"5-point sym": [-1.5, -0.5, 0.5, 1.5], "7-point skew": [-2.2, -1.7, -1.2, -0.6, 0.1, 0.9]}
CONDITIONS = [  # (answers, x, n)
    ("5-point sym", "normal x", 300),
    ("7-point skew", "normal x", 300),
    ("7-point skew", "normal x", 100),
    ("7-point skew", "lognormal x", 300),
    ("7-point skew", "log of lognormal x", 300),
]


def one(rng: np.random.Generator, cuts: list[float], x_kind: str, n: int) -> tuple[float, float, float, float]:
    z = rng.multivariate_normal([0, 0], [[1, RHO], [RHO, 1]], size=n)
    x = z[:, 0]
    if x_kind == "lognormal x":
        x = np.exp(x)
    elif x_kind == "log of lognormal x":
        x = np.log(np.exp(x))
    df = pd.DataFrame({"y": np.digitize(z[:, 1], cuts) + 1, "x": 20 + 5 * x})
    res = csl_stats.polychoric(df, ["y"], continuous=["x"], collapse_empty=True)  # rare empty category (n = 100)
    row = res.pairs.iloc[0]
    tau = res.thresholds["estimate"].to_numpy()
    codes = np.unique(df["y"], return_inverse=True)[1]  # category codes 0, 1, ... (observed categories)
    adhoc = row["pearson"] * codes.std() / (np.exp(-0.5 * tau**2).sum() / np.sqrt(2 * np.pi))
    return row["rho"], row["se"], adhoc, row["pearson"]


def main(n_rep: int = 1000) -> pd.DataFrame:
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(20261130)
    rows = []
    for answers, x_kind, n in CONDITIONS:
        est = np.array([one(rng, CUTS[answers], x_kind, n) for _ in range(n_rep)])
        rho, se, adhoc, pearson = est.T
        rows.append({
            "answers": answers, "x": x_kind, "n": n,
            "polyserial_bias": rho.mean() - RHO,
            "adhoc_bias": adhoc.mean() - RHO,
            "pearson_bias": pearson.mean() - RHO,
            "ci_coverage": np.mean(np.abs(rho - RHO) <= 1.96 * se),
            "se_over_sd": se.mean() / rho.std(ddof=1),
        })
    return pd.DataFrame(rows)


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with pd.option_context("display.width", 140):
        print(main(reps).round(3).to_string(index=False))
