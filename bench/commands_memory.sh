#!/usr/bin/env bash
# Peak resident memory (/usr/bin/time's maximum RSS) of every command at two trial counts
# (issue #19 items 2 and 4; SPEC §10: memory does not grow with --trials), on the shipped
# baseline:
# - the commands that simulate, at each count: run, run --shard 1/2 then 2/2 and merge, pool
#   (3 members), compare, sweep (3 points), sensitivity, explain;
# - the commands that read what a run wrote, after the run of each count: plot, score (the
#   baseline has a [resolution]);
# - the commands without trials, once: check, show, list, new.
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
catalog=(--scenarios "$root/scenarios" --scenarios "$work/scenarios")

# peak ARGS...: runs the binary with ARGS (from $work), prints its peak RSS in MiB.
peak() {
    (cd "$work" && /usr/bin/time -o "$work/time" -f "%M" "$bin" "$@" >/dev/null 2>"$work/err") || {
        echo "failed: treatysim $*" >&2
        cat "$work/err" >&2
        exit 1
    }
    echo "$(($(cat "$work/time") / 1024)) MiB"
}

simulating=(
    "run baseline"
    "pool pooled baseline baseline_b baseline_c"
    "compare baseline baseline_b"
    "sweep baseline --param process.signing_threshold=0.3,0.35,0.4"
    "sensitivity baseline"
    "explain baseline"
)
declare -A cell
for n in $counts; do
    out="$work/out$n"
    common=("${catalog[@]}" --threads "$threads" --out "$out" --trials "$n")
    for c in "${simulating[@]}"; do
        # shellcheck disable=SC2086
        cell["$c|$n"]=$(peak $c "${common[@]}")
    done
    # Two shards of the run, then their merge (into a fresh folder: merge reads the shards).
    shards="$work/shards$n"
    cell["run baseline --shard 1/2|$n"]=$(peak run baseline --shard 1/2 "${catalog[@]}" \
        --threads "$threads" --out "$shards" --trials "$n")
    peak run baseline --shard 2/2 "${catalog[@]}" --threads "$threads" --out "$shards" \
        --trials "$n" >/dev/null
    cell["merge baseline|$n"]=$(peak merge baseline --out "$shards")
    # What reads the run's outputs: the run above (the baseline, n trials) is in $out.
    cell["plot baseline|$n"]=$(peak plot baseline --out "$out")
    cell["score baseline|$n"]=$(peak score baseline "${catalog[@]}" --out "$out")
done
rows=("${simulating[@]}" "run baseline --shard 1/2" "merge baseline" "plot baseline"
    "score baseline")
printf '| command | %s |\n|---|%s\n' "$(echo "$counts" | sed 's/ / trials | /g') trials" \
    "$(for _ in $counts; do printf -- '---|'; done)"
for c in "${rows[@]}"; do
    row="| \`$c\` |"
    for n in $counts; do row+=" ${cell["$c|$n"]} |"; done
    echo "$row"
done
# Without trials: one figure, in the first column.
dash=$(for _ in $counts; do printf ' — |'; done | sed 's/^ — |//')
echo "| \`check\` (every shipped scenario) | $(peak check "${catalog[@]}") |$dash"
echo "| \`show baseline\` | $(peak show baseline "${catalog[@]}") |$dash"
echo "| \`list\` | $(peak list "${catalog[@]}") |$dash"
mkdir -p "$work/new"
echo "| \`new fresh\` | $(peak new fresh --signatories a,b --scenarios "$work/new") |$dash"
