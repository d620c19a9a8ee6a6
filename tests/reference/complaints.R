# Reference values for tests/test_complaints.py (complaint rates, churn reasons, service recovery).
# Run from the repository root:  Rscript tests/reference/complaints.R
# Input: data/supply_chain_survey.csv (the packaged survey). Output: tests/reference/complaints.json
suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
  library(jsonlite)
})
s <- read.csv("data/supply_chain_survey.csv")
s$size <- factor(s$size, levels = c("large", "medium", "small"))
out <- list()
# ---- complaint rates: negative binomial (NB2) and Poisson, cell-means and reference coding ----------
nb <- glm.nb(complaints_12m ~ 0 + size, data = s)
nbr <- glm.nb(complaints_12m ~ size, data = s)
nb0 <- glm.nb(complaints_12m ~ 1, data = s)
out$negbin <- list(coef = unname(coef(nb)), se = unname(sqrt(diag(vcov(nb)))),
                   rr_coef = unname(coef(nbr)[-1]), rr_se = unname(sqrt(diag(vcov(nbr)))[-1]),
                   alpha = 1 / nb$theta, loglik = as.numeric(logLik(nb)), loglik0 = as.numeric(logLik(nb0)))
po <- glm(complaints_12m ~ 0 + size, data = s, family = poisson)
por <- glm(complaints_12m ~ size, data = s, family = poisson)
out$poisson <- list(coef = unname(coef(po)), se = unname(sqrt(diag(vcov(po)))),
                    rr_se = unname(sqrt(diag(vcov(por)))[-1]),
                    dispersion = sum(residuals(po, type = "pearson")^2) / po$df.residual)
# exposure: complaints per order (orders_12m > 0 only)
e <- subset(s, orders_12m > 0)
pe <- glm(complaints_12m ~ 0 + size + offset(log(orders_12m)), data = e, family = poisson)
out$poisson_exposure <- list(coef = unname(coef(pe)), se = unname(sqrt(diag(vcov(pe)))))
# ---- churn reasons --------------------------------------------------------------------------
ch <- subset(s, churned == 1 & churn_reason != "")
tab <- table(ch$size, ch$churn_reason)
ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
out$reasons <- list(chisq = unname(ct$statistic), df = unname(ct$parameter), p = ct$p.value)
pt <- prop.test(sum(ch$churn_reason == "price"), nrow(ch), correct = FALSE)
out$wilson_price <- unname(pt$conf.int[1:2])
# ---- service recovery: linear probability model with group dummies, HC3 --------------------------
s$grp <- ifelse(s$complaints_12m == 0, "none", ifelse(s$complaint_resolved == 1, "resolved", "unresolved"))
s$grp <- factor(s$grp, levels = c("none", "resolved", "unresolved"))
s$qlt <- rowMeans(s[, c("qlt1", "qlt2", "qlt3", "qlt4")])
s$dlv <- rowMeans(s[, c("dlv1", "dlv2", "dlv3")])
s$sat <- rowMeans(s[, c("sat1", "sat2", "sat3")])
cc <- subset(s, !is.na(sat) & !is.na(qlt) & !is.na(dlv))
fit <- lm(sat ~ grp + qlt + dlv, data = cc)
V <- vcovHC(fit, type = "HC3")
out$recovery <- list(coef = unname(coef(fit)[2:3]), se = unname(sqrt(diag(V))[2:3]), n = nrow(cc))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), "tests/reference/complaints.json")
