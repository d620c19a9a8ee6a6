# Reference values for csl_stats.relative_importance and csl_stats.penalty_reward.
# Base R only: LMG from all-subsets lm() R2 (Lindeman, Merenda & Gold 1980),
# relative weights by Johnson's (2000) formula, penalty-reward dummies with lm().
# Run from the repository root: Rscript tests/reference/drivers.R
d <- na.omit(read.csv("tests/reference/drivers_data.csv"))
x <- c("dlv", "qlt", "srv", "val")
p <- length(x)

r2_of <- function(vars) {
  if (length(vars) == 0) return(0)
  summary(lm(reformulate(vars, "sat"), data = d))$r.squared
}
lmg <- sapply(x, function(j) {
  others <- setdiff(x, j)
  total <- 0
  for (k in 0:(p - 1)) {
    subsets <- if (k == 0) list(character(0)) else combn(others, k, simplify = FALSE)
    w <- factorial(k) * factorial(p - k - 1) / factorial(p)
    for (s in subsets) total <- total + w * (r2_of(c(s, j)) - r2_of(s))
  }
  total
})

R <- cor(d[, c("sat", x)])
Rxx <- R[x, x]; rxy <- R[x, "sat"]
e <- eigen(Rxx, symmetric = TRUE)
Lambda <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
beta <- solve(Lambda, rxy)
rw <- as.vector((Lambda^2) %*% (beta^2))
names(rw) <- x

# penalty-reward: low <= 3, high >= 6 on each attribute
pr <- d
for (a in x) { pr[[paste0(a, "_low")]] <- as.numeric(d[[a]] <= 3); pr[[paste0(a, "_high")]] <- as.numeric(d[[a]] >= 6) }
fit <- lm(reformulate(c(rbind(paste0(x, "_low"), paste0(x, "_high"))), "sat"), data = pr)
co <- summary(fit)$coefficients

fmt <- function(v) paste0("{", paste0('"', names(v), '": ', sprintf("%.17g", v), collapse = ", "), "}")
out <- c(
  "{",
  sprintf('  "n": %d,', nrow(d)),
  sprintf('  "r2": %.17g,', r2_of(x)),
  sprintf('  "lmg": %s,', fmt(lmg)),
  sprintf('  "relative_weights": %s,', fmt(rw)),
  sprintf('  "pr_estimate": %s,', fmt(co[, 1])),
  sprintf('  "pr_se": %s,', fmt(co[, 2])),
  sprintf('  "pr_r2": %.17g', summary(fit)$r.squared),
  "}"
)
writeLines(out, "tests/reference/drivers.json")
