# Single-item construct of an ordered item (exogenous, std.lv convention) with WLSMV, pairwise.
# Data: csl_stats.load_supply_chain_survey()[["sat1", "sat2", "sat3", "trs1"]].to_csv("sv.csv", index=False).
# Used by tests/test_wlsmv.py::test_wlsmv_single_ordered_item_construct.
suppressMessages(library(lavaan))
d <- read.csv("sv.csv")
f <- sem("sat =~ NA*sat1 + sat2 + sat3\nsat ~~ 1*sat\none =~ 1*trs1\none ~~ 1*one\nsat ~ one", d,
         ordered = TRUE, estimator = "WLSMV", missing = "pairwise")
pe <- parameterEstimates(f, standardized = TRUE)
r <- pe[pe$op == "~", ]
cat(sprintf("est %.8f se %.8f std.all %.8f\n", r$est, r$se, r$std.all))
cat(sprintf("chisq.scaled %.8f df %d\n", fitMeasures(f, "chisq.scaled"), as.integer(fitMeasures(f, "df.scaled"))))
