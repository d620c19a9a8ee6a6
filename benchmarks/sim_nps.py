"""Coverage and type I error of the NPS and top-box intervals and tests.

Run: ``.venv/bin/python benchmarks/sim_nps.py [--reps 2000]`` (about 5-8 minutes
on one core). Every number comes from the public functions of
:mod:`csl_stats.net_promoter`, :mod:`csl_stats.nps_compare` and
:mod:`csl_stats.csat`, called exactly as a user would.

Reported
--------
1. Coverage of the 95 % NPS intervals (adjusted Wald, Wald, bootstrap with
   1,000 resamples) for n = 30, 50, 100, 300, 1000 under five true
   (promoter, detractor) mixes, plus a weighted design (Kish n_eff).
2. Type I error at 5 % of ``nps_test`` (independent and paired).
3. Coverage of the Wilson top-2-box interval and type I error of
   ``top_box_test``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from csl_stats.csat import top_box, top_box_test
from csl_stats.net_promoter import nps
from csl_stats.nps_compare import nps_test

NS = (30, 50, 100, 300, 1000)
MIXES = ((0.3, 0.3), (0.5, 0.2), (0.7, 0.1), (0.85, 0.05), (0.1, 0.7))
METHODS = ("adjusted_wald", "wald", "bootstrap")


def draw_recommend(rng: np.random.Generator, n: int, p: float, d: float) -> np.ndarray:
    """0-10 answers with promoter share p and detractor share d."""
    cat = rng.choice(3, size=n, p=[d, 1 - p - d, p])  # 0 detractor, 1 passive, 2 promoter
    low = np.array([0, 7, 9])
    width = np.array([7, 2, 2])
    return (low[cat] + rng.integers(0, 1_000_000, size=n) % width[cat]).astype(float)


def coverage(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for n in NS:
        for p, d in MIXES:
            truth = 100 * (p - d)
            hits = dict.fromkeys(METHODS, 0)
            width = dict.fromkeys(METHODS, 0.0)
            for _ in range(reps):
                x = draw_recommend(rng, n, p, d)
                for m in METHODS:
                    r = nps(x, ci_method=m, n_boot=1000, rng=rng)
                    hits[m] += r.ci_low <= truth <= r.ci_high
                    width[m] += r.ci_high - r.ci_low
            for m in METHODS:
                rows.append({"n": n, "p": p, "d": d, "method": m,
                             "coverage": 100 * hits[m] / reps, "width": width[m] / reps})
    return pd.DataFrame(rows)


def coverage_weighted(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    p, d = 0.5, 0.2
    for n in (50, 100, 300):
        hits = dict.fromkeys(("adjusted_wald", "wald"), 0)
        naive = 0
        for _ in range(reps):
            x = draw_recommend(rng, n, p, d)
            # design weights unrelated to the answers (e.g. size-class weights)
            w = rng.lognormal(0.0, 0.8, size=n)
            for m in hits:
                r = nps(x, weights=w, ci_method=m)
                hits[m] += r.ci_low <= 100 * (p - d) <= r.ci_high
            # what ignoring the design effect would give: weighted shares, n instead of n_eff
            cat = np.where(x >= 9, 1, np.where(x >= 7, 0, -1))
            est = np.sum(w * cat) / w.sum()
            pp, dd = np.sum(w * (cat == 1)) / w.sum(), np.sum(w * (cat == -1)) / w.sum()
            se = np.sqrt((pp + dd - (pp - dd) ** 2) / n)
            naive += abs(est - (p - d)) <= 1.959964 * se
        rows.append({"n": n, "adjusted_wald (n_eff)": 100 * hits["adjusted_wald"] / reps,
                     "wald (n_eff)": 100 * hits["wald"] / reps, "wald (n, naive)": 100 * naive / reps})
    return pd.DataFrame(rows)


def type1_nps(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for n in (30, 100, 300):
        for p, d in ((0.3, 0.3), (0.7, 0.1)):
            rej_ind = 0
            rej_pair = 0
            for _ in range(reps):
                a = draw_recommend(rng, n, p, d)
                b = draw_recommend(rng, n, p, d)
                rej_ind += nps_test(a, b).p_value < 0.05
                # paired: with prob 0.6 the second answer repeats the first, else a fresh draw;
                # both margins equal the (p, d) mix, so H0 (equal NPS) holds.
                keep = rng.random(n) < 0.6
                b2 = np.where(keep, a, draw_recommend(rng, n, p, d))
                rej_pair += nps_test(a, b2, paired=True).p_value < 0.05
            rows.append({"n per group": n, "p": p, "d": d,
                         "independent": 100 * rej_ind / reps, "paired": 100 * rej_pair / reps})
    return pd.DataFrame(rows)


def top_box_sim(reps: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    cov_rows = []
    t1_rows = []
    for n in (30, 100, 300):
        for share in (0.1, 0.5, 0.9):
            hits = 0
            rej = 0
            probs = np.r_[np.full(5, (1 - share) / 5), np.full(2, share / 2)]  # 1-7 scale, top-2 = share
            for _ in range(reps):
                a = rng.choice(np.arange(1, 8), size=n, p=probs).astype(float)
                lo, hi = top_box(a, scale=(1, 7)).ci
                hits += lo <= share <= hi
                b = rng.choice(np.arange(1, 8), size=n, p=probs).astype(float)
                rej += top_box_test(a, b, scale=(1, 7)).p_value < 0.05
            cov_rows.append({"n": n, "share": share, "wilson coverage": 100 * hits / reps})
            t1_rows.append({"n per group": n, "share": share, "type I (z test)": 100 * rej / reps})
    return pd.DataFrame(cov_rows), pd.DataFrame(t1_rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    pd.set_option("display.width", 120, "display.precision", 1)
    cov = coverage(args.reps, rng)
    tab = cov.pivot_table(index=["n", "p", "d"], columns="method", values="coverage")[list(METHODS)]
    print(f"Coverage (%) of nominal 95 % NPS intervals, {args.reps} samples per cell")
    print(tab.to_string())
    print("\nMinimum / mean coverage over the mixes")
    agg = cov.groupby(["n", "method"])["coverage"].agg(["min", "mean"]).unstack("method")
    print(agg.to_string())
    print("\nMean width (NPS points)")
    print(cov.pivot_table(index=["n", "p", "d"], columns="method", values="width")[list(METHODS)].to_string())
    print("\nWeighted design (lognormal weights, sd log 0.8), mix (0.5, 0.2)")
    print(coverage_weighted(args.reps, rng).to_string(index=False))
    print("\nType I error (%) of nps_test at alpha = 5 %")
    print(type1_nps(args.reps, rng).to_string(index=False))
    cov_tb, t1_tb = top_box_sim(args.reps, rng)
    print("\nWilson top-2-box coverage (%) and top_box_test type I error (%)")
    print(cov_tb.merge(t1_tb.rename(columns={"n per group": "n"}), on=["n", "share"]).to_string(index=False))
    print(f"\n[{time.perf_counter() - t0:.0f} s]")


if __name__ == "__main__":
    main()
