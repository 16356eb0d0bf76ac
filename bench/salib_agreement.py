#!/usr/bin/env python3
"""SALib's Sobol indices of a scenario whose indices are known, beside treatysim's.

The scenario (tests/it/analysis.rs, `known_indices`) has one month, so no walk; no issue, so no
gap; and a decision noise of 1e-100, so the signing probability at a summit is a step. Under
the conditional estimator (SPEC §4) a trial's outcome is then

    y = lambda * p,   p = 1 / (1 + exp(-(min(W_a, W_b) - theta) / s)),   theta = 0.5, s = 1e-100

with lambda and W_a uniform on [0, 1] and W_b uniform on [0.25, 1]; party o's indifference
enters nothing. This script evaluates that formula on SALib's Saltelli sample (scrambled Sobol
points, N (D + 2) evaluations without second order) and estimates the indices with SALib's
`sobol.analyze`, which implements Saltelli et al. (2010)'s first-order and Jansen's
total-order estimators, as treatysim does; its 95% intervals are bootstrap ones. Known values:
S = (1/9, 1/3, 1/6, 0), T = (1/3, 2/3, 4/9, 0).

    pip install SALib
    python3 bench/salib_agreement.py [--n 65536] [--seed 1] [--treatysim target/release/treatysim]

With --treatysim, it also runs `treatysim sensitivity` on the same scenario (100,000 trials,
seed 11) in a temporary folder and prints its indices and whether each agrees with SALib's
within 4.5 combined standard errors (tests/common's tolerance).
"""
import argparse
import csv
import math
import subprocess
from importlib import metadata
import sys
import tempfile
from pathlib import Path

import numpy as np
from SALib.analyze import sobol
from SALib.sample import sobol as saltelli

FACTORS = [
    ("process.summit_rate", (0.0, 1.0)),
    ("party.a.will", (0.0, 1.0)),
    ("party.b.will", (0.25, 1.0)),
    ("party.o.indifference", (0.0, 1.0)),
]
KNOWN = {
    "process.summit_rate": (1 / 9, 1 / 3),
    "party.a.will": (1 / 3, 2 / 3),
    "party.b.will": (1 / 6, 4 / 9),
    "party.o.indifference": (0.0, 0.0),
}
SCENARIO = """description = "known Sobol indices"

[simulation]
start = "2020-01"
deadline = "2020-02"
trials = 100000
seed = 11

[party.a]
will = "uniform(0, 1)"

[party.b]
will = "uniform(0.25, 1)"

[party.o]
role = "outside"
indifference = "uniform(0, 1)"

[process]
summit_rate = "uniform(0, 1)"
will_volatility = 0
signing_threshold = 0.5
decision_noise = 1e-100
"""


def outcome(x):
    """The conditional estimator's outcome of one-month trials with parameters x (rows)."""
    rate, will_a, will_b = x[:, 0], x[:, 1], x[:, 2]
    theta, noise = 0.5, 1e-100
    with np.errstate(over="ignore"):
        p = 1.0 / (1.0 + np.exp(-(np.minimum(will_a, will_b) - theta) / noise))
    return rate * p


def salib(n, seed):
    problem = {"num_vars": len(FACTORS), "names": [k for k, _ in FACTORS],
               "bounds": [list(b) for _, b in FACTORS]}
    x = saltelli.sample(problem, n, calc_second_order=False, seed=seed)
    y = outcome(x)
    s = sobol.analyze(problem, y, calc_second_order=False, num_resamples=1000,
                      conf_level=0.95, seed=seed)
    return {k: (s["S1"][i], s["S1_conf"][i], s["ST"][i], s["ST_conf"][i])
            for i, (k, _) in enumerate(FACTORS)}, len(y)


def treatysim(binary):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "known.toml").write_text(SCENARIO)
        subprocess.run([binary, "sensitivity", "known", "--scenarios", tmp, "--out",
                        str(Path(tmp, "out"))], check=True, stderr=subprocess.DEVNULL)
        with open(Path(tmp, "out", "known", "sensitivity.csv")) as f:
            return {r["parameter"]: r for r in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=65536, help="SALib's base sample size N")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--treatysim", help="path of a treatysim binary to compare")
    args = ap.parse_args()
    ours, evaluations = salib(args.n, args.seed)
    print(f"SALib {metadata.version('SALib')}: N = {args.n}, {evaluations} evaluations, "
          f"seed {args.seed}")
    print(f"{'parameter':22} {'S known':>8} {'S SALib':>17} {'T known':>8} {'T SALib':>17}")
    for k, (s1, s1c, st, stc) in ours.items():
        ks, kt = KNOWN[k]
        print(f"{k:22} {ks:8.4f} {s1:8.4f} ± {s1c:6.4f} {kt:8.4f} {st:8.4f} ± {stc:6.4f}")
    print("pinned in tests/it/analysis.rs (estimate, 95% half-width):")
    for k, (s1, s1c, st, stc) in ours.items():
        name = "SALIB_" + k.split(".", 1)[1].replace(".", "_").upper()
        print(f"const {name}: Salib = ({float(s1)!r}, {float(s1c)!r}, {float(st)!r}, {float(stc)!r});")
    if not args.treatysim:
        return 0
    rows = treatysim(args.treatysim)
    worst = 0.0
    print(f"treatysim ({rows['chance']['trials']} trials, seed {rows['chance']['seed']}):")
    for k, (s1, s1c, st, stc) in ours.items():
        r = rows[k]
        line = f"{k:22}"
        for order, theirs, half in (("first_order", s1, s1c), ("total_order", st, stc)):
            est = float(r[order])
            se = (float(r[order + "_ci95_high"]) - float(r[order + "_ci95_low"])) / (2 * 1.96)
            z = abs(est - theirs) / max(math.hypot(se, half / 1.96), 1e-300)
            worst = max(worst, z if est != theirs else 0.0)
            line += f" {order} {est:8.4f} ± {1.96 * se:6.4f} ({z:4.2f} se from SALib)"
        print(line)
    print(f"largest difference: {worst:.2f} combined se (tolerance 4.5)")
    return 0 if worst <= 4.5 else 1


if __name__ == "__main__":
    sys.exit(main())
