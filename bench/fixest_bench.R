# fixest side of bench/estimate.sh: the same model on the same CSV, on NTHREADS threads; prints one
# JSON line. fixest is not shipped or built by detour: install it yourself (it is skipped when absent).
#
#   Rscript bench/fixest_bench.R PANEL.csv NTHREADS
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(fixest))
setFixest_nthreads(as.integer(args[2]))
t0 <- Sys.time()
d <- utils::read.csv(args[1], stringsAsFactors = FALSE)
t1 <- Sys.time()
fit <- fepois(trade ~ rta + ln_tariff | exporter^year + importer^year + exporter^importer,
              data = d, cluster = ~ exporter^importer)
t2 <- Sys.time()
ct <- coeftable(fit)
cat(sprintf(
  '{"load_seconds": %.4f, "fit_seconds": %.4f, "nobs": %d, "iterations": %d, "rta": %.10f, "rta_se": %.10f}\n',
  as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs"), nobs(fit),
  fit$iterations, ct["rta", 1], ct["rta", 2]))
