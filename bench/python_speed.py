#!/usr/bin/env python3
"""The Python package's speed against the command line's (issue #21 item 6).

1. Throughput: `ts.run(baseline, trials=T)` against `treatysim run baseline --trials T`, both on
   the same machine, interleaved round by round (the machine may be loaded). The CLI's own rate
   is the one it reports (simulation only, without process start and file writing); the
   package's is T over the call's wall time, everything included. The ratio is the package's
   rate over the CLI's, per round; the median is quoted.
2. Per-call overhead: the wall time of `ts.run(baseline, trials=1)` on a loaded scenario (one
   trial costs about a microsecond): model setup, worker pool, GIL release and result.

Usage: python bench/python_speed.py [--trials 2000000] [--rounds 7]
(with the package installed: pip install ./python; the binary at target/release/treatysim).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import treatysim as ts

ROOT = Path(__file__).resolve().parents[1]


def cli_rate(binary: Path, trials: int, out: str) -> float:
    done = subprocess.run(
        [str(binary), "run", "baseline", "--trials", str(trials), "--out", out],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    found = re.search(r"([0-9.]+) s \(", done.stderr)
    if not found:
        raise RuntimeError(f"no timing in: {done.stderr}")
    return trials / float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    binary = ROOT / "target" / "release" / "treatysim"
    sc = ts.load("baseline", scenarios=[ROOT / "scenarios"])
    ts.run(sc, trials=100_000)
    ratios, py_rates, cli_rates = [], [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.rounds):
            c = cli_rate(binary, args.trials, out)
            start = time.perf_counter()
            ts.run(sc, trials=args.trials)
            p = args.trials / (time.perf_counter() - start)
            cli_rates.append(c)
            py_rates.append(p)
            ratios.append(p / c)
    calls = []
    for _ in range(1000):
        start = time.perf_counter()
        ts.run(sc, trials=1)
        calls.append(time.perf_counter() - start)
    calls.sort()
    print(f"trials per run: {args.trials}, rounds: {args.rounds}")
    print(f"CLI (its reported rate): median {statistics.median(cli_rates) / 1e6:.2f}M trials/s")
    print(f"ts.run (wall):           median {statistics.median(py_rates) / 1e6:.2f}M trials/s")
    print(f"ratio ts.run / CLI:      median {statistics.median(ratios):.3f} "
          f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
    print(f"ts.run(trials=1) wall:   median {calls[len(calls) // 2] * 1e3:.3f} ms, "
          f"p90 {calls[len(calls) * 9 // 10] * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
