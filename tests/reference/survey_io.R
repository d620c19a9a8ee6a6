# Reference for csl_stats.read_survey: R's foreign::read.spss on the SPSS file written by
# tests/reference/make_survey_sav.py (declared user-missing values and ranges, value labels,
# variable labels, a string variable).
# Run from the repository root: Rscript tests/reference/survey_io.R
suppressMessages(library(foreign))
d <- read.spss("tests/reference/survey_small.sav", to.data.frame = FALSE, use.value.labels = FALSE,
               use.missings = TRUE, trim.trailing = TRUE)
labs <- attr(d, "variable.labels")
vl <- attr(d, "label.table")
out <- list(
  foreign_version = as.character(packageVersion("foreign")),
  values = lapply(d, function(v) if (is.character(v)) { v <- trimws(v, "right"); ifelse(v == "", NA, v) } else as.numeric(v)),
  variable_labels = as.list(labs),
  value_labels = lapply(vl[!sapply(vl, is.null)], function(x) setNames(as.list(as.numeric(x)), names(x)))
)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, na = "null", digits = NA, pretty = TRUE),
           "tests/reference/survey_io.json")
