#!/usr/bin/env bash
# Runs every benchmark of the project: each bench/*.bench.ts, in name order, with the pinned
# Node 24. Helpers (servers, apps) live in bench/lib/ or under other names and are not run.
#
#   bash bench/run.sh                 # all benchmarks
#   bash bench/run.sh gateway         # only bench/gateway.bench.ts
#   DURATION=8s WARMUP=2s ROUNDS=3 CONNS=32 PICK=best bash bench/run.sh
#
# Needs wrk (installed with apt-get on first use when missing) and taskset. Never run by npm test.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$PATH"
cd "$ROOT"

shopt -s nullglob
if [[ $# -gt 0 ]]; then
  files=()
  for name in "$@"; do files+=("$HERE/$name.bench.ts"); done
else
  files=("$HERE"/*.bench.ts)
fi
[[ ${#files[@]} -gt 0 ]] || { echo "no bench/*.bench.ts found" >&2; exit 1; }

# What imports tsgi by its package name runs the compiled build (dist/): make it current.
npm run build --silent

status=0
for file in "${files[@]}"; do
  [[ -f "$file" ]] || { echo "no such benchmark: $file" >&2; status=1; continue; }
  echo "## $(basename "$file" .bench.ts)"
  node "$file" || status=1
done
exit $status
