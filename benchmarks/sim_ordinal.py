"""Bias of Pearson vs polychoric correlations and of alpha vs ordinal alpha on skewed Likert data.

Design: one common factor, 4 items with standardized loadings 0.7 (latent inter-item
correlation 0.49, latent-response alpha 4 * 0.49 / (1 + 3 * 0.49) = 0.794), answers cut
into categories at thresholds that are symmetric ("sym") or skewed towards the top as
satisfaction answers are ("skew"), with 5 or 7 points; n = 300 respondents, complete data.
Per condition: the mean Pearson and polychoric correlation (over the 6 item pairs and the
replications) against the truth 0.49, the coverage of the 95 % Wald interval rho +/- 1.96 se
of the polychoric correlation, and alpha vs ordinal alpha against the latent-response alpha.
Results (500 replications; Monte Carlo SE of a bias about 0.001-0.002, of a coverage about 0.01)::

    answers        pearson_bias  polychoric_bias  polychoric_ci_coverage  alpha_bias  ordinal_alpha_bias
    5-point sym          -0.043            0.000                   0.944      -0.031              -0.001
    5-point skew         -0.073            0.000                   0.932      -0.054              -0.001
    7-point sym          -0.024            0.001                   0.946      -0.017              -0.000
    7-point skew         -0.045           -0.003                   0.938      -0.033              -0.003

("skew": 58 % of the 7-point answers are 6 or 7; 42 % of the 5-point answers are 5.)
The polychoric correlation and ordinal alpha are unbiased for the latent-response truth;
Pearson correlations and alpha of the answers are too low by 0.02-0.07. The Wald interval
of the polychoric correlation covers 93-95 %.

Usage::

    .venv/bin/python benchmarks/sim_ordinal.py [n_rep]
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd

import csl_stats

LOADING, K, N = 0.7, 4, 300
R_TRUE = LOADING**2
ALPHA_TRUE = K * R_TRUE / (1 + (K - 1) * R_TRUE)
CUTS = {
    ("sym", 5): [-1.5, -0.5, 0.5, 1.5],
    ("skew", 5): [-2.3, -1.6, -0.9, 0.2],
    ("sym", 7): [-1.8, -1.1, -0.4, 0.4, 1.1, 1.8],
    ("skew", 7): [-2.5, -2.0, -1.5, -0.9, -0.2, 0.7],
}


def one(cuts: list[float], rng: np.random.Generator) -> dict:
    f = rng.normal(size=N)
    y = LOADING * f[:, None] + np.sqrt(1 - LOADING**2) * rng.normal(size=(N, K))
    x = pd.DataFrame(1 + np.searchsorted(cuts, y), columns=[f"q{j}" for j in range(K)])
    if x.nunique().min() < len(cuts) + 1:  # an empty category in a small sample: merge it (collapse)
        pc = csl_stats.polychoric(x, collapse_empty=True)
    else:
        pc = csl_stats.polychoric(x)
    lo, hi = pc.pairs["rho"] - 1.96 * pc.pairs["se"], pc.pairs["rho"] + 1.96 * pc.pairs["se"]
    R = pc.correlation.to_numpy()
    return {
        "pearson": pc.pairs["pearson"].mean(),
        "polychoric": pc.pairs["rho"].mean(),
        "coverage": ((lo <= R_TRUE) & (R_TRUE <= hi)).mean(),
        "alpha": csl_stats.cronbach_alpha(x).alpha,
        "ordinal_alpha": K / (K - 1) * (1 - K / R.sum()),
    }


def main(n_rep: int = 200) -> pd.DataFrame:
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(20261129)
    rows = []
    for (shape, points), cuts in CUTS.items():
        reps = pd.DataFrame([one(cuts, rng) for _ in range(n_rep)])
        m = reps.mean()
        rows.append({
            "answers": f"{points}-point {shape}", "pearson_bias": m["pearson"] - R_TRUE,
            "polychoric_bias": m["polychoric"] - R_TRUE, "polychoric_ci_coverage": m["coverage"],
            "alpha_bias": m["alpha"] - ALPHA_TRUE, "ordinal_alpha_bias": m["ordinal_alpha"] - ALPHA_TRUE,
        })
    out = pd.DataFrame(rows).set_index("answers")
    print(f"truth: inter-item correlation {R_TRUE:.3f}, latent-response alpha {ALPHA_TRUE:.3f}; "
          f"n = {N}, {n_rep} replications")
    print(out.round(3).to_string())
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
