#!/usr/bin/env bash
# The full coverage study of SPEC §11: how often the 95% intervals of both estimators cover the
# true probability, and the bias and coverage of `run --precision`.
#
#   bench/coverage.sh [OUT]        Markdown tables to OUT (default coverage.md) and stdout
#
# Runs the ignored test `grid` of tests/it/coverage.rs through the library (no processes): the
# exact coverage of the indicator's interval, then the coverage over COVERAGE_SEEDS seeds of
# twelve scenarios whose truth is known (closed forms, two-point laws, and three shipped-scenario
# variants whose truth a large conditional run measures) at 1,000, 4,096, 10,000 trials and over
# COVERAGE_BIG_SEEDS seeds at 100,000, then both pooling methods on two pools of closed forms (one
# member near 0; a moderate one) and compare on four pairs at 1,000, 4,096 and 10,000 trials over COVERAGE_SEEDS seeds,
# then --precision over PRECISION_SEEDS seeds against the old stopping rule. About 5·10⁹ trials: tens of minutes on two cores.
#
# Environment: COVERAGE_SEEDS (2000), COVERAGE_BIG_SEEDS (1000), PRECISION_SEEDS (2000),
# TRUTH_SEEDS (200) × TRUTH_TRIALS (1000000) for the measured truths, GRID_ONLY (any of
# exact,coverage,pool,compare,precision; default all; the remaining probability's coverage comes with
# coverage), CARGO_TARGET_DIR.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
out=$(realpath -m "${1:-coverage.md}")
cd "$root"
{
    echo "# Coverage study"
    echo
    echo "$(date -u +%Y-%m-%d), treatysim $(git rev-parse --short HEAD), $(rustc --version)"
    echo "on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') × $(nproc), $(uname -sr)."
    echo
} > "$out"
COVERAGE_OUT="$out" cargo test --release --test it coverage::grid -- --ignored --exact --nocapture \
    > /dev/null
echo "tables in $out" >&2
