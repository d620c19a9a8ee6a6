# Reference values for tests/test_reliability.py, test_dimensionality.py and test_validity.py.
# Run from the repository root:  Rscript tests/reference/reliability.R
# Data: tests/reference/reliability_items.csv (simulated by make_reliability_data.py).
# Output: tests/reference/reliability_reference.json
suppressPackageStartupMessages({
  library(psych)
  library(semTools)
  library(jsonlite)
})
x <- read.csv("tests/reference/reliability_items.csv")
xc <- na.omit(x)

alpha_ref <- function(d, use, label) {
  a <- psych::alpha(d, use = use, warnings = FALSE)
  n <- nrow(d)
  k <- ncol(d)
  ci95 <- alpha.ci(a$total$raw_alpha, n, k, p.val = 0.05)
  ci90 <- alpha.ci(a$total$raw_alpha, n, k, p.val = 0.10)
  list(
    call = sprintf(label, paste0("'", names(d), "'", collapse = ", ")),
    n = n,
    raw_alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    average_r = a$total$average_r,
    ase = a$total$ase,
    feldt95 = c(ci95$lower.ci, ci95$upper.ci),
    feldt90 = c(ci90$lower.ci, ci90$upper.ci),
    # psych prints raw_alpha -/+ 1.96 ase; we store the exact-quantile version too
    duhachek95_psych = a$total$raw_alpha + c(-1.96, 1.96) * a$total$ase,
    duhachek95 = a$total$raw_alpha + qnorm(c(0.025, 0.975)) * a$total$ase,
    items = names(d),
    alpha_drop = a$alpha.drop$raw_alpha,
    std_alpha_drop = a$alpha.drop$std.alpha,
    r_drop = a$item.stats$r.drop,
    mean = a$item.stats$mean,
    sd = a$item.stats$sd
  )
}

xr <- x
xr$c4 <- 8 - xr$c4  # reverse-keyed item, reversed for alpha
xrc <- na.omit(xr)
scales <- list(a = paste0("a", 1:4), b = paste0("b", 1:4), ab = c(paste0("a", 1:4), paste0("b", 1:4)),
               c = paste0("c", 1:4))
alpha_out <- list()
for (s in names(scales)) {
  alpha_out[[paste0(s, "_listwise")]] <- alpha_ref(na.omit(xr[, scales[[s]]]), "pairwise",
                                                   "psych::alpha(na.omit(x[, c(%s)]))")
  alpha_out[[paste0(s, "_pairwise")]] <- alpha_ref(xr[, scales[[s]]], "pairwise",
                                                   "psych::alpha(x[, c(%s)])  # use = 'pairwise'")
}
# psych::alpha on complete cases uses n = nrow(na.omit(.)); with use = "pairwise" on data with
# NAs it uses n = nrow(x) for Feldt and ase.

kmo_ref <- function(d, use) {
  r <- cor(d, use = use)
  k <- KMO(r)
  list(call = sprintf("psych::KMO(cor(x, use = '%s'))", use), msa = k$MSA, msai = unname(k$MSAi))
}
bart_ref <- function(d, use) {
  r <- cor(d, use = use)
  b <- cortest.bartlett(r, n = nrow(d))
  list(call = sprintf("psych::cortest.bartlett(cor(x, use = '%s'), n = nrow(x))", use),
       chisq = b$chisq, df = b$df, p = b$p.value, n = nrow(d))
}

set.seed(1)
pa_smc <- fa.parallel(xrc, fa = "both", SMC = TRUE, n.iter = 50, plot = FALSE)
set.seed(1)
pa_def <- fa.parallel(xrc, fa = "both", n.iter = 50, plot = FALSE)

model <- "A =~ a1 + a2 + a3 + a4
          B =~ b1 + b2 + b3 + b4
          C =~ c1 + c2 + c3 + c4"
htmt_ref <- function(d, htmt2, missing = "listwise") {
  h <- semTools::htmt(model, data = d, htmt2 = htmt2, missing = missing)
  unclass(h)[c("A", "B", "C"), c("A", "B", "C")]
}

out <- list(
  alpha = alpha_out,
  kmo = list(listwise = kmo_ref(xrc, "everything"), pairwise = kmo_ref(x, "pairwise")),
  bartlett = list(listwise = bart_ref(xrc, "everything"), pairwise = bart_ref(x, "pairwise")),
  parallel = list(
    call = "psych::fa.parallel(na.omit(x with c4 reversed), fa = 'both', SMC = TRUE, n.iter = 50)",
    pc_values = pa_smc$pc.values, fa_values_smc = pa_smc$fa.values,
    ncomp_smc = pa_smc$ncomp, nfact_smc = pa_smc$nfact,
    ncomp_default = pa_def$ncomp, nfact_default = pa_def$nfact
  ),
  htmt = list(
    call = "semTools::htmt(model, data = x, htmt2 = FALSE / TRUE) on raw x (c4 not reversed)",
    htmt = htmt_ref(x, FALSE), htmt2 = htmt_ref(x, TRUE),
    htmt_reversed = htmt_ref(xr, FALSE), htmt2_reversed = htmt_ref(xr, TRUE),
    htmt_pairwise = htmt_ref(x, FALSE, "pairwise"), htmt2_pairwise = htmt_ref(x, TRUE, "pairwise")
  ),
  versions = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                  semTools = as.character(packageVersion("semTools")),
                  lavaan = as.character(packageVersion("lavaan")))
)
write_json(out, "tests/reference/reliability_reference.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
           matrix = "rowmajor")
cat("wrote tests/reference/reliability_reference.json\n")
