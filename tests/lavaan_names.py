"""Our fit-index names -> lavaan fitMeasures() names (shared by the CFA, SEM and WLSMV reference tests)."""

FIT_NAMES = {
    "chisq": "chisq",
    "df": "df",
    "pvalue": "pvalue",
    "cfi": "cfi",
    "tli": "tli",
    "rmsea": "rmsea",
    "rmsea_ci_low": "rmsea.ci.lower",
    "rmsea_ci_high": "rmsea.ci.upper",
    "rmsea_pvalue": "rmsea.pvalue",
    "srmr": "srmr",
    "baseline_chisq": "baseline.chisq",
    "baseline_df": "baseline.df",
    "loglik": "logl",
    "loglik_h1": "unrestricted.logl",
    "aic": "aic",
    "bic": "bic",
    "npar": "npar",
}

# WLSMV (ordered indicators): lavaan's plain, scaled and robust statistics
WLSMV_FIT_NAMES = {
    "npar": "npar", "chisq": "chisq", "df": "df", "pvalue": "pvalue", "chisq_scaled": "chisq.scaled",
    "df_scaled": "df.scaled", "pvalue_scaled": "pvalue.scaled", "scaling_factor": "chisq.scaling.factor",
    "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df",
    "baseline_chisq_scaled": "baseline.chisq.scaled", "baseline_pvalue_scaled": "baseline.pvalue.scaled",
    "baseline_scaling_factor": "baseline.chisq.scaling.factor", "cfi": "cfi", "tli": "tli",
    "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled", "cfi_robust": "cfi.robust", "tli_robust": "tli.robust",
    "rmsea": "rmsea", "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper",
    "rmsea_scaled": "rmsea.scaled", "rmsea_ci_low_scaled": "rmsea.ci.lower.scaled",
    "rmsea_ci_high_scaled": "rmsea.ci.upper.scaled", "rmsea_robust": "rmsea.robust",
    "rmsea_ci_low_robust": "rmsea.ci.lower.robust", "rmsea_ci_high_robust": "rmsea.ci.upper.robust",
    "srmr": "srmr",
}
