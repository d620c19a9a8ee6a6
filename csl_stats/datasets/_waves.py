"""The customer frame, the fieldwork of two survey waves and the second wave's answers.

The committed survey (``supply_chain_survey.csv``) is wave 1: last year's
1,000 completed questionnaires. :func:`simulate_survey_waves` builds, around
it and with its own seed, what a survey manager also has:

- the **customer frame**: every account in the CRM (4,600) with its region and
  size class, the population the survey describes;
- the **fieldwork log**: one row per invited account and wave with its final
  disposition (complete, partial, refusal, non-contact, ...), for response
  rates;
- **wave 2**: this year's completed questionnaires (satisfaction items and
  the recommendation question): last year's respondents were invited again
  (a panel) and each segment was topped up with fresh accounts, so many
  customers answer both waves.

The packaged copies are ``simulate_survey_waves(load_supply_chain_survey(),
rng=WAVES_SEED)``.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import as_generator
from ..errors import ArgumentError
from ..waves import DISPOSITION_CODES
from ._survey import _CUTS, _LOADINGS, _REC_CUTS, _SHIFT, _population_truth

__all__ = [
    "WAVES_SEED",
    "FRAME_COUNTS",
    "DISPOSITIONS",
    "WAVE2_SHIFT",
    "simulate_survey_waves",
    "survey_waves_truth",
    "load_customer_frame",
    "load_survey_fieldwork",
    "load_survey_wave2",
    "frame_csv_text",
    "fieldwork_csv_text",
    "wave2_csv_text",
]

#: Seed that generates the committed frame, fieldwork and wave-2 files.
WAVES_SEED = 20251231

_REGIONS = ("north", "south", "east", "west")
_SIZES = ("small", "medium", "large")
#: Accounts in the CRM frame by region (rows) and size class (columns): 4,600 in all.
FRAME_COUNTS = pd.DataFrame(
    [[880, 352, 117], [750, 300, 100], [652, 261, 87], [718, 287, 96]],
    index=pd.Index(_REGIONS, name="region"),
    columns=pd.Index(_SIZES, name="size"),
)
#: Share of each size class's accounts invited in each wave (large accounts: all).
_INVITE_SHARE = {"small": 0.5, "medium": 0.6, "large": 1.0}
#: AAPOR-style final dispositions of an invited account (those of :func:`csl_stats.response_rates`).
DISPOSITIONS = DISPOSITION_CODES
_NONRESPONSE_MIX = {"partial": 0.06, "refusal": 0.27, "non_contact": 0.50, "other": 0.05,
                    "unknown_eligibility": 0.08, "ineligible": 0.04}
#: Wave-2 response probability by size class and region shift; wave-1 respondents are keener.
_RESPONSE = {"small": 0.28, "medium": 0.45, "large": 0.55}
_RESPONSE_REGION = {"north": 0.03, "south": 0.02, "east": -0.04, "west": 0.0}
_RESPONSE_PANEL = 0.15
#: Wave-2 shift of the latent satisfaction and recommendation responses by size class (SD units).
WAVE2_SHIFT = {"small": 0.05, "medium": 0.12, "large": 0.25}
_CARRY = 0.7  # loading of a repeat customer's wave-2 satisfaction on its wave-1 satisfaction score
_REC_LOADING = 0.75
_WAVE2_COLUMNS = ["customer_id", "region", "size", "sat1", "sat2", "sat3", "recommend"]


def survey_waves_truth() -> pd.Series:
    """Population NPS of the two waves (frame-weighted for wave 2) and its change.

    Wave 1 is the survey model's population NPS (``SurveyTruth.nps``).
    In wave 2 the recommendation response is normal with mean
    ``WAVE2_SHIFT[size]`` and unit variance, cut at the same points, so its
    NPS follows in closed form, weighted by the frame's size classes.

    Examples
    --------
    >>> from csl_stats.datasets import survey_waves_truth
    >>> survey_waves_truth().round(2).tolist()
    [21.19, 27.56, 6.37]
    """
    w1 = _population_truth().nps
    sizes = FRAME_COUNTS.sum(axis=0)
    parts = [
        sizes[s] * (stats.norm.sf(_REC_CUTS[8] - WAVE2_SHIFT[s]) - stats.norm.cdf(_REC_CUTS[6] - WAVE2_SHIFT[s]))
        for s in _SIZES
    ]
    w2 = 100 * float(np.sum(parts) / sizes.sum())
    return pd.Series({"nps_wave1": w1, "nps_wave2": w2, "change": w2 - w1}, name="population")


def _invite(gen: np.random.Generator, frame: pd.DataFrame, must: pd.Index | None) -> pd.Index:
    """Stratified sample of accounts per (region, size) cell; ``must`` ids are always included."""
    chosen = []
    must_set = set() if must is None else set(must)
    for (region, size), cell in frame.groupby(["region", "size"], sort=True):
        m = int(round(_INVITE_SHARE[size] * len(cell)))
        ids = cell["customer_id"].to_numpy()
        if must is not None:
            isin = np.fromiter((i in must_set for i in ids), dtype=bool, count=ids.size)
            fixed = ids[isin]
            if fixed.size > m:
                raise ArgumentError(f"cell {region}/{size}: {fixed.size} respondents but only {m} invitations.")
            rest = ids[~isin]
            chosen += [*fixed, *gen.choice(rest, size=m - fixed.size, replace=False)]
        else:
            chosen += list(gen.choice(ids, size=m, replace=False))
    return pd.Index(sorted(chosen))


def _nonresponse(gen: np.random.Generator, k: int) -> np.ndarray:
    cats = list(_NONRESPONSE_MIX)
    return np.asarray(cats, dtype=object)[gen.choice(len(cats), size=k, p=list(_NONRESPONSE_MIX.values()))]


def _cut(x: np.ndarray, cuts: np.ndarray, offset: int) -> np.ndarray:
    return (offset + np.searchsorted(cuts, x, side="left")).astype(float)


def simulate_survey_waves(
    survey: pd.DataFrame, *, rng: int | np.random.Generator | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Simulate the customer frame, two waves of fieldwork and the second wave's answers.

    Parameters
    ----------
    survey : pandas.DataFrame
        Wave 1: the packaged survey (:func:`load_supply_chain_survey`),
        or any data with ``customer_id``, ``region``, ``size``, ``sat1``-``sat3``
        and ``recommend`` whose (region, size) counts fit the frame.
    rng : int, numpy.random.Generator or None
        ``WAVES_SEED`` with the packaged survey reproduces the packaged files.

    Returns
    -------
    frame : pandas.DataFrame
        The CRM frame, one row per account: ``customer_id``, ``region``,
        ``size``; counts by region and size are ``FRAME_COUNTS``. Wave-1
        respondents keep their ids; the other accounts are numbered after them.
    fieldwork : pandas.DataFrame
        One row per invited account and wave: ``wave`` (1 or 2),
        ``customer_id``, ``region``, ``size``, ``disposition`` (one of
        ``DISPOSITIONS``).
    wave2 : pandas.DataFrame
        This year's completes: ``customer_id``, ``region``, ``size``,
        ``sat1``-``sat3`` (1-7) and ``recommend`` (0-10), float (NaN = missing).

    Notes
    -----
    **Sampling.** In each wave, every (region, size) cell of the frame is
    sampled without replacement: half the small accounts, 60 % of the
    medium ones and all large (key) accounts are invited. Wave-1 invitations
    contain the 1,000 wave-1 respondents. Wave 2 re-invites every wave-1
    respondent (the panel) and fills each cell's quota with a simple random
    sample of the cell's other accounts.

    **Response.** Wave-1 non-respondents get a disposition from a fixed mix
    (non-contact 50 %, refusal 27 %, unknown eligibility 8 %, partial 6 %,
    other 5 %, ineligible 4 %). In wave 2 an invited account completes with
    probability 0.28 / 0.45 / 0.55 (small / medium / large) plus a region
    shift (north +0.03, south +0.02, east -0.04) and +0.15 if it answered
    wave 1; the others get dispositions from the same mix. Response thus
    depends on size and region, not on satisfaction.

    **Answers.** A wave-2 respondent has a latent satisfaction
    :math:`s = 0.7 g + \\sqrt{0.51}\\,\\zeta` where, if it answered wave 1,
    :math:`g` is the standardized mean of its standardized wave-1
    satisfaction score and recommendation (a fresh standard normal
    otherwise), so repeat customers' answers are correlated across waves. Items ``sat1``-``sat3`` cut :math:`\\lambda_j s +
    \\sqrt{1-\\lambda_j^2} e_j + 0.1 + \\delta` at the survey's thresholds
    (loadings 0.88, 0.86, 0.83) and ``recommend`` cuts :math:`0.75 s +
    \\sqrt{1-0.75^2} e + \\delta` at the survey's recommendation cut points,
    where :math:`\\delta` is ``WAVE2_SHIFT`` (0.05 / 0.12 / 0.25 SD for
    small / medium / large accounts: the key-account programme improved
    experience most for large accounts). The population NPS of both waves
    and its change are :func:`survey_waves_truth`. Each item is missing
    with probability 0.01 and ``recommend`` with 0.02 (completely at random).

    Examples
    --------
    >>> from csl_stats.datasets import load_supply_chain_survey, simulate_survey_waves
    >>> frame, fieldwork, wave2 = simulate_survey_waves(load_supply_chain_survey(), rng=1)
    >>> len(frame), fieldwork["wave"].value_counts().sort_index().tolist()
    (4600, [2620, 2620])
    """
    gen = as_generator(rng)
    need = ["customer_id", "region", "size", "sat1", "sat2", "sat3", "recommend"]
    missing = [c for c in need if c not in survey.columns]
    if missing:
        raise ArgumentError(f"survey lacks column(s) {missing}.")
    w1 = survey[need].copy()
    counts = w1.groupby(["region", "size"]).size()
    # ---- frame: wave-1 respondents plus the other accounts of each cell
    cells = []
    next_id = len(w1) + 1
    for region in _REGIONS:
        for size in _SIZES:
            n_cell = int(FRAME_COUNTS.loc[region, size])
            r = int(counts.get((region, size), 0))
            if r > n_cell:
                raise ArgumentError(f"cell {region}/{size} has {r} respondents but {n_cell} accounts in the frame.")
            cells.append((region, size, n_cell - r))
    order = gen.permutation(sum(k for *_, k in cells))
    extra_region, extra_size = [], []
    for region, size, k in cells:
        extra_region += [region] * k
        extra_size += [size] * k
    extra = pd.DataFrame({"region": np.asarray(extra_region, dtype=object)[order],
                          "size": np.asarray(extra_size, dtype=object)[order]})
    width = max(4, len(str(len(w1) + len(extra))))
    extra.insert(0, "customer_id", [f"C{i:0{width}d}" for i in range(next_id, next_id + len(extra))])
    frame = pd.concat([w1[["customer_id", "region", "size"]], extra], ignore_index=True)
    frame = frame.sort_values("customer_id", ignore_index=True)
    seg = frame.set_index("customer_id")

    # ---- wave 1 fieldwork: respondents complete, the rest of the invited sample do not
    resp1 = pd.Index(w1["customer_id"])
    inv1 = _invite(gen, frame, resp1)
    disp1 = pd.Series("complete", index=inv1, dtype=object)
    non1 = ~inv1.isin(resp1)
    disp1[non1] = _nonresponse(gen, int(non1.sum()))

    # ---- wave 2: the wave-1 respondents (panel) plus a fresh sample of each cell; response by size/region
    inv2 = _invite(gen, frame, resp1)
    s2 = seg.loc[inv2]
    p = (s2["size"].map(_RESPONSE) + s2["region"].map(_RESPONSE_REGION)
         + np.where(inv2.isin(resp1), _RESPONSE_PANEL, 0.0)).to_numpy(dtype=float)
    responded = gen.random(len(inv2)) < p
    disp2 = pd.Series("complete", index=inv2, dtype=object)
    disp2[~responded] = _nonresponse(gen, int((~responded).sum()))
    fieldwork = pd.concat([
        pd.DataFrame({"wave": 1, "customer_id": inv1, "disposition": disp1.to_numpy()}),
        pd.DataFrame({"wave": 2, "customer_id": inv2, "disposition": disp2.to_numpy()}),
    ], ignore_index=True)
    fieldwork = fieldwork.join(seg, on="customer_id")[["wave", "customer_id", "region", "size", "disposition"]]

    # ---- wave-2 answers
    ids2 = inv2[responded]
    n2 = len(ids2)
    w1i = w1.set_index("customer_id")
    parts = pd.DataFrame({"sat": w1i[["sat1", "sat2", "sat3"]].mean(axis=1), "rec": w1i["recommend"]})
    parts = (parts - parts.mean()) / parts.std(ddof=0)
    score = parts.mean(axis=1)  # either part alone when the other is missing
    g_all = (score - score.mean()) / score.std(ddof=0)
    g = g_all.reindex(ids2).to_numpy(dtype=float)
    fresh = gen.standard_normal(n2)
    g = np.where(np.isnan(g), fresh, g)
    s = _CARRY * g + np.sqrt(1 - _CARRY**2) * gen.standard_normal(n2)
    size2 = seg.loc[ids2, "size"].to_numpy()
    delta = pd.Series(size2).map(WAVE2_SHIFT).to_numpy(dtype=float)
    answers = {}
    for j, lam in enumerate(_LOADINGS["sat"]):
        ystar = lam * s + np.sqrt(1 - lam**2) * gen.standard_normal(n2) + _SHIFT["sat"] + delta
        answers[f"sat{j + 1}"] = _cut(ystar, _CUTS, 1)
    rec_star = _REC_LOADING * s + np.sqrt(1 - _REC_LOADING**2) * gen.standard_normal(n2) + delta
    answers["recommend"] = _cut(rec_star, _REC_CUTS, 0)
    for c in ("sat1", "sat2", "sat3"):
        answers[c][gen.random(n2) < 0.01] = np.nan
    answers["recommend"][gen.random(n2) < 0.02] = np.nan
    wave2 = pd.DataFrame({"customer_id": ids2, "region": seg.loc[ids2, "region"].to_numpy(),
                          "size": size2, **answers})
    return _frame_dtypes(frame), _fieldwork_dtypes(fieldwork), _wave2_dtypes(wave2)


# ----------------------------------------------------------------------------- dtypes, files, loaders
def _frame_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["customer_id", "region", "size"]].copy()
    for c in out.columns:
        out[c] = out[c].astype("str")
    return out.reset_index(drop=True)


def _fieldwork_dtypes(fw: pd.DataFrame) -> pd.DataFrame:
    out = fw[["wave", "customer_id", "region", "size", "disposition"]].copy()
    out["wave"] = out["wave"].astype("int64")
    for c in ("customer_id", "region", "size", "disposition"):
        out[c] = out[c].astype("str")
    return out.reset_index(drop=True)


def _wave2_dtypes(w2: pd.DataFrame) -> pd.DataFrame:
    out = w2[_WAVE2_COLUMNS].copy()
    for c in ("customer_id", "region", "size"):
        out[c] = out[c].astype("str")
    for c in ("sat1", "sat2", "sat3", "recommend"):
        out[c] = out[c].astype("float64")
    return out.reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _texts() -> tuple[str, str, str]:
    """CSV texts of the three files, regenerated once from the packaged survey and ``WAVES_SEED``."""
    from ._survey import load_supply_chain_survey

    frame, fieldwork, w2 = simulate_survey_waves(load_supply_chain_survey(), rng=WAVES_SEED)
    txt = w2.copy().astype(object)
    for c in ("sat1", "sat2", "sat3", "recommend"):
        txt[c] = [("" if np.isnan(x) else str(int(x))) for x in w2[c]]
    return (frame.to_csv(index=False, lineterminator="\n"), fieldwork.to_csv(index=False, lineterminator="\n"),
            txt.to_csv(index=False, lineterminator="\n"))


def frame_csv_text() -> str:
    """CSV text of the committed customer frame (regenerated from ``WAVES_SEED``)."""
    return _texts()[0]


def fieldwork_csv_text() -> str:
    """CSV text of the committed fieldwork log (regenerated from ``WAVES_SEED``)."""
    return _texts()[1]


def wave2_csv_text() -> str:
    """CSV text of the committed wave-2 answers (integers, empty = missing)."""
    return _texts()[2]


def _read(name: str, **kw) -> pd.DataFrame:
    ref = resources.files("csl_stats.datasets").joinpath("data", name)
    with ref.open("r", encoding="utf-8", newline="") as fh:
        return pd.read_csv(fh, dtype={"customer_id": "str"}, keep_default_na=False, na_values=[""], **kw)


def load_customer_frame() -> pd.DataFrame:
    """Load the packaged CRM customer frame (4,600 accounts with region and size class).

    Examples
    --------
    >>> from csl_stats.datasets import load_customer_frame
    >>> load_customer_frame().groupby("size").size().to_dict()
    {'large': 400, 'medium': 1200, 'small': 3000}
    """
    return _frame_dtypes(_read("customer_frame.csv"))


def load_survey_fieldwork() -> pd.DataFrame:
    """Load the packaged fieldwork log: every invited account of waves 1 and 2 with its disposition.

    Examples
    --------
    >>> from csl_stats.datasets import load_survey_fieldwork
    >>> fw = load_survey_fieldwork()
    >>> int((fw.query("wave == 1")["disposition"] == "complete").sum())
    1000
    """
    return _fieldwork_dtypes(_read("survey_fieldwork.csv"))


def load_survey_wave2() -> pd.DataFrame:
    """Load the packaged wave-2 (this year's) answers: satisfaction items and recommendation.

    Examples
    --------
    >>> from csl_stats.datasets import load_survey_wave2
    >>> list(load_survey_wave2().columns)
    ['customer_id', 'region', 'size', 'sat1', 'sat2', 'sat3', 'recommend']
    """
    return _wave2_dtypes(_read("survey_wave2.csv"))
