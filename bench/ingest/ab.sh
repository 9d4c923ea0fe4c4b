#!/usr/bin/env bash
# Side-by-side worker CPU per report request for several checkouts (BENCHMARKS.md, issue 9).
#   bench/ingest/ab.sh OUT.log "100 1" ROUNDS CHECKOUT_A CHECKOUT_B ...
# For each round, batch size and checkout in turn (alternating), runs the checkout's own
# bench/ingest/where_time_goes.py with this checkout's Python environment and appends one line
# with the 1-minute load average before and after the run.
set -euo pipefail
out=$1 batches=$2 rounds=$3
shift 3
python="$(cd "$(dirname "$0")/../.." && pwd)/.venv/bin/python"
for round in $(seq 1 "$rounds"); do
  for batch in $batches; do
    for checkout in "$@"; do
      before=$(cut -d' ' -f1 /proc/loadavg)
      result=$(cd "$checkout" && "$python" bench/ingest/where_time_goes.py --batch "$batch" \
        --requests 300 --no-profile 2>&1 | grep "CPU per request")
      after=$(cut -d' ' -f1 /proc/loadavg)
      echo "round=$round batch=$batch checkout=$checkout load=$before->$after :: $result" >>"$out"
    done
  done
done
