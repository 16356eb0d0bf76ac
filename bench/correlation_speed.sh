#!/usr/bin/env bash
# Trials per second of correlated scenarios against the same scenarios without their
# correlations (SPEC §10: at least 70%), issue #19 item 1: the baseline plus
# "party.japan.will ~ party.russia.will" = 0.3, and examples/scenarios/israel_saudi_normalisation
# with and without its [correlations] table. The four runs are interleaved, REPS times, so that
# drift in the machine's load hits them alike; each figure is the median CPU time (user +
# system; on a shared machine the wall clock includes waiting for a core).
#
#   bench/correlation_speed.sh                 # release binary of this checkout
#   TREATYSIM=/path/to/old/treatysim bench/correlation_speed.sh   # another binary
#
# Environment: TRIALS (default 2000000), REPS (5), THREADS (1), TREATYSIM (the binary),
# WORK (a temporary folder, removed at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
trials=${TRIALS:-2000000}
reps=${REPS:-5}
threads=${THREADS:-1}
bin=${TREATYSIM:-${CARGO_TARGET_DIR:-$root/target}/release/treatysim}
if [ ! -x "$bin" ]; then
    cargo build --release --quiet --bin treatysim --manifest-path "$root/Cargo.toml"
fi
work=${WORK:-$(mktemp -d)}
trap 'rm -rf "$work"' EXIT

# The example without its [correlations] table (everything from that header to the next one).
mkdir -p "$work/plain"
awk '/^\[correlations\]/{skip=1; next} /^\[/{skip=0} !skip' \
    "$root/examples/scenarios/israel_saudi_normalisation.toml" \
    >"$work/plain/israel_saudi_normalisation.toml"
grep -q '^\[correlations\]' "$work/plain/israel_saudi_normalisation.toml" && exit 1

declare -A cpu
run() { # run LABEL ARGS...: appends the CPU seconds to cpu[LABEL]
    local label=$1
    shift
    /usr/bin/time -o "$work/time" -f "%U %S" "$bin" run "$@" --trials "$trials" \
        --threads "$threads" --out "$work/out-$label" >/dev/null 2>&1
    read -r user system <"$work/time"
    cpu[$label]+="$(echo "$user + $system" | bc -l) "
}
pair='correlations.party.japan.will ~ party.russia.will=0.3'
for _ in $(seq "$reps"); do
    run baseline baseline --scenarios "$root/scenarios"
    run baseline_correlated baseline --scenarios "$root/scenarios" --set "$pair"
    run israel_saudi_plain "$work/plain/israel_saudi_normalisation.toml"
    run israel_saudi "$root/examples/scenarios/israel_saudi_normalisation.toml"
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-22s %10s %14s %8s\n' scenario "cpu s" "M trials/s" ratio
for label in baseline baseline_correlated israel_saudi_plain israel_saudi; do
    m=$(echo "${cpu[$label]}" | median)
    rate=$(echo "$trials / $m / 1000000" | bc -l)
    case $label in
    baseline_correlated) base=$(echo "${cpu[baseline]}" | median) ;;
    israel_saudi) base=$(echo "${cpu[israel_saudi_plain]}" | median) ;;
    *) base=$m ;;
    esac
    printf '%-22s %10.3f %14.3f %7.0f%%\n' "$label" "$m" "$rate" "$(echo "100 * $base / $m" | bc -l)"
done
