# Reference values for csl_stats.sem / cfa (FIML, MLR) / measurement_invariance.
# Run from the repository root:  Rscript tests/reference/sem.R
# R 4.x, lavaan 0.6-14, semTools, jsonlite. Writes tests/reference/sem.json and the data files below.
#
# Data (classic published data sets, exported here from the copies shipped with lavaan):
#   sem_political_democracy.csv  Bollen (1989), Structural Equations with Latent Variables, Wiley:
#                                industrialisation and political democracy in 75 developing countries.
#   sem_hs.csv                   Holzinger & Swineford (1939): mental ability tests of 301 pupils of
#                                two schools (x1-x9 and school).
#   sem_hs_missing.csv           sem_hs.csv with MAR missingness induced below (seed 20261129):
#                                x2, x3 missing with a probability that rises with x1 (always observed),
#                                x5, x6 with x4, x8, x9 with x7, plus one row with every item missing.
#   data/supply_chain_survey.csv the package's simulated survey (11 constructs, 39 items, n = 1,000).
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})

pd <- PoliticalDemocracy
write.csv(pd, "tests/reference/sem_political_democracy.csv", row.names = FALSE)
hs <- HolzingerSwineford1939[, c("school", paste0("x", 1:9))]
write.csv(hs, "tests/reference/sem_hs.csv", row.names = FALSE)

set.seed(20261129)
hsm <- hs
mar <- function(driver, strength = 1.2, base = -1.6) plogis(base + strength * as.numeric(scale(driver)))
for (v in c("x2", "x3")) hsm[runif(nrow(hsm)) < mar(hs$x1), v] <- NA
for (v in c("x5", "x6")) hsm[runif(nrow(hsm)) < mar(hs$x4), v] <- NA
for (v in c("x8", "x9")) hsm[runif(nrow(hsm)) < mar(hs$x7), v] <- NA
hsm[17, paste0("x", 1:9)] <- NA   # an empty row: dropped (and counted) under FIML
write.csv(hsm, "tests/reference/sem_hs_missing.csv", row.names = FALSE, na = "")

fm_names <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
              "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl",
              "unrestricted.logl", "aic", "bic", "ntotal")
fm_robust <- c(fm_names, "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
               "baseline.chisq.scaled", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
               "rmsea.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")

pack <- function(fit, robust = FALSE) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  cols <- intersect(c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper"),
                    names(pe))
  r2 <- lavInspect(fit, "r2")
  list(
    param = pe[, cols],
    std = ss[, intersect(c("lhs", "op", "rhs", "group", "est.std", "se"), names(ss))],
    fit = as.list(fitMeasures(fit, if (robust) fm_robust else fm_names)),
    r2 = if (is.list(r2)) lapply(r2, as.list) else as.list(r2),
    nobs = lavInspect(fit, "nobs"),
    iterations = lavInspect(fit, "iterations")
  )
}

out <- list(lavaan_version = as.character(packageVersion("lavaan")),
            semTools_version = as.character(packageVersion("semTools")))

# 1. Political democracy (Bollen 1989), lavaan's sem() tutorial model without equality labels
pd_model <- "
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ind := a*b
  tot := c + a*b
"
out$poldem <- pack(sem(pd_model, data = pd))
out$poldem_stdlv <- pack(sem(pd_model, data = pd, std.lv = TRUE))
out$poldem_mlr <- pack(sem(pd_model, data = pd, estimator = "MLR"), robust = TRUE)

# 2. Holzinger-Swineford three-factor CFA
hs_model <- "visual =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed =~ x7 + x8 + x9"
out$hs_fiml <- pack(cfa(hs_model, data = hsm, missing = "ml"))
out$hs_fiml_stdlv <- pack(cfa(hs_model, data = hsm, missing = "ml", std.lv = TRUE))
out$hs_fiml_mlr <- pack(cfa(hs_model, data = hsm, missing = "ml", estimator = "MLR"), robust = TRUE)
out$hs_mlr <- pack(cfa(hs_model, data = hs, estimator = "MLR"), robust = TRUE)
out$hs_listwise <- pack(cfa(hs_model, data = hsm))

# 3. Measurement invariance across school (marker identification, lavaan defaults)
levels <- list(configural = character(0), metric = "loadings",
               scalar = c("loadings", "intercepts"), strict = c("loadings", "intercepts", "residuals"))
inv <- list()
prev <- NULL
for (lv in names(levels)) {
  fit <- if (length(levels[[lv]]) == 0) cfa(hs_model, data = hs, group = "school") else
    cfa(hs_model, data = hs, group = "school", group.equal = levels[[lv]])
  res <- pack(fit)
  if (!is.null(prev)) {
    lrt <- lavTestLRT(fit, prev)
    res$lrt <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                    p_diff = lrt[["Pr(>Chisq)"]][2])
  }
  inv[[lv]] <- res
  prev <- fit
}
partial <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
               group.partial = c("x3 ~ 1", "x7 ~ 1"))
inv$scalar_partial <- pack(partial)
# robust (MLR, scaled differences: lavTestLRT's Satorra-Bentler 2001 default) and FIML multi-group fits
for (variant in c("mlr", "fiml")) {
  prev <- NULL
  for (lv in c("configural", "metric", "scalar")) {
    ge <- if (length(levels[[lv]]) > 0) levels[[lv]] else ""
    fit <- if (variant == "mlr") {
      cfa(hs_model, data = hs, group = "school", group.equal = ge, estimator = "MLR")
    } else {
      cfa(hs_model, data = hsm, group = "school", group.equal = ge, missing = "ml")
    }
    res <- pack(fit, robust = variant == "mlr")
    if (!is.null(prev)) {
      lrt <- lavTestLRT(fit, prev)
      res$lrt <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                      p_diff = lrt[["Pr(>Chisq)"]][2])
    }
    inv[[paste(variant, lv, sep = "_")]] <- res
    prev <- fit
  }
}
inv$groups <- lavInspect(partial, "group.label")
out$invariance <- inv

# 4. The survey's 11-construct CFA on all customers by FIML (std.lv = TRUE, as csl_stats.cfa)
survey <- read.csv("data/supply_chain_survey.csv")
blocks <- list(img = paste0("img", 1:4), exp = paste0("exp", 1:3), dlv = paste0("dlv", 1:4),
               qlt = paste0("qlt", 1:4), srv = paste0("srv", 1:4), val = paste0("val", 1:3),
               sat = paste0("sat", 1:3), cph = paste0("cph", 1:3), trs = paste0("trs", 1:4),
               swc = paste0("swc", 1:3), loy = paste0("loy", 1:4))
sv_model <- paste(sapply(names(blocks), function(b) paste(b, "=~", paste(blocks[[b]], collapse = " + "))),
                  collapse = "\n")
elapsed <- system.time(sv_fit <- cfa(sv_model, data = survey, missing = "ml", std.lv = TRUE))[["elapsed"]]
out$survey_fiml <- pack(sv_fit)
out$survey_fiml$elapsed <- elapsed

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"), "tests/reference/sem.json")
cat("wrote tests/reference/sem.json\n")
