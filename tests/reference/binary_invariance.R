# Ordinal measurement invariance with BINARY items (WLSMV, Wu & Estabrook 2016 identification), lavaan 0.6 +
# semTools. Data: binary_invariance_data.csv (6 simulated 0/1 items of two correlated factors, n = 400, groups
# A/B alternating rows). Used by tests/test_wlsmv.py::test_wlsmv_invariance_binary_items_against_R.
# Run from tests/reference: Rscript binary_invariance.R > binary_invariance.txt
suppressMessages({library(lavaan); library(semTools)})
d <- read.csv("binary_invariance_data.csv")
m <- "F1 =~ x1 + x2 + x3\nF2 =~ x4 + x5 + x6"
levels <- list(configural = "", thresholds = "thresholds", loadings = c("thresholds", "loadings"),
               intercepts = c("thresholds", "loadings", "intercepts"))
fits <- list()
for (lv in names(levels)) {
  s <- measEq.syntax(m, data = d, ordered = paste0("x", 1:6), parameterization = "delta", ID.fac = "std.lv",
                     ID.cat = "Wu.Estabrook.2016", group = "g", group.equal = levels[[lv]])
  f <- cfa(as.character(s), d, group = "g", ordered = paste0("x", 1:6), estimator = "WLSMV",
           parameterization = "delta")
  fits[[lv]] <- f
  fm <- fitMeasures(f, c("chisq", "df", "chisq.scaled", "cfi.scaled", "srmr"))
  cat(sprintf("%s chisq %.8f df %d chisq.scaled %.8f cfi.scaled %.8f srmr %.8f\n", lv, fm[1], as.integer(fm[2]),
              fm[3], fm[4], fm[5]))
}
lrt <- lavTestLRT(fits$loadings, fits$thresholds)
cat(sprintf("loadings-vs-thresholds chisq.diff %.8f df %d p %.8f\n", lrt[2, "Chisq diff"], as.integer(lrt[2, "Df diff"]),
            lrt[2, "Pr(>Chisq)"]))
