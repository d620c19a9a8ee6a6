# Reference values for WLSMV in csl_stats.cfa / csl_stats.sem (ordered = ..., estimator = "wlsmv")
# and the ordinal composite reliability.
# Run from the repository root:  Rscript tests/reference/ordinal_wlsmv.R   (writes tests/reference/ordinal_wlsmv.json)
# Data: data/supply_chain_survey.csv (ours; loy4 is reverse-keyed and recoded 8 - loy4 first) and psych's bfi
# (agreeableness + conscientiousness items), exported to tests/reference/external/bfi_ac.csv, which is
# NOT committed (psych is GPL; tests using it skip when the file is absent).
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

FIT <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
         "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "baseline.pvalue.scaled",
         "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
         "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.scaled", "rmsea.ci.lower.scaled",
         "rmsea.ci.upper.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "srmr")

one <- function(model, x, missing, std.lv, fun = cfa) {
  fit <- fun(model, data = x, ordered = TRUE, estimator = "WLSMV", std.lv = std.lv, missing = missing)
  pe <- parameterEstimates(fit)
  std <- standardizedSolution(fit)
  test <- lavInspect(fit, "test")$scaled.shifted
  list(
    n = lavInspect(fit, "ntotal"),
    lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
    std_est = std$est.std, std_se = std$se,
    fit = as.list(fitMeasures(fit, FIT)),
    shift = test$shift.parameter,
    seconds = NA
  )
}

out <- list()
s <- read.csv("data/supply_chain_survey.csv")
s$loy4 <- 8 - s$loy4
m3 <- "sat =~ sat1 + sat2 + sat3\n trs =~ trs1 + trs2 + trs3 + trs4\n loy =~ loy1 + loy2 + loy3 + loy4"
items3 <- c("sat1", "sat2", "sat3", "trs1", "trs2", "trs3", "trs4", "loy1", "loy2", "loy3", "loy4")
out$survey_cfa3_pairwise <- one(m3, s[, items3], "pairwise", TRUE)

# structural model (marker identification, lavaan's sem() default)
msem <- paste(m3, "\n trs ~ sat\n loy ~ sat + trs")
out$survey_sem_pairwise <- one(msem, s[, items3], "pairwise", FALSE, fun = sem)

# the 11-construct measurement model of the survey (39 items), pairwise; timing (median of 3 runs)
blocks <- list(img = paste0("img", 1:4), exp = paste0("exp", 1:3), dlv = paste0("dlv", 1:4), qlt = paste0("qlt", 1:4),
               srv = paste0("srv", 1:4), val = paste0("val", 1:3), sat = paste0("sat", 1:3), cph = paste0("cph", 1:3),
               trs = paste0("trs", 1:4), swc = paste0("swc", 1:3), loy = paste0("loy", 1:4))
m11 <- paste(sapply(names(blocks), function(b) paste(b, "=~", paste(blocks[[b]], collapse = " + "))), collapse = "\n")
x11 <- s[, unlist(blocks)]
tm <- replicate(3, system.time(f11 <- cfa(m11, data = x11, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE,
                                          missing = "pairwise"))[["elapsed"]])
out$survey_cfa11_pairwise <- one(m11, x11, "pairwise", TRUE)
out$survey_cfa11_pairwise$seconds <- median(tm)

# ordinal composite reliability (Green & Yang 2009) of the 3-construct model: semTools::compRelSEM
f3 <- cfa(m3, data = s[, items3], ordered = TRUE, estimator = "WLSMV", std.lv = TRUE, missing = "pairwise")
out$survey_omega_ordinal <- as.list(compRelSEM(f3))          # Green & Yang's categorical omega (default)
out$survey_omega_latent <- as.list(compRelSEM(f3, ord.scale = FALSE))  # omega of the latent responses
out$survey_omega_ordinal_model <- as.list(compRelSEM(f3, obs.var = FALSE))  # Green & Yang, implied denominator
out$survey_omega_latent_model <- as.list(compRelSEM(f3, ord.scale = FALSE, obs.var = FALSE))

# measurement invariance of ordered items by company size (Wu & Estabrook identification, semTools measEq.syntax),
# answers 1-3 merged (1-7 -> 1-5) so that every group uses every category; lavTestLRT (Satorra 2000, WLSMV)
si <- s
it7 <- c("sat1", "sat2", "sat3", "loy1", "loy2", "loy3", "loy4")
for (v in it7) si[[v]] <- pmax(si[[v]], 3) - 2
m2 <- "sat =~ sat1 + sat2 + sat3\n loy =~ loy1 + loy2 + loy3 + loy4"
levels <- list(configural = "configural", thresholds = "thresholds", loadings = c("thresholds", "loadings"),
               intercepts = c("thresholds", "loadings", "intercepts"))
INV_FIT <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.scaled",
             "tli.scaled", "rmsea.scaled", "srmr")
inv <- list()
for (lv in names(levels)) {
  syn <- measEq.syntax(configural.model = m2, data = si, ordered = it7, parameterization = "delta", ID.fac = "std.lv",
                       ID.cat = "Wu.Estabrook.2016", group = "size", group.equal = levels[[lv]])
  f <- cfa(as.character(syn), data = si, ordered = it7, parameterization = "delta", group = "size",
           estimator = "WLSMV", missing = "pairwise")
  inv[[lv]] <- f
  pe <- parameterEstimates(f)
  out[[paste0("invariance_", lv)]] <- list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group, est = pe$est,
                                           se = pe$se, fit = as.list(fitMeasures(f, INV_FIT)))
}
lrt <- lavTestLRT(inv$configural, inv$thresholds, inv$loadings, inv$intercepts)
out$invariance_lrt <- list(chisq_diff = lrt[["Chisq diff"]][-1], df_diff = lrt[["Df diff"]][-1],
                           p = lrt[["Pr(>Chisq)"]][-1])
out$invariance_groups <- lavInspect(inv$configural, "group.label")

# psych's bfi (GPL): export the 10 items for the optional test, store only the results here
b <- psych::bfi[, c(paste0("A", 1:5), paste0("C", 1:5))]
dir.create("tests/reference/external", showWarnings = FALSE)
write.csv(b, "tests/reference/external/bfi_ac.csv", row.names = FALSE)
mb <- "A =~ A1 + A2 + A3 + A4 + A5\n C =~ C1 + C2 + C3 + C4 + C5"
out$bfi_pairwise <- one(mb, b, "pairwise", TRUE)
out$bfi_listwise <- one(mb, b[complete.cases(b), ], "listwise", TRUE)
fb <- cfa(mb, data = b, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE, missing = "pairwise")
out$bfi_omega_ordinal <- as.list(compRelSEM(fb))

out$versions <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")))
write_json(out, "tests/reference/ordinal_wlsmv.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
