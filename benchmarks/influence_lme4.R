# lme4's influence(fit, groups = GROUP) on one CSV, timed (run by bench_influence.py): the
# REML fit first (not timed), then influence() alone with system.time(). Prints one line
# `RESULT {json}`.
#
#   Rscript benchmarks/influence_lme4.R CSV FORMULA GROUP
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(lme4))
d <- read.csv(args[1])
d[[args[3]]] <- factor(d[[args[3]]])
fit <- lmer(as.formula(args[2]), d, REML = TRUE)
elapsed <- system.time(inf <- influence(fit, groups = args[3], data = d))[["elapsed"]]
cat(sprintf(
  "RESULT {\"seconds\": %.6g, \"clusters\": %d, \"lme4\": \"%s\"}\n",
  elapsed, nlevels(d[[args[3]]]), as.character(packageVersion("lme4"))
))
