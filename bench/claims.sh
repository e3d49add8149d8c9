#!/usr/bin/env bash
# Claim checking on a long text: a SYNTHETIC 10 MB "article" (not a real page) made of real
# sentences repeated — the example article and, where ../shared/claims_dev is present, the real
# news sentences of the development corpus (read in place, written only under $WORK) — checked
# with `detour check` against the embedded store. Prints lines for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/detour-bench-claims}
SIZE=${BENCH_CLAIMS_BYTES:-10000000}
mkdir -p "$WORK"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/detour/target}
cargo build --quiet --profile bench-fast --bin detour
DETOUR="$CARGO_TARGET_DIR/bench-fast/detour"

python3 - "$WORK/article.txt" "$SIZE" <<'PY'
import json, os, sys
out, size = sys.argv[1], int(sys.argv[2])
parts = [open("examples/sanctions_backfire_article.txt", encoding="utf-8").read()]
corpus = "../shared/claims_dev/corpus.jsonl"
if os.path.exists(corpus):
    for line in open(corpus, encoding="utf-8"):
        d = json.loads(line)
        parts.append(d.get("sentence") or d.get("text") or "")
block = "\n\n".join(p.strip() for p in parts if p.strip()) + "\n\n"
n = max(1, size // len(block.encode("utf-8")))
with open(out, "w", encoding="utf-8") as f:
    f.write(block * n)
print(f"article: {os.path.getsize(out):,} bytes ({n} copies of a {len(block.encode('utf-8')):,}-byte block)")
PY

# Build the default store first, so that the timing is the check's alone.
"$DETOUR" sources >/dev/null
for round in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$WORK/check.time" \
    "$DETOUR" check "$WORK/article.txt" --date 2024-12-26 --format json >"$WORK/check.json"
  read -r secs kb <"$WORK/check.time"
  python3 - "$WORK/check.json" "$secs" "$kb" "$round" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"round {sys.argv[4]}: {len(d['claims']):,} claims checked in {float(sys.argv[2]):.2f} s wall, "
      f"peak memory {int(sys.argv[3]) / 1024:.0f} MiB; verdicts {d['summary']}")
PY
done
