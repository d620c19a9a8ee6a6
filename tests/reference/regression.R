# Reference values for tests/test_regression.py, test_moderation.py, test_threshold.py.
# Run from the repository root:  Rscript tests/reference/regression.R
# Input: tests/reference/regression_data.csv (made by make_regression_data.py, seeded).
# Output: tests/reference/regression_reference.json
suppressPackageStartupMessages({
  library(sandwich)
  library(MASS)
  library(splines)
  library(jsonlite)
})
d <- read.csv("tests/reference/regression_data.csv")
tab <- function(est, V) list(estimate = unname(est), se = unname(sqrt(diag(V))), names = names(est))
out <- list()

# ---- lm with classical and HC0-HC3 covariance ------------------------------------------------
fit <- lm(loy ~ sat + trs + swc, data = d)
out$lm <- list(
  nonrobust = tab(coef(fit), vcov(fit)),
  HC0 = tab(coef(fit), vcovHC(fit, type = "HC0")),
  HC1 = tab(coef(fit), vcovHC(fit, type = "HC1")),
  HC2 = tab(coef(fit), vcovHC(fit, type = "HC2")),
  HC3 = tab(coef(fit), vcovHC(fit, type = "HC3")),
  r2 = summary(fit)$r.squared, df_resid = fit$df.residual,
  p_HC3 = unname(2 * pt(-abs(coef(fit) / sqrt(diag(vcovHC(fit, type = "HC3")))), fit$df.residual))
)
# standardized coefficients: lm on z-scores
z <- as.data.frame(scale(d[, c("loy", "sat", "trs", "swc")]))
out$lm_std <- tab(coef(lm(loy ~ sat + trs + swc, data = z)), vcov(lm(loy ~ sat + trs + swc, data = z)))

# ---- polr ------------------------------------------------------------------------------------
pf <- polr(factor(loy_item) ~ sat + trs, data = d, Hess = TRUE, method = "logistic",
           control = list(reltol = 1e-12, maxit = 1000))
V <- vcov(pf)
out$polr <- list(
  coef = unname(coef(pf)), coef_se = unname(sqrt(diag(V))[names(coef(pf))]),
  zeta = unname(pf$zeta), zeta_se = unname(sqrt(diag(V))[names(pf$zeta)]), zeta_names = names(pf$zeta),
  loglik = as.numeric(logLik(pf)),
  loglik0 = as.numeric(logLik(polr(factor(loy_item) ~ 1, data = d)))
)

# ---- glm binomial ----------------------------------------------------------------------------
gf <- glm(churned ~ sat + swc, data = d, family = binomial, control = glm.control(epsilon = 1e-12))
out$glm <- list(
  nonrobust = tab(coef(gf), vcov(gf)),
  HC0 = tab(coef(gf), sandwich(gf)),
  loglik = as.numeric(logLik(gf)),
  loglik0 = as.numeric(logLik(glm(churned ~ 1, data = d, family = binomial)))
)

# ---- moderation: mean-centred lm with interaction; simple slopes; Johnson-Neyman -------------
d$satc <- d$sat - mean(d$sat)
d$swcc <- d$swc - mean(d$swc)
mf <- lm(loy ~ satc * swcc + trs, data = d)
mr <- lm(loy ~ satc + swcc + trs, data = d)
slopes <- function(fit, V, wvals) {
  b <- coef(fit)
  wc <- wvals - mean(d$swc)
  est <- b["satc"] + b["satc:swcc"] * wc
  se <- sqrt(V["satc", "satc"] + wc^2 * V["satc:swcc", "satc:swcc"] + 2 * wc * V["satc", "satc:swcc"])
  list(w = unname(wvals), estimate = unname(est), se = unname(se),
       p = unname(2 * pt(-abs(est / se), fit$df.residual)))
}
jn <- function(fit, V, level = 0.95) {
  b <- coef(fit); tc <- qt(1 - (1 - level) / 2, fit$df.residual)
  a <- b["satc:swcc"]^2 - tc^2 * V["satc:swcc", "satc:swcc"]
  bb <- 2 * (b["satc"] * b["satc:swcc"] - tc^2 * V["satc", "satc:swcc"])
  cc <- b["satc"]^2 - tc^2 * V["satc", "satc"]
  disc <- bb^2 - 4 * a * cc
  if (disc < 0) return(numeric(0))
  sort(unname(c((-bb - sqrt(disc)) / (2 * a), (-bb + sqrt(disc)) / (2 * a)))) + mean(d$swc)
}
m <- mean(d$swc); s <- sd(d$swc)
out$moderation <- list(
  coefs = tab(coef(mf), vcov(mf)),
  coefs_HC3 = tab(coef(mf), vcovHC(mf, type = "HC3")),
  r2 = summary(mf)$r.squared,
  r2_change = summary(mf)$r.squared - summary(mr)$r.squared,
  F = anova(mr, mf)$F[2], p_F = anova(mr, mf)$`Pr(>F)`[2],
  slopes_sd = slopes(mf, vcov(mf), c(m - s, m, m + s)),
  slopes_pct = slopes(mf, vcov(mf), unname(quantile(d$swc, c(0.16, 0.5, 0.84), type = 7))),
  slopes_sd_HC3 = slopes(mf, vcovHC(mf, type = "HC3"), c(m - s, m, m + s)),
  jn = jn(mf, vcov(mf)),
  jn_HC3 = jn(mf, vcovHC(mf, type = "HC3")),
  w_range = range(d$swc)
)

# ---- segmented (hinge) regression by profile least squares ------------------------------------
ssr <- function(tau) deviance(lm(kink_y ~ sat + pmax(sat - tau, 0), data = d))
q <- quantile(d$sat, c(0.1, 0.9))
grid <- seq(q[1], q[2], length.out = 400)
g <- grid[which.min(sapply(grid, ssr))]
step <- diff(grid[1:2])
tau <- optimize(ssr, c(g - step, g + step), tol = 1e-10)$minimum
sf <- lm(kink_y ~ sat + pmax(sat - tau, 0), data = d)
n <- nrow(d)
ll_seg <- -n / 2 * (log(2 * pi) + log(deviance(sf) / n) + 1)
kq <- quantile(d$sat, c(0.05, 0.275, 0.5, 0.725, 0.95), type = 7)
fits <- list(
  linear = lm(kink_y ~ sat, data = d),
  quadratic = lm(kink_y ~ sat + I(sat^2), data = d),
  spline = lm(kink_y ~ ns(sat, knots = kq[2:4], Boundary.knots = kq[c(1, 5)]), data = d)
)
out$threshold <- list(
  tau = tau, coef = unname(coef(sf)), ssr = deviance(sf),
  slope_above = unname(coef(sf)[2] + coef(sf)[3]),
  aic = c(sapply(fits, AIC), segmented = -2 * ll_seg + 2 * 5),
  bic = c(sapply(fits, BIC), segmented = -2 * ll_seg + log(n) * 5),
  loglik = c(sapply(fits, function(f) as.numeric(logLik(f))), segmented = ll_seg)
)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/regression_reference.json")
cat("written tests/reference/regression_reference.json\n")
