# Times the R port of ge_gravity (its ge_gravity.R, path as the first argument) on the WIOD 2016 example
# as of 2000 with the published partial effect, additive and multiplicative, and checks it against the
# published run. Run by bench/ge.sh.
args <- commandArgs(trailingOnly = TRUE)
source(args[1])
d <- read.csv(gzfile(args[2]))
d <- d[order(d$exporter, d$importer, d$year), ]
new_pair <- d$eu_enlargement[d$year == 2014] - d$eu_enlargement[d$year == 2000]
d0 <- d[d$year == 2000, ]
d0$beta <- 0.2242490 * new_pair
pub <- read.csv(args[3])
for (mult in c(FALSE, TRUE)) {
  reps <- 5
  t <- system.time(for (k in 1:reps) r <- ge_gravity(d0$exporter, d0$importer, d0$value, d0$beta, theta = 4, mult = mult))
  w <- tapply(r$welfare, r$expcode, function(x) x[1])
  want <- if (mult) pub$w_mult else pub$w_eu
  cat(sprintf("R port ge_gravity (mult = %s): one solve %.4f s; largest welfare difference from the published run %.2e\n",
              mult, t[["elapsed"]] / reps, max(abs(w[as.character(pub$exporter)] - want))))
}
