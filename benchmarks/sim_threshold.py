"""Simulation: size and power of the no-threshold test, coverage of the breakpoint CI.

Run:  python benchmarks/sim_threshold.py [tests|survey|all]   (default all; each part
about 3-4 minutes on one core)

Design: n = 300 customers, satisfaction x ~ N(4.8, 1.1) clipped to [1, 7];
y = 2 + 0.4 x + delta (x - 5)_+ + e with e ~ N(0, 1) ("homoskedastic") or
e ~ N(0, 1) * (0.5 + 0.25 |x - 4|) ("heteroskedastic").

1. Type-I error (delta = 0) of the wild-bootstrap sup-LR test at 5 % (299 draws).
2. Power for delta = 0.3, 0.6 and 1.0 (slope change in units of the error SD per scale point).
3. Coverage of the 95 % breakpoint CI (bootstrap percentile "tau_boot" and analytic
   inverted-F "tau_F") and of the CI of the slope above the breakpoint (bootstrap
   percentile "above_boot" and Gauss-Newton Wald "above_GN").
4. ("survey") Breakpoint recovery on the simulated supply-chain survey: 200 data sets
   from csl_stats.simulate_supply_chain_survey(n=1000), loyalty score on satisfaction
   score, compared with truth.tau_score (the population breakpoint on the score metric).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import csl_stats
from csl_stats.threshold import threshold_regression

N = 300
TAU = 5.0


def simulate(rng: np.random.Generator, delta: float, hetero: bool) -> pd.DataFrame:
    x = np.clip(rng.normal(4.8, 1.1, N), 1, 7)
    e = rng.normal(0, 1, N) * ((0.5 + 0.25 * np.abs(x - 4)) if hetero else 1.0)
    y = 2 + 0.4 * x + delta * np.maximum(x - TAU, 0) + e
    return pd.DataFrame({"x": x, "y": y})


def run(delta: float, hetero: bool, reps: int, n_boot: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    method = "bootstrap" if delta > 0 else "analytic"  # the test's p-value does not depend on it
    rej = []
    cover: dict[str, list[bool]] = {"tau_boot": [], "tau_F": [], "above_boot": [], "above_GN": []}
    widths = []
    for _ in range(reps):
        data = simulate(rng, delta, hetero)
        res = threshold_regression(data, "x", "y", n_boot=n_boot, rng=rng, grid=60, ci_method=method)
        rej.append(res.p_value <= 0.05)
        if delta == 0:
            continue
        ana = threshold_regression(data, "x", "y", n_boot=0, grid=60, ci_method="analytic")
        for key, r in (("boot", res), ("F", ana)):
            lo, hi = r.breakpoint_ci
            cover[f"tau_{key}"].append(lo <= TAU <= hi)
        widths.append(res.breakpoint_ci[1] - res.breakpoint_ci[0])
        for key, r in (("boot", res), ("GN", ana)):
            row = r.coefs.loc["slope_above"]
            cover[f"above_{key}"].append(row["ci_low"] <= 0.4 + delta <= row["ci_high"])
    r = float(np.mean(rej))
    out: dict[str, object] = {
        "delta": delta,
        "errors": "hetero" if hetero else "homo",
        "reps": reps,
        "reject_5pct": r,
        "mc_se": float(np.sqrt(r * (1 - r) / reps)),
    }
    if delta > 0:
        out.update({f"cover_{k}": float(np.mean(v)) for k, v in cover.items()})
        out["tau_boot_median_width"] = float(np.median(widths))
    return out


def survey_recovery(reps: int = 200) -> None:
    est, cover, cover_f, width, p_small = [], [], [], [], []
    truth = None
    for seed in range(reps):
        data, truth = csl_stats.simulate_supply_chain_survey(n=1000, rng=seed)
        sc = csl_stats.scale_scores(
            data,
            {"sat": ["sat1", "sat2", "sat3"], "loy": ["loy1", "loy2", "loy3", "loy4"]},
            reverse=["loy4"],
            scale=(1, 7),
        ).scores
        res = threshold_regression(sc, "sat", "loy", n_boot=199, rng=seed, grid=60)
        ana = threshold_regression(sc, "sat", "loy", n_boot=0, grid=60, ci_method="analytic")
        lo, hi = res.breakpoint_ci
        est.append(res.breakpoint)
        cover.append(lo <= truth.tau_score <= hi)
        cover_f.append(ana.breakpoint_ci[0] <= truth.tau_score <= ana.breakpoint_ci[1])
        width.append(hi - lo)
        p_small.append(res.p_value <= 0.05)
    est_a = np.array(est)
    print(f"survey recovery ({reps} data sets, n = 1000): truth tau_score = {truth.tau_score:.3f}")
    print(
        f"  breakpoint estimate: mean {est_a.mean():.3f}, median {np.median(est_a):.3f}, "
        f"SD {est_a.std(ddof=1):.3f}, bias {est_a.mean() - truth.tau_score:+.3f}"
    )
    print(
        f"  95 % CI coverage of tau_score: bootstrap percentile {np.mean(cover):.3f} "
        f"(median width {np.median(width):.3f}), inverted F {np.mean(cover_f):.3f}"
    )
    print(f"  no-threshold test rejected at 5 %: {np.mean(p_small):.3f}")


if __name__ == "__main__":
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    if part in ("survey", "all"):
        survey_recovery()
    if part == "survey":
        sys.exit(0)
    rows = [
        run(0.0, False, 500, 299, 1),
        run(0.0, True, 500, 299, 2),
        run(0.3, False, 300, 299, 3),
        run(0.6, False, 300, 299, 4),
        run(0.6, True, 300, 299, 5),
        run(1.0, False, 300, 299, 6),
    ]
    with pd.option_context("display.width", 140, "display.max_columns", 20, "display.precision", 3):
        print(pd.DataFrame(rows).to_string(index=False))
