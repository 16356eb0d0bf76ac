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
#
# EXTRA (e.g. "model3", default none): scenarios of bench/scenarios/ that only the last REV can
# read (model 3's keys); the last REV also runs each of them, interleaved with the versions'
# runs, and the table gives their trials/s and their ratio to the last REV's SCENARIO.
# MEMORY=1: also the peak resident memory (GNU time) of the last REV on SCENARIO and each EXTRA
# at TRIALS and at 10 x TRIALS, one thread: flat in --trials means the two are alike.
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
    # The runs read each revision's own scenarios, so its worktree is needed even when its
    # binary was kept from an earlier run (git worktree prune may have removed the folder).
    git -C "$root" worktree prune
    [ -d "$work/src-$sha" ] || git -C "$root" worktree add --detach "$work/src-$sha" "$sha" >/dev/null
    [ -x "$work/treatysim-$sha" ] && continue
    CARGO_TARGET_DIR="$work/target" cargo build --release --quiet --bin treatysim \
        --manifest-path "$work/src-$sha/Cargo.toml"
    cp "$work/target/release/treatysim" "$work/treatysim-$sha"
done
last=$(git -C "$root" rev-parse --short "${!#}")
extra=${EXTRA:-}
declare -A best
# Times one run of binary $1 on scenario $2 from folder $3 with $4 threads; keeps the best
# rate under key $5.
time_run() {
    local start end rate
    start=$(date +%s.%N)
    "$work/treatysim-$1" run "$2" --trials "$trials" --threads "$4" \
        --estimator "$estimator" --scenarios "$3" --out "$work/out-$1" 2>/dev/null
    end=$(date +%s.%N)
    rate=$(echo "$trials / ($end - $start)" | bc -l)
    if [ -z "${best[$5]:-}" ] || (( $(echo "$rate > ${best[$5]}" | bc -l) )); then
        best[$5]=$rate
    fi
}
for threads in 1 2; do
    for _ in $(seq "$reps"); do
        for rev in "$@"; do
            sha=$(git -C "$root" rev-parse --short "$rev")
            time_run "$sha" "$scenario" "${SCENARIO_DIR:-$work/src-$sha/scenarios}" "$threads" \
                "$sha-$threads"
        done
        for name in $extra; do
            time_run "$last" "$name" "$work/src-$last/bench/scenarios" "$threads" \
                "$name-$threads"
        done
    done
done
printf '%-10s %-10s %8s %14s %10s\n' version scenario threads trials/s ratio
for rev in "$@"; do
    sha=$(git -C "$root" rev-parse --short "$rev")
    for threads in 1 2; do
        ratio=$(echo "${best[$sha-$threads]} / ${best[$last-$threads]}" | bc -l)
        printf '%-10s %-10s %8s %14.0f %10.3f\n' "$sha" "$scenario" "$threads" \
            "${best[$sha-$threads]}" "$ratio"
    done
done
for name in $extra; do
    for threads in 1 2; do
        ratio=$(echo "${best[$name-$threads]} / ${best[$last-$threads]}" | bc -l)
        printf '%-10s %-10s %8s %14.0f %10.3f\n' "$last" "$name" "$threads" \
            "${best[$name-$threads]}" "$ratio"
    done
done
echo "(ratio: to $last on $scenario with as many threads)"
if [ "${MEMORY:-0}" = 1 ]; then
    printf '\n%-10s %-10s %12s %14s\n' version scenario trials "peak RSS KiB"
    for name in "$scenario" $extra; do
        dir="$work/src-$last/scenarios"
        [ "$name" = "$scenario" ] || dir="$work/src-$last/bench/scenarios"
        for n in "$trials" $((trials * 10)); do
            /usr/bin/time -f %M -o "$work/rss" "$work/treatysim-$last" run "$name" \
                --trials "$n" --threads 1 --estimator "$estimator" --scenarios "$dir" \
                --out "$work/out" >/dev/null 2>&1
            rss=$(tail -1 "$work/rss")
            printf '%-10s %-10s %12s %14s\n' "$last" "$name" "$n" "$rss"
        done
    done
fi
