"""Type I error and coverage of the survival analyses in :func:`csl_stats.survival`.

Run: ``.venv/bin/python benchmarks/sim_survival.py [--reps 1000]`` (about 5-10 minutes on one
core with the default replications). Every number comes from the public function
:func:`csl_stats.survival`, called exactly as a user would.

Reported
--------
1. Type I error at 5 % of the log-rank test (two and three groups, equal hazards) and of the
   trend test (three ordered groups).
2. Type I error at 5 % of the proportional-hazards test (``ph_test``, per covariate and
   GLOBAL) when hazards are proportional, and its power when one effect fades over time.
3. Coverage of the pointwise 95 % Kaplan-Meier intervals (log-log and log) at the true
   median and at the true 80th survival percentile.
4. Coverage of the 95 % Cox hazard-ratio intervals (naive and robust), with tied times
   (Efron).

Design: exponential lifetimes (rate 1/365 per day), uniform censoring over 0-730 days
(about a third censored), times rounded up to whole weeks (ties), n = 150 per data set.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import csl_stats

RATE = 1 / 365


def draw(rng: np.random.Generator, n: int, lp: np.ndarray | None = None, fade: np.ndarray | None = None):
    """Exponential times with hazard RATE * exp(lp); ``fade`` doubles the hazard only before day 180."""
    u = rng.exponential(size=n)
    h = RATE * np.exp(lp if lp is not None else np.zeros(n))
    if fade is None:
        t = u / h
    else:
        early = h * np.exp(fade)
        cut = 180.0
        t = np.where(u <= early * cut, u / early, cut + (u - early * cut) / h)
    c = rng.uniform(0, 730, size=n)
    time_ = np.ceil(np.minimum(t, c) / 7) * 7
    return np.maximum(time_, 7), (t <= c).astype(int)


def main(reps: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 150
    t0 = time.time()
    lr2 = lr3 = trend = 0
    ph_x = ph_glob = ph_power = 0
    cover = {("log-log", 0.5): 0, ("log", 0.5): 0, ("log-log", 0.8): 0, ("log", 0.8): 0}
    hr_naive = hr_robust = 0
    beta = np.log(1.5)
    for _ in range(reps):
        # 1. log-rank under the null
        tt, ee = draw(rng, n)
        g = rng.integers(0, 3, size=n)
        d = pd.DataFrame({"t": tt, "e": ee, "g2": g % 2, "g3": g})
        r2 = csl_stats.survival(d, "t", "e", groups="g2")
        r3 = csl_stats.survival(d, "t", "e", groups="g3")  # numeric groups: trend test too
        lr2 += r2.logrank.loc["log-rank", "p"] < 0.05
        lr3 += r3.logrank.loc["log-rank", "p"] < 0.05
        trend += r3.logrank.loc["trend", "p"] < 0.05
        # 3. KM coverage at true S = 0.5 and 0.8 (one group)
        for m in ("log-log", "log"):
            km = csl_stats.survival(d, "t", "e", ci_method=m)
            for s_true in (0.5, 0.8):
                t_q = -np.log(s_true) / RATE
                # the estimate at t_q: weekly grid, true S at the grid point actually used
                row = km.survival_at([t_q]).iloc[0]
                t_used = km.km.loc[km.km["time"] <= t_q, "time"].max()
                s_at = np.exp(-RATE * t_used) if np.isfinite(t_used) else 1.0
                cover[(m, s_true)] += row["ci_low"] <= s_at <= row["ci_high"]
        # 2 and 4. Cox with one continuous and one binary covariate, proportional hazards
        x = rng.normal(size=n)
        z = rng.integers(0, 2, size=n)
        tt, ee = draw(rng, n, lp=beta * x + 0.3 * z)
        d = pd.DataFrame({"t": tt, "e": ee, "x": x, "z": z})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = csl_stats.survival(d, "t", "e", covariates=["x", "z"], robust=True)
        hr = np.exp(beta)
        lo_n = np.exp(fit.cox.loc["x", "coef"] - 1.959964 * fit.cox.loc["x", "se_naive"])
        hi_n = np.exp(fit.cox.loc["x", "coef"] + 1.959964 * fit.cox.loc["x", "se_naive"])
        hr_naive += lo_n <= hr <= hi_n
        hr_robust += fit.cox.loc["x", "ci_low"] <= hr <= fit.cox.loc["x", "ci_high"]
        ph_x += fit.ph_test.loc["x", "p"] < 0.05
        ph_glob += fit.ph_test.loc["GLOBAL", "p"] < 0.05
        # power: z doubles the hazard only in the first 180 days
        tt, ee = draw(rng, n, lp=beta * x, fade=np.log(3) * z)
        d = pd.DataFrame({"t": tt, "e": ee, "x": x, "z": z})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = csl_stats.survival(d, "t", "e", covariates=["x", "z"])
        ph_power += fit.ph_test.loc["z", "p"] < 0.05
    se = lambda p: np.sqrt(p * (1 - p) / reps)  # noqa: E731
    print(f"replications: {reps}, n = {n}, seed {seed}, {time.time() - t0:.0f} s")
    for name, k in [("log-rank, 2 groups", lr2), ("log-rank, 3 groups", lr3), ("trend, 3 ordered groups", trend),
                    ("PH test x (PH true)", ph_x), ("PH test GLOBAL (PH true)", ph_glob)]:
        print(f"type I error  {name:<28s} {k / reps:.3f} (MC se {se(k / reps):.3f})")
    print(f"power         PH test z (effect fades)     {ph_power / reps:.3f}")
    for (m, s), k in cover.items():
        print(f"coverage      KM {m:<7s} at S = {s:.1f}        {k / reps:.3f} (MC se {se(k / reps):.3f})")
    print(f"coverage      Cox HR, naive SE             {hr_naive / reps:.3f}")
    print(f"coverage      Cox HR, robust SE            {hr_robust / reps:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    main(args.reps, args.seed)
