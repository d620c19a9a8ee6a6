# Reference values for csl_stats.pls_pm: an independent base-R implementation of
# PLS path modelling (Lohmoller's algorithm with seminr's conventions: indicators
# standardized with the n-1 SD, unit starting weights, standardized inner proxies,
# Mode A = covariances / Mode B = multiple regression weights, weights rescaled to
# unit-variance outer proxies, stop when sum |w_new - w_old| < 1e-7).
# seminr/cSEM/plspm are not installable here, so this script is the reference.
#
# Run from the repository root:  Rscript tests/reference/pls.R
# Input:  tests/reference/pls_ecsi.csv (made by tests/reference/make_pls_ecsi.py)
# Output: tests/reference/pls_ecsi_R.json
library(jsonlite)

dat <- read.csv("tests/reference/pls_ecsi.csv")

blocks <- list(Image = paste0("IMG", 1:4), Expectation = paste0("EXP", 1:3),
               Quality = paste0("QUA", 1:5), Value = paste0("VAL", 1:2),
               Satisfaction = paste0("SAT", 1:3), Complaints = "CMP1",
               Loyalty = paste0("LOY", 1:3))
paths <- rbind(c("Image", "Expectation"), c("Image", "Satisfaction"), c("Image", "Loyalty"),
               c("Expectation", "Quality"), c("Expectation", "Value"), c("Expectation", "Satisfaction"),
               c("Quality", "Value"), c("Quality", "Satisfaction"), c("Value", "Satisfaction"),
               c("Satisfaction", "Complaints"), c("Satisfaction", "Loyalty"), c("Complaints", "Loyalty"))

pls_fit <- function(dat, blocks, paths, modes, scheme, scale = c(1, 7), max_it = 300, tol = 1e-7) {
  lvs <- names(blocks)
  q <- length(lvs)
  X <- scale(as.matrix(dat[, unlist(blocks)]))          # n-1 SD
  n <- nrow(X)
  D <- matrix(0, q, q, dimnames = list(lvs, lvs))       # D[i, j] = 1 for i -> j
  D[paths] <- 1
  w <- lapply(blocks, function(b) rep(1, length(b)))
  outer_scores <- function(w) sapply(lvs, function(l) X[, blocks[[l]], drop = FALSE] %*% w[[l]])
  for (it in 1:max_it) {
    Y <- scale(outer_scores(w))
    R <- cor(Y)
    E <- matrix(0, q, q, dimnames = list(lvs, lvs))
    for (j in lvs) {
      neigh <- lvs[D[, j] == 1 | D[j, ] == 1]
      if (scheme == "factorial") E[neigh, j] <- R[neigh, j]
      if (scheme == "centroid") E[neigh, j] <- sign(R[neigh, j])
      if (scheme == "path") {
        succ <- lvs[D[j, ] == 1]
        E[succ, j] <- R[succ, j]
        pred <- lvs[D[, j] == 1]
        if (length(pred) > 0) {
          fit <- lm(Y[, j] ~ Y[, pred, drop = FALSE])
          E[pred, j] <- coef(fit)[-1]
        }
      }
    }
    Z <- scale(Y %*% E)
    w_new <- list()
    for (j in lvs) {
      Xj <- X[, blocks[[j]], drop = FALSE]
      if (modes[[j]] == "A") wj <- as.vector(cov(Xj, Z[, j]))
      else wj <- as.vector(coef(lm(Z[, j] ~ Xj))[-1]) * sd(Z[, j])  # regression weights (std. X)
      w_new[[j]] <- wj / sd(as.vector(Xj %*% wj))
    }
    diff <- sum(abs(unlist(w_new) - unlist(w)))
    w <- w_new
    if (diff < tol) break
  }
  Y <- outer_scores(w)
  # orientation: sum of loadings positive
  for (j in lvs) {
    l <- cor(X[, blocks[[j]], drop = FALSE], Y[, j])
    if (sum(l) < 0) { w[[j]] <- -w[[j]]; Y[, j] <- -Y[, j] }
  }
  B <- matrix(0, q, q, dimnames = list(lvs, lvs))
  r2 <- c()
  for (j in lvs[colSums(D) > 0]) {
    pred <- lvs[D[, j] == 1]
    fit <- lm(Y[, j] ~ Y[, pred, drop = FALSE])
    B[pred, j] <- coef(fit)[-1]
    r2[j] <- summary(fit)$r.squared
  }
  total <- matrix(0, q, q, dimnames = list(lvs, lvs)); P <- diag(q)
  for (k in 1:q) { P <- P %*% B; total <- total + P }
  load <- list(); rel <- list(); idx <- c()
  Xraw <- as.matrix(dat[, unlist(blocks)])
  for (j in lvs) {
    b <- blocks[[j]]
    lam <- as.vector(cor(X[, b, drop = FALSE], Y[, j]))
    load[[j]] <- lam
    u <- w[[j]] / apply(Xraw[, b, drop = FALSE], 2, sd)
    u <- u / sum(u)
    idx[j] <- mean((Xraw[, b, drop = FALSE] %*% u - scale[1]) / (scale[2] - scale[1]) * 100)
    k <- length(b)
    if (modes[[j]] == "B") { rel[[j]] <- c(NA, NA, NA, NA); next }
    if (k == 1) { rel[[j]] <- c(1, 1, 1, 1); next }
    S <- cor(X[, b])
    alpha <- k / (k - 1) * (1 - k / sum(S))
    wj <- w[[j]]
    S0 <- S; diag(S0) <- 0
    A0 <- wj %o% wj; diag(A0) <- 0
    rhoA <- sum(wj^2)^2 * as.numeric(t(wj) %*% S0 %*% wj) / as.numeric(t(wj) %*% A0 %*% wj)
    rhoC <- sum(lam)^2 / (sum(lam)^2 + sum(1 - lam^2))
    rel[[j]] <- c(alpha, rhoA, rhoC, mean(lam^2))
  }
  Rx <- abs(cor(X))
  mono <- function(b) if (length(b) == 1) 1 else mean(Rx[b, b][upper.tri(diag(length(b)))])
  htmt <- matrix(NA, q, q, dimnames = list(lvs, lvs))
  for (i in 1:q) for (j in 1:q) if (i != j)
    htmt[i, j] <- mean(Rx[blocks[[i]], blocks[[j]]]) / sqrt(mono(blocks[[i]]) * mono(blocks[[j]]))
  list(iterations = it,
       paths = data.frame(from = paths[, 1], to = paths[, 2], estimate = B[paths]),
       weights = unname(unlist(w)), loadings = unname(unlist(load)), r2 = as.list(r2),
       total = unname(total), reliability = lapply(rel, function(v) setNames(as.list(v), c("alpha", "rhoA", "rhoC", "AVE"))),
       htmt = unname(htmt), indices = as.list(idx), scores_head = unname(Y[1:5, ]))
}

modesA <- setNames(as.list(rep("A", 7)), names(blocks))
modesB <- modesA; modesB$Value <- "B"; modesB$Image <- "B"
out <- list(
  path_A = pls_fit(dat, blocks, paths, modesA, "path"),
  factorial_B = pls_fit(dat, blocks, paths, modesB, "factorial"),
  centroid_A = pls_fit(dat, blocks, paths, modesA, "centroid")
)
out$R_version <- R.version.string
write_json(out, "tests/reference/pls_ecsi_R.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
cat("wrote tests/reference/pls_ecsi_R.json\n")
