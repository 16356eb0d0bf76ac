#!/usr/bin/env python3
"""Sensitivity's model evaluations per second against `run`'s, and its memory against --trials
(SPEC §10: at least 40% of run's evaluations per second, memory flat in --trials).

A sensitivity study evaluates the model 2 + k + 1 times a trial for k uncertain parameters
(A, B, A with B's month-loop stream, and A with each parameter from B); `run` once. Both are
timed as whole processes (start-up, sensitivity's pilot, writing the files included), runs of
the two interleaved so that changes in the machine's load hit both alike; the best of
--repeats is kept. Memory is the peak resident set size of `sensitivity` at each trial count.

    python3 bench/sensitivity_speed.py [--treatysim target/release/treatysim] [--threads 2]
        [--run-trials 2e7] [--trials 2e6] [--memory 1e6,1e7] [--repeats 3] [--scenario baseline]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--treatysim", default=str(ROOT / "target/release/treatysim"))
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--run-trials", default="2e7")
    ap.add_argument("--trials", default="2e6")
    ap.add_argument("--memory", default="1e6,1e7")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--estimator", default="conditional")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        common = ["--scenarios", str(ROOT / "scenarios"), "--scenarios", str(ROOT / "bench/scenarios"),
                  "--threads", args.threads, "--estimator", args.estimator, "--out", out]
        run = [args.treatysim, "run", args.scenario, "--trials", args.run_trials] + common
        sens = [args.treatysim, "sensitivity", args.scenario, "--trials", args.trials] + common
        best_run = best_sens = float("inf")
        for _ in range(args.repeats):
            best_run = min(best_run, timed(run)[0])
            best_sens = min(best_sens, timed(sens)[0])
        with open(Path(out, args.scenario, "sensitivity.csv")) as f:
            rows = list(csv.DictReader(f))
        k = len(rows) - 1
        per_trial = 2 + k + 1
        run_rate = float(args.run_trials) / best_run
        sens_rate = float(args.trials) * per_trial / best_sens
        print(f"{args.scenario}, {args.estimator}, --threads {args.threads}, best of {args.repeats}:")
        print(f"  run         {float(args.run_trials):.0e} trials  {best_run:6.2f} s  "
              f"{run_rate / 1e6:6.2f} M evaluations/s")
        print(f"  sensitivity {float(args.trials):.0e} trials  {best_sens:6.2f} s  "
              f"{sens_rate / 1e6:6.2f} M evaluations/s ({per_trial} a trial, k = {k}; "
              f"{float(args.trials) / best_sens / 1e6:.2f} M trials/s)")
        print(f"  ratio {sens_rate / run_rate:.0%} of run's evaluations per second (target 40%)")
        for trials in args.memory.split(","):
            cmd = [args.treatysim, "sensitivity", args.scenario, "--trials", trials] + common
            wall, rss = timed(cmd)
            print(f"  memory: sensitivity --trials {float(trials):.0e}: peak RSS {rss:6.1f} MiB "
                  f"({wall:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
