# lme4's fits of one shape, in a process of their own (run by bench_mixed.py); the R twin of
# mixed_peers.py: load (timed apart), warm-up fit on the first rows, then lmer alone timed
# with system.time(), best of `repeats` within `budget` seconds; peak memory from VmHWM,
# reset after loading. Prints one line `RESULT {json}`. lme4's check that there are more rows
# than random effects is turned off: with 2 rows per cluster and a random slope the counts are
# equal, yet the four covariance parameters are identified while x varies between clusters.
#
#   Rscript benchmarks/mixed_lme4.R CSV FORMULA GROUP REPEATS BUDGET WARMUP_ROWS [COLUMN=L1,L2 ...]
args <- commandArgs(trailingOnly = TRUE)
csv <- args[1]
form <- as.formula(args[2])
group <- args[3]
repeats <- as.integer(args[4])
budget <- as.numeric(args[5])
warmup_rows <- as.integer(args[6])
factor_specs <- args[-(1:6)]

status_kib <- function(key) {
  line <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(paste0(key, ":"), "", line)), " +")[[1]][1])
}

suppressMessages(library(lme4))
load_s <- system.time({
  d <- read.csv(csv)
  d[[group]] <- factor(d[[group]])
  for (s in factor_specs) {
    kv <- strsplit(s, "=", fixed = TRUE)[[1]]
    d[[kv[1]]] <- factor(d[[kv[1]]], levels = strsplit(kv[2], ",", fixed = TRUE)[[1]])
  }
})[["elapsed"]]
control <- lmerControl(check.nobs.vs.nRE = "ignore")
warmup <- droplevels(d[seq_len(min(warmup_rows, nrow(d))), ])
invisible(lmer(form, warmup, REML = TRUE, control = control))

load_peak <- status_kib("VmHWM")
rss_before <- status_kib("VmRSS")
reset <- tryCatch({
  cat("5", file = "/proc/self/clear_refs")
  TRUE
}, error = function(e) FALSE)

times <- c()
cpus <- c()
while (length(times) < repeats && sum(times) < budget) {
  tm <- system.time(f <- lmer(form, d, REML = TRUE, control = control))
  times <- c(times, tm[["elapsed"]])
  cpus <- c(cpus, tm[["user.self"]] + tm[["sys.self"]])
}
fit_peak <- status_kib("VmHWM")
best <- which.min(times)
messages <- f@optinfo$conv$lme4$messages
conv <- f@optinfo$conv$opt == 0 && length(messages) == 0
note <- gsub('"', "'", paste(messages, collapse = "; "))
cat(sprintf(
  paste0(
    'RESULT {"peer": "lme4", "load_s": %.6f, "fit_s": %.6f, "cpu_s": %.6f, "fits": %d, ',
    '"llf": %.10f, "converged": %s, "rss_before_fit_kib": %.0f, "peak_rss_kib": %.0f, ',
    '"fit_peak_rss_kib": %s, "version": "%s", "note": "%s"}\n'
  ),
  load_s, times[best], cpus[best], length(times), as.numeric(logLik(f)),
  if (conv) "true" else "false", rss_before, max(load_peak, fit_peak),
  if (reset) sprintf("%.0f", fit_peak) else "null", as.character(packageVersion("lme4")),
  note
))
