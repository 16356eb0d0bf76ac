#!/usr/bin/env python3
"""Issue #17 item 5, "unbounded inputs": seconds and peak RSS of the commands on inputs that
grow, to show that validation stays linear and memory bounded (SPEC §7), before and after.

Each case writes one scenario into a fresh folder and runs the binary under
`/usr/bin/time -v`, printing one line: case, size, file bytes, exit code, seconds, peak RSS.
Cases:

- chain N: N outside parties, `[correlations]` "oI.indifference ~ oI+1.indifference" = 0.3
  (the reviewer's chain), `check`;
- star N: the same parties, every one correlated 0.01 with the first (the hub first in the
  parameters' order: a dense factor unless reordered), `check`;
- events N: N events, `check`, and `run --trials 1000 --max-memory 100M`;
- fits N: N outside parties, each indifference a distinct "quantiles(…)" of three (beta fits),
  `check`.

    bench/bounds.py                                   # the release binary of this checkout
    TREATYSIM=/tmp/old/treatysim bench/bounds.py      # another binary
    bench/bounds.py chain:2500,5000,20000 events:100000   # chosen cases
    TIMEOUT=120 bench/bounds.py                      # kill a case after 120 s (default 60)
"""
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TREATYSIM", os.path.join(ROOT, "target", "release", "treatysim"))
TIMEOUT = float(os.environ.get("TIMEOUT", "60"))

HEAD = """description = "bench/bounds.py"
[simulation]
start = "2020-01"
deadline = "2021-09"
trials = 1000
seed = 7

[party.japan]
will = "beta(6, 3)"

[party.russia]
will = "beta(3, 5)"

[issue.security]
concedes = "japan"
demands = "russia"
concession = "0.05 to 0.35"
demand = "pert(0.4, 0.7, 0.95)"

[process]
summit_rate = 0.3
will_volatility = 0.05
signing_threshold = 0.3
decision_noise = 0.08
"""


def parties(n, value=lambda i: '"uniform(0.2, 0.8)"'):
    return "".join(
        f'\n[party.o{i}]\nrole = "outside"\nindifference = {value(i)}\n' for i in range(n)
    )


def chain(n):
    pairs = "".join(
        f'"party.o{i}.indifference ~ party.o{i + 1}.indifference" = 0.3\n' for i in range(n - 1)
    )
    return HEAD + parties(n) + "\n[correlations]\n" + pairs


def star(n):
    pairs = "".join(
        f'"party.o0.indifference ~ party.o{i}.indifference" = 0.005\n' for i in range(1, n)
    )
    return HEAD + parties(n) + "\n[correlations]\n" + pairs


def events(n):
    body = "".join(
        f'\n[[event]]\nname = "e{i}"\nmonth = "2020-07"\nprobability = 0.001\n'
        f'effects = {{ "party.russia.will" = -0.001 }}\n'
        for i in range(n)
    )
    return HEAD + body


def fits(n):
    def value(i):
        lo = 0.1 + 0.3 * i / max(n, 1)
        return f'"quantiles(0.1: {lo:.9f}, 0.5: {lo + 0.2:.9f}, 0.9: {lo + 0.5:.9f})"'

    return HEAD + parties(n, value)


CASES = {
    "chain": (chain, [["check"]], [2500, 5000, 10000, 20000, 100000]),
    "star": (star, [["check"]], [1000, 20000]),
    "events": (
        events,
        [["check"], ["run", "--trials", "1000", "--threads", "2", "--max-memory", "100M"]],
        [10000, 100000, 1000000],
    ),
    "fits": (fits, [["check"]], [100, 1000, 2000, 3000]),
}


def measure(text, args):
    with tempfile.TemporaryDirectory() as work:
        scenarios = os.path.join(work, "scenarios")
        os.mkdir(scenarios)
        path = os.path.join(scenarios, "x.toml")
        with open(path, "w") as f:
            f.write(text)
        size = os.path.getsize(path)
        command = ["/usr/bin/time", "-v", BIN, args[0], "x", *args[1:],
                   "--scenarios", scenarios]
        if args[0] == "run":
            command += ["--out", os.path.join(work, "out")]
        began = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return size, "killed", TIMEOUT, None, ""
        seconds = time.monotonic() - began
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        message = [l for l in done.stderr.splitlines() if l.startswith("error")]
        return size, done.returncode, seconds, int(rss.group(1)) if rss else None, \
            (message[0][:150] if message else "")


def main():
    chosen = sys.argv[1:] or [f"{c}:{','.join(map(str, s))}" for c, (_, _, s) in CASES.items()]
    print(f"binary: {BIN}")
    print(f"{'case':<8} {'size':>8} {'command':<10} {'file':>10} {'exit':>6} {'seconds':>8} {'peak RSS':>10}  message")
    for spec in chosen:
        name, _, sizes = spec.partition(":")
        make, commands, default = CASES[name]
        for n in [int(s) for s in sizes.split(",")] if sizes else default:
            text = make(n)
            for args in commands:
                size, code, seconds, rss, message = measure(text, args)
                rss = f"{rss / 1024:.0f} MB" if rss else "-"
                print(f"{name:<8} {n:>8} {args[0]:<10} {size / 1e6:>8.2f}MB {code!s:>6} "
                      f"{seconds:>8.2f} {rss:>10}  {message}", flush=True)


if __name__ == "__main__":
    main()
