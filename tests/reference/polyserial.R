# Reference values for csl_stats.polychoric(..., continuous = ...): polyserial and Pearson correlations
# beside polychoric ones, with lavaan's asymptotic covariance matrix (NACOV) of the mixed statistics.
# Run from the repository root:  Rscript tests/reference/polyserial.R   (writes tests/reference/polyserial.json)
# Data: tests/reference/polyserial_data.csv (seeded, make_polyserial_data.py) and data/supply_chain_survey.csv.
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})

one <- function(x, ordered, missing) {
  R <- lavCor(x, ordered = ordered, missing = missing)
  fit <- lavCor(x, ordered = ordered, se = "standard", output = "fit", missing = missing)
  gamma <- as.matrix(lavInspect(fit, "gamma"))
  # the same statistics from lavaan's muthen1984 (it also returns H, the Jacobian from correlations
  # to lavaan's covariance metric): the acov of the correlations is H^-1 D W D H^-T (D flips the means)
  types <- ifelse(names(x) %in% ordered, "ordered", "numeric")
  lev <- sapply(seq_along(x), function(j) if (types[j] == "ordered") max(x[[j]], na.rm = TRUE) else 0L)
  keep <- rowSums(!is.na(x)) > 0
  m <- lavaan:::muthen1984(Data = as.matrix(x[keep, ]), ov.names = names(x), ov.types = types, ov.levels = lev)
  D <- diag(ifelse(grepl("~1$", rownames(gamma)), -1, 1))
  Hi <- solve(m$H)
  acov_cor <- Hi %*% D %*% m$WLS.W %*% D %*% t(Hi)
  list(
    vars = names(x), ordered = ordered, n = lavInspect(fit, "nobs"),
    R = unname(R),
    wls_obs = unname(lavInspect(fit, "wls.obs")), labels = rownames(gamma),
    gamma = unname(gamma),
    wls_v_diag = unname(diag(as.matrix(lavInspect(fit, "wls.v")))),
    muthen_gamma = unname(m$WLS.W * sum(keep)),
    acov_cor = unname(acov_cor)
  )
}

out <- list()
x <- read.csv("tests/reference/polyserial_data.csv")
ord <- c("o1", "o2", "o3")
out$mixed_pairwise <- one(x, ord, "pairwise")
xc <- x[complete.cases(x), ]
out$mixed_listwise <- one(xc, ord, "listwise")
s <- read.csv("data/supply_chain_survey.csv")
sv <- s[, c("sat1", "sat2", "sat3", "loy1", "loy2", "share_of_wallet")]
out$survey_pairwise <- one(sv, c("sat1", "sat2", "sat3", "loy1", "loy2"), "pairwise")

# psych::polyserial: the "ad hoc" estimator of Olsson, Drasgow & Dorans (1982), complete cases
out$psych_listwise <- list(
  cont = c("spend", "share"), ord = ord,
  rho = unname(psych::polyserial(xc[, c("spend", "share")], xc[, ord]))
)
svc <- sv[complete.cases(sv), ]
out$psych_survey <- list(n = nrow(svc),
  rho = unname(psych::polyserial(svc[, "share_of_wallet", drop = FALSE], svc[, c("sat1", "sat2", "sat3")])))
# WLSMV one-factor CFA with ordinal and continuous indicators (complete cases): checks that acov and wls_obs
# of polychoric(..., continuous = ...) are the statistics and NACOV lavaan's WLSMV uses with mixed indicators
wfit <- cfa("f =~ o1 + spend + o2 + o3 + share", data = xc, ordered = ord, estimator = "WLSMV", std.lv = TRUE)
wpe <- parameterEstimates(wfit)
out$wlsmv_mixed_listwise <- list(
  loadings = wpe$est[wpe$op == "=~"], se = wpe$se[wpe$op == "=~"],
  resvar = wpe$est[wpe$op == "~~" & wpe$lhs == wpe$rhs & wpe$lhs %in% c("spend", "share")],
  fit = as.list(fitMeasures(wfit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor")))
)
out$versions <- list(lavaan = as.character(packageVersion("lavaan")), psych = as.character(packageVersion("psych")))
write_json(out, "tests/reference/polyserial.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
