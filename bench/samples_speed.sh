#!/usr/bin/env bash
# Time of `treatysim run baseline --samples` writing samples.csv against samples.parquet
# (issue #12 item 8), measured in the same session, the two formats interleaved so that any
# drift in machine load hits them alike; also the time without samples, and each file's size.
# Wall clock and CPU time (user + system, every thread): on a shared machine the wall clock
# includes waiting for a core, CPU time does not.
#
#   bench/samples_speed.sh            # release binary of this checkout (built if missing)
#
# Environment: TRIALS (default 1000000), REPS (5), THREADS (all cores), ESTIMATOR
# (conditional), TREATYSIM (the binary; default $CARGO_TARGET_DIR or target/release),
# WORK (a temporary folder, removed at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
trials=${TRIALS:-1000000}
reps=${REPS:-5}
estimator=${ESTIMATOR:-conditional}
threads=${THREADS:-$(nproc)}
bin=${TREATYSIM:-${CARGO_TARGET_DIR:-$root/target}/release/treatysim}
if [ ! -x "$bin" ]; then
    cargo build --release --quiet --bin treatysim --manifest-path "$root/Cargo.toml"
fi
work=${WORK:-$(mktemp -d)}
trap 'rm -rf "$work"' EXIT

declare -A times cpu
run() { # run LABEL ARGS...: appends the wall and CPU (user + system) seconds to times/cpu[LABEL]
    local label=$1
    shift
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$bin" run baseline --trials "$trials" \
        --threads "$threads" --estimator "$estimator" --scenarios "$root/scenarios" \
        --out "$work/$label" "$@" 2>/dev/null
    read -r wall user system <"$work/time"
    times[$label]+="$wall "
    cpu[$label]+="$(echo "$user + $system" | bc -l) "
}
for _ in $(seq "$reps"); do
    run none
    run csv --samples
    run parquet --samples-format parquet
done

sorted() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{printf "%.2f ", $1}'; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "treatysim run baseline --trials $trials --threads $threads --estimator $estimator, $reps runs each, interleaved"
echo
echo "| samples | wall seconds (sorted) | median | CPU seconds (sorted) | median | file size |"
echo "|---|---|---|---|---|---|"
for label in none csv parquet; do
    case $label in
    none) file="" ;;
    csv) file="$work/csv/baseline/samples.csv" ;;
    parquet) file="$work/parquet/baseline/samples.parquet" ;;
    esac
    size="—"
    if [ -n "$file" ]; then
        size=$(stat -L -c %s "$file" | awk '{printf "%.1f MB (%.1f bytes a trial)", $1 / 1e6, $1 / '"$trials"'}')
    fi
    printf '| %s | %s| %.2f s | %s| %.2f s | %s |\n' "$label" "$(sorted "${times[$label]}")" \
        "$(median "${times[$label]}")" "$(sorted "${cpu[$label]}")" "$(median "${cpu[$label]}")" "$size"
done
echo
ratio() { # ratio KIND: csv's median over parquet's, whole runs and above the run without samples
    local -n t=$1
    local c p n
    c=$(median "${t[csv]}")
    p=$(median "${t[parquet]}")
    n=$(median "${t[none]}")
    printf '%s: parquet %.1fx faster than csv (medians); the samples alone (above the run without): %.1fx\n' \
        "$1" "$(echo "$c / $p" | bc -l)" "$(echo "($c - $n) / ($p - $n)" | bc -l)"
}
ratio times
ratio cpu
