#!/usr/bin/env python3
"""How soon Ctrl-C stops a long call of the Python package (issue #21 item 5: "Ctrl-C raises
KeyboardInterrupt within a second").

One child process loads baseline and starts a long call (`ts.run(sc, trials=1e11)` by default;
`--call sweep|sensitivity|pool|compare|explain` for the others) again and again. For each
round this script waits a random time (uniform in --min to --max seconds, so the signal lands
anywhere in the engine's loop), sends SIGINT and reads the moment the child's `except
KeyboardInterrupt` ran. Latency = that moment - the moment of the signal, both CLOCK_MONOTONIC
(one clock for every process on Linux). Each round the child also runs a short call after the
interruption, so a flag left set would show as a failure, not a fast latency.

Usage: python bench/python_interrupt.py [--rounds 25] [--call run] [--threads N] [--seed 1]
(with the package installed: pip install ./python).
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A shell ignores SIGINT in what it starts in the background, and Python then installs no
# KeyboardInterrupt handler: the child restores it, as a notebook kernel has it.
CHILD = """
import signal; signal.signal(signal.SIGINT, signal.default_int_handler)
import sys, time, treatysim as ts
sc = ts.load("baseline", scenarios=[sys.argv[1]])
other = ts.load("mason", scenarios=[sys.argv[1]])
threads = None if sys.argv[3] == "all" else int(sys.argv[3])
calls = {
    "run": lambda t: ts.run(sc, trials=t, threads=threads),
    "sweep": lambda t: ts.sweep(sc, {"party.japan.will": [0.3, 0.6]}, trials=t, threads=threads),
    "sensitivity": lambda t: ts.sensitivity(sc, trials=t, threads=threads),
    "pool": lambda t: ts.pool("experts", [sc, other], trials=t, threads=threads),
    "compare": lambda t: ts.compare(sc, other, trials=t, threads=threads),
    "explain": lambda t: ts.explain(sc, trials=t, threads=threads),
}
call = calls[sys.argv[2]]
call(2000)
while True:
    print("started", flush=True)
    try:
        call(10**11)
    except KeyboardInterrupt:
        print("interrupted", repr(time.monotonic()), flush=True)
    else:
        print("finished", flush=True)
        sys.exit(3)
    call(2000)
    print("again", flush=True)
    if sys.stdin.readline().strip() != "more":
        break
"""


def percentile(values: list, q: float) -> float:
    """The q-quantile (0 to 1) by linear interpolation between order statistics."""
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument(
        "--call", default="run", choices=["run", "sweep", "sensitivity", "pool", "compare", "explain"]
    )
    parser.add_argument("--threads", default="all", help="worker threads, or 'all' (default)")
    parser.add_argument("--min", type=float, default=0.05, help="shortest wait before SIGINT, s")
    parser.add_argument("--max", type=float, default=1.5, help="longest wait before SIGINT, s")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random waits")
    args = parser.parse_args()
    waits = random.Random(args.seed)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT / "scenarios"), args.call, args.threads],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    latencies = []
    try:
        for round_ in range(args.rounds):
            line = child.stdout.readline().split()
            if line != ["started"]:
                raise RuntimeError(f"round {round_}: expected 'started', got {line}")
            time.sleep(waits.uniform(args.min, args.max))
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            line = child.stdout.readline().split()
            if not line or line[0] != "interrupted":
                raise RuntimeError(f"round {round_}: expected 'interrupted', got {line}")
            latencies.append(float(line[1]) - sent)
            if child.stdout.readline().split() != ["again"]:
                raise RuntimeError(f"round {round_}: the call after the interruption failed")
            child.stdin.write("more\n" if round_ + 1 < args.rounds else "stop\n")
            child.stdin.flush()
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    ms = [1000 * x for x in latencies]
    print(f"ts.{args.call}: {len(ms)} interruptions at random times ({args.min}-{args.max} s after the call began)")
    print(
        f"latency ms: min {min(ms):.1f}, median {statistics.median(ms):.1f}, "
        f"p90 {percentile(ms, 0.9):.1f}, max {max(ms):.1f}"
    )
    print(f"every call after an interruption ran to its end: {len(ms)}/{args.rounds}")


if __name__ == "__main__":
    main()
