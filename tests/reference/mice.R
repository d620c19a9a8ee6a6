# Reference values for tests/test_imputation.py (pooling by Rubin's rules, mice 3.x).
# Run from the repository root:  Rscript tests/reference/mice.R
# Input: tests/reference/mice_data.csv (made by make_mice_data.py, seeded, MAR missingness).
# Output: tests/reference/mice_completed.csv (the m = 10 completed data sets written by mice)
#         tests/reference/mice_reference.json (pool() and summary(pool(), conf.int = TRUE))
suppressPackageStartupMessages({
  library(mice)
  library(jsonlite)
})
d <- read.csv("tests/reference/mice_data.csv")
d$churned <- factor(d$churned)  # binary: mice imputes it with logreg
imp <- mice(d, m = 10, maxit = 10, seed = 20261129, printFlag = FALSE)  # pmm for numeric columns
long <- complete(imp, "long")
long$churned <- as.integer(as.character(long$churned))
write.csv(long[, c(".imp", ".id", setdiff(names(d), character(0)))], "tests/reference/mice_completed.csv",
          row.names = FALSE)

tidy_pool <- function(fit) {
  p <- pool(fit)
  s <- summary(p, conf.int = TRUE, conf.level = 0.95)
  pp <- p$pooled
  list(term = as.character(s$term), estimate = s$estimate, std.error = s$std.error, statistic = s$statistic,
       df = s$df, p.value = s$p.value, conf.low = s[["2.5 %"]], conf.high = s[["97.5 %"]],
       ubar = pp$ubar, b = pp$b, t = pp$t, dfcom = pp$dfcom, riv = pp$riv, lambda = pp$lambda, fmi = pp$fmi)
}
out <- list()
out$call_lm <- "pool(with(imp, lm(loy1 ~ sat1 + trs1 + swc1)))"
out$lm <- tidy_pool(with(imp, lm(loy1 ~ sat1 + trs1 + swc1)))
out$call_glm <- "pool(with(imp, glm(churned ~ loy1 + sat1, family = binomial)))"
out$glm <- tidy_pool(with(imp, glm(churned ~ loy1 + sat1, family = binomial)))
# per-imputation glm estimates and SEs, so the pooling itself is checked to 1e-8 independently of the glm fit
fits <- with(imp, glm(churned ~ loy1 + sat1, family = binomial))$analyses
out$glm_per_imputation <- list(estimate = t(sapply(fits, coef)),
                               se = t(sapply(fits, function(f) sqrt(diag(vcov(f))))),
                               dfcom = fits[[1]]$df.residual)
out$call_mean <- "pool(with(imp, lm(trs1 ~ 1)))"
out$mean <- tidy_pool(with(imp, lm(trs1 ~ 1)))
out$m <- imp$m
out$mice_version <- as.character(packageVersion("mice"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/mice_reference.json")
