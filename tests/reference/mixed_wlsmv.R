# Reference values for WLSMV with a mix of ordered and continuous indicators in csl_stats.cfa / csl_stats.sem
# (ordered = [subset], estimator = "wlsmv"): lavaan 0.6, delta parameterization.
# Run from the repository root:  Rscript tests/reference/mixed_wlsmv.R   (writes tests/reference/mixed_wlsmv.json)
# Data: data/supply_chain_survey.csv (ours; loy4 is reverse-keyed and recoded 8 - loy4 first). The satisfaction,
# trust and loyalty items are ordered; recommend (0-10) and share_of_wallet are continuous indicators of loyalty.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

FIT <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
         "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "baseline.pvalue.scaled",
         "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
         "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.scaled", "rmsea.ci.lower.scaled",
         "rmsea.ci.upper.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "srmr")

one <- function(model, x, ordered, missing, std.lv, fun = cfa) {
  fit <- fun(model, data = x, ordered = ordered, estimator = "WLSMV", std.lv = std.lv, missing = missing)
  pe <- parameterEstimates(fit)
  std <- standardizedSolution(fit)
  test <- lavInspect(fit, "test")$scaled.shifted
  list(
    n = lavInspect(fit, "ntotal"),
    lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
    std_est = std$est.std, std_se = std$se,
    fit = as.list(fitMeasures(fit, FIT)),
    shift = test$shift.parameter,
    wls_obs = as.numeric(lavInspect(fit, "wls.obs")),
    wls_names = names(lavInspect(fit, "wls.obs")),
    implied = lavInspect(fit, "cov.ov")
  )
}

out <- list()
s <- read.csv("data/supply_chain_survey.csv")
s$loy4 <- 8 - s$loy4
m <- "sat =~ sat1 + sat2 + sat3\n trs =~ trs1 + trs2 + trs3 + trs4\n loy =~ loy1 + loy2 + loy3 + loy4 + recommend + share_of_wallet"
ord <- c("sat1", "sat2", "sat3", "trs1", "trs2", "trs3", "trs4", "loy1", "loy2", "loy3", "loy4")
vars <- c(ord, "recommend", "share_of_wallet")
x <- s[, vars]
out$cfa_mixed_pairwise <- one(m, x, ord, "pairwise", TRUE)
out$cfa_mixed_listwise <- one(m, x[complete.cases(x), ], ord, "listwise", TRUE)
# structural model, marker identification (lavaan's sem() default)
msem <- paste(m, "\n trs ~ sat\n loy ~ sat + trs")
out$sem_mixed_pairwise <- one(msem, x, ord, "pairwise", FALSE, fun = sem)
# a construct whose marker is continuous (share_of_wallet first) and a construct of continuous indicators only
m2 <- "loy =~ share_of_wallet + loy1 + loy2 + loy3\n sat =~ sat1 + sat2 + sat3 + recommend"
out$sem_marker_continuous <- one(paste(m2, "\n loy ~ sat"), x, c("loy1", "loy2", "loy3", "sat1", "sat2", "sat3"),
                                 "pairwise", FALSE, fun = sem)

# a continuous observed outcome in the structural part (csl_stats: a single-item construct)
out$sem_observed_outcome <- one("sat =~ sat1 + sat2 + sat3\n share_of_wallet ~ sat", x, c("sat1", "sat2", "sat3"),
                                "pairwise", FALSE, fun = sem)

out$versions <- list(lavaan = as.character(packageVersion("lavaan")))
write_json(out, "tests/reference/mixed_wlsmv.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
