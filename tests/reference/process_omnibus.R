# Reference values for ProcessResult.omnibus (joint tests of the highest-order interactions and the omnibus
# tests of a multicategorical X), from anova() of nested lm() fits and Wald tests with sandwich::vcovHC.
# Run from the repository root:  Rscript tests/reference/process_omnibus.R
# Data: tests/reference/process_data.csv. Output: tests/reference/process_omnibus_reference.json
library(jsonlite)
library(sandwich)
d <- read.csv("tests/reference/process_data.csv")
out <- list()
nested <- function(full, reduced) {
  a <- anova(reduced, full)
  list(F = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2], p = a[["Pr(>F)"]][2],
       r2_change = summary(full)$r.squared - summary(reduced)$r.squared)
}
wald_hc3 <- function(full, terms) {
  b <- coef(full)[terms]; V <- vcovHC(full, type = "HC3")[terms, terms, drop = FALSE]
  F <- as.numeric(t(b) %*% solve(V) %*% b) / length(terms)
  list(F = F, p = pf(F, length(terms), df.residual(full), lower.tail = FALSE))
}
# model 2: y ~ x + w + z + x:w + x:z; tests of x:w, x:z and both
f2 <- lm(y ~ x + w + z + x:w + x:z, data = d)
out$m2 <- list(xw = nested(f2, lm(y ~ x + w + z + x:z, data = d)),
               xz = nested(f2, lm(y ~ x + w + z + x:w, data = d)),
               both = nested(f2, lm(y ~ x + w + z, data = d)),
               both_hc3 = wald_hc3(f2, c("x:w", "x:z")))
# model 3: only the three-way term
f3 <- lm(y ~ x + w + z + x:w + x:z + w:z + x:w:z, data = d)
out$m3 <- list(xwz = nested(f3, lm(y ~ x + w + z + x:w + x:z + w:z, data = d)))
# model 76, outcome equation: m1 x w, m1 x z and both
f76 <- lm(y ~ x + m1 + w + z + x:w + x:z + m1:w + m1:z, data = d)
out$m76 <- list(mw = nested(f76, lm(y ~ x + m1 + w + z + x:w + x:z + m1:z, data = d)),
                both_m = nested(f76, lm(y ~ x + m1 + w + z + x:w + x:z, data = d)))
# model 4 with a multicategorical X (g: A, B, C; Helmert codes): omnibus direct and total effects
dd <- data.frame(d, D1 = ifelse(d$g == "A", -2/3, 1/3), D2 = ifelse(d$g == "A", 0, ifelse(d$g == "B", -1/2, 1/2)))
out$mcx <- list(direct = nested(lm(y ~ D1 + D2 + m1, data = dd), lm(y ~ m1, data = dd)),
                total = nested(lm(y ~ D1 + D2, data = dd), lm(y ~ 1, data = dd)))
# model 1 with a multicategorical W (wc: hi, lo, mid; indicator, reference hi): x x W on 2 df
de <- data.frame(d, W1 = as.numeric(d$wc == "lo"), W2 = as.numeric(d$wc == "mid"))
out$mcw <- list(xw = nested(lm(y ~ x + W1 + W2 + x:W1 + x:W2, data = de), lm(y ~ x + W1 + W2, data = de)))
write_json(out, "tests/reference/process_omnibus_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
