# Reference values for csl_stats.cfa and csl_stats.composite_reliability.
# Data: cfa_data.csv, simulated by make_cfa_data.py (3 constructs x 4 items, n = 400).
# Run from the repository root:  Rscript tests/reference/cfa.R
# Writes tests/reference/cfa.json.  R 4.x, lavaan 0.6-14, semTools 0.5-6, jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})

dat <- read.csv("tests/reference/cfa_data.csv")

models <- list(
  three = "reliab =~ rel1 + rel2 + rel3 + rel4
           respon =~ rsp1 + rsp2 + rsp3 + rsp4
           satisf =~ sat1 + sat2 + sat3 + sat4",
  one = "satisf =~ sat1 + sat2 + sat3 + sat4",
  mixed = "reliab =~ rel1 + rel2
           respon =~ rsp1 + rsp2 + rsp3 + rsp4
           satisf =~ sat1 + sat3 + sat4"
)

fm_names <- c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
              "srmr", "srmr_bentler", "srmr_mplus", "logl", "unrestricted.logl",
              "aic", "bic", "npar", "ntotal")

out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            semTools_version = as.character(packageVersion("semTools")))
for (name in names(models)) {
  fit <- cfa(models[[name]], data = dat, std.lv = TRUE)   # ML, likelihood = "normal" (N)
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)                        # type = "std.all", delta-method SEs
  fm <- fitMeasures(fit, fm_names)
  std_load <- ss[ss$op == "=~", ]
  # Fornell-Larcker composite reliability and AVE from the standardized loadings
  cr_model <- sapply(split(std_load$est.std, std_load$lhs), function(l) sum(l)^2 / (sum(l)^2 + sum(1 - l^2)))
  ave_model <- sapply(split(std_load$est.std, std_load$lhs), function(l) mean(l^2))
  res <- list(
    param = pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue")],
    std = ss[, c("lhs", "op", "rhs", "est.std", "se", "z", "pvalue")],
    fit = as.list(fm),
    implied = unname(lavInspect(fit, "implied")$cov),
    iterations = lavInspect(fit, "iterations"),
    omega_model = as.list(cr_model),
    ave_model = as.list(ave_model),
    comprel_obs = as.list(compRelSEM(fit)),                 # obs.var = TRUE (default)
    comprel_modelvar = as.list(compRelSEM(fit, obs.var = FALSE)),
    ave_semtools = as.list(AVE(fit))
  )
  out[[name]] <- res
}

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/cfa.json")
cat("wrote tests/reference/cfa.json\n")
