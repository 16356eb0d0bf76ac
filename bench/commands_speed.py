#!/usr/bin/env python3
"""Every command's model evaluations per second against `run`'s trials per second, measured in
one session, with and without correlations (issue #19 item 2: a command below 50% of `run`'s
rate per model evaluation is fixed or explained).

Model evaluations of each command: `run` one a trial; `pool` one per member a trial (3
members); `compare` two a trial; `sweep` one per point a trial (3 points); `sensitivity`
2 + k + 1 a trial for k uncertain parameters (as bench/sensitivity_speed.py); `explain` one a
trial (skipped, with a note, when the binary has no `explain`). The variants are the shipped
baseline and the baseline plus "party.japan.will ~ party.russia.will" = 0.3. Each command is
timed as a whole process by its CPU time (user + system: on a shared machine the wall clock
includes waiting for a core), the commands interleaved so that changes in the machine's load
hit them alike; the best of --repeats is kept.

    python3 bench/commands_speed.py [--treatysim target/release/treatysim] [--threads 1]
        [--trials 1e6] [--sensitivity-trials 1e5] [--repeats 3]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIR = '"party.japan.will ~ party.russia.will" = 0.3'


def cpu_seconds(cmd):
    """Runs cmd; returns its CPU seconds (user + system, every thread)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--treatysim", default=str(ROOT / "target/release/treatysim"))
    ap.add_argument("--threads", default="1")
    ap.add_argument("--trials", type=float, default=1e6)
    ap.add_argument("--sensitivity-trials", type=float, default=1e5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    bin_ = args.treatysim
    trials, sens_trials = str(int(args.trials)), str(int(args.sensitivity_trials))
    has_explain = subprocess.run([bin_, "explain", "--help"], capture_output=True).returncode == 0
    with tempfile.TemporaryDirectory() as work:
        scen = Path(work, "scenarios")
        scen.mkdir()
        variants = {"plain": "baseline", "correlated": "baseline_correlated"}
        Path(scen, "baseline_correlated.toml").write_text(
            f'extends = "baseline"\n\n[correlations]\n{PAIR}\n')
        for name in variants.values():
            for m in ("b", "c"):
                # Pool and compare members: the same scenario under other names.
                Path(scen, f"{name}_{m}.toml").write_text(f'extends = "{name}"\n')
        out = str(Path(work, "out"))
        common = ["--scenarios", str(ROOT / "scenarios"), "--scenarios", str(scen),
                  "--threads", args.threads, "--out", out]
        commands = {}
        for variant, name in variants.items():
            commands[(variant, "run")] = (
                ["run", name, "--trials", trials], int(trials))
            commands[(variant, "pool (per member)")] = (
                ["pool", f"pool_{variant}", name, f"{name}_b", f"{name}_c", "--trials", trials],
                3 * int(trials))
            commands[(variant, "compare")] = (
                ["compare", name, f"{name}_b", "--trials", trials], 2 * int(trials))
            commands[(variant, "sweep (per point)")] = (
                ["sweep", name, "--param", "process.signing_threshold=0.3,0.35,0.4",
                 "--trials", trials], 3 * int(trials))
            commands[(variant, "sensitivity")] = (
                ["sensitivity", name, "--trials", sens_trials], None)
            if has_explain:
                commands[(variant, "explain")] = (
                    ["explain", name, "--trials", trials], int(trials))
        best = {key: float("inf") for key in commands}
        for _ in range(args.repeats):
            for key, (cmd, _) in commands.items():
                best[key] = min(best[key], cpu_seconds([bin_] + cmd + common))
        rows = []
        for variant, name in variants.items():
            with open(Path(out, name, "sensitivity.csv")) as f:
                k = len(list(csv.DictReader(f))) - 1
            evals = {key: n for key, (_, n) in commands.items()}
            evals[(variant, "sensitivity")] = int(sens_trials) * (2 + k + 1)
            run_rate = evals[(variant, "run")] / best[(variant, "run")]
            for (v, command), seconds in best.items():
                if v != variant:
                    continue
                rate = evals[(v, command)] / seconds
                rows.append((variant, command, seconds, rate / 1e6, rate / run_rate))
    print(f"{'variant':<11} {'command':<19} {'cpu s':>7} {'M evals/s':>10} {'of run':>7}")
    for variant, command, seconds, rate, ratio in rows:
        print(f"{variant:<11} {command:<19} {seconds:7.2f} {rate:10.3f} {ratio:7.0%}")
    if not has_explain:
        print("explain: not in this binary (issue #16 item 6 lands it); skipped")


if __name__ == "__main__":
    main()
