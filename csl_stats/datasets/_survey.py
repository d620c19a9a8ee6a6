"""The simulated B2B supply-chain customer survey and its population truth.

The generating model is an ECSI-type structural model on standard-normal
latent variables; every indicator is a 1-7 answer obtained by cutting a
continuous response at fixed thresholds. Population quantities are computed
analytically (linear-Gaussian algebra, Stein's lemma and one- or
two-dimensional quadrature), not estimated from a sample, and stored in
:class:`SurveyTruth`.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from importlib import resources

import numpy as np
import pandas as pd
from scipy import special, stats

from .._validation import as_generator, check_int

__all__ = [
    "SURVEY_SEED",
    "SURVEY_N",
    "SurveyTruth",
    "simulate_supply_chain_survey",
    "load_supply_chain_survey",
    "survey_csv_text",
]

#: Seed that generates the committed ``supply_chain_survey.csv``.
SURVEY_SEED = 20261127
#: Number of customers in the committed file.
SURVEY_N = 1000
_MIN_N = 20

# ----------------------------------------------------------------------------- measurement model
#: construct -> standardized loadings of its items (on the continuous response).
_LOADINGS: dict[str, tuple[float, ...]] = {
    "img": (0.78, 0.74, 0.70, 0.72),
    "exp": (0.70, 0.75, 0.65),
    "dlv": (0.82, 0.80, 0.76, 0.35),
    "qlt": (0.80, 0.78, 0.74, 0.70),
    "srv": (0.79, 0.77, 0.75, 0.62),
    "val": (0.85, 0.82, 0.72),
    "sat": (0.88, 0.86, 0.83),
    "cph": (0.85, 0.82, 0.78),
    "trs": (0.80, 0.78, 0.76, 0.72),
    "swc": (0.75, 0.72, 0.68),
    "loy": (0.84, 0.82, 0.76, 0.60),
}
CONSTRUCTS: tuple[str, ...] = tuple(_LOADINGS)
ITEMS: dict[str, tuple[str, ...]] = {c: tuple(f"{c}{i + 1}" for i in range(len(v))) for c, v in _LOADINGS.items()}
REVERSE_KEYED: tuple[str, ...] = ("srv4", "loy4")
#: Thresholds cutting the continuous response into answers 1..7 (B2B answers skew positive).
_CUTS = np.array([-2.3, -1.7, -1.1, -0.45, 0.35, 1.3])
#: Construct-specific shift of the continuous response (positive = more agreement).
_SHIFT = {"img": 0.2, "exp": 0.5, "dlv": 0.0, "qlt": 0.2, "srv": 0.0, "val": -0.3,
          "sat": 0.1, "cph": -0.2, "trs": 0.1, "swc": -0.5, "loy": 0.1}

# ----------------------------------------------------------------------------- structural model
#: Gaussian part, in causal order: lhs -> {rhs: coefficient}. img and exp are exogenous (corr 0.45),
#: swc is exogenous and independent of everything else.
_EXO_CORR = 0.45
_STRUCT: dict[str, dict[str, float]] = {
    "dlv": {"img": 0.30, "exp": 0.30},
    "qlt": {"img": 0.40, "exp": 0.25},
    "srv": {"img": 0.35, "exp": 0.20},
    "val": {"exp": 0.10, "dlv": 0.20, "qlt": 0.30, "srv": 0.10},
    "sat": {"img": 0.15, "exp": 0.05, "dlv": 0.25, "qlt": 0.20, "srv": 0.15, "val": 0.25},
    "cph": {"srv": 0.40, "sat": 0.20},
    "trs": {"sat": 0.60},
}
_GAUSS = ("img", "exp", "dlv", "qlt", "srv", "val", "sat", "cph", "trs", "swc")
#: Loyalty equation (latent metric): linear terms, interaction and zone-of-affection hinge.
_LOY_LINEAR = {"img": 0.10, "sat": 0.20, "cph": 0.10, "trs": 0.30, "swc": 0.20}
_LOY_INTERACTION = -0.15  # sat x swc
_LOY_HINGE = 0.60  # extra slope of sat above the threshold
_TAU = 0.5  # threshold on latent satisfaction (SD units)

# ----------------------------------------------------------------------------- outcomes
_CHURN = {"intercept": -2.45, "loy": -0.90, "sat": -0.30, "swc": -0.40}
_REC_WEIGHTS = {"sat": 0.55, "loy": 0.35}
_REC_PROBS = np.array([0.01, 0.005, 0.01, 0.015, 0.02, 0.05, 0.08, 0.16, 0.24, 0.24, 0.17])
_REC_CUTS = stats.norm.ppf(np.cumsum(_REC_PROBS)[:-1])
_COMPLAINTS = {"intercept": np.log(0.6), "dlv": -0.45, "qlt": -0.30, "medium": 0.30, "large": 0.60}
_RESOLVED = {"intercept": 0.6, "cph": 1.0}
_REASONS = ("price", "delivery", "quality", "service", "relationship", "other")

_SEGMENTS = {
    "industry": (("distributor", "retailer", "manufacturer"), (0.40, 0.35, 0.25)),
    "region": (("north", "south", "east", "west"), (0.30, 0.25, 0.20, 0.25)),
    "size": (("small", "medium", "large"), (0.45, 0.35, 0.20)),
}
#: Base missing shares per construct (before the satisfaction-dependent shift).
_MISS_BASE = {"img": 0.015, "exp": 0.02, "dlv": 0.015, "qlt": 0.015, "srv": 0.02, "val": 0.03,
              "sat": 0.01, "cph": 0.04, "trs": 0.025, "swc": 0.06, "loy": 0.02}

COLUMNS: tuple[str, ...] = (
    "customer_id", "industry", "region", "size", "tenure_years",
    *[i for c in CONSTRUCTS for i in ITEMS[c]],
    "recommend", "complaints_12m", "complaint_resolved",
    "orders_12m", "revenue_12m", "share_of_wallet", "churned", "churn_reason",
)
_TEXT_COLUMNS = ("customer_id", "industry", "region", "size", "churn_reason")
_INT_COLUMNS = ("tenure_years", "complaints_12m", "orders_12m", "churned")
_FLOAT_FORMATS = {"revenue_12m": "%.1f", "share_of_wallet": "%.3f"}
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3


# ============================================================================= truth
@dataclasses.dataclass(frozen=True, eq=False)
class SurveyTruth:
    """Population values of the model behind :func:`simulate_supply_chain_survey`.

    All latent variables have mean 0 and variance 1 in the population
    (loyalty included: its disturbance variance is set so). Every number is
    computed analytically (Gaussian algebra, Stein's lemma, quadrature), not
    estimated from a sample; it does not depend on ``n`` or the seed.

    Attributes
    ----------
    loadings : pandas.Series
        Standardized loading of every item (index: item name) on its
        construct, for the continuous response before it is cut into 1-7
        answers. Reverse-keyed items are listed with their loading after
        reverse-coding (``8 - x``); in the raw answers their correlation with
        the construct is negative.
    reliability : pandas.DataFrame
        One row per construct. ``omega`` (= ``alpha_continuous`` only for
        tau-equivalent items) and ``alpha_continuous`` refer to the continuous
        responses; ``alpha_likert`` is Cronbach's alpha of the observed 1-7
        answers (reverse-keyed items reverse-coded), computed exactly from the
        thresholds by quadrature; ``score_r2`` is the squared correlation
        between the 1-7 mean score and the latent variable (the reliability of
        the observed scale score as a measure of the construct).
    paths : pandas.DataFrame
        Tidy structural coefficients on the latent metric, columns ``lhs``,
        ``rhs``, ``coef``. The loyalty equation contains ``sat:swc`` (the
        interaction) and ``hinge`` = ``max(sat - tau, 0)``.
    latent_corr : pandas.DataFrame
        Population correlation matrix of the eleven latent variables.
    r_squared : pandas.Series
        Explained variance of each endogenous latent variable.
    tau : float
        Threshold on latent satisfaction above which loyalty rises steeply.
    tau_score : float
        The same threshold on the metric of the observed satisfaction score
        (mean of ``sat1``-``sat3``): the expected score of a customer whose
        latent satisfaction equals ``tau``.
    mediation : pandas.Series
        Population estimands of the simple mediation model
        ``sat -> trs -> loy`` fitted by least squares on the latent variables:
        ``a`` (trs on sat), ``b`` (loy on trs given sat), ``c_prime``
        (direct effect), ``indirect`` (= a*b) and ``total``.
    moderation : pandas.Series
        Population least-squares coefficients of loy on ``sat``, ``swc``,
        ``sat:swc`` (latent, mean-centred; the three regressors are
        uncorrelated, so ``sat:swc`` equals the structural interaction).
    threshold : pandas.Series
        ``E[loy | sat]`` is piecewise linear: ``slope_below`` below ``tau``,
        ``slope_above`` above it (the other latent causes of loyalty
        averaged out).
    churn : pandas.Series
        Logit coefficients of churn in the following 12 months on latent
        ``loy``, ``sat`` and ``swc`` (plus ``intercept``).
    churn_rate, nps : float
        Population churn rate and Net Promoter Score (promoters 9-10 minus
        detractors 0-6, in percentage points).
    complaints : pandas.Series
        Log-linear (Poisson) coefficients of ``complaints_12m`` on latent
        ``dlv`` and ``qlt`` plus size effects (reference: small).
    """

    loadings: pd.Series
    reliability: pd.DataFrame
    paths: pd.DataFrame
    latent_corr: pd.DataFrame
    r_squared: pd.Series
    tau: float
    tau_score: float
    mediation: pd.Series
    moderation: pd.Series
    threshold: pd.Series
    churn: pd.Series
    churn_rate: float
    nps: float
    complaints: pd.Series

    @property
    def items(self) -> dict[str, tuple[str, ...]]:
        """Construct -> item names (in questionnaire order)."""
        return dict(ITEMS)

    @property
    def reverse_keyed(self) -> tuple[str, ...]:
        """Items whose raw answers must be reverse-coded (``8 - x``)."""
        return REVERSE_KEYED

    @property
    def indirect_effect(self) -> float:
        """Population indirect effect a*b of satisfaction on loyalty through trust."""
        return float(self.mediation["indirect"])

    @property
    def interaction(self) -> float:
        """Structural sat x swc coefficient on loyalty (negative: switching costs flatten the slope)."""
        return float(self.moderation["sat:swc"])

    def __repr__(self) -> str:
        return (
            f"SurveyTruth(indirect={self.indirect_effect:.3f}, interaction={self.interaction:.3f}, "
            f"tau={self.tau:.2f} (score {self.tau_score:.2f}), churn_rate={self.churn_rate:.3f}, "
            f"nps={self.nps:.1f})"
        )


def _gaussian_moments() -> tuple[pd.DataFrame, pd.Series]:
    """Covariance of the Gaussian latents and the disturbance variances (all variances 1)."""
    idx = {v: i for i, v in enumerate(_GAUSS)}
    k = len(_GAUSS)
    B = np.zeros((k, k))
    for lhs, rhs in _STRUCT.items():
        for r, b in rhs.items():
            B[idx[lhs], idx[r]] = b
    cov = np.zeros((k, k))
    cov[idx["img"], idx["img"]] = cov[idx["exp"], idx["exp"]] = cov[idx["swc"], idx["swc"]] = 1.0
    cov[idx["img"], idx["exp"]] = cov[idx["exp"], idx["img"]] = _EXO_CORR
    psi = {}
    for lhs in _STRUCT:  # causal order
        j = idx[lhs]
        explained = B[j] @ cov @ B[j]
        psi[lhs] = 1.0 - explained
        row = B[j] @ cov  # cov of lhs with all others so far
        cov[j, :] = row
        cov[:, j] = row
        cov[j, j] = 1.0
    return pd.DataFrame(cov, index=_GAUSS, columns=_GAUSS), pd.Series(psi)


def _loyalty_parts(cov: pd.DataFrame) -> dict[str, float]:
    """Moments of the systematic part of loyalty (see Notes of the simulator)."""
    c = pd.Series(_LOY_LINEAR).reindex(_GAUSS, fill_value=0.0).to_numpy()
    S = cov.to_numpy()
    s = _GAUSS.index("sat")
    p_above = stats.norm.sf(_TAU)
    m_h = stats.norm.pdf(_TAU) - _TAU * p_above  # E[(S - tau)+]
    m_h2 = (1 + _TAU**2) * p_above - _TAU * stats.norm.pdf(_TAU)
    var_h = m_h2 - m_h**2
    cov_cx_s = c @ S[:, s]
    var_sys = (c @ S @ c + _LOY_INTERACTION**2 * 1.0 + _LOY_HINGE**2 * var_h
               + 2 * _LOY_HINGE * p_above * cov_cx_s)
    return {"p_above": p_above, "mean_hinge": m_h, "var_sys": var_sys, "psi": 1.0 - var_sys,
            "kappa": cov_cx_s}


def _item_cuts(construct: str) -> np.ndarray:
    return _CUTS - _SHIFT[construct]


def _cond_category_probs(eta: np.ndarray, lam: float, cuts: np.ndarray) -> np.ndarray:
    """P(answer = 1..7 | eta) for a continuous response lam*eta + sqrt(1-lam^2)*e; shape (len(eta), 7)."""
    sf = stats.norm.sf((cuts[None, :] - lam * eta[:, None]) / np.sqrt(1 - lam**2))  # P(y* > cut_k)
    upper = np.column_stack([np.ones(len(eta)), sf])
    lower = np.column_stack([sf, np.zeros(len(eta))])
    return upper - lower


def _likert_reliability(lams: tuple[float, ...], cuts: np.ndarray, nodes: np.ndarray,
                        weights: np.ndarray) -> tuple[float, float]:
    """Exact alpha of the 1-7 answers and r^2(mean score, eta), integrating over eta's distribution."""
    cats = np.arange(1, 8)
    cond_mean = []
    cond_sq = []
    for lam in lams:
        p = _cond_category_probs(nodes, lam, cuts)
        cond_mean.append(p @ cats)
        cond_sq.append(p @ cats**2)
    m = np.array(cond_mean)  # items x nodes
    means = m @ weights
    k = len(lams)
    cov = (m * weights) @ m.T - np.outer(means, means)  # off-diagonal: conditional independence
    var = np.array(cond_sq) @ weights - means**2
    cov[np.diag_indices(k)] = var
    total = cov.sum()
    alpha = k / (k - 1) * (1 - var.sum() / total)
    cov_eta = (m * weights) @ nodes - means * (weights @ nodes)
    r2 = cov_eta.sum() ** 2 / (total * (weights @ nodes**2 - (weights @ nodes) ** 2))
    return float(alpha), float(r2)


@functools.lru_cache(maxsize=1)
def _population_truth() -> SurveyTruth:
    cov, psi = _gaussian_moments()
    lp = _loyalty_parts(cov)
    S = cov.to_numpy()
    s = _GAUSS.index("sat")
    c = pd.Series(_LOY_LINEAR).reindex(_GAUSS, fill_value=0.0).to_numpy()

    # latent correlations, loyalty included: Cov(loy, X) = c'Cov(., X) + hinge * P(S > tau) * Cov(S, X)
    cov_loy = c @ S + _LOY_HINGE * lp["p_above"] * S[s]
    names = [*_GAUSS[:-1], "swc", "loy"]
    full = np.zeros((len(_GAUSS) + 1,) * 2)
    full[:-1, :-1] = S
    full[-1, :-1] = full[:-1, -1] = cov_loy
    full[-1, -1] = 1.0
    order = list(CONSTRUCTS)
    latent_corr = pd.DataFrame(full, index=names, columns=names).loc[order, order]

    # 2-D quadrature over (sat, u) for loyalty: loy | sat ~ N(m(sat), v(sat))
    h_grid = 0.02
    sat_grid = np.arange(-8.0, 8.0 + h_grid / 2, h_grid)  # tau = 0.5 lies on the grid
    w_sat = stats.norm.pdf(sat_grid) * h_grid
    w_sat[[0, -1]] /= 2
    w_sat /= w_sat.sum()
    gh_x, gh_w = np.polynomial.hermite_e.hermegauss(60)
    gh_w = gh_w / gh_w.sum()
    c_no_swc = c.copy()
    c_no_swc[_GAUSS.index("swc")] = 0.0
    kappa = c_no_swc @ S[:, s]  # Cov(c'X without swc, sat); swc is independent of sat
    var_lin_given_s = c_no_swc @ S @ c_no_swc - kappa**2
    hinge = np.maximum(sat_grid - _TAU, 0.0)
    mean_given_s = kappa * sat_grid + _LOY_HINGE * (hinge - lp["mean_hinge"])
    var_given_s = var_lin_given_s + (_LOY_LINEAR["swc"] + _LOY_INTERACTION * sat_grid) ** 2 + lp["psi"]
    loy_nodes = (mean_given_s[:, None] + np.sqrt(var_given_s)[:, None] * gh_x[None, :]).ravel()
    loy_w = (w_sat[:, None] * gh_w[None, :]).ravel()

    rows = {}
    for con in CONSTRUCTS:
        lam = np.array(_LOADINGS[con])
        k = len(lam)
        num = lam.sum() ** 2
        total_cont = num + (1 - lam**2).sum()
        if con == "loy":
            nodes, weights = loy_nodes, loy_w
        else:
            nodes, weights = gh_x, gh_w
        a_lik, r2 = _likert_reliability(tuple(lam), _item_cuts(con), nodes, weights)
        rows[con] = {"omega": num / total_cont, "alpha_continuous": k / (k - 1) * (1 - k / total_cont),
                     "alpha_likert": a_lik, "score_r2": r2}
    reliability = pd.DataFrame.from_dict(rows, orient="index")
    reliability.index.name = "construct"

    # threshold on the observed satisfaction-score metric
    sat_lams = _LOADINGS["sat"]
    at_tau = [(_cond_category_probs(np.array([_TAU]), lam, _item_cuts("sat")) @ np.arange(1, 8))[0]
              for lam in sat_lams]
    tau_score = float(np.mean(at_tau))

    paths = [(lhs, rhs, b) for lhs, eq in _STRUCT.items() for rhs, b in eq.items()]
    paths += [("loy", r, b) for r, b in _LOY_LINEAR.items()]
    paths += [("loy", "sat:swc", _LOY_INTERACTION), ("loy", "hinge", _LOY_HINGE)]
    paths_df = pd.DataFrame(paths, columns=["lhs", "rhs", "coef"])
    r_squared = pd.Series({**{k: 1 - v for k, v in psi.items()}, "loy": lp["var_sys"]}, name="r_squared")

    # simple mediation sat -> trs -> loy (population least squares on the latents)
    t = _GAUSS.index("trs")
    a = S[t, s]
    G = np.array([[1.0, a], [a, 1.0]])
    beta = np.linalg.solve(G, np.array([cov_loy[s], cov_loy[t]]))
    mediation = pd.Series({"a": a, "b": beta[1], "c_prime": beta[0], "indirect": a * beta[1],
                           "total": cov_loy[s]})
    moderation = pd.Series({"sat": cov_loy[s], "swc": cov_loy[_GAUSS.index("swc")],
                            "sat:swc": _LOY_INTERACTION})
    threshold = pd.Series({"slope_below": kappa, "slope_above": kappa + _LOY_HINGE})

    # churn rate and NPS by quadrature over (sat, swc, rest)
    swc_x, swc_w = np.polynomial.hermite_e.hermegauss(30)
    swc_w = swc_w / swc_w.sum()
    r_x, r_w = swc_x, swc_w
    sd_rest = np.sqrt(var_lin_given_s + lp["psi"])  # sd of loy given (sat, swc)
    sat3 = sat_grid[:, None, None]
    swc3 = swc_x[None, :, None]
    loy3 = (kappa * sat3 + _LOY_HINGE * (np.maximum(sat3 - _TAU, 0) - lp["mean_hinge"])
            + (_LOY_LINEAR["swc"] + _LOY_INTERACTION * sat3) * swc3 + sd_rest * r_x[None, None, :])
    w3 = w_sat[:, None, None] * swc_w[None, :, None] * r_w[None, None, :]
    eta = _CHURN["intercept"] + _CHURN["loy"] * loy3 + _CHURN["sat"] * sat3 + _CHURN["swc"] * swc3
    churn_rate = float((special.expit(eta) * w3).sum())
    rec_mean = _REC_WEIGHTS["sat"] * sat3 + _REC_WEIGHTS["loy"] * loy3
    rec_sd = _rec_noise_sd(cov_loy[s])
    promoters = (stats.norm.sf((_REC_CUTS[8] - rec_mean) / rec_sd) * w3).sum()
    detractors = (stats.norm.cdf((_REC_CUTS[6] - rec_mean) / rec_sd) * w3).sum()

    loadings = pd.Series({i: lam for con in CONSTRUCTS for i, lam in zip(ITEMS[con], _LOADINGS[con], strict=True)},
                         name="loading")
    return SurveyTruth(
        loadings=loadings,
        reliability=reliability,
        paths=paths_df,
        latent_corr=latent_corr,
        r_squared=r_squared,
        tau=_TAU,
        tau_score=tau_score,
        mediation=mediation,
        moderation=moderation,
        threshold=threshold,
        churn=pd.Series(_CHURN, name="churn_logit"),
        churn_rate=churn_rate,
        nps=float(100 * (promoters - detractors)),
        complaints=pd.Series(_COMPLAINTS, name="complaints_loglinear"),
    )


def _rec_noise_sd(cov_sat_loy: float) -> float:
    ws, wl = _REC_WEIGHTS["sat"], _REC_WEIGHTS["loy"]
    return float(np.sqrt(1 - (ws**2 + wl**2 + 2 * ws * wl * cov_sat_loy)))


# ============================================================================= simulation
def simulate_supply_chain_survey(
    n: int = SURVEY_N, *, rng: int | np.random.Generator | None = None
) -> tuple[pd.DataFrame, SurveyTruth]:
    """Simulate a B2B customer survey of a supplier, with its population truth.

    Parameters
    ----------
    n : int, default 1000
        Number of customers (at least 20).
    rng : int, numpy.random.Generator or None
        Seed or generator. ``SURVEY_SEED`` with ``n=1000`` reproduces the
        packaged data set exactly (:func:`load_supply_chain_survey`).

    Returns
    -------
    data : pandas.DataFrame
        One row per customer with the columns described in the codebook
        (:func:`csl_stats.codebook`): ids and segments; 39 raw
        1-7 answers (``srv4`` and ``loy4`` reverse-keyed and *not* reversed);
        ``recommend`` (0-10); complaints; behaviour in the following 12
        months. Answers, ``recommend`` and ``complaint_resolved`` are float64
        (NaN = missing); counts and ``churned`` are int64; segments and
        ``churn_reason`` are strings.
    truth : SurveyTruth
        Population values (identical for every ``n`` and seed).

    Raises
    ------
    ArgumentTypeError
        If ``n`` is not an integer or ``rng`` is not a seed/Generator.
    ArgumentError
        If ``n < 20`` or the seed is negative.

    Notes
    -----
    **Latent model.** Image and expectations are standard normal with
    correlation 0.45. Delivery (dlv), product quality (qlt) and service
    (srv) depend on both; value (val) on expectations and the three facets;
    satisfaction (sat) on image, expectations, the facets and value;
    complaint handling (cph) on service and satisfaction; trust (trs) on
    satisfaction; switching costs (swc) are exogenous and independent. Each
    disturbance variance makes the latent variance exactly 1 (coefficients
    in ``truth.paths``). Loyalty is

    .. math::

        \\text{loy} = 0.1\\,\\text{img} + 0.2\\,\\text{sat} + 0.1\\,\\text{cph}
        + 0.3\\,\\text{trs} + 0.2\\,\\text{swc} - 0.15\\,\\text{sat}\\cdot\\text{swc}
        + 0.6\\max(\\text{sat}-\\tau, 0) + \\zeta - \\text{const},\\qquad \\tau = 0.5,

    with the constant and :math:`\\operatorname{Var}\\zeta` chosen so that
    loyalty has mean 0 and variance 1 (Stein's lemma gives the covariances of
    the hinge term). Thus trust partly mediates satisfaction (Morgan & Hunt),
    switching costs flatten the satisfaction slope, and loyalty rises steeply
    only in the "zone of affection" above :math:`\\tau` (Jones & Sasser).

    **Items.** Answer :math:`x = 1 + \\#\\{k: \\lambda\\eta + \\sqrt{1-\\lambda^2}\\,e
    + \\delta_c > c_k\\}` with cut points ``(-2.3, -1.7, -1.1, -0.45, 0.35, 1.3)``
    and a construct shift :math:`\\delta_c` (answers skew positive);
    reverse-keyed raw answers are ``8 - x``. ``dlv4`` has loading 0.35.

    **Outcomes.** ``recommend`` cuts ``0.55 sat + 0.35 loy + noise`` (unit
    variance) at normal quantiles of a realistic 0-10 distribution.
    ``complaints_12m`` is Poisson (more when delivery and quality are poor,
    and for larger customers); ``complaint_resolved`` (last complaint, NaN
    when none) is Bernoulli with logit ``0.6 + cph``. ``churned`` is
    Bernoulli with logit ``-2.45 - 0.9 loy - 0.3 sat - 0.4 swc``; churned
    customers give an exit reason related to their weakest facet (price =
    value, relationship = trust). Orders are gamma-Poisson by size, industry
    and loyalty and pro-rated for churners; revenue is orders times a
    log-normal order value by size (kEUR); share of wallet is beta with a
    mean driven by loyalty and switching costs. Size is cut from a variable
    correlated 0.35 with switching costs; tenure is log-normal, related to
    switching costs.

    **Missing data** (about 3 % of the cells; not MCAR): every item has a
    construct-specific missing rate (higher for switching costs and
    complaint handling, the latter also higher for customers without
    complaints) that rises for dissatisfied respondents (logit shifted by
    0.5 per scale point below 5 of their satisfaction score); about 2 % of
    the respondents, more often dissatisfied ones, break off before the
    switching-cost block (swc, loy, recommend missing); revenue (6 %,
    more for small customers) and share of wallet (8 %) are missing from the
    CRM extract.

    References
    ----------
    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996).
    The American Customer Satisfaction Index. Journal of Marketing, 60(4), 7-18.

    Cassel, C., & Eklöf, J. A. (2001). Modelling customer satisfaction and loyalty
    on aggregate levels. Total Quality Management, 12(7-8), 834-841.

    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. Harvard
    Business Review, 73(6), 88-99.

    Morgan, R. M., & Hunt, S. D. (1994). The commitment-trust theory of relationship
    marketing. Journal of Marketing, 58(3), 20-38.

    Examples
    --------
    >>> from csl_stats.datasets import simulate_supply_chain_survey
    >>> data, truth = simulate_supply_chain_survey(200, rng=1)
    >>> data.shape
    (200, 52)
    >>> print(f"{truth.indirect_effect:.3f} {truth.interaction:.2f}")
    0.18... -0.15
    """
    n = check_int(n, "n", minimum=_MIN_N)
    gen = as_generator(rng)
    truth = _population_truth()
    data, _ = _simulate_with_latents(n, gen, truth)
    return data, truth


def _simulate_with_latents(
    n: int, gen: np.random.Generator, truth: SurveyTruth
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The survey draw itself; also returns the latent scores (used by the prior-behaviour simulator)."""
    cov, psi = _gaussian_moments()
    lp = _loyalty_parts(cov)

    # ---- latent variables (fixed draw order: determinism)
    lat: dict[str, np.ndarray] = {}
    z = gen.standard_normal((n, 2))
    lat["img"] = z[:, 0]
    lat["exp"] = _EXO_CORR * z[:, 0] + np.sqrt(1 - _EXO_CORR**2) * z[:, 1]
    for lhs, rhs in _STRUCT.items():
        lat[lhs] = sum(b * lat[r] for r, b in rhs.items()) + np.sqrt(psi[lhs]) * gen.standard_normal(n)
    lat["swc"] = gen.standard_normal(n)
    sat, swc = lat["sat"], lat["swc"]
    loy = sum(b * lat[r] for r, b in _LOY_LINEAR.items())
    loy = (loy + _LOY_INTERACTION * sat * swc + _LOY_HINGE * np.maximum(sat - _TAU, 0.0)
           - _LOY_HINGE * lp["mean_hinge"] + np.sqrt(lp["psi"]) * gen.standard_normal(n))
    lat["loy"] = loy

    # ---- segments
    z_size = 0.35 * swc + np.sqrt(1 - 0.35**2) * gen.standard_normal(n)
    size_levels, size_p = _SEGMENTS["size"]
    size_idx = np.searchsorted(stats.norm.ppf(np.cumsum(size_p)[:-1]), z_size)
    industry_idx = _draw_categories(gen, n, _SEGMENTS["industry"][1])
    region_idx = _draw_categories(gen, n, _SEGMENTS["region"][1])
    tenure = 1 + np.floor(np.exp(1.55 + 0.35 * swc + 0.15 * z_size + 0.55 * gen.standard_normal(n)))
    tenure = np.minimum(tenure, 40).astype(np.int64)

    # ---- items
    answers: dict[str, np.ndarray] = {}
    for con in CONSTRUCTS:
        lams = np.array(_LOADINGS[con])
        e = gen.standard_normal((n, len(lams)))
        ystar = lat[con][:, None] * lams + np.sqrt(1 - lams**2) * e + _SHIFT[con]
        coded = 1 + np.searchsorted(_CUTS, ystar.ravel(), side="left").reshape(ystar.shape)
        for j, item in enumerate(ITEMS[con]):
            x = coded[:, j].astype(float)
            answers[item] = 8 - x if item in REVERSE_KEYED else x

    # ---- recommend, complaints
    rec_star = (_REC_WEIGHTS["sat"] * sat + _REC_WEIGHTS["loy"] * loy
                + _rec_noise_sd(truth.latent_corr.loc["sat", "loy"]) * gen.standard_normal(n))
    recommend = np.searchsorted(_REC_CUTS, rec_star).astype(float)
    size_eff = np.array([0.0, _COMPLAINTS["medium"], _COMPLAINTS["large"]])[size_idx]
    lam_c = np.exp(_COMPLAINTS["intercept"] + _COMPLAINTS["dlv"] * lat["dlv"] + _COMPLAINTS["qlt"] * lat["qlt"]
                   + size_eff)
    complaints = gen.poisson(lam_c).astype(np.int64)
    resolved = (gen.random(n) < special.expit(_RESOLVED["intercept"] + _RESOLVED["cph"] * lat["cph"])).astype(float)
    resolved[complaints == 0] = np.nan

    # ---- behaviour in the following 12 months
    p_churn = special.expit(_CHURN["intercept"] + _CHURN["loy"] * loy + _CHURN["sat"] * sat + _CHURN["swc"] * swc)
    churned = (gen.random(n) < p_churn).astype(np.int64)
    active = np.where(churned == 1, gen.uniform(0.05, 0.95, n), 1.0)
    util = np.column_stack([0.6 - 1.2 * lat["val"], -1.2 * lat["dlv"], -1.2 * lat["qlt"], -1.2 * lat["srv"],
                            -1.2 * lat["trs"], np.full(n, -0.5)])
    reason_idx = np.argmax(util + gen.gumbel(size=(n, len(_REASONS))), axis=1)
    churn_reason = np.where(churned == 1, np.asarray(_REASONS, dtype=object)[reason_idx], None)
    base_orders = np.array([10.0, 26.0, 60.0])[size_idx] * np.array([1.3, 1.0, 0.7])[industry_idx]
    mu_orders = base_orders * np.exp(0.15 * loy) * active
    orders = gen.poisson(gen.gamma(4.0, mu_orders / 4.0)).astype(np.int64)
    order_value = np.array([6.0, 12.0, 30.0])[size_idx] * np.exp(0.35 * gen.standard_normal(n) - 0.35**2 / 2)
    revenue = _round_decimal(orders * order_value, 1)
    sow_mean = special.expit(-0.1 + 0.5 * loy + 0.3 * swc) * active
    sow = _round_decimal(gen.beta(8 * sow_mean + 1e-9, 8 * (1 - sow_mean) + 1e-9), 3)

    # ---- missingness
    sat_obs = np.mean([answers[i] for i in ITEMS["sat"]], axis=0)
    shift = 0.5 * np.maximum(5.0 - sat_obs, 0.0)
    for con in CONSTRUCTS:
        base = special.logit(_MISS_BASE[con]) + shift
        if con == "cph":
            base = base + np.where(complaints == 0, 0.6, -0.6)
        u = gen.random((n, len(ITEMS[con])))
        for j, item in enumerate(ITEMS[con]):
            answers[item][u[:, j] < special.expit(base)] = np.nan
    rec_miss = gen.random(n) < special.expit(special.logit(0.015) + shift)
    recommend[rec_miss] = np.nan
    breakoff = gen.random(n) < special.expit(special.logit(0.015) + shift)
    for item in (*ITEMS["swc"], *ITEMS["loy"]):
        answers[item][breakoff] = np.nan
    recommend[breakoff] = np.nan
    rev_miss = gen.random(n) < np.array([0.09, 0.045, 0.02])[size_idx]
    revenue[rev_miss] = np.nan
    sow[gen.random(n) < 0.08] = np.nan

    width = max(4, len(str(n)))
    data = pd.DataFrame({
        "customer_id": [f"C{i:0{width}d}" for i in range(1, n + 1)],
        "industry": np.asarray(_SEGMENTS["industry"][0], dtype=object)[industry_idx],
        "region": np.asarray(_SEGMENTS["region"][0], dtype=object)[region_idx],
        "size": np.asarray(size_levels, dtype=object)[size_idx],
        "tenure_years": tenure,
        **answers,
        "recommend": recommend,
        "complaints_12m": complaints,
        "complaint_resolved": resolved,
        "orders_12m": orders,
        "revenue_12m": revenue,
        "share_of_wallet": sow,
        "churned": churned,
        "churn_reason": churn_reason,
    })
    return _set_dtypes(data), lat


def _draw_categories(gen: np.random.Generator, n: int, probs: tuple[float, ...]) -> np.ndarray:
    return np.searchsorted(np.cumsum(probs)[:-1], gen.random(n), side="right")


def _round_decimal(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round to the float that the CSV text (fixed decimals) reads back as, so files round-trip exactly."""
    return np.asarray(np.char.mod(f"%.{decimals}f", np.asarray(x, dtype=float)), dtype=float)


def _set_dtypes(data: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes: text columns as strings (NaN = missing), counts int64, everything else float64."""
    out = {}
    for c in COLUMNS:
        s = data[c]
        if c in _TEXT_COLUMNS:
            s = s.astype(object).where(s.notna(), np.nan)
            out[c] = s.astype("str") if _PANDAS3 else s
        elif c in _INT_COLUMNS:
            out[c] = s.astype("int64")
        else:
            out[c] = s.astype("float64")
    return pd.DataFrame(out)


# ============================================================================= files
def survey_csv_text(data: pd.DataFrame | None = None) -> str:
    """CSV text of the survey exactly as committed (integers without decimals, empty = missing).

    With ``data=None`` the data set is regenerated from ``SURVEY_SEED``.
    """
    if data is None:
        data, _ = simulate_supply_chain_survey(SURVEY_N, rng=SURVEY_SEED)
    cols = {}
    for c in COLUMNS:
        s = data[c]
        if c in _FLOAT_FORMATS:
            txt = pd.Series(np.char.mod(_FLOAT_FORMATS[c], s.to_numpy(dtype=float)), index=s.index)
        elif pd.api.types.is_numeric_dtype(s):
            v = s.to_numpy(dtype=float)
            txt = pd.Series(np.char.mod("%d", np.nan_to_num(v)), index=s.index)
        else:
            txt = s.astype(object)
        cols[c] = txt.where(s.notna(), "")
    buf = io.StringIO()
    pd.DataFrame(cols).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def load_supply_chain_survey() -> pd.DataFrame:
    """Load the packaged simulated survey of 1,000 B2B customers.

    The file ships inside the package (``csl_stats/datasets/data``) and is
    read with :mod:`importlib.resources`, so it works from an installed
    wheel. It is exactly ``simulate_supply_chain_survey(1000,
    rng=SURVEY_SEED)[0]``; the population truth is
    ``simulate_supply_chain_survey`` 's second return value. Column meanings:
    :func:`csl_stats.codebook`.

    Returns
    -------
    pandas.DataFrame
        1,000 rows, 52 columns (dtypes as in :func:`simulate_supply_chain_survey`).

    Examples
    --------
    >>> from csl_stats.datasets import load_supply_chain_survey
    >>> survey = load_supply_chain_survey()
    >>> survey.shape
    (1000, 52)
    >>> print(f"{survey['churned'].mean():.3f}")
    0.115
    """
    ref = resources.files("csl_stats.datasets").joinpath("data", "supply_chain_survey.csv")
    with ref.open("r", encoding="utf-8", newline="") as fh:
        data = pd.read_csv(fh, dtype={"customer_id": "str"}, keep_default_na=False, na_values=[""])
    return _set_dtypes(data)
