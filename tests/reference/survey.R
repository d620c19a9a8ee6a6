# Reference values for tests/test_survey_design.py (R package survey, Lumley).
# Run from the repository root:  Rscript tests/reference/survey.R
# Input: tests/reference/survey_design_data.csv (make_survey_design_data.py),
#        tests/reference/survey_waves_data.csv (make_survey_design_data.py).
# Output: tests/reference/survey_reference.json
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
d <- read.csv("tests/reference/survey_design_data.csv", stringsAsFactors = FALSE)
d$nps <- 100 * ((d$recommend >= 9) - (d$recommend <= 6))
d$top2 <- as.numeric(d$sat1 >= 6)
d$north <- as.numeric(d$region == "north")
st <- function(x) list(estimate = unname(coef(x)), se = as.vector(SE(x)),
                       deff = unname(if (is.null(attr(x, "deff"))) NA else diag(as.matrix(attr(x, "deff")))))
by_tab <- function(x) {
  dcol <- grep("^DEff", names(x))
  list(level = as.character(x[[1]]), estimate = unname(coef(x)), se = as.vector(SE(x)),
       deff = if (length(dcol)) as.vector(x[[dcol[1]]]) else NULL)
}
out <- list()

# ---- stratified by size, weights N_h / n_h, finite-population correction ----------------------
des <- svydesign(ids = ~1, strata = ~size, weights = ~w, fpc = ~N, data = d)
out$strat_fpc <- list(
  mean_sat1 = st(svymean(~sat1, des, na.rm = TRUE, deff = TRUE)),
  nps = st(svymean(~nps, des, na.rm = TRUE, deff = TRUE)),
  top2_sat1 = st(svymean(~top2, des, na.rm = TRUE, deff = TRUE)),
  prop_north = st(svymean(~north, des, na.rm = TRUE, deff = TRUE)),
  by_region_sat1 = by_tab(svyby(~sat1, ~region, des, svymean, na.rm = TRUE, deff = TRUE)),
  by_region_nps = by_tab(svyby(~nps, ~region, des, svymean, na.rm = TRUE, deff = TRUE))
)
# logit intervals for shares (normal quantile: df = Inf)
out$strat_fpc$top2_logit_ci <- as.vector(attr(svyciprop(~top2, des, method = "logit", df = Inf), "ci"))
out$strat_fpc$north_logit_ci <- as.vector(attr(svyciprop(~north, des, method = "logit", df = Inf), "ci"))
# ---- same without fpc: with-replacement variance, deff = "replace" ------------------------------
des_nofpc <- svydesign(ids = ~1, strata = ~size, weights = ~w, data = d)
out$strat_nofpc <- list(mean_sat1 = st(svymean(~sat1, des_nofpc, na.rm = TRUE, deff = "replace")),
                        nps = st(svymean(~nps, des_nofpc, na.rm = TRUE, deff = "replace")))
# ---- clusters within strata ------------------------------------------------------------------
des_cl <- svydesign(ids = ~cluster, strata = ~size, weights = ~w, nest = TRUE, data = d)
out$cluster <- list(mean_sat1 = st(svymean(~sat1, des_cl, na.rm = TRUE)),
                    nps = st(svymean(~nps, des_cl, na.rm = TRUE)))
# ---- simple random sample, no weights -----------------------------------------------------------
des_srs <- svydesign(ids = ~1, weights = ~one, data = transform(d, one = 1))
out$srs <- list(mean_sat1 = st(svymean(~sat1, des_srs, na.rm = TRUE, deff = "replace")))

# ---- raking to region and size margins from the frame --------------------------------------------
pop_region <- data.frame(region = c("north", "south", "east", "west"), Freq = c(1350, 1150, 1000, 1100))
pop_size <- data.frame(size = c("small", "medium", "large"), Freq = c(3000, 1200, 400))
raked <- rake(des, list(~region, ~size), list(pop_region, pop_size),
              control = list(maxit = 100, epsilon = 1e-12))
out$raked <- list(
  weights = unname(weights(raked)),
  mean_sat1 = st(svymean(~sat1, raked, na.rm = TRUE, deff = TRUE)),
  nps = st(svymean(~nps, raked, na.rm = TRUE, deff = TRUE)),
  top2_sat1 = st(svymean(~top2, raked, na.rm = TRUE)),
  by_region_sat1 = by_tab(svyby(~sat1, ~region, raked, svymean, na.rm = TRUE))
)
# raking an unweighted, unstratified sample
raked0 <- rake(des_srs, list(~region, ~size), list(pop_region, pop_size),
               control = list(maxit = 100, epsilon = 1e-12))
out$raked_srs <- list(weights = unname(weights(raked0)),
                      mean_sat1 = st(svymean(~sat1, raked0, na.rm = TRUE)),
                      nps = st(svymean(~nps, raked0, na.rm = TRUE)))

# ---- a stratum with one respondent: survey.lonely.psu = "adjust" ----------------------------------
small <- d[1:40, ]
small$st <- small$region
small$st[1] <- "solo"
options(survey.lonely.psu = "adjust")
des_lonely <- svydesign(ids = ~1, strata = ~st, weights = ~w, data = small)
out$lonely_adjust <- list(mean_sat1 = st(svymean(~sat1, des_lonely, na.rm = TRUE)))
options(survey.lonely.psu = "certainty")
out$lonely_certainty <- list(mean_sat1 = st(svymean(~sat1, des_lonely, na.rm = TRUE)))
options(survey.lonely.psu = "fail")

# ---- two waves with repeated customers: change in NPS and mean satisfaction ----------------------
if (file.exists("tests/reference/survey_waves_data.csv")) {
  wv <- read.csv("tests/reference/survey_waves_data.csv", stringsAsFactors = FALSE)
  wv$nps <- 100 * ((wv$recommend >= 9) - (wv$recommend <= 6))
  # customers are the sampling units: a customer answering both waves is one cluster
  des_w <- svydesign(ids = ~customer_id, strata = ~size, weights = ~w, data = wv)
  for (v in c("nps", "sat1")) {
    # svyby(..., na.rm = TRUE, covmat = TRUE) fails in survey 4.1; subset() keeps the whole design (domain)
    b <- svyby(as.formula(paste0("~", v)), ~wave, subset(des_w, !is.na(wv[[v]])), svymean, covmat = TRUE)
    ch <- svycontrast(b, c(-1, 1))
    out$waves[[v]] <- list(estimate = unname(coef(b)), se = unname(SE(b)),
                           change = unname(coef(ch)), change_se = as.vector(SE(ch)))
    # the same with the population size of each stratum (fpc over the customers of either wave)
    des_f <- svydesign(ids = ~customer_id, strata = ~size, weights = ~w, fpc = ~N, data = wv)
    bf <- svyby(as.formula(paste0("~", v)), ~wave, subset(des_f, !is.na(wv[[v]])), svymean, covmat = TRUE)
    chf <- svycontrast(bf, c(-1, 1))
    out$waves_fpc[[v]] <- list(change = unname(coef(chf)), change_se = as.vector(SE(chf)))
  }
}
write_json(out, "tests/reference/survey_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
