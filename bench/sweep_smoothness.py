#!/usr/bin/env python3
"""How smooth sweeps are: what common random numbers buy, parameter by parameter and for both
estimators (docs/internals.md, "What is paired").

A sweep reruns the same trials at every point, so neighbouring points share their randomness
as far as the month loop draws the same numbers at both. This script sweeps the baseline over
fine grids and reports the roughness of each curve,

    R = rms(second differences of the probability) / (sqrt(6) * mean standard error),

which is about 1 when neighbouring points are as noisy as independent runs (the second
difference of three independent estimates has variance 6 se^2) and near 0 when they move
together; a curve's own curvature adds a little (the grids are fine enough for it not to
matter here).

    python3 bench/sweep_smoothness.py [--treatysim target/release/treatysim] [--trials 20000]
"""
import argparse
import csv
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SWEEPS = [
    ("party.russia.will", "0.1:0.5:0.01", "state parameter: changes no draw of the month loop"),
    ("process.signing_threshold", "0.2:0.4:0.005", "enters only the signing probability"),
    ("process.summit_rate", "0.1:0.5:0.01", "indicator: decides whether the signing coin is drawn"),
    ("party.japan.leader_exit_hazard", "0:0.04:0.001", "decides whether later hazard coins are drawn"),
    ("event.constitutional amendment.probability", "0:1:0.025", "decides whether the event's shift is drawn"),
]


def roughness(path, key):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    p = [float(r["probability"]) for r in rows]
    se = sum(float(r["std_error"]) for r in rows) / len(rows)
    second = [p[i - 1] - 2 * p[i] + p[i + 1] for i in range(1, len(p) - 1)]
    rms = math.sqrt(sum(d * d for d in second) / len(second))
    return rms / (math.sqrt(6) * se), len(p), se


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--treatysim", default=str(ROOT / "target/release/treatysim"))
    ap.add_argument("--trials", default="20000")
    ap.add_argument("--seed", default="1")
    args = ap.parse_args()
    print(f"baseline, {args.trials} trials a point, seed {args.seed}; R = 1: no better than "
          "independent runs, 0: perfectly smooth")
    print(f"{'parameter':45} {'grid':14} {'conditional R':>13} {'indicator R':>12}  what it does")
    with tempfile.TemporaryDirectory() as out:
        for key, grid, what in SWEEPS:
            figures = []
            for estimator in ("conditional", "indicator"):
                folder = Path(out, estimator)
                subprocess.run(
                    [args.treatysim, "sweep", "baseline", "--scenarios", str(ROOT / "scenarios"),
                     "--param", f"{key}={grid}", "--trials", args.trials, "--seed", args.seed,
                     "--estimator", estimator, "--out", str(folder)],
                    check=True, stderr=subprocess.DEVNULL)
                r, points, _ = roughness(folder / "baseline" / f"sweep-{key}.csv", key)
                figures.append(r)
            print(f"{key:45} {grid:14} {figures[0]:13.3f} {figures[1]:12.3f}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
