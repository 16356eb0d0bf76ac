#!/usr/bin/env bash
# Peak resident memory (/usr/bin/time's maximum RSS) of every command at two trial counts
# (issue #19 item 4; SPEC §10: memory does not grow with --trials): run, pool (3 members),
# compare, sweep (3 points), sensitivity, and explain when the binary has it, on the shipped
# baseline.
#
#   bench/commands_memory.sh                   # 1e5 and 1e7 trials, 2 threads
#
# Environment: COUNTS ("100000 10000000"), THREADS (2), TREATYSIM (the binary), WORK (a
# temporary folder, removed at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
counts=${COUNTS:-100000 10000000}
threads=${THREADS:-2}
bin=${TREATYSIM:-${CARGO_TARGET_DIR:-$root/target}/release/treatysim}
if [ ! -x "$bin" ]; then
    cargo build --release --quiet --bin treatysim --manifest-path "$root/Cargo.toml"
fi
work=${WORK:-$(mktemp -d)}
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/scenarios"
for m in b c; do echo 'extends = "baseline"' >"$work/scenarios/baseline_$m.toml"; done
common=(--scenarios "$root/scenarios" --scenarios "$work/scenarios" --threads "$threads" --out "$work/out")
commands=(
    "run baseline"
    "pool pooled baseline baseline_b baseline_c"
    "compare baseline baseline_b"
    "sweep baseline --param process.signing_threshold=0.3,0.35,0.4"
    "sensitivity baseline"
)
if "$bin" explain --help >/dev/null 2>&1; then commands+=("explain baseline"); fi
printf '| command | %s |\n|---|%s\n' "$(echo "$counts" | sed 's/ / trials | /g') trials" \
    "$(for _ in $counts; do printf -- '---|'; done)"
for c in "${commands[@]}"; do
    row="| \`$c\` |"
    for n in $counts; do
        # shellcheck disable=SC2086
        /usr/bin/time -o "$work/time" -f "%M" "$bin" $c --trials "$n" "${common[@]}" >/dev/null 2>&1
        row+=" $(echo "$(cat "$work/time") / 1024" | bc) MiB |"
    done
    echo "$row"
done
