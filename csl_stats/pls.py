"""PLS path modelling of ACSI/ECSI-type index models.

:func:`pls_pm` estimates a PLS path model (Lohmoller's algorithm, as in R's
seminr), reports reliability, discriminant validity (HTMT), structural
paths with bootstrap confidence intervals, total and indirect effects and
the ACSI-convention 0-100 indices; :func:`ipma` and :func:`plot_ipma` give
the importance-performance map of a target construct's drivers.

Notes
-----
**Agreement with seminr.** On seminr's ``mobi`` data (250 mobile-phone
customers) and its ECSI model - Image (IMAG1-5), Expectation (CUEX1-3),
Quality (PERQ1-7), Value (PERV1-2), Satisfaction (CUSA1-3), Complaints
(CUSCO), Loyalty (CUSL1-3), all Mode A; paths Image -> Expectation,
Satisfaction, Loyalty; Expectation -> Quality, Value, Satisfaction;
Quality -> Value, Satisfaction; Value -> Satisfaction; Satisfaction ->
Complaints, Loyalty; Complaints -> Loyalty; path weighting - ``pls_pm``
reproduces seminr's ``estimate_pls``/``summary`` output (path
coefficients, outer weights, loadings, construct scores, R2, total and
indirect effects, alpha, rhoA, rhoC, AVE and HTMT, as published in the
seminr-generated test fixtures of ``sem-in-r/seminr-ts`` and
``sem-in-r/seminr``) with a largest absolute difference below 1e-14, and
needs the same number of passes (seminr's counter starts at 0 and prints
one less). The same holds for seminr's four-construct mobi models (Image,
Expectation, Value -> Satisfaction) with path weighting, with the
factorial scheme, and with Value in Mode B. The unit tests compare with an
independent base-R implementation (``tests/reference/pls.R``) on a
simulated ECSI data set to 1e-6.
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _pls_core as core
from ._results import Result, result_dataclass
from ._validation import (
    _check_scale_arg,
    check_choice,
    check_columns,
    check_dataframe,
    check_flag,
    check_int,
    check_n_boot,
    check_number,
    check_probability,
    check_rng,
    numeric_frame,
    stacklevel,
    warn,
)
from .errors import (
    ArgumentError,
    ArgumentTypeError,
    ConvergenceWarning,
    HeywoodWarning,
    InconsistencyWarning,
    MissingDataWarning,
    ModelSpecificationError,
    ReverseKeyWarning,
)

__all__ = ["PLSResult", "pls_pm", "ipma", "plot_ipma"]


@result_dataclass
class PLSResult(Result):
    """Result of :func:`pls_pm`.

    The tidy tables are ``path_table`` (one row per structural path),
    ``outer_table`` (one row per indicator), ``construct_table`` (one row
    per construct) and ``effect_table`` (one row per ordered pair of
    constructs with a non-zero total effect); the attributes named in the
    issue (``paths``, ``r2``, ``outer_weights``, ``loadings``,
    ``total_effects``, ``indirect_effects``, ``reliability``, ``indices``)
    are views of these tables. The quality criteria a reviewer expects
    besides reliability and HTMT (``vif_inner``, ``vif_outer``, ``f2``,
    ``srmr``) are computed from the construct scores and the stored
    indicator correlations (``indicator_cor``); they agree with base-R
    ``lm``/``cor`` computations (``tests/reference/pls_quality.R``) to 1e-10.
    Missing answers (issue 19b): ``nan_policy`` is the policy applied
    (``"listwise"`` or ``"mean"`` replacement), ``n`` the respondents used,
    ``n_rows`` the rows of the data passed and ``missing_table`` the missing
    answers per indicator (``n_missing``, ``share``) before the policy.
    """

    _title = "PLS path model"

    path_table: pd.DataFrame
    outer_table: pd.DataFrame
    construct_table: pd.DataFrame
    effect_table: pd.DataFrame
    htmt: pd.DataFrame
    scores: pd.DataFrame
    index_scores: pd.DataFrame
    indicator_cor: pd.DataFrame
    n: int
    iterations: int
    scheme: str
    scale: tuple[float, float]
    gof: float
    n_boot: int
    ci: float
    sign_change: str
    n_boot_failed: int
    construct_cor: pd.DataFrame
    consistent: tuple[str, ...] = ()
    data: pd.DataFrame | None = dataclasses.field(default=None, repr=False)
    max_iter: int = 300
    tol: float = 1e-7
    # --- missing answers (issue 19b) ---
    nan_policy: str = "listwise"
    n_rows: int | None = None
    missing_table: pd.DataFrame | None = dataclasses.field(default=None, repr=False)

    _frame = "path_table"

    @property
    def paths(self) -> pd.DataFrame:
        """Path coefficients (with ``se``, ``ci_low``, ``ci_high``, ``t``, ``p`` when bootstrapped)."""
        return self.path_table.copy()

    @property
    def r2(self) -> pd.Series:
        """R-squared of each endogenous construct."""
        s = self.construct_table["r2"].dropna()
        return s.rename("r2")

    @property
    def r2_adj(self) -> pd.Series:
        """Adjusted R-squared of each endogenous construct."""
        return self.construct_table["r2_adj"].dropna().rename("r2_adj")

    def _outer(self, kind: str) -> pd.DataFrame:
        cols = [c for c in self.outer_table.columns if c == kind or c.startswith(kind + "_")]
        out = self.outer_table[["construct", "indicator", *cols]]
        return out.rename(columns={c: "estimate" if c == kind else c[len(kind) + 1 :] for c in cols})

    @property
    def outer_weights(self) -> pd.DataFrame:
        """Standardized outer weights: ``construct``, ``indicator``, ``estimate`` (+ bootstrap columns)."""
        return self._outer("weight")

    @property
    def loadings(self) -> pd.DataFrame:
        """Outer loadings (indicator-construct correlations), long format like :attr:`outer_weights`."""
        return self._outer("loading")

    def _effects(self, kind: str) -> pd.DataFrame:
        cols = [c for c in self.effect_table.columns if c == kind or c.startswith(kind + "_")]
        out = self.effect_table[["from", "to", *cols]]
        out = out.rename(columns={c: "estimate" if c == kind else c[len(kind) + 1 :] for c in cols})
        return out[out["estimate"].abs() > 0].reset_index(drop=True)

    @property
    def total_effects(self) -> pd.DataFrame:
        """Total effects (direct + all indirect) for every connected pair of constructs."""
        return self._effects("total")

    @property
    def indirect_effects(self) -> pd.DataFrame:
        """Total indirect effects (total minus direct) where non-zero."""
        return self._effects("indirect")

    @property
    def reliability(self) -> pd.DataFrame:
        """Cronbach's alpha, rhoA, composite reliability rhoC and AVE per construct."""
        return self.construct_table[["alpha", "rhoA", "rhoC", "AVE"]].copy()

    @property
    def indices(self) -> pd.Series:
        """ACSI-convention 0-100 index of each construct (mean of :attr:`index_scores`)."""
        return self.construct_table["index"].rename("index")

    @property
    def constructs(self) -> list[str]:
        """Construct names in the order of the measurement model."""
        return list(self.construct_table.index)

    def indices_by(self, groups: pd.Series | Sequence[Any]) -> pd.DataFrame:
        """Mean 0-100 index of each construct per group (e.g. ``survey["industry"]``).

        ``groups`` is aligned on the row labels of the data that were used,
        so a column of the original DataFrame can be passed directly.
        """
        g = pd.Series(groups, index=self.index_scores.index) if not isinstance(groups, pd.Series) else groups
        g = g.reindex(self.index_scores.index)
        table = self.index_scores.groupby(g, observed=True).mean()
        table.insert(0, "n", self.index_scores.groupby(g, observed=True).size())
        return table

    # --- quality criteria (issue 14) ---------------------------------------------------------

    def _path_positions(self) -> list[tuple[int, int]]:
        pos = {c: k for k, c in enumerate(self.constructs)}
        return [(pos[a], pos[b]) for a, b in zip(self.path_table["from"], self.path_table["to"], strict=True)]

    def _spec(self) -> core.ModelSpec:
        """The measurement and structural model, rebuilt from the tables (indicators in block order)."""
        names = self.constructs
        owner = self.outer_table["construct"].to_numpy()
        adjacency = np.zeros((len(names), len(names)))
        for i, j in self._path_positions():
            adjacency[i, j] = 1.0
        return core.ModelSpec(names, list(self.outer_table["indicator"]),
                              [np.flatnonzero(owner == c) for c in names],
                              (self.construct_table["mode"] == "B").to_numpy(), adjacency,
                              list(zip(self.path_table["from"], self.path_table["to"], strict=True)))

    def _score_cor(self) -> np.ndarray:
        """Construct correlations: of the scores (PLS) or disattenuated (PLSc, ``consistent``)."""
        return self.construct_cor.to_numpy()

    def _factor_mask(self) -> np.ndarray:
        return np.isin(self.constructs, self.consistent)

    @property
    def vif_inner(self) -> pd.DataFrame:
        """Collinearity of the structural model: VIF of each path's predictor among the predictors of its target.

        ``vif`` is :math:`1/(1-R^2)` of the predictor's construct score
        regressed on the scores of the other predictors of the same target
        (1 when the target has a single predictor). Values above about 5
        (stricter: 3) signal collinearity that makes paths unstable
        (Hair et al. 2022, ch. 6).
        """
        vif, _ = core.inner_vif_f2(self._score_cor(), self._path_positions())
        return self.path_table[["from", "to"]].assign(vif=vif)

    @property
    def f2(self) -> pd.DataFrame:
        """Cohen's f2 effect size of every path: :math:`(R^2_{incl} - R^2_{excl}) / (1 - R^2_{incl})`.

        :math:`R^2_{excl}` is the R2 of the target when the path's predictor is
        left out of its structural regression (construct scores fixed, not
        re-estimated). Cohen's (1988) 0.02, 0.15 and 0.35 are the usual
        "small", "medium" and "large" marks.
        """
        _, f2 = core.inner_vif_f2(self._score_cor(), self._path_positions())
        return self.path_table[["from", "to"]].assign(f2=f2)

    @property
    def vif_outer(self) -> pd.DataFrame:
        """VIF of each indicator among the other indicators of its block (``construct``, ``indicator``, ``mode``, ``vif``).

        This is the collinearity check of formative (Mode B) blocks, whose
        weights are multiple-regression coefficients (Hair et al. 2022
        flag VIF above about 5, stricter 3). For Mode A blocks a high VIF is
        expected and harmless (reflective items should correlate); it is
        reported for completeness.
        """
        vif = core.outer_vif(self.indicator_cor.to_numpy(), self._spec())
        mode = self.construct_table["mode"].reindex(self.outer_table["construct"]).to_numpy()
        return self.outer_table[["construct", "indicator"]].assign(mode=mode, vif=vif)

    @property
    def srmr(self) -> pd.Series:
        """Standardized root mean square residual of the composite model (``saturated`` and ``estimated``).

        Observed indicator correlations are compared with those implied by
        the composite model (every block a weighted composite; within a
        block the correlations are free, between blocks
        :math:`\\lambda_k \\rho_{kl} \\lambda_l'`). ``saturated`` uses the
        observed construct-score correlations :math:`\\rho` (it checks the
        measurement model only); ``estimated`` uses the correlations implied
        by the structural paths with uncorrelated disturbances (it also
        checks the paths left out). SRMR averages the squared residuals over
        the lower triangle including the diagonal. Henseler et al. (2014)
        suggest values below about 0.08 for an acceptable composite model; the
        cut-off was transferred from factor models and is a rule of thumb.
        With ``consistent`` (PLSc) the constructs listed there are common
        factors: their within-block correlations are implied by the
        consistent loadings, :math:`\\lambda\\lambda'` off the diagonal, and
        :math:`\\rho` holds the disattenuated construct correlations. See
        :func:`csl_stats.pls_fit` for the bootstrap test of the model fit.
        """
        spec = self._spec()
        r = self.indicator_cor.to_numpy()
        owner = np.array([j for j, blk in enumerate(spec.blocks) for _ in blk])
        lam = np.zeros((len(owner), len(spec.constructs)))
        lam[np.arange(len(owner)), owner] = self.outer_table["loading"].to_numpy()
        rho = self._score_cor()
        beta = np.zeros_like(rho)
        for (i, j), b in zip(self._path_positions(), self.path_table["estimate"], strict=True):
            beta[i, j] = b
        factor = self._factor_mask()
        return pd.Series({
            "saturated": core.srmr_composite(r, lam, rho, spec, factor),
            "estimated": core.srmr_composite(r, lam, core.implied_construct_cor(rho, beta), spec, factor),
        }, name="srmr")

    def summary(self) -> pd.DataFrame:
        """The structural paths (the table a paper reports first)."""
        return self.to_frame()


def pls_pm(
    data: pd.DataFrame,
    measurement: Mapping[str, Sequence[Hashable]],
    structural: Sequence[tuple[str, str]],
    *,
    modes: Mapping[str, str] | None = None,
    scheme: str = "path",
    scale: tuple[float, float] | None = None,
    n_boot: int = 0,
    ci: float = 0.95,
    rng: int | np.random.Generator | None = None,
    max_iter: int = 300,
    tol: float = 1e-7,
    nan_policy: str = "listwise",
    sign_change: str = "none",
    consistent: bool | Sequence[str] = False,
    missing_code: float | Sequence[float] | None = None,
) -> PLSResult:
    """Estimate a PLS path model (PLS-PM / PLS-SEM) with 0-100 indices.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; indicator columns must be numeric.
    measurement : dict
        Each construct's indicator columns, ``{"Satisfaction": ["sat1", "sat2", "sat3"], ...}``.
        Constructs are reported in this order.
    structural : list of (from, to)
        The structural paths. The model must be recursive (no cycles) and
        every construct must take part in at least one path.
    modes : dict, optional
        ``{"construct": "B"}`` for formative (Mode B, regression) weights;
        every other construct uses Mode A (correlation) weights.
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    scale : (low, high), optional
        The answer scale of the indicators, e.g. ``(1, 7)``, used for the
        0-100 indices (values outside it raise
        :class:`~csl_stats.errors.ScaleError`). ``None`` uses the lowest and
        highest value observed in any indicator - pass the real scale when
        you report indices.
    n_boot : int
        Bootstrap resamples (0 = none). 500-5000 are usual.
    ci : float
        Level of the percentile bootstrap intervals.
    rng : int, Generator or None
        Seed for the bootstrap.
    max_iter, tol : int, float
        The algorithm stops when the sum of the absolute changes of all outer
        weights is below ``tol`` (seminr's rule with its default 1e-7), or
        after ``max_iter`` passes with a
        :class:`~csl_stats.errors.ConvergenceWarning`.
    nan_policy : {"listwise", "mean", "raise"}
        Missing values: drop incomplete respondents (the n used is
        reported), replace each missing answer by its indicator's mean
        (seminr's ``mean_replacement``; the bootstrap re-does it within each
        resample, as seminr) or raise. Both deletion and mean replacement can
        bias indices when dissatisfied customers skip more questions, and
        mean replacement shrinks variances and correlations; multiple
        imputation (:func:`csl_stats.impute` then
        ``imputed.analyse(csl_stats.pls_pm, ...)``) is the principled
        alternative (see :func:`csl_stats.pool_results`).
    sign_change : {"none", "construct"}
        Bootstrap sign-change correction. ``"none"`` (default, as seminr,
        cSEM and SmartPLS) keeps each resample's estimates as they come
        (after the orientation rule below); ``"construct"`` reverses a
        construct in a resample when that brings its loadings closer to the
        original-sample loadings (Tenenhaus et al. 2005).
    consistent : bool or list of str
        Consistent PLS (PLSc, Dijkstra & Henseler 2015). ``True`` treats
        every Mode A construct with two or more indicators as a common
        factor (reflective measurement); a list names those constructs
        (Mode A only). Their loadings are replaced by the consistent
        loadings, the construct correlations are disattenuated by
        :math:`\\rho_A`, and the paths, R2 and effects (and their bootstrap
        replicates) are re-estimated from them. Weights, scores and indices
        stay those of PLS. Default ``False``: plain PLS (composites).
    missing_code : number or list of numbers, optional
        Answer codes that mean "missing" in the indicator columns, e.g.
        ``-99`` (seminr's ``missing_value``) or ``[-99, 99]``. They are set to
        NaN (in a copy) before the scale check and ``nan_policy``.

    Returns
    -------
    PLSResult
        ``paths``, ``r2``, ``outer_weights``, ``loadings``, ``total_effects``,
        ``indirect_effects``, ``reliability``, ``htmt``, ``indices``,
        ``index_scores``, ``gof``, ``scores``, ``iterations``; ``n`` is the
        number of respondents used. Quality criteria: ``vif_inner``,
        ``vif_outer``, ``f2`` and ``srmr`` (composite model; common-factor
        blocks with ``consistent``). ``construct_cor`` holds the construct
        correlations (disattenuated with PLSc), ``consistent`` the constructs
        treated as common factors, ``data`` the indicator data used (after
        the missing-value policy; :func:`csl_stats.pls_fit` and :func:`csl_stats.pls_predict`
        refit the model on it). ``nan_policy`` is the policy applied, ``n_rows`` the
        number of rows in ``data`` and ``missing_table`` the missing answers per
        indicator (``n_missing``, ``share``) before the policy.

    Raises
    ------
    ModelSpecificationError
        A construct without indicators, an indicator in two blocks, an
        unknown construct in a path, a cycle (named) or a construct without
        any path.
    ColumnNotFoundError, NonNumericError, ScaleError, ConstantError
        Bad indicator columns.
    CollinearityError
        Collinear Mode B indicators or construct scores.

    Warns
    -----
    ConvergenceWarning
        No convergence within ``max_iter`` passes, or failed bootstrap replicates.
    ReverseKeyWarning
        An indicator loads negatively on its Mode A construct (probably a
        reverse-keyed item that was not recoded).
    HeywoodWarning
        With ``consistent``: a construct's :math:`\\rho_A` or a consistent
        loading above one, or an undefined consistent loading.
    MissingDataWarning
        With ``nan_policy="mean"``: an indicator has more than 5 % missing
        answers (mean replacement shrinks its variance and its correlations);
        with ``"listwise"``: more than 20 % of the rows are dropped.

    Notes
    -----
    Indicators are standardized with the n-1 standard deviation. Starting
    from unit weights, each pass of Lohmoller's algorithm computes the
    outer proxies :math:`\\hat\\eta_j = X_j w_j` (standardized), the inner
    proxies :math:`\\tilde\\eta_j = \\sum_i e_{ij}\\hat\\eta_i` (standardized),
    where the path scheme sets :math:`e_{ij}` to the regression weight of a
    predecessor and to the correlation with a successor (factorial: the
    correlation, centroid: its sign, for every neighbour), then new weights
    :math:`w_j = \\mathrm{cov}(X_j, \\tilde\\eta_j)` (Mode A) or
    :math:`w_j = R_{jj}^{-1}\\mathrm{cor}(X_j, \\tilde\\eta_j)` (Mode B), rescaled
    so that :math:`\\mathrm{var}(X_j w_j) = 1`. This is seminr's
    ``simplePLS``. ``iterations`` counts the passes (seminr's counter starts
    at 0 and shows one less). Construct scores are :math:`X w` (mean 0, SD 1);
    paths are OLS coefficients among scores, loadings are indicator-score
    correlations.

    *Sign indeterminacy*: a construct and its weights can be reversed
    without changing the fit. After convergence each construct is oriented
    so that the sum of its loadings is positive (it goes with the majority
    of its indicators); with Mode A and positively keyed items this changes
    nothing (and never did on the seminr examples). Reverse-code
    negatively keyed items first: an indicator that still loads negatively
    on its Mode A construct triggers a
    :class:`~csl_stats.errors.ReverseKeyWarning` naming it. Mode B
    (formative) blocks are different: a negative outer weight can be a
    legitimate suppression effect, so no warning is raised, but the block's
    index is then a contrast of its indicators rather than a weighted mean
    and may leave 0-100. Report indices for Mode A blocks (the ACSI/ECSI
    convention), or check that every Mode B weight is positive before
    reporting a Mode B index.

    *Reliability* (Mode A blocks; 1 for single items, NaN for Mode B):
    Cronbach's alpha of the standardized items; rhoC
    :math:`= (\\sum\\lambda)^2 / ((\\sum\\lambda)^2 + \\sum(1-\\lambda^2))`;
    AVE :math:`= \\overline{\\lambda^2}`; Dijkstra-Henseler's
    :math:`\\rho_A = (w'w)^2\\, w'(S - \\mathrm{diag}\\,S)w / w'(ww' - \\mathrm{diag}\\,ww')w`
    as computed by seminr. HTMT is the mean absolute heterotrait correlation
    divided by the geometric mean of the two mean absolute monotrait
    correlations (Henseler et al. 2015; seminr's convention). GoF
    (Tenenhaus et al. 2005) is :math:`\\sqrt{\\overline{\\lambda^2}\\,\\overline{R^2}}`,
    the first mean over the indicators of multi-item Mode A blocks.

    *Indices* (ACSI convention, Fornell et al. 1996): unstandardized
    weights :math:`w_k/s_k` (:math:`s_k` the indicator SD) rescaled to sum
    to one are applied to the raw answers, and the construct value is
    mapped to 0-100 by :math:`100(x - \\text{low})/(\\text{high} - \\text{low})`.

    *Bootstrap*: resample respondents with replacement, re-standardize and
    re-estimate everything. The resamples are iterated together as one
    stacked array (vectorised over resamples; each is frozen when it
    converges, so it equals its own separate fit). ``se`` is the SD of the
    replicates, the CI the percentile interval, ``t = estimate / se`` and
    ``p`` its two-sided Student-t p-value with (replicates - 1) degrees of
    freedom. Replicates that fail (no convergence, constant indicator) are
    dropped with a :class:`~csl_stats.errors.ConvergenceWarning`.
    In ``benchmarks/sim_pls.py`` (X -> M -> Y plus X -> Y, three indicators
    per construct, n = 200, 500 data sets, B = 250) the 95 % percentile
    intervals covered the PLS population value (the composite-based
    estimand, from one fit with n = 10^6) in 94.6 % (X -> M), 94.2 %
    (M -> Y) and 94.8 % (X -> Y) of the data sets (Monte Carlo SE 1.0 %).
    PLS path estimates are consistent for that value, not for the
    common-factor paths (which need consistent PLS).

    *Consistent PLS* (``consistent``): for a common factor :math:`j` with
    PLS weights :math:`\\hat w` (composite variance one) and indicator
    correlations :math:`S`, :math:`\\hat c^2 = \\hat w'(S - \\mathrm{diag}\\,S)\\hat w /
    \\hat w'(\\hat w\\hat w' - \\mathrm{diag}\\,\\hat w\\hat w')\\hat w`, the consistent
    loadings are :math:`\\hat\\lambda = \\hat c\\,\\hat w` and the reliability of the
    proxy is :math:`\\rho_A = (\\hat w'\\hat w)^2\\hat c^2`. Construct correlations
    :math:`r_{kl}` become :math:`r_{kl}/\\sqrt{\\rho_{A,k}\\rho_{A,l}}` (composites and
    single items keep :math:`\\rho_A = 1`), and each structural regression
    is solved from these correlations. rhoC and AVE are then computed from
    the consistent loadings. On seminr's ``mobi`` ECSI model (all
    constructs ``reflective``) and on the corporate-reputation model of
    Hair et al. (2022) (four reflective, four formative constructs) the
    paths, loadings and R2 agree with the seminr Python port's
    ``estimate_pls`` to 1e-12 (``tests/test_pls_consistent.py``). A
    :class:`~csl_stats.errors.HeywoodWarning` is raised when a
    :math:`\\rho_A` exceeds one or a consistent loading is undefined or above
    one (the disattenuated correlations can then leave [-1, 1]). In
    ``benchmarks/sim_pls.py`` (common-factor X -> M -> Y plus X -> Y,
    loadings 0.6-0.8, true paths 0.4, 0.4, 0.2, n = 200, 300 data sets,
    B = 250) the 95 % percentile intervals of the PLSc paths covered the
    true common-factor paths in 92.7 % (X -> M), 93.7 % (M -> Y) and 96.7 %
    (X -> Y) of the data sets (Monte Carlo SE 1.3 %; mean bias below 0.007);
    12 of the 300 data sets gave a Heywood warning and 0.13 % of the
    bootstrap resamples failed (undefined consistent loading).

    *Missing answers* (``missing_code``, ``nan_policy``): with ``"mean"`` each
    missing answer is replaced by its indicator's mean over the respondents
    (and again within each bootstrap resample); ``n`` is then all rows. On
    the corporate-reputation data of Hair et al. (2022) (344 respondents,
    -99 codes in ``cusa`` and ``cusl_1``-``cusl_3``), ``missing_code=-99,
    nan_policy="mean"`` reproduces the seminr Python port's
    ``estimate_pls(..., missing = mean_replacement, missing_value = -99)``
    paths, loadings and weights to 1e-12, and warns for the same indicators
    (more than 5 % missing; ``tests/test_pls_missing.py``). Mean replacement
    is a stop-gap: it shrinks variances and correlations. For a principled
    analysis impute several times and pool
    (``csl_stats.impute(...).analyse(csl_stats.pls_pm, ..., n_boot=500)``,
    Rubin's rules on the bootstrap standard errors).

    References
    ----------
    Lohmoller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least Squares*. Physica.

    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). The American
    Customer Satisfaction Index. *Journal of Marketing*, 60(4), 7-18.

    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
    *Computational Statistics & Data Analysis*, 48(1), 159-205.

    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling. *MIS
    Quarterly*, 39(2), 297-316.

    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on Partial Least
    Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage.

    Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr: Building and estimating structural
    equation models. R package.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> g = np.random.default_rng(1)
    >>> eta = g.normal(size=300)
    >>> df = pd.DataFrame({f"x{k}": np.clip(np.round(4 + eta + g.normal(size=300)), 1, 7) for k in (1, 2, 3)})
    >>> df = df.assign(**{f"y{k}": np.clip(np.round(4 + 0.6 * eta + g.normal(size=300)), 1, 7)
    ...                   for k in (1, 2, 3)})
    >>> res = csl_stats.pls_pm(df, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
    ...                        [("X", "Y")], scale=(1, 7))
    >>> res.paths.round(3)
      from to  estimate
    0    X  Y      0.58
    >>> res.reliability.round(3)
               alpha   rhoA   rhoC    AVE
    construct
    X          0.667  0.709  0.815  0.596
    Y          0.459  0.471  0.732  0.479
    >>> print(f"{res.indices['X']:.1f}")
    47.9
    """
    spec = core.parse_model(measurement, structural, modes)
    factor = _factor_constructs(consistent, spec)
    check_choice(scheme, "scheme", core.SCHEMES)
    check_choice(sign_change, "sign_change", ("none", "construct"))
    rng = check_rng(rng)
    n_boot = check_n_boot(n_boot, allow_zero=True)
    ci = check_probability(ci, "ci")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    if isinstance(tol, bool | np.bool_) or not isinstance(tol, numbers.Real):
        check_number(tol, "tol")  # ArgumentTypeError naming the type (tol="x")
    if not (tol > 0 and np.isfinite(tol)):  # NaN fails too
        raise ArgumentError(f"tol must be a positive number; got {tol!r}.")
    if scale is not None:
        scale = _check_scale_arg(scale)
    check_choice(nan_policy, "nan_policy", ("listwise", "mean", "raise"))
    data = _mask_missing_codes(data, spec.indicators, missing_code)
    with warnings.catch_warnings():
        if nan_policy == "mean":  # the per-indicator 5 % warning below replaces the 20 %-of-cells one
            warnings.filterwarnings("ignore", category=MissingDataWarning)
        frame = _indicator_frame(data, spec, scale, nan_policy)
    missing_table = _missing_table(data, spec.indicators)
    if nan_policy == "mean":
        _warn_mean_replacement(missing_table)
    x_nan = frame.to_numpy(dtype=float)  # with NaN under mean replacement: re-imputed in each bootstrap resample
    if nan_policy == "mean":
        frame = frame.fillna(frame.mean())
    x_raw = frame.to_numpy(dtype=float)
    n = x_raw.shape[0]
    if scale is None:
        scale = (float(x_raw.min()), float(x_raw.max()))
    low, high = scale

    sd = x_raw.std(axis=0, ddof=1)
    xs = (x_raw - x_raw.mean(axis=0)) / sd
    fit = core.fit_pls(xs, spec, scheme, max_iter, float(tol))
    if not fit.converged:
        warnings.warn(
            f"the PLS algorithm did not converge in {fit.iterations} iterations (tol={tol:g}); "
            "estimates are unreliable. Check for near-empty or incoherent blocks, or raise max_iter.",
            ConvergenceWarning,
            stacklevel=stacklevel(),
        )
    w = core.orient(xs, fit.weights, spec)
    est = core.estimates_from_weights(xs, w, spec)
    score_cor = np.corrcoef(est["scores"], rowvar=False)
    if factor.any():
        plsc = core.consistent(xs, w, spec, factor)
        _check_heywood(plsc, spec, factor)
        est.update({k: plsc[k] for k in ("beta", "r2", "total")})
        est["loadings_composite"] = est["loadings"]
        est["loadings"] = plsc["loadings"]
        score_cor = plsc["cor"]
    u = core.index_weights(w, sd, spec)
    composite_loadings = est.get("loadings_composite", est["loadings"])  # the same matrix names and flags
    negative = [
        (spec.constructs[j], [spec.indicators[k] for k in b if composite_loadings[k, j] < 0])
        for j, b in enumerate(spec.blocks)
        if not spec.mode_b[j] and (composite_loadings[b, j] < 0).any()
    ]
    if negative:
        detail = "; ".join(f"{c!r}: {items}" for c, items in negative)
        warnings.warn(
            f"indicators load negatively on their Mode A construct ({detail}). A reverse-keyed item that "
            "was not recoded (8 - x on a 1-7 scale) gives index weights of mixed sign, so the 0-100 indices "
            "are no longer weighted means of the answers and can leave 0-100; recode it and refit.",
            ReverseKeyWarning,
            stacklevel=stacklevel(),
        )
    idx_scores = core.index_scores(x_raw, u, low, high)

    c_names = spec.constructs
    pos = {c: k for k, c in enumerate(c_names)}
    owner = np.array([j for j, b in enumerate(spec.blocks) for _ in b])
    rows_i = np.arange(len(spec.indicators))

    boot = None
    failed = 0
    if n_boot:
        boot, failed = core.bootstrap(
            x_nan, spec, scheme=scheme, max_iter=max_iter, tol=float(tol), n_boot=n_boot, rng=rng,
            low=low, high=high, reference_loadings=est.get("loadings_composite", est["loadings"]),
            sign_change=sign_change, factor=factor,
        )

    # paths
    fi = np.array([pos[a] for a, _ in spec.paths])
    ti = np.array([pos[b] for _, b in spec.paths])
    path_table = pd.DataFrame({"from": [a for a, _ in spec.paths], "to": [b for _, b in spec.paths],
                               "estimate": est["beta"][fi, ti]})
    if boot is not None:
        for k, v in core.boot_summary(est["beta"][fi, ti], boot["beta"][:, fi, ti], ci).items():
            path_table[k] = v

    # indicators
    outer = pd.DataFrame({
        "construct": [c_names[j] for j in owner],
        "indicator": spec.indicators,
        "weight": w[rows_i, owner],
        "loading": est["loadings"][rows_i, owner],
        "index_weight": u[rows_i, owner],
    })
    if boot is not None:
        for kind, key in (("weight", "w"), ("loading", "loadings")):
            cols = core.boot_summary(outer[kind].to_numpy(), boot[key][:, rows_i, owner], ci)
            for k in ("se", "ci_low", "ci_high"):
                outer[f"{kind}_{k}"] = cols[k]
    order = ["construct", "indicator", "weight", *[c for c in outer if c.startswith("weight_")],
             "loading", *[c for c in outer if c.startswith("loading_")], "index_weight"]
    outer = outer[order]

    # constructs
    n_pred = spec.adjacency.sum(axis=0)
    r2 = est["r2"]
    with np.errstate(invalid="ignore", divide="ignore"):
        r2_adj = np.where(np.isnan(r2), np.nan, 1 - (1 - r2) * (n - 1) / (n - n_pred - 1))
    rel = core.reliability(xs, w, est["loadings"], spec)
    ctab = pd.DataFrame({"mode": np.where(spec.mode_b, "B", "A"), "n_indicators": [len(b) for b in spec.blocks],
                         "r2": r2, "r2_adj": r2_adj}, index=pd.Index(c_names, name="construct"))
    ctab = ctab.join(rel)
    ctab["index"] = idx_scores.mean(axis=0)
    if boot is not None:
        cols = core.boot_summary(ctab["index"].to_numpy(), boot["index"], ci)
        for k in ("se", "ci_low", "ci_high"):
            ctab[f"index_{k}"] = cols[k]

    # effects
    ii, jj = np.nonzero(np.abs(est["total"]) > 0)
    indirect = est["total"] - est["beta"]
    etab = pd.DataFrame({"from": [c_names[i] for i in ii], "to": [c_names[j] for j in jj],
                         "total": est["total"][ii, jj], "indirect": indirect[ii, jj]})
    if boot is not None:
        for kind, arr in (("total", boot["total"]), ("indirect", boot["total"] - boot["beta"])):
            cols = core.boot_summary(etab[kind].to_numpy(), arr[:, ii, jj], ci)
            for k in ("se", "ci_low", "ci_high"):
                etab[f"{kind}_{k}"] = cols[k]
    etab = etab[["from", "to", "total", *[c for c in etab if c.startswith("total_")], "indirect",
                 *[c for c in etab if c.startswith("indirect_")]]]

    multi_a = [k for j, b in enumerate(spec.blocks) if not spec.mode_b[j] and len(b) > 1 for k in b]
    comm = float(np.mean(est["loadings"][multi_a, owner[multi_a]] ** 2)) if multi_a else np.nan
    gof = float(np.sqrt(comm * np.nanmean(r2)))

    index = frame.index
    return PLSResult(
        path_table=path_table,
        outer_table=outer,
        construct_table=ctab,
        effect_table=etab,
        htmt=core.htmt(xs, spec),
        scores=pd.DataFrame(est["scores"], index=index, columns=c_names),
        index_scores=pd.DataFrame(idx_scores, index=index, columns=c_names),
        indicator_cor=pd.DataFrame(np.corrcoef(xs, rowvar=False), index=spec.indicators, columns=spec.indicators),
        n=n,
        iterations=int(fit.iterations),
        scheme=scheme,
        scale=(low, high),
        gof=gof,
        n_boot=n_boot,
        ci=ci,
        sign_change=sign_change,
        n_boot_failed=failed,
        construct_cor=pd.DataFrame(score_cor, index=c_names, columns=c_names),
        consistent=tuple(c for c, f in zip(c_names, factor, strict=True) if f),
        data=frame.copy(),
        max_iter=max_iter,
        tol=float(tol),
        nan_policy=nan_policy,
        n_rows=len(data),
        missing_table=missing_table,
    )


def _indicator_frame(data: Any, spec: core.ModelSpec, scale: tuple[float, float] | None, nan_policy: str) -> pd.DataFrame:
    return numeric_frame(
        data,
        spec.indicators,
        arg="measurement",
        scale=scale,
        integer=False,
        nan_policy="pairwise" if nan_policy == "mean" else nan_policy,
        allowed_policies=("listwise", "pairwise", "raise"),
        min_rows=max(
            3,
            max((len(b) for b, m in zip(spec.blocks, spec.mode_b, strict=True) if m), default=0) + 2,
            # each structural regression keeps a residual degree of freedom (else R2 = 1, adjusted R2 undefined)
            int(np.asarray(spec.adjacency).sum(axis=0).max()) + 2,
        ),
    )


def _mask_missing_codes(data: Any, indicators: Sequence[Hashable], missing_code: Any) -> Any:
    """A copy of ``data`` with the ``missing_code`` answers of the indicator columns set to NaN."""
    if missing_code is None:
        return data
    codes = [missing_code] if isinstance(missing_code, numbers.Number) or isinstance(missing_code, str) \
        or not isinstance(missing_code, Sequence | np.ndarray) else list(missing_code)
    if not codes:
        raise ArgumentError("missing_code must be a number such as -99 or a non-empty list of numbers; got [].")
    for c in codes:
        check_number(c, "missing_code")
    data = check_dataframe(data, unique_columns=False)
    cols = check_columns(data, list(indicators), arg="measurement")
    out = data.copy()
    out[cols] = data[cols].mask(data[cols].isin(codes))
    return out


def _missing_table(data: pd.DataFrame, indicators: Sequence[Hashable]) -> pd.DataFrame:
    """Missing answers per indicator before the missing-value policy."""
    miss = data[list(indicators)].isna().sum()
    return pd.DataFrame({"n_missing": miss.to_numpy(dtype=int), "share": miss.to_numpy() / len(data)},
                        index=pd.Index(list(indicators), name="indicator", tupleize_cols=False))


MEAN_REPLACEMENT_WARN_SHARE = 0.05
"""Share of missing answers per indicator above which mean replacement warns (as seminr)."""


def _warn_mean_replacement(table: pd.DataFrame) -> None:
    heavy = table[table["share"] > MEAN_REPLACEMENT_WARN_SHARE]
    if len(heavy):
        detail = ", ".join(f"{i!r}: {s:.1%}" for i, s in heavy["share"].items())
        warnings.warn(
            f"mean replacement: indicator(s) with more than {MEAN_REPLACEMENT_WARN_SHARE:.0%} missing answers "
            f"({detail}); replacing them by the mean shrinks their variance and their correlations, so loadings "
            "and paths are biased towards zero. Prefer multiple imputation (csl_stats.impute, then "
            "imputed.analyse(csl_stats.pls_pm, ...)).",
            MissingDataWarning,
            stacklevel=stacklevel(),
        )


def _factor_constructs(consistent: Any, spec: core.ModelSpec) -> np.ndarray:
    """Boolean mask of the constructs PLSc treats as common factors."""
    if isinstance(consistent, bool | np.bool_):
        if not consistent:
            return np.zeros(len(spec.constructs), dtype=bool)
        return np.array([not m and len(b) > 1 for b, m in zip(spec.blocks, spec.mode_b, strict=True)])
    if isinstance(consistent, str) or not isinstance(consistent, Sequence):
        raise ArgumentTypeError(
            f"consistent must be True, False or a list of Mode A construct names; got {type(consistent).__name__} "
            f"{consistent!r}."
        )
    names = spec.constructs
    unknown = [c for c in consistent if c not in names]
    if unknown:
        raise ModelSpecificationError(f"consistent: construct(s) {unknown} are not in the measurement model {names}.")
    formative = [c for c in consistent if spec.mode_b[names.index(c)]]
    if formative:
        raise ModelSpecificationError(
            f"consistent: construct(s) {formative} are Mode B (formative composites); PLSc corrects only Mode A "
            "constructs measured as common factors."
        )
    return np.array([c in consistent and len(b) > 1 for c, b in zip(names, spec.blocks, strict=True)])


def _check_heywood(plsc: dict[str, np.ndarray], spec: core.ModelSpec, factor: np.ndarray) -> None:
    bad = []
    for j in np.flatnonzero(factor):
        lam = plsc["loadings"][spec.blocks[j], j]
        if not np.isfinite(lam).all() or plsc["rhoA"][j] > 1 or (np.abs(lam) > 1).any():
            bad.append(f"{spec.constructs[j]!r} (rhoA = {plsc['rhoA'][j]:.3f})")
    if bad:
        warnings.warn(
            f"consistent PLS: Heywood case in {', '.join(bad)}: a reliability rhoA above one or a consistent "
            "loading above one or undefined; the disattenuated correlations and paths of these constructs are "
            "not trustworthy (too few or incoherent indicators, or a composite rather than a common factor).",
            HeywoodWarning,
            stacklevel=stacklevel(),
        )


def ipma(result: PLSResult, target: str, *, drivers: Sequence[str] | None = None,
         level: str = "construct") -> pd.DataFrame:
    """Importance-performance map data for the drivers of ``target``.

    Parameters
    ----------
    result : PLSResult
        A fitted model.
    target : str
        The construct whose drivers are mapped (typically satisfaction or loyalty).
    drivers : list of str, optional
        Map only these drivers, e.g. the ones management can act on. The
        importances do not change (they are total effects in the whole
        model), but the map's grid lines sit at the means of the drivers
        shown, so a driver that is not a lever (image, or satisfaction as a
        driver of loyalty) no longer pulls them. Default: every construct
        with a non-zero total effect on ``target``.
    level : {"construct", "indicator"}
        ``"indicator"`` maps the questionnaire items of the drivers instead
        of the constructs: which item to improve first (issue 19).

    Returns
    -------
    DataFrame
        With ``level="construct"``: one row per construct with a non-zero
        total effect on ``target`` (sorted by importance): ``importance``
        (unstandardized total effect on the 0-100 scale: index points gained
        in the target per point gained by the driver), ``performance`` (the
        driver's 0-100 index), and ``total_effect`` (the standardized total
        effect). With ``level="indicator"``: one row per indicator of those
        drivers (sorted by importance), with its ``construct``,
        ``importance`` (the item's rescaled index weight times its
        construct's importance: target index points per point gained by the
        item on the 0-100 scale), ``performance`` (the item's mean answer on
        the 0-100 scale) and ``index_weight``.

    Notes
    -----
    Following Ringle & Sarstedt (2016), the structural regressions are
    re-estimated on the respondent-level 0-100 index scores (with
    intercepts); the importance of a driver is its unstandardized total
    effect :math:`[(I - B_u)^{-1} - I]_{d,\\,\\mathrm{target}}`. Drivers in
    the lower-right quadrant (important, poorly performing) are where to
    act first.

    At the indicator level (SmartPLS's indicator IPMA) an item's
    performance is its mean answer rescaled to 0-100 and its importance is
    :math:`u_k \\cdot T_{d,\\,\\mathrm{target}}`, the item's index weight
    :math:`u_k` (unstandardized outer weight rescaled to sum to one within
    the block, ``outer_table["index_weight"]``) times the total effect of
    its construct :math:`d`: a construct's index is :math:`\\sum_k u_k` times
    its items' 0-100 scores, so one point more on item :math:`k` moves the
    construct by :math:`u_k` points. The index-weighted mean of the items'
    performances is the construct's performance. The IPMA needs positive
    outer weights (Ringle & Sarstedt 2016): a negative index weight in the
    target's or a driver's block raises an
    :class:`~csl_stats.errors.InconsistencyWarning` naming the items.

    With a consistent-PLS result (``consistent``) the map is still that of
    the composites: importances come from regressions among the 0-100
    index scores (weighted sums of the answers), which PLSc does not
    change; the disattenuated paths describe the latent constructs, not
    the indices.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> g = np.random.default_rng(2)
    >>> a, b = g.normal(size=(2, 400))
    >>> y = 0.5 * a + 0.3 * b + 0.8 * g.normal(size=400)
    >>> cols = {}
    >>> for name, lv in (("a", a), ("b", b), ("y", y)):
    ...     for k in (1, 2):
    ...         cols[f"{name}{k}"] = np.clip(np.round(5 + lv + 0.7 * g.normal(size=400)), 1, 10)
    >>> res = csl_stats.pls_pm(pd.DataFrame(cols), {"A": ["a1", "a2"], "B": ["b1", "b2"], "Y": ["y1", "y2"]},
    ...                        [("A", "Y"), ("B", "Y")], scale=(1, 10))
    >>> csl_stats.ipma(res, "Y").index.tolist()
    ['A', 'B']
    >>> csl_stats.ipma(res, "Y", drivers=["B"]).index.tolist()
    ['B']
    >>> csl_stats.ipma(res, "Y", level="indicator").round(3)
              construct  importance  performance  index_weight
    indicator
    a2                A       0.195       43.472         0.518
    a1                A       0.181       43.778         0.482
    b1                B       0.120       43.833         0.558
    b2                B       0.095       43.861         0.442
    """
    if not isinstance(result, PLSResult):
        raise ArgumentTypeError(f"result must be a PLSResult from pls_pm; got {type(result).__name__}.")
    check_choice(level, "level", ("construct", "indicator"))
    names = result.constructs
    if target not in names:
        raise ModelSpecificationError(f"target {target!r} is not a construct of the model; constructs: {names}.")
    pos = {c: k for k, c in enumerate(names)}
    q = len(names)
    s = result.index_scores.to_numpy()
    bu = np.zeros((q, q))
    for to, grp in result.path_table.groupby("to", sort=False):
        preds = [pos[f] for f in grp["from"]]
        design = np.column_stack([np.ones(len(s)), s[:, preds]])
        coef = np.linalg.lstsq(design, s[:, pos[to]], rcond=None)[0]
        bu[preds, pos[to]] = coef[1:]
    total_u = np.linalg.inv(np.eye(q) - bu) - np.eye(q)
    te = result.total_effects
    te = te[te["to"] == target].set_index("from")["estimate"]
    if te.empty:
        raise ModelSpecificationError(f"construct {target!r} has no drivers (no incoming paths); choose an endogenous target.")
    if drivers is not None:
        if isinstance(drivers, str) or not isinstance(drivers, Sequence) or not len(drivers):
            raise ArgumentTypeError(f"drivers must be a non-empty list of construct names; got {drivers!r}.")
        unknown = [d for d in drivers if d not in te.index]
        if unknown:
            raise ModelSpecificationError(
                f"drivers {unknown} have no total effect on {target!r}; its drivers are {list(te.index)}."
            )
        te = te.loc[list(dict.fromkeys(drivers))]
    mapped = [*te.index, target]
    neg = result.outer_table[result.outer_table["construct"].isin(mapped) & (result.outer_table["index_weight"] < 0)]
    if not neg.empty:
        detail = "; ".join(f"{c!r}: {list(g['indicator'])}" for c, g in neg.groupby("construct", sort=False))
        warn(f"negative outer (index) weights in the IPMA of {target!r} ({detail}). The IPMA needs positive "
             "weights (Ringle & Sarstedt 2016): with a negative weight an index is a contrast of its items, not a "
             "weighted mean, its performance can leave 0-100 and the item's importance is negative. Check the "
             "block (collinearity, a reverse-keyed item) or drop the item before reading the map.",
             InconsistencyWarning)
    out = pd.DataFrame({
        "importance": [total_u[pos[d], pos[target]] for d in te.index],
        "performance": [result.indices[d] for d in te.index],
        "total_effect": te.to_numpy(),
    }, index=pd.Index(te.index, name="driver"))
    if level == "construct":
        return out.sort_values("importance", ascending=False)
    if result.data is None:
        raise ArgumentTypeError("result does not carry its data; refit it with csl_stats.pls_pm.")
    low, high = result.scale
    outer = result.outer_table[result.outer_table["construct"].isin(out.index)]
    items = list(outer["indicator"])
    perf = ((result.data[items] - low) / (high - low) * 100.0).mean().to_numpy()
    table = pd.DataFrame({
        "construct": outer["construct"].to_numpy(),
        "importance": outer["index_weight"].to_numpy() * out["importance"].reindex(outer["construct"]).to_numpy(),
        "performance": perf,
        "index_weight": outer["index_weight"].to_numpy(),
    }, index=pd.Index(items, name="indicator"))
    return table.sort_values("importance", ascending=False)


def plot_ipma(result: PLSResult, target: str, *, drivers: Sequence[str] | None = None, ax: Any = None,
              annotate: bool = True) -> Any:
    """Plot the importance-performance map of ``target``'s drivers.

    Importance (unstandardized total effect) on the x axis, performance
    (0-100 index) on the y axis, dashed lines at the means of the drivers
    shown (``drivers`` as in :func:`ipma`), and the quadrant captions of
    :func:`csl_stats.plot_importance_performance` in the corners ("concentrate
    here": lower right). Returns the matplotlib ``Axes``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, matplotlib
    >>> matplotlib.use("Agg")
    >>> import csl_stats
    >>> g = np.random.default_rng(3)
    >>> a = g.normal(size=300)
    >>> cols = {f"a{k}": np.clip(np.round(4 + a + g.normal(size=300)), 1, 7) for k in (1, 2)}
    >>> cols |= {f"y{k}": np.clip(np.round(4 + 0.5 * a + g.normal(size=300)), 1, 7) for k in (1, 2)}
    >>> res = csl_stats.pls_pm(pd.DataFrame(cols), {"A": ["a1", "a2"], "Y": ["y1", "y2"]}, [("A", "Y")])
    >>> ax = csl_stats.plot_ipma(res, "Y")
    >>> ax.get_xlabel()
    'Importance (total effect on Y, 0-100 scale)'
    """
    import matplotlib.pyplot as plt

    annotate = check_flag(annotate, "annotate")
    table = ipma(result, target, drivers=drivers)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(table["importance"], table["performance"], s=60, color="tab:blue", zorder=3)
    if annotate:
        for name, row in table.iterrows():
            ax.annotate(str(name), (row["importance"], row["performance"]), textcoords="offset points",
                        xytext=(6, 4), fontsize=9)
    ax.axvline(table["importance"].mean(), color="grey", linestyle="--", linewidth=1)
    ax.axhline(table["performance"].mean(), color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel(f"Importance (total effect on {target}, 0-100 scale)")
    ax.set_ylabel("Performance (index, 0-100)")
    ax.set_title(f"Importance-performance map: {target}")
    ax.margins(x=0.2, y=0.2)  # room for the point labels and the quadrant captions
    corners = {
        "possible overkill": (0.02, 0.98, "left", "top"),
        "keep up the good work": (0.98, 0.98, "right", "top"),
        "low priority": (0.02, 0.02, "left", "bottom"),
        "concentrate here": (0.98, 0.02, "right", "bottom"),
    }
    for label, (px, py, ha, va) in corners.items():
        ax.text(px, py, label, ha=ha, va=va, fontsize=8, color="grey", style="italic", transform=ax.transAxes)
    return ax
