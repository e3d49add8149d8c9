#!/usr/bin/env python3
"""A SYNTHETIC square world for GE benchmarks (not real data): N countries on a plane, flows from a gravity
mean with distance, contiguity and a border effect, domestic flows included. Columns as in the book's
chapter-2 data: exporter, importer, trade, ln_DIST, CNTG, INTL_BRDR.

    python3 bench/gen_world.py N SEED OUT.csv"""
import math
import random
import sys

n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
size = [math.exp(rng.gauss(0, 1.5)) for _ in range(n)]
pos = [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(n)]
with open(out, "w") as f:
    f.write("exporter,importer,trade,ln_DIST,CNTG,INTL_BRDR\n")
    for i in range(n):
        for j in range(n):
            d = 0.5 if i == j else math.dist(pos[i], pos[j]) + 1.0
            cntg = 1 if i != j and d < 8 else 0
            brdr = 0 if i == j else 1
            mean = size[i] * size[j] * math.exp(-0.8 * math.log(d) + 0.6 * cntg - 2.5 * brdr) * 1000
            trade = mean * math.exp(rng.gauss(0, 0.3))
            f.write(f"C{i:03d},C{j:03d},{trade:.6f},{math.log(d):.6f},{cntg},{brdr}\n")
