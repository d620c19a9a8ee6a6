# Reference values for the quality criteria of csl_stats.pls_pm (PLSResult.vif_inner,
# f2, vif_outer, srmr), computed in base R from the construct scores that pls_pm saved
# (tests/reference/pls_quality_scores.csv, made by make_pls_quality_scores.py; the
# scores themselves are checked against the independent base-R PLS in pls.R).
#   inner VIF: 1 / (1 - R2) of lm(predictor ~ other predictors of the same target)
#   f2:        (R2 of lm(target ~ all predictors) - R2 without the predictor) / (1 - R2 full)
#   outer VIF: 1 / (1 - R2) of lm(indicator ~ other indicators of its block)
#   SRMR:      composite model; within blocks implied = observed correlations, between
#              blocks cor(x_k, eta_K) * rho_KL * cor(x_l, eta_L); rho = observed score
#              correlations (saturated) or implied by the paths with uncorrelated
#              disturbances, built recursively (estimated); mean over the lower triangle
#              with the diagonal.
# Run from the repository root:  Rscript tests/reference/pls_quality.R
# Output: tests/reference/pls_quality_R.json
library(jsonlite)

dat <- read.csv("tests/reference/pls_ecsi.csv")
sc <- read.csv("tests/reference/pls_quality_scores.csv", check.names = FALSE)
blocks <- list(Image = paste0("IMG", 1:4), Expectation = paste0("EXP", 1:3),
               Quality = paste0("QUA", 1:5), Value = paste0("VAL", 1:2),
               Satisfaction = paste0("SAT", 1:3), Complaints = "CMP1",
               Loyalty = paste0("LOY", 1:3))
paths <- rbind(c("Image", "Expectation"), c("Image", "Satisfaction"), c("Image", "Loyalty"),
               c("Expectation", "Quality"), c("Expectation", "Value"), c("Expectation", "Satisfaction"),
               c("Quality", "Value"), c("Quality", "Satisfaction"), c("Value", "Satisfaction"),
               c("Satisfaction", "Complaints"), c("Satisfaction", "Loyalty"), c("Complaints", "Loyalty"))
lvs <- names(blocks)
X <- as.matrix(dat[, unlist(blocks)])
owner <- rep(lvs, sapply(blocks, length))

r2_lm <- function(y, x) if (is.null(x) || ncol(x) == 0) 0 else summary(lm(y ~ x))$r.squared

quality <- function(S) {
  S <- as.matrix(S)
  colnames(S) <- lvs
  vif <- f2 <- numeric(nrow(paths))
  for (k in seq_len(nrow(paths))) {
    i <- paths[k, 1]; j <- paths[k, 2]
    preds <- paths[paths[, 2] == j, 1]
    others <- setdiff(preds, i)
    vif[k] <- 1 / (1 - r2_lm(S[, i], S[, others, drop = FALSE]))
    full <- r2_lm(S[, j], S[, preds, drop = FALSE])
    f2[k] <- (full - r2_lm(S[, j], S[, others, drop = FALSE])) / (1 - full)
  }
  vif_outer <- c()
  for (l in lvs) for (x in blocks[[l]]) {
    others <- setdiff(blocks[[l]], x)
    vif_outer[x] <- 1 / (1 - r2_lm(X[, x], X[, others, drop = FALSE]))
  }
  R <- cor(X)
  lam <- sapply(seq_len(ncol(X)), function(k) cor(X[, k], S[, owner[k]]))
  # construct correlations implied by the paths, built recursively in causal order
  B <- matrix(0, length(lvs), length(lvs), dimnames = list(lvs, lvs))
  for (k in seq_len(nrow(paths))) {
    j <- paths[k, 2]; preds <- paths[paths[, 2] == j, 1]
    B[preds, j] <- coef(lm(scale(S[, j]) ~ scale(S[, preds, drop = FALSE])))[-1]
  }
  rho_obs <- cor(S)
  C <- matrix(NA, length(lvs), length(lvs), dimnames = list(lvs, lvs))
  done <- lvs[colSums(B != 0) == 0]                  # exogenous: observed correlations
  C[done, done] <- rho_obs[done, done]
  while (length(done) < length(lvs)) {
    for (j in setdiff(lvs, done)) {
      preds <- lvs[B[, j] != 0]
      if (!all(preds %in% done)) next
      b <- B[preds, j]                                 # eta_j = sum b * eta_pred + zeta_j
      for (k in done) C[j, k] <- C[k, j] <- sum(b * C[preds, k])
      C[j, j] <- as.numeric(t(b) %*% C[preds, preds, drop = FALSE] %*% b) + 1 - sum(b * rho_obs[preds, j])
      done <- c(done, j)
    }
  }
  srmr <- function(rho) {
    imp <- outer(lam, lam) * rho[owner, owner]
    same <- outer(owner, owner, "==")
    imp[same] <- R[same]
    sqrt(mean((R - imp)[lower.tri(R, diag = TRUE)]^2))
  }
  list(vif_inner = vif, f2 = f2, vif_outer = unname(vif_outer),
       srmr_saturated = srmr(rho_obs), srmr_estimated = srmr(C))
}

out <- list()
for (key in c("path_A", "factorial_B")) out[[key]] <- quality(sc[, paste0(key, ".", lvs)])
out$R_version <- R.version.string
write_json(out, "tests/reference/pls_quality_R.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("wrote tests/reference/pls_quality_R.json\n")
