#!/bin/bash
# A Slurm job array: one scenario as N shards, one array task each, then a merge job that
# starts only when every shard has succeeded (README, "Scale-out: shards").
#
# Submit it from the folder that holds scenarios/ and results/ (on a file system that every
# node sees):
#
#   bash examples/slurm.sh          # submits the array, then the merge job that depends on it
#   sbatch examples/slurm.sh        # the array alone; merge yourself once it has finished
#
# Run as a plain script (outside a Slurm job) it submits itself as the array and the merge as
# a second job with --dependency=afterok on the array: the merge runs once all N tasks have
# exited 0, and not at all if one failed (resubmit that task, then merge by hand:
# `treatysim merge baseline --out results`). Inside the array each task runs its shard.
#
# N is the array size below (--array=1-N); each task learns K and N from Slurm. To change N,
# edit only that line. All tasks share the scenario, seed, trials and estimator; merge
# refuses shards that do not agree, or an incomplete set.
#
#SBATCH --job-name=treatysim-baseline
#SBATCH --array=1-16
#SBATCH --cpus-per-task=4
#SBATCH --mem=1G
#SBATCH --time=01:00:00
#SBATCH --output=treatysim-%A_%a.log

set -euo pipefail

# Settings (sbatch passes the submitting shell's environment to the jobs by default).
TREATYSIM=${TREATYSIM:-treatysim}   # the binary: on PATH, or give its path
SCENARIO=${SCENARIO:-baseline}
SCENARIOS=${SCENARIOS:-scenarios}
OUT=${OUT:-results}
TRIALS=${TRIALS:-}                  # empty: the scenario's simulation.trials

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    # Submitting. --parsable prints "jobid" or "jobid;cluster".
    jobid=$(sbatch --parsable "$0")
    jobid=${jobid%%;*}
    echo "submitted shard array $jobid" >&2
    # afterok on an array job waits for every one of its tasks to succeed.
    sbatch --parsable --dependency=afterok:"$jobid" --job-name="treatysim-merge" \
        --output="treatysim-merge-%j.log" \
        --wrap "$(printf '%q ' "$TREATYSIM" merge "$SCENARIO" --out "$OUT")"
    exit 0
fi

# One array task: shard K of N, K = SLURM_ARRAY_TASK_ID (1..N), N = SLURM_ARRAY_TASK_COUNT;
# with the defaults, treatysim run baseline --shard K/N --out results.
options=(--scenarios "$SCENARIOS" --out "$OUT" --threads "${SLURM_CPUS_PER_TASK:-1}")
if [[ -n "$TRIALS" ]]; then
    options+=(--trials "$TRIALS")
fi
"$TREATYSIM" run "$SCENARIO" --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" "${options[@]}"
