"""Simulation checks of survey planning and design-based inference (issue 21).

Run: ``.venv/bin/python benchmarks/sim_survey_design.py [--reps 2000]`` (a few
minutes on one core). Every number comes from the public functions
(:func:`csl_stats.sample_size`, :func:`csl_stats.survey_design`,
:meth:`SurveyDesign.rake`, :func:`csl_stats.track_waves`), called as a user would.

Reported
--------
1. Sample sizes: share of simulated surveys of the planned size whose
   estimate falls within the planned margin of the truth (target 95 %), for
   a mean, a share, an NPS, the change in NPS between independent waves and
   between paired waves; and the mean half-width of Feldt's interval for
   alpha at the planned n (target: the margin).
2. Coverage of 95 % design-based intervals in a stratified sample with fpc
   drawn from a finite frame (mean and NPS), and after raking a sample with
   unequal response by region and size to the frame margins.
3. Type I error at 5 % of the wave-change test when the population did not
   change: a panel (60 % of wave 1 answers again, topped up with fresh
   customers) tested as paired and, wrongly, as independent; and two
   independently drawn samples tested as independent. All with fpc.
4. Coverage of Wald and logit intervals for a share in a small domain.

Last run (2026-11-29, ``--reps 2000``, seed 2121; Monte Carlo SE about 0.5 points for 2,000
and 0.7 for 1,000 replications):

1. within the planned margin: mean 94.95 %, share 93.70 % (binomial discreteness), NPS 94.85 %,
   NPS change between independent waves 95.25 %, between paired waves 94.40 %; alpha: mean
   Feldt half-width 0.0504 for a 0.05 margin (n = 170).
2. coverage: stratified mean 93.8 %, stratified NPS 93.8 %, raked NPS 94.6 %, raked mean 94.3 %;
   the unweighted NPS ignoring the design 43.6 %.
3. type I error: panel, paired 6.3 % (fpc over either wave's customers, slightly liberal),
   paired without fpc 3.9 %, independent test on the panel 1.1 % (SE 1.33 x the paired one);
   independent samples, independent test 5.7 %.

Shares in a small domain (large accounts in the east, about 33 respondents; run separately with
1,000 samples each): share 0.161, Wald 92.1 %, logit 96.3 %; share 0.046, Wald 86.5 %, logit
84.2 % (one or two expected cases: no normal-theory interval holds).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import csl_stats

Z95 = 1.959963984540054


def recommend(rng: np.random.Generator, n: int, p: float, d: float) -> np.ndarray:
    cat = rng.choice(3, size=n, p=[d, 1 - p - d, p])
    low, width = np.array([0, 7, 9]), np.array([7, 2, 2])
    return (low[cat] + rng.integers(0, 10**6, size=n) % width[cat]).astype(float)


def nps_of(x: np.ndarray) -> float:
    return 100 * (np.mean(x >= 9) - np.mean(x <= 6))


def sample_sizes(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    # mean of a 1-7 answer with a known distribution
    probs = np.array([0.02, 0.04, 0.08, 0.16, 0.30, 0.25, 0.15])
    vals = np.arange(1, 8)
    mu = float(vals @ probs)
    sd = float(np.sqrt(((vals - mu) ** 2) @ probs))
    n = csl_stats.sample_size("mean", margin=0.1, sd=sd).n
    hits = [abs(rng.choice(vals, size=n, p=probs).mean() - mu) <= 0.1 for _ in range(reps)]
    rows.append((f"mean (margin 0.1, sd {sd:.2f})", n, np.mean(hits)))
    # share
    n = csl_stats.sample_size("proportion", margin=0.04, p=0.4).n
    hits = [abs(rng.binomial(n, 0.4) / n - 0.4) <= 0.04 for _ in range(reps)]
    rows.append(("share (margin 0.04, p 0.4)", n, np.mean(hits)))
    # NPS
    P, D = 0.45, 0.15
    n = csl_stats.sample_size("nps", margin=5, promoters=P, detractors=D).n
    hits = [abs(nps_of(recommend(rng, n, P, D)) - 100 * (P - D)) <= 5 for _ in range(reps)]
    rows.append(("NPS (margin 5 points)", n, np.mean(hits)))
    # change in NPS, independent waves
    n = csl_stats.sample_size("difference", of="nps", margin=8, promoters=(P, 0.5), detractors=(D, 0.12)).n
    true = 100 * ((0.5 - 0.12) - (P - D))
    hits = [abs(nps_of(recommend(rng, n, 0.5, 0.12)) - nps_of(recommend(rng, n, P, D)) - true) <= 8
            for _ in range(reps)]
    rows.append(("NPS change, independent waves (margin 8)", n, np.mean(hits)))
    # change in NPS, paired waves: latent bivariate normal cut into detractor/passive/promoter
    from scipy import stats

    cuts = stats.norm.ppf([D, 1 - P])
    rho_latent = 0.7
    big = rng.multivariate_normal([0, 0], [[1, rho_latent], [rho_latent, 1]], size=400_000)
    r = np.digitize(big, cuts) - 1.0
    rho = float(np.corrcoef(r[:, 0], r[:, 1])[0, 1])
    n = csl_stats.sample_size("difference", of="nps", margin=5, promoters=P, detractors=D, correlation=rho).n
    hits = []
    for _ in range(reps):
        x = rng.multivariate_normal([0, 0], [[1, rho_latent], [rho_latent, 1]], size=n)
        rr = np.digitize(x, cuts) - 1.0
        hits.append(abs(100 * (rr[:, 1].mean() - rr[:, 0].mean())) <= 5)
    rows.append((f"NPS change, paired waves (margin 5, recode corr {rho:.2f})", n, np.mean(hits)))
    # alpha: mean Feldt half-width at the planned n
    k, alpha, margin = 4, 0.8, 0.05
    n = csl_stats.sample_size("alpha", margin=margin, alpha=alpha, k=k).n
    r_item = alpha / (k - alpha * (k - 1))  # inter-item correlation of parallel items
    cov = np.full((k, k), r_item) + np.eye(k) * (1 - r_item)
    half = []
    for _ in range(max(reps // 4, 100)):
        x = pd.DataFrame(rng.multivariate_normal(np.zeros(k), cov, size=n), columns=[f"i{j}" for j in range(k)])
        res = csl_stats.cronbach_alpha(x)
        half.append((res.ci[1] - res.ci[0]) / 2)
    rows.append((f"alpha 0.8, k=4: mean Feldt half-width (target {margin})", n, float(np.mean(half))))
    return pd.DataFrame(rows, columns=["case", "n", "share within margin / half-width"])


def share_coverage(reps: int, rng: np.random.Generator, cut: int = 4) -> pd.DataFrame:
    """Wald and logit intervals for the share recommending 0..cut in a small domain (large accounts, east)."""
    pop = make_population(rng)
    N_size = pop["size"].value_counts()
    dom = (pop["size"] == "large") & (pop["region"] == "east")
    true = float((pop.loc[dom, "rec"] <= cut).mean())
    plan = {"small": 300, "medium": 250, "large": 150}
    hits = {"wald": [], "logit": []}
    for _ in range(reps):
        idx = np.concatenate([rng.choice(np.flatnonzero(pop["size"].to_numpy() == s), m, replace=False)
                              for s, m in plan.items()])
        smp = pop.iloc[idx].copy()
        smp["N"] = smp["size"].map(N_size).astype(float)
        smp["w"] = smp["N"] / smp["size"].map(plan)
        smp["low"] = np.where(smp["rec"] <= cut, "yes", "no")
        d = csl_stats.survey_design(smp, strata="size", weights="w", fpc="N")
        for m in hits:
            t = d.by(["size", "region"], "proportion", "low", value="yes", ci_method=m).table
            lo, hi = t.loc[("large", "east"), ["ci_low", "ci_high"]]
            hits[m].append(lo <= true <= hi)
    return pd.DataFrame({f"coverage, share {true:.3f} among large/east": {k: float(np.mean(v))
                                                                           for k, v in hits.items()}})


def make_population(rng: np.random.Generator) -> pd.DataFrame:
    frame = csl_stats.datasets.load_customer_frame()
    shift = frame["size"].map({"small": -0.2, "medium": 0.1, "large": 0.4}).to_numpy() + \
        frame["region"].map({"north": 0.1, "south": 0.0, "east": -0.15, "west": 0.05}).to_numpy()
    latent = shift + rng.standard_normal(len(frame))
    rec = np.clip(np.round(7.6 + 1.7 * latent), 0, 10)
    sat = np.clip(np.round(5.0 + 1.2 * latent + 0.5 * rng.standard_normal(len(frame))), 1, 7)
    return frame.assign(rec=rec, sat=sat, latent=latent, shift=shift)


def coverage(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    pop = make_population(rng)
    N_size = pop["size"].value_counts()
    true_mean, true_nps = pop["sat"].mean(), nps_of(pop["rec"].to_numpy())
    margins = {"region": pop["region"].value_counts().to_dict(), "size": N_size.to_dict()}
    plan = {"small": 300, "medium": 250, "large": 150}
    resp = {"north": 0.7, "south": 0.6, "east": 0.45, "west": 0.55}
    cov = {"stratified mean (fpc)": [], "stratified NPS (fpc)": [], "raked NPS (unequal response)": [],
           "raked mean (unequal response)": [], "unweighted NPS ignoring the design": []}
    for _ in range(reps):
        idx = np.concatenate([rng.choice(np.flatnonzero(pop["size"].to_numpy() == s), m, replace=False)
                              for s, m in plan.items()])
        smp = pop.iloc[idx].copy()
        smp["N"] = smp["size"].map(N_size).astype(float)
        smp["w"] = smp["N"] / smp["size"].map(plan)
        d = csl_stats.survey_design(smp, strata="size", weights="w", fpc="N")
        m, q = d.mean("sat"), d.nps("rec")
        cov["stratified mean (fpc)"].append(m.ci[0] <= true_mean <= m.ci[1])
        cov["stratified NPS (fpc)"].append(q.ci[0] <= true_nps <= q.ci[1])
        # response depends on region (and, through the plan, on size): MAR given the raking cells
        keep = rng.random(len(smp)) < smp["region"].map(resp).to_numpy()
        r = smp[keep]
        n_h = r["size"].value_counts()
        r = r.assign(w=r["N"] / r["size"].map(n_h))
        dr = csl_stats.survey_design(r, strata="size", weights="w", fpc="N").rake(margins)
        qr, mr = dr.nps("rec"), dr.mean("sat")
        cov["raked NPS (unequal response)"].append(qr.ci[0] <= true_nps <= qr.ci[1])
        cov["raked mean (unequal response)"].append(mr.ci[0] <= true_mean <= mr.ci[1])
        u = csl_stats.survey_design(r).nps("rec")
        cov["unweighted NPS ignoring the design"].append(u.ci[0] <= true_nps <= u.ci[1])
    return pd.DataFrame({"coverage of 95 % CI": {k: float(np.mean(v)) for k, v in cov.items()}})


def type_one(reps: int, rng: np.random.Generator) -> pd.DataFrame:
    pop = make_population(rng)
    # wave-2 answers of the same customers: correlated with wave 1, same distribution (no change)
    lat1, centre = pop["latent"].to_numpy(), pop["shift"].to_numpy()
    lat2 = centre + 0.8 * (lat1 - centre) + 0.6 * rng.standard_normal(len(pop))
    pop["rec2"] = np.clip(np.round(7.6 + 1.7 * lat2), 0, 10)
    true_change = nps_of(pop["rec2"].to_numpy()) - nps_of(pop["rec"].to_numpy())
    N_size = pop["size"].value_counts()
    plan = {"small": 300, "medium": 250, "large": 150}
    size = pop["size"].to_numpy()
    rej = {"panel, paired test": [], "panel, paired test without fpc": [], "panel, independent test (wrong)": [],
           "independent samples, independent test": []}
    se_ratio = []
    for _ in range(reps):
        s1 = {s: rng.choice(np.flatnonzero(size == s), m, replace=False) for s, m in plan.items()}
        # panel: 60 % of each stratum's wave-1 sample answers again, topped up with fresh customers
        s2 = {}
        for s, m in plan.items():
            keep = rng.choice(s1[s], int(0.6 * m), replace=False)
            fresh = rng.choice(np.setdiff1d(np.flatnonzero(size == s), s1[s]), m - keep.size, replace=False)
            s2[s] = np.concatenate([keep, fresh])
        s3 = {s: rng.choice(np.flatnonzero(size == s), m, replace=False) for s, m in plan.items()}

        def design(idx: dict, col: str) -> csl_stats.SurveyDesign:
            smp = pop.iloc[np.concatenate(list(idx.values()))][["customer_id", "size", col]]
            smp = smp.rename(columns={col: "recommend"})
            smp = smp.assign(N=smp["size"].map(N_size).astype(float), w=lambda d: d["N"] / d["size"].map(plan))
            return csl_stats.survey_design(smp, strata="size", weights="w", fpc="N")

        d1, d2, d3 = design(s1, "rec"), design(s2, "rec2"), design(s3, "rec2")
        paired = csl_stats.track_waves({"w1": d1, "w2": d2}, "recommend", id="customer_id").changes.iloc[0]
        nofpc = csl_stats.track_waves({"w1": d1, "w2": d2}, "recommend", id="customer_id", fpc=False).changes.iloc[0]
        naive = csl_stats.track_waves({"w1": d1, "w2": d2}, "recommend").changes.iloc[0]
        indep = csl_stats.track_waves({"w1": d1, "w2": d3}, "recommend").changes.iloc[0]
        for key, row in (("panel, paired test", paired), ("panel, paired test without fpc", nofpc),
                         ("panel, independent test (wrong)", naive),
                         ("independent samples, independent test", indep)):
            rej[key].append(abs(row["change"] - true_change) / row["se"] > Z95)
        se_ratio.append(paired["se"] / naive["se"])
    out = pd.DataFrame({"type I error at 5 %": {k: float(np.mean(v)) for k, v in rej.items()}})
    out.loc["mean SE ratio paired / independent (panel)", "type I error at 5 %"] = float(np.mean(se_ratio))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(2121)
    t0 = time.perf_counter()
    with pd.option_context("display.width", 120, "display.max_colwidth", 80):
        print("1. Sample sizes: estimate within the planned margin (target 0.95)")
        print(sample_sizes(args.reps, rng).round(4).to_string(index=False))
        print(f"\n2. Coverage of design-based intervals ({args.reps // 2} samples)")
        print(coverage(args.reps // 2, rng).round(3).to_string())
        print(share_coverage(args.reps // 2, rng).round(3).to_string())
        print(share_coverage(args.reps // 2, rng, cut=6).round(3).to_string())
        print(f"\n3. Wave-change test, no change in the population ({args.reps // 2} pairs of waves)")
        print(type_one(args.reps // 2, rng).round(3).to_string())
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
