"""WLSMV with ordered and continuous indicators (``cfa(..., ordered=[subset], estimator="wlsmv")``): coverage
of the robust Wald intervals and rejection rate of the scaled-shifted chi-square when the model holds.

Design: two correlated factors (correlation 0.4, unit variances). ``sat`` has three 5-point items whose
answers are skewed towards the top (thresholds -1.5, -0.8, 0, 0.7 of the latent response), standardized
loadings 0.8, 0.7, 0.6. ``loy`` has two such items (loadings 0.7, 0.6) and two continuous indicators,
``spend`` = 50 + 8 f + e (residual SD 6) and ``share`` = 0.45 + 0.1 f + e (residual SD 0.12). n = 300,
complete data, ``nan_policy="listwise"``. True values (``std_lv`` identification, delta parameterization):
the loadings above, 8 and 0.1, the residual variances 36 and 0.0144, the correlation 0.4.

Reported: coverage of the 95 % Wald intervals (estimate +/- 1.96 robust SE) over the 7 loadings, the two
residual variances of the continuous indicators and the factor correlation; the mean relative bias of the
continuous loadings; and the rejection rate at 5 % of the scaled-shifted statistic (df = 13).
Results (400 replications, seed 20261129; Monte Carlo SE of a coverage or rejection rate about 0.011)::

    quantity                                                   value
    coverage, 5 loadings of ordered items (mean)               0.943
    coverage, 2 loadings of continuous indicators (mean)       0.942
    coverage, 2 residual variances of continuous (mean)        0.956
    coverage, factor correlation                               0.928
    relative bias, loadings of continuous indicators           0.000
    rejection rate of the scaled-shifted chi-square at 5 %     0.045
    share of Heywood cases (kept)                              0.002

The robust intervals cover 93-96 % and the scaled-shifted test keeps its level (4.5 %); the factor
correlation's interval is slightly narrow (92.8 %, 1.9 Monte Carlo SEs below 95 %), as in the all-ordered
simulation of ``sim_ordinal.py`` part 2 (92.7 %).

Run: ``python benchmarks/sim_wlsmv_mixed.py [n_rep]`` (about 0.2 s per replication).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd

import csl_stats

TH = np.array([-1.5, -0.8, 0.0, 0.7])
ORD = {"s1": ("sat", 0.8), "s2": ("sat", 0.7), "s3": ("sat", 0.6), "l1": ("loy", 0.7), "l2": ("loy", 0.6)}
CONT = {"spend": (50.0, 8.0, 6.0), "share": (0.45, 0.1, 0.12)}  # mean, loading, residual SD
MODEL = {"sat": ["s1", "s2", "s3"], "loy": ["l1", "l2", "spend", "share"]}
PHI = 0.4


def simulate(n: int, rng: np.random.Generator) -> pd.DataFrame:
    f = rng.multivariate_normal([0.0, 0.0], [[1.0, PHI], [PHI, 1.0]], size=n)
    fac = {"sat": f[:, 0], "loy": f[:, 1]}
    out = {}
    for item, (c, lam) in ORD.items():
        ystar = lam * fac[c] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
        out[item] = 1 + np.searchsorted(TH, ystar)
    for item, (mu, lam, sd) in CONT.items():
        out[item] = mu + lam * fac["loy"] + sd * rng.standard_normal(n)
    return pd.DataFrame(out)


def one(rng: np.random.Generator, n: int = 300) -> dict[str, float]:
    data = simulate(n, rng)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", csl_stats.errors.HeywoodWarning)
        res = csl_stats.cfa(data, MODEL, ordered=list(ORD), estimator="wlsmv", nan_policy="listwise")
    p = res.params.set_index(["lhs", "op", "rhs"])
    truth = {("sat" if it[0] == "s" else "loy", "=~", it): lam for it, (_, lam) in ORD.items()}
    truth.update({("loy", "=~", it): v[1] for it, v in CONT.items()})
    truth.update({(it, "~~", it): v[2] ** 2 for it, v in CONT.items()})
    truth[("sat", "~~", "loy")] = PHI
    row: dict[str, float] = {}
    for key, val in truth.items():
        est, se = p.loc[key, "estimate"], p.loc[key, "se"]
        row["cover " + " ".join(key)] = float(abs(est - val) <= 1.959964 * se)
        if key[1] == "=~" and key[2] in CONT:
            row["relbias " + key[2]] = est / val - 1
    row["reject"] = float(res.fit_indices["pvalue_scaled"] < 0.05)
    row["df"] = res.fit_indices["df"]
    row["heywood"] = float(any(issubclass(w.category, csl_stats.errors.HeywoodWarning) for w in caught))
    return row


def main(n_rep: int = 400, seed: int = 20261129) -> pd.Series:
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame([one(rng) for _ in range(n_rep)])
    cov = rows.filter(like="cover")
    ordered_load = [c for c in cov if "=~" in c and c.split()[-1] in ORD]
    cont_load = [c for c in cov if "=~" in c and c.split()[-1] in CONT]
    resvar = [c for c in cov if "~~" in c and c.split()[1] in CONT]
    out = pd.Series({
        "coverage, 5 loadings of ordered items (mean)": cov[ordered_load].mean().mean(),
        "coverage, 2 loadings of continuous indicators (mean)": cov[cont_load].mean().mean(),
        "coverage, 2 residual variances of continuous (mean)": cov[resvar].mean().mean(),
        "coverage, factor correlation": cov["cover sat ~~ loy"].mean(),
        "relative bias, loadings of continuous indicators": rows.filter(like="relbias").mean().mean(),
        "rejection rate of the scaled-shifted chi-square at 5 %": rows["reject"].mean(),
        "df": rows["df"].iloc[0],
        "share of Heywood cases (kept)": rows["heywood"].mean(),
    })
    return out


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 400).round(3).to_string())
