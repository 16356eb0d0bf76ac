#!/usr/bin/env bash
# Run one scenario as N shards on this machine, then merge them (README, "Scale-out: shards").
#
#   bash examples/gnu-parallel.sh                       # baseline, 8 shards, into results/
#   SHARDS=16 TRIALS=10000000 bash examples/gnu-parallel.sh
#
# The shards are independent processes, started by GNU parallel, or by `xargs -P` when GNU
# parallel is not installed (or when TREATYSIM_NO_PARALLEL=1). The merged files are byte for
# byte those of the unsharded `treatysim run "$SCENARIO"` with the same options.
#
# Settings, all from the environment:
#   TREATYSIM  the treatysim binary              (default: treatysim, from PATH)
#   SCENARIO   scenario name                     (default: baseline)
#   SCENARIOS  folder of the scenario files      (default: scenarios)
#   OUT        output folder                     (default: results)
#   SHARDS     N, the number of shards           (default: 8)
#   TRIALS     trials of the whole run           (default: the scenario's simulation.trials)
#   JOBS       shards running at once            (default: the number of cores)
#   THREADS    worker threads of each shard      (default: 1, so JOBS shards fill JOBS cores)
#   TREATYSIM_NO_PARALLEL=1  use xargs -P even when GNU parallel is installed
set -euo pipefail

TREATYSIM=${TREATYSIM:-treatysim}
SCENARIO=${SCENARIO:-baseline}
SCENARIOS=${SCENARIOS:-scenarios}
OUT=${OUT:-results}
SHARDS=${SHARDS:-8}
TRIALS=${TRIALS:-}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
THREADS=${THREADS:-1}

# Options every shard shares. All N shards must agree on the scenario (with any --set), the
# seed, the trials and the estimator; merge refuses shards that do not.
options=(--scenarios "$SCENARIOS" --out "$OUT" --threads "$THREADS")
if [[ -n "$TRIALS" ]]; then
    options+=(--trials "$TRIALS")
fi

# Shards of an earlier run with another N or other options would make merge refuse: start
# from an empty shards folder.
rm -rf -- "$OUT/$SCENARIO/shards"

# GNU parallel, not the `parallel` of moreutils, which takes other arguments.
if [[ "${TREATYSIM_NO_PARALLEL:-0}" != 1 ]] && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
    echo "running $SHARDS shards of $SCENARIO with GNU parallel ($JOBS at a time)" >&2
    # --quote passes each word as it is (paths with spaces survive); {} is the shard number K.
    # --halt now,fail=1 stops at the first failing shard.
    parallel --quote --jobs "$JOBS" --halt now,fail=1 \
        "$TREATYSIM" run "$SCENARIO" --shard "{}/$SHARDS" "${options[@]}" \
        ::: $(seq 1 "$SHARDS")
else
    echo "running $SHARDS shards of $SCENARIO with xargs -P ($JOBS at a time)" >&2
    # xargs runs the command directly (no shell), replacing {} by each line of seq's output,
    # and exits non-zero if any shard failed.
    seq 1 "$SHARDS" | xargs -P "$JOBS" -I{} \
        "$TREATYSIM" run "$SCENARIO" --shard "{}/$SHARDS" "${options[@]}"
fi

# Check the shards (complete, agreeing) and write summary.csv and timeline.csv, as
# `treatysim run "$SCENARIO"` would have.
"$TREATYSIM" merge "$SCENARIO" --out "$OUT"
