#!/usr/bin/env python3
"""Reference fits of elicited quantiles (SPEC §8) with SciPy, for treatysim's `quantiles(...)`.

    python3 bench/elicitation_fits.py                 # the reference table
    python3 bench/elicitation_fits.py --rust          # the same numbers as a Rust array literal
    python3 bench/elicitation_fits.py --treatysim target/release/treatysim
                                                      # and compare treatysim's fits with them

The objective is the SPEC's: the sum of squared differences between the fitted and the
elicited quantiles, sum_i (F^-1(p_i) - x_i)^2, in the units of the values (not of their
logarithms, nor of probabilities), for the family the parameter's domain calls for: the beta on
[0,1], the lognormal on (0,inf) and [0,inf), the normal on (-inf,inf) and for event effects.
Each fit is `scipy.optimize.least_squares` (trust-region reflective) on the log-parameters,
started from the same closed-form point as treatysim (the regression of x, or ln x, on the normal
scores z = Phi^-1(p); the beta from a moment match of the normal fit) and from a grid of other
starting points, keeping the lowest sum of squares: a reference that does not share treatysim's
optimiser (Nelder-Mead, then Levenberg-Marquardt) nor its beta quantile function
(`scipy.special.betaincinv` here).

tests/it/elicitation.rs freezes the table printed by `--rust`; rerun this script and update it there
when a case is added.  `--treatysim BIN` writes one scenario per case into a temporary folder,
runs `BIN show` on it and compares the `# fitted:` comment's parameters with the reference
(exit 1 on a disagreement beyond the tolerances below).
"""
import argparse
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy import optimize, special

# (name, domain, [(p, x), ...]); domain: "unit", "pos" (lognormal), "real" or "effect" (normal).
CASES = [
    ("issue_example_beta", "unit", [(0.1, 0.2), (0.5, 0.35), (0.9, 0.6)]),
    ("two_quantiles_beta", "unit", [(0.05, 0.05), (0.95, 0.35)]),
    ("quartiles_beta", "unit", [(0.25, 0.4), (0.75, 0.6)]),
    ("skewed_small_beta", "unit", [(0.1, 0.01), (0.5, 0.03), (0.9, 0.12)]),
    ("five_high_beta", "unit", [(0.05, 0.6), (0.25, 0.8), (0.5, 0.9), (0.75, 0.95), (0.95, 0.99)]),
    ("inconsistent_beta", "unit", [(0.1, 0.1), (0.5, 0.5), (0.9, 0.6)]),
    ("u_shaped_beta", "unit", [(0.2, 0.01), (0.5, 0.5), (0.8, 0.99)]),
    ("volatility_lognormal", "pos", [(0.1, 0.02), (0.5, 0.035), (0.9, 0.06)]),
    ("two_quantiles_lognormal", "pos", [(0.05, 0.02), (0.95, 0.06)]),
    ("wide_lognormal", "pos", [(0.1, 1.0), (0.5, 3.0), (0.9, 20.0)]),
    ("large_lognormal", "pos", [(0.25, 100.0), (0.5, 150.0), (0.75, 260.0), (0.9, 500.0)]),
    ("issue_example_normal", "real", [(0.1, 0.2), (0.5, 0.35), (0.9, 0.6)]),
    ("two_quantiles_normal", "real", [(0.1, -1.0), (0.9, 1.0)]),
    ("asymmetric_normal", "real", [(0.05, -0.3), (0.5, 0.1), (0.6, 0.12), (0.95, 0.2)]),
    ("event_effect_normal", "effect", [(0.1, -0.1), (0.5, -0.05), (0.9, 0.02)]),
]

# Tolerances of the comparison (also stated in tests/it/elicitation.rs): fitted quantiles agree to
# 1e-6 (relative to the value for the lognormal), and treatysim's sum of squares is no more than
# 1e-9 (relative) above the reference's, or below 1e-20 (an exact fit, up to rounding).
QUANTILE_TOLERANCE = 1e-6
SSE_TOLERANCE = 1e-9
SSE_EXACT = 1e-20


def family(domain):
    return {"unit": "beta", "pos": "lognormal"}.get(domain, "normal")


def quantiles(fam, params, ps):
    if fam == "beta":
        return special.betaincinv(params[0], params[1], ps)
    if fam == "lognormal":
        return np.exp(params[0] + params[1] * special.ndtri(ps))
    return params[0] + params[1] * special.ndtri(ps)


def best_least_squares(residuals, starts):
    """The lowest-cost least_squares solution over the starting points."""
    best = None
    for start in starts:
        try:
            sol = optimize.least_squares(residuals, start, method="trf",
                                         xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=20000)
        except ValueError:
            continue
        if np.all(np.isfinite(sol.fun)) and (best is None or sol.cost < best.cost):
            best = sol
    return best


def fit(domain, points):
    ps = np.array([p for p, _ in points])
    xs = np.array([x for _, x in points])
    z = special.ndtri(ps)
    fam = family(domain)
    if fam == "normal":
        sd, mean = np.polyfit(z, xs, 1)
        sol = best_least_squares(lambda v: v[0] + math.exp(v[1]) * z - xs, [[mean, math.log(sd)]])
        return fam, (float(sol.x[0]), math.exp(sol.x[1]))
    if fam == "lognormal":
        sigma, mu = np.polyfit(z, np.log(xs), 1)
        scale = xs[-1]  # residuals relative to the largest value, as treatysim does
        res = lambda v: np.exp(v[0] + math.exp(v[1]) * z) - xs / scale
        start = [mu - math.log(scale), math.log(sigma)]
        starts = [start] + [[start[0] + dm, start[1] + ds] for dm in (-1, 0, 1) for ds in (-1, 0, 1)]
        sol = best_least_squares(res, starts)
        return fam, (float(sol.x[0] + math.log(scale)), math.exp(sol.x[1]))
    sd, mean = np.polyfit(z, xs, 1)
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    k = max(mean * (1 - mean) / sd**2 - 1, 0.5)
    res = lambda v: special.betaincinv(math.exp(v[0]), math.exp(v[1]), ps) - xs
    start = [math.log(mean * k), math.log((1 - mean) * k)]
    starts = [start] + [[la, lb] for la in np.linspace(-3, 5, 5) for lb in np.linspace(-3, 5, 5)]
    sol = best_least_squares(res, starts)
    return fam, (math.exp(sol.x[0]), math.exp(sol.x[1]))


def reference():
    rows = []
    for name, domain, points in CASES:
        fam, params = fit(domain, points)
        ps = np.array([p for p, _ in points])
        xs = np.array([x for _, x in points])
        q = quantiles(fam, params, ps)
        rows.append(dict(name=name, domain=domain, points=points, family=fam, params=params,
                         fitted=[float(v) for v in q], sse=float(np.sum((q - xs) ** 2))))
    return rows


def print_table(rows):
    for r in rows:
        pts = ", ".join(f"{p}: {x}" for p, x in r["points"])
        fitted = ", ".join(f"{v:.10g}" for v in r["fitted"])
        print(f"{r['name']:<26} {r['domain']:<6} quantiles({pts})")
        print(f"    {r['family']}({r['params'][0]:.12g}, {r['params'][1]:.12g})  "
              f"fitted [{fitted}]  sse {r['sse']:.6e}")


def print_rust(rows):
    print("// Generated by bench/elicitation_fits.py --rust (SciPy least_squares); do not edit by hand.")
    print("const REFERENCE: &[Reference] = &[")
    for r in rows:
        pts = ", ".join(f"({p!r}, {x!r})" for p, x in r["points"])
        fitted = ", ".join(repr(v) for v in r["fitted"])
        print("    Reference {")
        print(f"        name: {r['name']!r},".replace("'", '"'))
        print(f"        domain: {r['domain']!r},".replace("'", '"'))
        print(f"        points: &[{pts}],")
        print(f"        family: {r['family']!r},".replace("'", '"'))
        print(f"        params: ({r['params'][0]!r}, {r['params'][1]!r}),")
        print(f"        fitted: &[{fitted}],")
        print(f"        sse: {r['sse']!r},")
        print("    },")
    print("];")


KEYS = {"unit": "party.japan.will", "pos": "process.decision_noise",
        "real": "process.signing_threshold", "effect": None}

SCENARIO = """description = "elicitation fit {name}"
[simulation]
start = "2020-01"
deadline = "2021-09"
[party.japan]
will = {will}
[party.russia]
will = 0.6
[process]
summit_rate = 0.3
will_volatility = 0
signing_threshold = {threshold}
decision_noise = {noise}
"""


def compare(binary, rows):
    """Runs `BIN show` on one scenario per case and checks its `# fitted:` comment."""
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for r in rows:
            text = "quantiles(" + ", ".join(f"{p!r}: {x!r}" for p, x in r["points"]) + ")"
            values = {"will": "0.6", "threshold": "0.3", "noise": "0.1"}
            key = KEYS[r["domain"]]
            slot = {"party.japan.will": "will", "process.decision_noise": "noise",
                    "process.signing_threshold": "threshold"}.get(key)
            if slot:
                values[slot] = f'"{text}"'
            scenario = SCENARIO.format(name=r["name"], **values)
            if r["domain"] == "effect":
                scenario += ('\n[[event]]\nname = "shock"\nmonth = "2020-05"\nprobability = 0.5\n'
                             f'effects = {{ "party.russia.will" = "{text}" }}\n')
            path = Path(tmp) / f"{r['name']}.toml"
            path.write_text(scenario)
            out = subprocess.run([binary, "show", str(path)], capture_output=True, text=True)
            found = re.search(r"# fitted: .*?(beta|lognormal|normal)\(([^,]+), ([^)]+)\)", out.stdout)
            if out.returncode != 0 or not found:
                print(f"{r['name']}: show failed: {out.stderr.strip() or out.stdout}")
                failures += 1
                continue
            params = (float(found.group(2)), float(found.group(3)))
            ps = np.array([p for p, _ in r["points"]])
            xs = np.array([x for _, x in r["points"]])
            ours = quantiles(found.group(1), params, ps)
            theirs = np.array(r["fitted"])
            scale = xs if r["family"] == "lognormal" else np.ones_like(xs)
            worst = float(np.max(np.abs(ours - theirs) / scale))
            sse = float(np.sum((ours - xs) ** 2))
            ok = (found.group(1) == r["family"] and worst <= QUANTILE_TOLERANCE
                  and sse <= max(r["sse"] * (1 + SSE_TOLERANCE), SSE_EXACT))
            failures += not ok
            print(f"{r['name']:<26} {'ok ' if ok else 'BAD'} treatysim {found.group(1)}"
                  f"({params[0]:.10g}, {params[1]:.10g})  max quantile diff {worst:.2e}  "
                  f"sse {sse:.6e} vs {r['sse']:.6e}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rust", action="store_true", help="print the Rust array literal")
    parser.add_argument("--treatysim", metavar="BIN", help="compare BIN show's fits")
    args = parser.parse_args()
    rows = reference()
    if args.rust:
        print_rust(rows)
    else:
        print_table(rows)
    if args.treatysim:
        failures = compare(args.treatysim, rows)
        if failures:
            print(f"{failures} of {len(rows)} fits disagree", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
