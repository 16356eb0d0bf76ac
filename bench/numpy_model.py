#!/usr/bin/env python3
"""Independent, vectorised NumPy implementation of the treatysim model (SPEC.md §3-§4).

It is the reference an analyst would write instead of using treatysim: it checks the Rust
engine's estimates and is the baseline of its throughput benchmarks.  It shares no code and
no random streams with treatysim, so results agree within confidence intervals, not exactly.

    python3 bench/numpy_model.py scenarios/baseline.toml [--trials N] [--seed S]
                                 [--estimator conditional|indicator] [--chunk N]

Trials run in chunks (arrays of shape [chunk]) with a Python loop over months only; results
depend on the seed and the chunk size.
"""
import argparse
import math
import re
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from scipy import optimize, special, stats

INF = math.inf
# Parameter domains (SPEC §3), in canonical order.  Open/closed ends only matter for validation.
DOMAINS = {
    "japan.will": (0, 1), "japan.security_concession": (0, 1),
    "japan.leader_exit_hazard": (0, 1), "japan.successor_will": (0, 1),
    "russia.will": (0, 1), "russia.security_demand": (0, 1),
    "us.indifference": (0, 1), "us.leverage": (0, 1), "process.summit_rate": (0, 1),
    "process.will_volatility": (0, INF), "process.decision_noise": (0, INF),
    "process.signing_threshold": (-INF, INF),
}
# Parameters an event may shift; they form the per-trial mutable state of the simulation.
STATE = ["japan.will", "russia.will", "japan.security_concession",
         "russia.security_demand", "us.indifference", "process.summit_rate"]
Z90 = special.ndtri(0.95)  # 1.6449: a "lo to hi" interval spans mean +- Z90 sd
POS = math.nextafter(0, 1)  # lower end of the lognormal's support, which is open at 0


# ---------------------------------------------------------------- scenario loading
def load(path, chain=()):
    """Read a scenario and resolve `extends` (same folder) key by key."""
    path = Path(path).resolve()
    if path in chain:
        sys.exit(f"error: extends cycle through {path}")
    with open(path, "rb") as f:
        data = tomllib.load(f)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    base = load(path.parent / f"{parent}.toml", chain + (path,))
    for key, value in data.items():
        if key == "event":  # same name replaces the parent's event in place; others append
            events = base.setdefault("event", [])
            for ev in value:
                names = [e["name"] for e in events]
                if ev["name"] in names:
                    events[names.index(ev["name"])] = ev
                else:
                    events.append(ev)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def month_index(ym):  # "YYYY-MM" -> months since year 0
    y, m = map(int, ym.split("-"))
    return 12 * y + m - 1


def beta_from_interval(lo, hi):
    """Beta(a, b) with 5% and 95% quantiles lo and hi (solved in log-parameters)."""
    m, sd = (lo + hi) / 2, (hi - lo) / (2 * Z90)  # moment-matched starting point
    k = max(m * (1 - m) / sd**2 - 1, 0.5)
    f = lambda x: [stats.beta.ppf(0.05, *np.exp(x)) - lo, stats.beta.ppf(0.95, *np.exp(x)) - hi]
    sol = optimize.root(f, np.log([m * k, (1 - m) * k]), method="hybr")
    if not sol.success or max(abs(v) for v in f(sol.x)) > 1e-9:
        sys.exit(f"error: no beta has 90% interval {lo} to {hi}")
    return tuple(np.exp(sol.x))


def parse_dist(spec, domain, where):
    """Return (sampler(rng, n) -> float or array, support) for a number or distribution."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        v = float(spec)
        return (lambda rng, n: v), (v, v)
    text = str(spec).strip()
    num = r"\s*([-+0-9.eE]+)\s*"
    if m := re.fullmatch(num + "to" + num, text):
        lo, hi = map(float, m.groups())
        if domain == (0, 1):  # bounded parameter: beta with these quantiles
            a, b = beta_from_interval(lo, hi)
            return (lambda rng, n: rng.beta(a, b, n)), (0, 1)
        if domain is not None and domain[0] == 0:  # positive parameter: lognormal
            mu, sg = (math.log(lo) + math.log(hi)) / 2, (math.log(hi) - math.log(lo)) / (2 * Z90)
            return (lambda rng, n: rng.lognormal(mu, sg, n)), (POS, INF)
        mu, sg = (lo + hi) / 2, (hi - lo) / (2 * Z90)  # real line or event effect: normal
        return (lambda rng, n: rng.normal(mu, sg, n)), (-INF, INF)
    m = re.fullmatch(r"(\w+)\s*\((.*)\)", text)
    if not m:
        sys.exit(f"error: {where}: cannot parse distribution {text!r}")
    name, args = m.group(1), [float(x) for x in m.group(2).split(",")]
    if name == "uniform":
        a, b = args
        draw, sup = (lambda rng, n: rng.uniform(a, b, n)), (a, b)
    elif name == "beta":
        a, b = args
        draw, sup = (lambda rng, n: rng.beta(a, b, n)), (0, 1)
    elif name == "normal":
        mu, sg = args
        draw, sup = (lambda rng, n: rng.normal(mu, sg, n)), (-INF, INF)
    elif name == "lognormal":
        mu, sg = args
        draw, sup = (lambda rng, n: rng.lognormal(mu, sg, n)), (POS, INF)
    elif name == "triangular":
        lo, mode, hi = args
        draw, sup = (lambda rng, n: rng.triangular(lo, mode, hi, n)), (lo, hi)
    elif name == "pert":  # beta-PERT, shape 4
        lo, mode, hi = args
        a, b = 1 + 4 * (mode - lo) / (hi - lo), 1 + 4 * (hi - mode) / (hi - lo)
        draw, sup = (lambda rng, n: lo + (hi - lo) * rng.beta(a, b, n)), (lo, hi)
    elif name == "truncnormal":  # inverse-CDF sampling between the two cut points
        mu, sg, lo, hi = args
        pa, pb = special.ndtr((lo - mu) / sg), special.ndtr((hi - mu) / sg)
        draw = lambda rng, n: np.clip(mu + sg * special.ndtri(rng.uniform(pa, pb, n)), lo, hi)
        sup = (lo, hi)
    else:
        sys.exit(f"error: {where}: unknown distribution {name!r}")
    return draw, sup


def compile_scenario(sc):
    """Parse every parameter and event; check supports against domains."""
    params = {}
    for key, dom in DOMAINS.items():
        table, field = key.split(".")
        if field not in sc.get(table, {}):
            sys.exit(f"error: missing parameter {key}")
        draw, (lo, hi) = parse_dist(sc[table][field], dom, key)
        if lo < dom[0] or hi > dom[1] or (key == "process.decision_noise" and lo <= 0):
            sys.exit(f"error: {key}: support [{lo}, {hi}] is outside the domain {dom}")
        params[key] = draw
    start = month_index(sc["simulation"]["start"])
    months = month_index(sc["simulation"]["deadline"]) - start
    events = {}  # month index t -> list of (probability, [(state key, sampler)]) in file order
    for ev in sc.get("event", []):
        t = month_index(ev["month"]) - start
        if bad := set(ev["effects"]) - set(STATE):
            sys.exit(f"error: event {ev['name']}: cannot shift {', '.join(sorted(bad))}")
        effects = [(k, parse_dist(v, None, f"event {ev['name']}")[0]) for k, v in ev["effects"].items()]
        if 0 <= t < months:  # an event outside the window never fires
            events.setdefault(t, []).append((float(ev["probability"]), effects))
    return params, months, events


# ---------------------------------------------------------------- the model (SPEC §4)
def simulate(params, months, events, trials, seed, estimator, chunk):
    """Run the trials; return (probability, standard error, cumulative probability by month)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    month_sum = np.zeros(months)  # sum over trials of each month's contribution
    y_sum = y_sq = 0.0            # sums of per-trial totals and squares, for the standard error
    for first in range(0, trials, chunk):
        n = min(chunk, trials - first)
        draws = {k: draw(rng, n) for k, draw in params.items()}  # constants stay scalars
        st = {k: np.broadcast_to(draws[k], (n,)).astype(float) for k in STATE}  # mutable copies
        J, R = st["japan.will"], st["russia.will"]
        sigma, h, theta, s = (draws[k] for k in ("process.will_volatility", "japan.leader_exit_hazard",
                                                 "process.signing_threshold", "process.decision_noise"))
        succ = np.broadcast_to(draws["japan.successor_will"], (n,))
        in_office = np.ones(n, bool)
        alive = np.ones(n)  # survival S_t (conditional) or 1.0/0.0 for unsigned (indicator)
        z, x, u = np.empty((2, n)), np.empty(n), np.empty(n)  # reused buffers: no allocation
        bar = None          # theta + security gap; changes only when an event fires
        for t in range(months):
            if t > 0:  # step 1: random walk of both wills, clamped to [0, 1]
                rng.standard_normal(out=z)
                z *= sigma
                J += z[0]
                R += z[1]
                np.clip(J, 0, 1, out=J)
                np.clip(R, 0, 1, out=R)
            for prob, effects in events.get(t, ()):  # step 2: this month's events, in order
                fired = rng.random(n) < prob
                for key, draw in effects:  # effects are drawn for every trial, applied if fired
                    shift = np.broadcast_to(draw(rng, n), (n,))
                    np.clip(st[key] + np.where(fired, shift, 0.0), 0, 1, out=st[key])
                bar = None
            # step 3: the prime minister leaves with hazard h (at most once): J <- successor will
            rng.random(out=u)
            leaves = in_office & (u < h)
            np.copyto(J, succ, where=leaves)
            in_office &= ~leaves
            if bar is None:  # gap = max(0, D - min(1, C + L*U))
                room = np.minimum(1.0, st["japan.security_concession"]
                                  + draws["us.leverage"] * st["us.indifference"])
                bar = theta + np.maximum(0.0, st["russia.security_demand"] - room)
            # step 4: summit with probability lambda, then signing with probability
            # p = 1 / (1 + exp(-(min(J, R) - theta - gap) / s))
            np.minimum(J, R, out=x)
            x -= bar
            x /= s
            special.expit(x, out=x)  # x is now p
            lam = st["process.summit_rate"]
            if estimator == "conditional":  # contribution S_t * q_t with q_t = lambda * p
                x *= lam
                x *= alive
            else:  # indicator: two literal coin flips; a signed trial stops contributing
                rng.random(out=u)
                signed = u < lam
                rng.random(out=u)
                signed &= u < x
                np.multiply(alive, signed, out=x)
            alive -= x  # S_{t+1} = S_t (1 - q_t) = S_t - contribution
            month_sum[t] += x.sum()
        y = 1.0 - alive  # a trial's total contribution: its probability of signing in the window
        y_sum += y.sum()
        y_sq += np.dot(y, y)
    prob = y_sum / trials
    var = max(y_sq / trials - prob**2, 0.0) * trials / max(trials - 1, 1)
    return prob, math.sqrt(var / trials), np.cumsum(month_sum) / trials


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--estimator", choices=["conditional", "indicator"], default="conditional")
    ap.add_argument("--chunk", type=int, default=1 << 16, help="trials per vectorised block")
    a = ap.parse_args()
    sc = load(a.scenario)
    trials = a.trials or sc["simulation"]["trials"]
    seed = a.seed if a.seed is not None else sc["simulation"]["seed"]
    params, months, events = compile_scenario(sc)

    t0 = time.perf_counter()
    prob, se, cum = simulate(params, months, events, trials, seed, a.estimator, a.chunk)
    wall = time.perf_counter() - t0

    start = month_index(sc["simulation"]["start"])
    print(f"scenario     {Path(a.scenario).stem} ({a.estimator}, {trials} trials, seed {seed})")
    print(f"probability   {prob:.6f}")
    print(f"std_error     {se:.6f}")
    print(f"ci95 (normal) {max(prob - 1.96 * se, 0):.6f} .. {min(prob + 1.96 * se, 1):.6f}")
    print("month    cumulative")
    for t, c in enumerate(cum):
        print(f"{(start + t) // 12}-{(start + t) % 12 + 1:02d}  {c:.6f}")
    print(f"wall_time_s  {wall:.4f}")
    print(f"trials_per_s {trials / wall:.0f}")


if __name__ == "__main__":
    main()
