#!/usr/bin/env bash
# Throughput of several versions of treatysim, measured in the same run.
#
#   bench/versions.sh REV [REV...]      e.g. bench/versions.sh f9beb41 HEAD
#
# Builds each git revision into its own binary (a detached worktree per revision, one shared
# target folder), then times `treatysim run baseline` on the shipped scenarios, interleaving the
# versions so that any drift in machine load hits them alike, and prints the best of REPS runs
# as trials per second for 1 and 2 threads. Each revision runs the scenario from its own
# scenarios/ folder (0.1 reads format 1, 0.2 format 2), unless SCENARIO_DIR names one folder for
# all. Environment: TRIALS (default 2000000), REPS (5), WORK (/tmp/treatysim-versions),
# ESTIMATOR (conditional), SCENARIO (baseline), SCENARIO_DIR (each revision's scenarios/).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 REV [REV...]" >&2; exit 2; }
root=$(git rev-parse --show-toplevel)
work=${WORK:-/tmp/treatysim-versions}
trials=${TRIALS:-2000000}
reps=${REPS:-5}
estimator=${ESTIMATOR:-conditional}
scenario=${SCENARIO:-baseline}
mkdir -p "$work"
for rev in "$@"; do
    sha=$(git -C "$root" rev-parse --short "$rev")
    [ -x "$work/treatysim-$sha" ] && continue
    [ -d "$work/src-$sha" ] || git -C "$root" worktree add --detach "$work/src-$sha" "$sha" >/dev/null
    CARGO_TARGET_DIR="$work/target" cargo build --release --quiet --bin treatysim \
        --manifest-path "$work/src-$sha/Cargo.toml"
    cp "$work/target/release/treatysim" "$work/treatysim-$sha"
done
declare -A best
for threads in 1 2; do
    for _ in $(seq "$reps"); do
        for rev in "$@"; do
            sha=$(git -C "$root" rev-parse --short "$rev")
            start=$(date +%s.%N)
            "$work/treatysim-$sha" run "$scenario" --trials "$trials" --threads "$threads" \
                --estimator "$estimator" --scenarios "${SCENARIO_DIR:-$work/src-$sha/scenarios}" \
                --out "$work/out" 2>/dev/null
            end=$(date +%s.%N)
            rate=$(echo "$trials / ($end - $start)" | bc -l)
            key="$sha-$threads"
            if [ -z "${best[$key]:-}" ] || (( $(echo "$rate > ${best[$key]}" | bc -l) )); then
                best[$key]=$rate
            fi
        done
    done
done
printf '%-10s %8s %14s\n' version threads trials/s
for rev in "$@"; do
    sha=$(git -C "$root" rev-parse --short "$rev")
    for threads in 1 2; do
        printf '%-10s %8s %14.0f\n' "$sha" "$threads" "${best[$sha-$threads]}"
    done
done
