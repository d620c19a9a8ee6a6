# Reference values for tests/test_survival.py (R's survival package, 3.x).
# Run from the repository root:  Rscript tests/reference/survival.R
# Inputs (made by make_survival_data.py): tests/reference/survival_data.csv (generated, seeded)
# and tests/reference/survival_survey.csv (the survey customers' lifetimes from the order log).
# Output: tests/reference/survival.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
d <- read.csv("tests/reference/survival_data.csv")
d$grp <- factor(d$grp, levels = c("A", "B", "C"))
s <- read.csv("tests/reference/survival_survey.csv")
s$band <- factor(s$band, levels = c("low", "mid", "high"))
s$size <- factor(s$size, levels = c("large", "medium", "small"))

km_tab <- function(fit) {
  st <- if (is.null(fit$strata)) rep("all", length(fit$time)) else
    rep(sub(".*=", "", names(fit$strata)), fit$strata)
  list(group = st, time = fit$time, surv = fit$surv, lower = fit$lower, upper = fit$upper,
       n_risk = fit$n.risk, n_event = fit$n.event, std_err = fit$std.err)
}
med_tab <- function(fit) {
  q <- quantile(fit, probs = 0.5)
  list(median = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
}
trend <- function(sd, scores) {
  oe <- sd$obs - sd$exp
  if (is.matrix(oe)) oe <- rowSums(oe)
  drop((scores %*% oe)^2 / (scores %*% sd$var %*% scores))
}
cox_tab <- function(fit) {
  zph <- cox.zph(fit)
  list(names = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(fit$var))),
       naive_se = if (is.null(fit$naive.var)) NULL else unname(sqrt(diag(fit$naive.var))),
       concordance = unname(fit$concordance["concordance"]),
       loglik = fit$loglik,
       zph_terms = rownames(zph$table), zph_chisq = unname(zph$table[, "chisq"]),
       zph_df = unname(zph$table[, "df"]))
}
out <- list()
# ---- generated data --------------------------------------------------------------------------
for (ct in c("log-log", "log")) {
  f <- survfit(Surv(time, event) ~ grp, data = d, conf.type = ct)
  out$gen$km[[ct]] <- km_tab(f)
  out$gen$median[[ct]] <- med_tab(f)
}
f1 <- survfit(Surv(time, event) ~ 1, data = d, conf.type = "log-log")
out$gen$km_all <- km_tab(f1)
out$gen$median_all <- med_tab(f1)
fw <- survfit(Surv(time, event) ~ grp, data = d, weights = w, conf.type = "log-log", robust = FALSE)
out$gen$km_weighted <- km_tab(fw)
sd1 <- survdiff(Surv(time, event) ~ grp, data = d)
out$gen$logrank <- list(chisq = sd1$chisq, obs = sd1$obs, exp = sd1$exp, trend = trend(sd1, 1:3))
sd2 <- survdiff(Surv(time, event) ~ grp + strata(st), data = d)
out$gen$logrank_strata <- list(chisq = sd2$chisq, trend = trend(sd2, 1:3))
out$gen$cox_efron <- cox_tab(coxph(Surv(time, event) ~ x1 + x2 + grp, data = d, ties = "efron"))
out$gen$cox_breslow <- cox_tab(coxph(Surv(time, event) ~ x1 + x2 + grp, data = d, ties = "breslow"))
out$gen$cox_robust <- cox_tab(coxph(Surv(time, event) ~ x1 + x2 + grp, data = d, robust = TRUE))
out$gen$cox_weighted_robust <- cox_tab(coxph(Surv(time, event) ~ x1 + x2 + grp, data = d, weights = w,
                                              robust = TRUE))
out$gen$cox_strata <- cox_tab(coxph(Surv(time, event) ~ x1 + x2 + strata(st), data = d))
# ---- survey lifetimes ------------------------------------------------------------------------
for (ct in c("log-log", "log")) {
  f <- survfit(Surv(duration, event) ~ band, data = s, conf.type = ct)
  out$survey$km[[ct]] <- km_tab(f)
  out$survey$median[[ct]] <- med_tab(f)
}
sd3 <- survdiff(Surv(duration, event) ~ band, data = s)
out$survey$logrank <- list(chisq = sd3$chisq, trend = trend(sd3, 1:3))
out$survey$cox <- cox_tab(coxph(Surv(duration, event) ~ sat + size, data = s))
out$survey$cox_robust <- cox_tab(coxph(Surv(duration, event) ~ sat + size, data = s, robust = TRUE))
out$versions <- list(R = R.version.string, survival = as.character(packageVersion("survival")))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE), "tests/reference/survival.json")
