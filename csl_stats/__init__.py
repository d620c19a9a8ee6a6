"""csl_stats: customer satisfaction and loyalty statistics for supply chains.

Public functions are imported lazily (PEP 562): ``import csl_stats`` loads only
this file, :mod:`csl_stats.errors` and package metadata, and a submodule (with
its statsmodels, matplotlib or seaborn imports) is loaded the first time one of
its names is used. Every public name is listed in ``__all__``.

Examples
--------
>>> import csl_stats
>>> data = csl_stats.load_supply_chain_survey()
>>> data.shape[0]
1000
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from . import errors as errors  # explicit re-export

# name -> submodule that defines it. One section per topic; keep sorted within a section.
_LAZY: dict[str, str] = {
    # --- datasets (issue 2) ---
    "codebook": "datasets",
    "likert_chart": "plotting",
    "likert_shares": "plotting",
    "load_supply_chain_survey": "datasets",
    "simulate_supply_chain_survey": "datasets",
    # --- reliability and validity (issue 3) ---
    "AlphaResult": "reliability",
    "BartlettResult": "dimensionality",
    "CFAResult": "confirmatory",
    "KMOResult": "dimensionality",
    "ParallelAnalysisResult": "dimensionality",
    "bartlett_sphericity": "dimensionality",
    "cfa": "confirmatory",
    "composite_reliability": "measurement",
    "cronbach_alpha": "reliability",
    "fornell_larcker": "measurement",
    "htmt": "validity",
    "kmo": "dimensionality",
    "parallel_analysis": "dimensionality",
    "scale_report": "measurement",
    "simulate_mystery_shopping": "datasets",
    # --- scoring (issue 4) ---
    "AHPResult": "weighting",
    "EntropyWeightsResult": "weighting",
    "LoyaltyIndexResult": "loyalty",
    "NPSResult": "net_promoter",
    "NPSTestResult": "nps_compare",
    "ScaleScoresResult": "scoring",
    "ScorecardResult": "scorecard",
    "TopBoxResult": "csat",
    "TopBoxTestResult": "csat",
    "ahp_weights": "weighting",
    "dick_basu_segments": "loyalty",
    "entropy_weights": "weighting",
    "loyalty_index": "loyalty",
    "nps": "net_promoter",
    "nps_by": "nps_compare",
    "nps_test": "nps_compare",
    "plot_scorecard": "scorecard",
    "retention": "behaviour",
    "reverse_code": "scoring",
    "rfm": "behaviour",
    "satisfaction_index": "scoring",
    "scale_scores": "scoring",
    "supplier_scorecard": "scorecard",
    "top_box": "csat",
    "top_box_test": "csat",
    # --- satisfaction -> loyalty (issue 5) ---
    "ModerationResult": "moderation",
    "RegressionResult": "regression",
    "ThresholdResult": "threshold",
    "moderation": "moderation",
    "plot_johnson_neyman": "moderation",
    "plot_simple_slopes": "moderation",
    "plot_threshold": "threshold",
    "regress": "regression",
    "threshold_regression": "threshold",
    # --- mediation (issue 6) ---
    "MediationResult": "mediation",
    "ModeratedMediationResult": "modmed",
    "mediation": "mediation",
    "moderated_mediation": "modmed",
    "plot_bootstrap": "mediation_plots",
    "plot_paths": "mediation_plots",
    # --- key drivers (issue 7) ---
    "MAX_LMG_PREDICTORS": "drivers",
    "PenaltyRewardResult": "ipa",
    "RelativeImportanceResult": "drivers",
    "importance_performance": "ipa",
    "penalty_reward": "ipa",
    "plot_importance_performance": "ipa",
    "relative_importance": "drivers",
    # --- index model / PLS-PM (issue 8) ---
    "PLSResult": "pls",
    "ipma": "pls",
    "plot_ipma": "pls",
    "pls_pm": "pls",
    # --- lost customers and complaints (issue 13) ---
    "ChurnReasonsResult": "churn_reasons",
    "ComplaintRatesResult": "complaints",
    "RatingBehaviourResult": "said_did",
    "ServiceRecoveryResult": "complaints",
    "SurvivalResult": "survival",
    "churn_reasons": "churn_reasons",
    "complaint_rates": "complaints",
    "customer_lifetimes": "lifetimes",
    "load_prior_behaviour": "datasets",
    # --- conditional process analysis (issue 20) ---
    "PROCESS_MODELS": "conditional_process",
    "ProcessResult": "conditional_process",
    "plot_conditional_indirect": "mediation_plots",
    "plot_template": "mediation_plots",
    "process": "conditional_process",
    # --- survey planning and design-based estimation (issue 21) ---
    "AllocationResult": "sampling",
    "DISPOSITION_CODES": "waves",
    "DesignEstimate": "survey_design",
    "RakingResult": "survey_design",
    "ResponseRatesResult": "waves",
    "SampleSizeResult": "sampling",
    "SurveyDesign": "survey_design",
    "WaveTrackingResult": "waves",
    "allocate": "sampling",
    "response_rates": "waves",
    "sample_size": "sampling",
    "survey_design": "survey_design",
    "track_waves": "waves",
    "plot_churn_reasons": "churn_reasons",
    "plot_rating_vs_behaviour": "said_did",
    "plot_survival": "survival",
    "rating_vs_behaviour": "said_did",
    "service_recovery": "complaints",
    "survival": "survival",
    # --- multiple imputation (issue 12) ---
    "ImputedData": "imputation",
    "PooledResult": "pooling",
    "impute": "imputation",
    "pool_results": "pooling",
    "rubin_pool": "pooling",
    # --- survey files and publication output (issue 17) ---
    "SurveyData": "survey_io",
    "read_survey": "survey_io",
    "write_sav": "survey_io",
    "methods_text": "report",
    "report_table": "report",
    "ModelDiagram": "diagrams",
    "plot_model": "diagrams",
    # --- latent SEM (issue 11) ---
    "InvarianceResult": "latent",
    "SEMResult": "latent",
    "measurement_invariance": "latent",
    "sem": "latent",
    # --- PLS-SEM assessment: model fit, PLSpredict (issue 19) ---
    "PLSFitResult": "pls_assess",
    "pls_fit": "pls_assess",
    "PLSPredictResult": "pls_assess",
    "pls_predict": "pls_assess",
    # --- ordinal items: polychoric correlations (issue 18) ---
    "PolychoricResult": "ordinal",
    "polychoric": "ordinal",
    # --- PLS group comparison (issue 19a) ---
    "PLSMGAResult": "pls_mga",
    "pls_mga": "pls_mga",
    "CVPATResult": "pls_cvpat",
    "cvpat": "pls_cvpat",
    # --- NCA / cIPMA / PLS missing (issue 19b) ---
    "NCAResult": "nca",
    "nca": "nca",
    "plot_nca": "nca",
    "CIPMAResult": "nca",
    "cipma": "nca",
    "plot_cipma": "nca",
}

_SUBMODULES = ("datasets", "errors")

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def _version() -> str:
    # importlib.metadata costs ~25 ms at import, so the version is looked up on first use
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("csl-stats")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = globals()["__version__"] = _version()
        return value
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value  # cache: the next access skips __getattr__
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'csl_stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Module type of ``csl_stats`` that keeps functions visible over same-named submodules.

    Importing a submodule binds it as an attribute of its package, so after
    ``import csl_stats.nps`` the name ``csl_stats.nps`` would be the module,
    not the :func:`nps` function. Here the function wins; the module stays
    importable as ``from csl_stats.nps import ...`` (via ``sys.modules``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

