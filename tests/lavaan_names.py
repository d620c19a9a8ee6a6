"""Our fit-index names -> lavaan fitMeasures() names (shared by the CFA and SEM reference tests)."""

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
