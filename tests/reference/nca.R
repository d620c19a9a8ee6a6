# Reference values for tests/test_nca.py: the NCA R package (Dul; GPL-3), version 5.0.1.
# NCA is not installable here (no CRAN); its R code is sourced from a source tree of the package
# (e.g. an unpacked CRAN tarball or the cran/NCA GitHub mirror), passed as the first argument.
# Run from the repository root:  Rscript tests/reference/nca.R /path/to/NCA
# Input:  tests/reference/nca_data.csv (made by make_nca_data.py)
# Output: tests/reference/nca.json
suppressPackageStartupMessages({
  library(gplots); library(quantreg); library(lpSolve); library(ggplot2); library(foreach)
  library(doParallel); library(iterators); library(DBI); library(RSQLite); library(truncnorm)
  library(jsonlite)
})
src <- commandArgs(trailingOnly = TRUE)[1]
for (f in list.files(file.path(src, "R"), full.names = TRUE)) if (!grepl("plotly", f)) source(f)
d <- read.csv("tests/reference/nca_data.csv", check.names = FALSE)
set.seed(20261129)

one <- function(x, y, rep) {
  m <- nca_analysis(d, x, y, ceilings = c("ce_fdh", "cr_fdh"), bottleneck.x = "actual",
                    bottleneck.y = "percentage.range", test.rep = rep)
  mp <- nca_analysis(d, x, y, ceilings = c("ce_fdh", "cr_fdh"), bottleneck.x = "percentage.range",
                     bottleneck.y = "percentage.range")
  out <- list(call = sprintf("nca_analysis(d, c(%s), \"%s\", ceilings = c(\"ce_fdh\", \"cr_fdh\"), test.rep = %d)",
                             paste0("\"", x, "\"", collapse = ", "), y, rep))
  for (xi in x) {
    s <- m$summaries[[xi]]
    par <- s$params
    g <- s$global
    res <- list(scope = g["Scope", 1], xmin = g["Xmin", 1], xmax = g["Xmax", 1], ymin = g["Ymin", 1],
                ymax = g["Ymax", 1])
    for (ce in c("ce_fdh", "cr_fdh")) {
      res[[ce]] <- list(ceiling_zone = unlist(par["Ceiling zone", ce]), effect_size = unlist(par["Effect size", ce]),
                        slope = unlist(par["Slope", ce]), intercept = unlist(par["Intercept", ce]),
                        accuracy = unlist(par["Ceiling accuracy", ce]), p_value = unlist(par["p-value", ce]),
                        bottleneck_actual = as.character(m$bottlenecks[[ce]][[xi]]),
                        bottleneck_percent = as.character(mp$bottlenecks[[ce]][[xi]]))
    }
    out[[xi]] <- res
  }
  out
}
ref <- list(version = as.character(read.dcf(file.path(src, "DESCRIPTION"))[, "Version"]),
            cont = one(c("x_cont", "x_noise"), "y_cont", 1000),
            lik = one("x_lik", "y_lik", 1000))
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/nca.json")
