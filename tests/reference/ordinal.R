# Reference values for csl_stats.polychoric and cronbach_alpha(..., ordinal=True).
# Run from the repository root:  Rscript tests/reference/ordinal.R   (writes tests/reference/ordinal.json)
# Data: tests/reference/ordinal_data.csv (seeded, make_ordinal_data.py) and items of
# data/supply_chain_survey.csv (ours). psych's bfi is not used: its licence is unclear.
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})

one <- function(x, missing) {
  fit <- lavCor(x, ordered = names(x), se = "standard", output = "fit", missing = missing)
  pe <- parameterEstimates(fit)
  th <- pe[pe$op == "|", ]
  co <- pe[pe$op == "~~" & pe$lhs != pe$rhs, ]
  list(
    items = names(x),
    n = nrow(x),
    th_item = th$lhs, th_est = th$est, th_se = th$se,
    cor_lhs = co$lhs, cor_rhs = co$rhs, cor_est = co$est, cor_se = co$se,
    R = unname(lavCor(x, ordered = names(x), missing = missing)),
    gamma = unname(as.matrix(lavInspect(fit, "gamma"))),
    wls_v_diag = unname(diag(as.matrix(lavInspect(fit, "wls.v"))))
  )
}

out <- list()
x <- read.csv("tests/reference/ordinal_data.csv")
out$sim_pairwise <- one(x, "pairwise")
xc <- x[complete.cases(x), ]
out$sim_listwise <- one(xc, "listwise")
s <- read.csv("data/supply_chain_survey.csv")
survey_items <- c("sat1", "sat2", "sat3", "loy1", "loy2", "loy3", "loy4", "trs1", "trs2", "trs3", "trs4")
out$survey_pairwise <- one(s[, survey_items], "pairwise")

# psych: polychoric without continuity correction (correct = 0) on complete cases, alpha on it
pc <- psych::polychoric(xc, correct = 0)
out$psych_sim_listwise <- list(rho = unname(pc$rho), tau = unname(pc$tau),
                               alpha = psych::alpha(pc$rho)$total$raw_alpha,
                               alpha_pearson = psych::alpha(xc)$total$raw_alpha)
sc <- s[complete.cases(s[, c("sat1", "sat2", "sat3")]), c("sat1", "sat2", "sat3")]
pcs <- psych::polychoric(sc, correct = 0)
out$psych_sat_listwise <- list(n = nrow(sc), rho = unname(pcs$rho),
                               alpha = psych::alpha(pcs$rho)$total$raw_alpha)

# ordinal alpha: psych::alpha on the lavaan polychoric matrix (two-step, no correction)
alpha_on <- function(R) {
  a <- psych::alpha(R)
  list(raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, alpha_drop = unname(a$alpha.drop$raw_alpha),
       r_drop = unname(a$item.stats$r.drop))
}
out$ordinal_alpha_sim_listwise <- alpha_on(out$sim_listwise$R)
out$ordinal_alpha_sim_pairwise <- alpha_on(out$sim_pairwise$R)
sat <- c("sat1", "sat2", "sat3")
out$ordinal_alpha_sat_listwise <- alpha_on(lavCor(s[complete.cases(s[, sat]), sat], ordered = sat))
out$alpha_sat_listwise <- psych::alpha(s[complete.cases(s[, sat]), sat])$total$raw_alpha

# WLSMV one-factor CFA on the complete cases: checks that the NACOV / DWLS weights of polychoric()
# are the basis lavaan's WLSMV uses (estimates, robust SEs, mean-and-variance adjusted chi-square)
wfit <- cfa("f =~ a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8", data = xc, ordered = names(xc),
            estimator = "WLSMV", std.lv = TRUE)
wpe <- parameterEstimates(wfit)
out$wlsmv_sim_listwise <- list(
  loadings = wpe$est[wpe$op == "=~"], se = wpe$se[wpe$op == "=~"],
  fit = as.list(fitMeasures(wfit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor")))
)

# smoothing of a non-positive-definite correlation matrix (polychoric(..., smooth = TRUE))
R0 <- matrix(c(1, .95, -.9, .3, .95, 1, .9, .2, -.9, .9, 1, .1, .3, .2, .1, 1), 4)
out$smooth <- list(input = R0, smoothed = unname(suppressWarnings(psych::cor.smooth(R0))))

# timing of lavCor on the 39 survey items (pairwise), seconds (median of 3)
all_items <- names(s)[6:44]
tm <- replicate(3, system.time(lavCor(s[, all_items], ordered = all_items, missing = "pairwise"))[["elapsed"]])
out$lavcor_seconds_39 <- median(tm)
out$versions <- list(lavaan = as.character(packageVersion("lavaan")), psych = as.character(packageVersion("psych")))
write_json(out, "tests/reference/ordinal.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
