#!/usr/bin/env python3
"""Independent, vectorised NumPy implementation of the treatysim model (SPEC.md §3-§4, format 2).

It is the reference an analyst would write instead of using treatysim: it checks the Rust
engine's estimates and is the baseline of its throughput benchmarks.  It shares no code and
no random streams with treatysim, so results agree within confidence intervals, not exactly.

    python3 bench/numpy_model.py scenarios/baseline.toml [--trials N] [--seed S]
                                 [--estimator conditional|indicator] [--chunk N]
                                 [--scenarios DIR ...] [--csv]

The general model: any number of signatories (the least willing one decides), issues (their
gaps add up), outside parties (their indifference, times each issue's leverage, widens the
conceding signatory's room; their opposition, times each issue's pressure, narrows it), drift
of concessions and demands, dealbreaker issues, a change of leader per signatory (by hazard or
by an event's `leader_exit`), events shifting any state parameter (dated, drawn from an `until`
window, or at a monthly `hazard`; gated by `requires` and `excludes`), and a `[correlations]`
table realised with a Gaussian copula.  `extends` is resolved key by key (events merged field
by field by name), looking for the
parent in the file's own folder, then in each `--scenarios DIR`, then in the folders listed in
TREATYSIM_SCENARIOS.

Output: a human summary on stdout, or with `--csv` a single line `probability,std_error` (two
numbers in shortest round-trip form, no header) for scripts and tests.  Invalid scenarios exit
with code 2 and one message on stderr.

Trials run in chunks (arrays of shape [chunk]) with a Python loop over months only; results
depend on the seed and the chunk size.
"""
import argparse
import difflib
import math
import os
import re
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from scipy import optimize, special, stats

INF = math.inf
Z90 = special.ndtri(0.95)  # 1.6449: a "lo to hi" interval spans mean +- Z90 sd
NAME = re.compile(r"[a-z][a-z0-9_]*")
MAX_DEPTH = 64

# Parameter domains (SPEC §3).  "unit" [0,1], "nonneg" [0,inf), "pos" (0,inf), "real" (-inf,inf);
# event effects have no domain (None): "lo to hi" and quantiles() give a normal there.
PROCESS = {"summit_rate": "unit", "will_volatility": "nonneg",
           "signing_threshold": "real", "decision_noise": "pos"}
SIGNATORY_KEYS = {"role", "label", "will", "leader_exit_hazard", "successor_will"}
OUTSIDE_KEYS = {"role", "label", "indifference"}
ISSUE_KEYS = {"concedes", "demands", "concession", "demand", "leverage", "pressure", "dealbreaker",
              "concession_drift", "demand_drift"}
TOP_KEYS = {"description", "question", "extends", "simulation", "party", "issue", "process",
            "event", "correlations", "resolution"}
SIMULATION_KEYS = {"start", "deadline", "trials", "seed"}
EVENT_KEYS = {"name", "month", "until", "probability", "hazard", "effects", "leader_exit",
              "requires", "excludes"}


class ScenarioError(Exception):
    pass


def fail(where, msg):
    raise ScenarioError(f"{where}: {msg}")


def unknown_keys(where, table, allowed):
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            fail(where, f"unknown key `{key}`{hint}; accepted: {', '.join(sorted(allowed))}")


# ---------------------------------------------------------------- scenario loading
def pair_key(where, text):
    """Canonical form of a correlation key "a ~ b" (sorted), so either order names one pair."""
    parts = [p.strip() for p in str(text).split("~")]
    if len(parts) != 2 or not all(parts):
        fail(where, f"correlation key {text!r} must read \"<parameter> ~ <parameter>\"")
    if parts[0] == parts[1]:
        fail(where, f"correlation key {text!r} pairs a parameter with itself")
    return " ~ ".join(sorted(parts))


def read_file(path):
    """One file, with its own duplicates checked: events by name, correlation pairs."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        fail(path, str(e))
    if "event" in data:
        if not isinstance(data["event"], list) or not all(isinstance(e, dict) for e in data["event"]):
            fail(path, "`event` must be an array of tables ([[event]])")
        names = [e.get("name") for e in data["event"]]
        for i, ev in enumerate(data["event"]):
            if not isinstance(ev.get("name"), str):
                fail(path, f"event #{i + 1} needs a `name` (a string)")
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            fail(path, f"event {dup!r} is written twice")
    if "correlations" in data:
        if not isinstance(data["correlations"], dict):
            fail(path, "`correlations` must be a table")
        canon = {}
        for key, rho in data["correlations"].items():
            k = pair_key(f"{path}: correlations", key)
            if k in canon:
                fail(path, f"correlations: the pair {key!r} is written twice (in either order)")
            canon[k] = rho
        data["correlations"] = canon
    return data


def merge(base, over):
    """Key-by-key override of nested tables; any other value replaces the parent's."""
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = merge(dict(base[key]), value)
        else:
            base[key] = value
    return base


def find_parent(name, folder, search, where):
    if not isinstance(name, str) or not name:
        fail(where, "`extends` must be a scenario name (a string)")
    rel = Path(name if name.endswith(".toml") else f"{name}.toml")
    if rel.is_absolute() or ".." in rel.parts:
        fail(where, f"extends = {name!r}: absolute paths and `..` are refused")
    for d in [folder, *search]:
        if (Path(d) / rel).is_file():
            return (Path(d) / rel).resolve()
    fail(where, f"extends = {name!r}: no {rel} in {folder} or the search path")


def load(path, search=(), chain=()):
    """Read a scenario and resolve `extends` key by key (events replaced by name, else appended)."""
    path = Path(path).resolve()
    if path in chain:
        fail(path, "extends cycle: " + " -> ".join(p.stem for p in (*chain, path)))
    if len(chain) > MAX_DEPTH:
        fail(path, f"extends chain deeper than {MAX_DEPTH}")
    data = read_file(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    base = load(find_parent(parent, path.parent, search, path), search, chain + (path,))
    events = list(base.get("event", []))
    for ev in data.pop("event", []):
        names = [e["name"] for e in events]
        if ev["name"] in names:  # field by field: effects merge, lists replaced, kinds swap
            old = dict(events[names.index(ev["name"])])
            if "probability" in ev and "hazard" not in ev:
                old.pop("hazard", None)
            if "hazard" in ev and "probability" not in ev:
                old.pop("probability", None)
            effects = dict(old.get("effects", {}))
            effects.update(ev.get("effects", {}))
            old.update(ev)
            if effects:
                old["effects"] = effects
            events[names.index(ev["name"])] = old
        else:
            events.append(ev)
    base = merge(base, data)
    if events:
        base["event"] = events
    return base


def month_index(where, ym):  # "YYYY-MM" -> months since year 0
    if not isinstance(ym, str) or not re.fullmatch(r"\d{4}-\d{2}", ym) or not 1 <= int(ym[5:]) <= 12:
        fail(where, f"{ym!r} is not a month YYYY-MM")
    y, m = map(int, ym.split("-"))
    return 12 * y + m - 1


def whole_number(where, v, lo, hi):
    if isinstance(v, str) and re.fullmatch(r"\d+", v.strip()):
        v = int(v)
    elif isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            fail(where, f"{v!r} is not a whole number")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        fail(where, f"{v!r} is not a whole number")
    if isinstance(v, float):
        if not math.isfinite(v) or v != int(v):
            fail(where, f"{v!r} is not a whole number")
        v = int(v)
    if not lo <= v <= hi:
        fail(where, f"{v} is outside {lo} ... {hi}")
    return v


# ---------------------------------------------------------------- distributions
class Dist:
    """A parameter's distribution: sample(rng, n), ppf(u) for the copula, support (lo, hi)."""

    def __init__(self, text, sample, ppf, lo, hi, lo_open=False, const=None):
        self.text, self.sample, self.ppf = text, sample, ppf
        self.lo, self.hi, self.lo_open, self.const = lo, hi, lo_open, const


def check_number(where, x):
    if not math.isfinite(x) or (x != 0 and not 1e-100 <= abs(x) <= 1e100):
        fail(where, f"{x!r} must be finite, and 0 or between 1e-100 and 1e100 in magnitude")
    return x


def beta_dist(text, a, b):
    return Dist(text, lambda rng, n: rng.beta(a, b, n), lambda u: special.betaincinv(a, b, u),
                0.0, 1.0, lo_open=a >= 0.2)


def normal_dist(text, mu, sg):
    return Dist(text, lambda rng, n: rng.normal(mu, sg, n), lambda u: mu + sg * special.ndtri(u),
                -INF, INF)


def lognormal_dist(text, mu, sg):
    return Dist(text, lambda rng, n: rng.lognormal(mu, sg, n),
                lambda u: np.exp(mu + sg * special.ndtri(u)), 0.0, INF, lo_open=True)


def beta_from_quantiles(where, ps, xs):
    """Beta(a, b) minimising the squared differences of its quantiles at ps from xs."""
    if min(xs) <= 0 or max(xs) >= 1:
        fail(where, "on a [0,1] parameter the quantile values must lie strictly inside (0, 1)")
    z = special.ndtri(ps)
    sd, m = np.polyfit(z, xs, 1)  # normal starting point, then moment matching
    m = min(max(m, 1e-3), 1 - 1e-3)
    k = max(m * (1 - m) / max(sd, 1e-6) ** 2 - 1, 0.5)
    res = lambda v: special.betaincinv(*np.exp(v), ps) - xs
    sol = optimize.least_squares(res, np.log([m * k, (1 - m) * k]), xtol=1e-15, ftol=1e-15, gtol=1e-15)
    a, b = np.exp(sol.x)
    if len(ps) == 2 and max(abs(res(sol.x))) > 1e-6:
        fail(where, f"no beta has quantiles {dict(zip(ps, xs))}")
    return float(a), float(b)


def lognormal_from_quantiles(where, ps, xs):
    if min(xs) <= 0:
        fail(where, "on a positive parameter the quantile values must be > 0")
    z = special.ndtri(ps)
    sg, mu = np.polyfit(z, np.log(xs), 1)
    res = lambda v: np.exp(v[0] + np.exp(v[1]) * z) - xs
    sol = optimize.least_squares(res, [mu, math.log(sg)], xtol=1e-15, ftol=1e-15, gtol=1e-15)
    return float(sol.x[0]), float(math.exp(sol.x[1]))


def parse_dist(spec, domain, where):
    """A number or a distribution string -> Dist; `domain` picks what "lo to hi" means."""
    if isinstance(spec, bool) or not isinstance(spec, (int, float, str)):
        fail(where, f"{spec!r} is neither a number nor a distribution")
    if isinstance(spec, str):
        try:
            spec = float(spec.strip())
        except ValueError:
            pass
    if isinstance(spec, (int, float)):
        v = check_number(where, float(spec))
        return Dist(repr(v), lambda rng, n: v, None, v, v, const=v)
    text = spec.strip()
    num = r"\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*"
    if m := re.fullmatch(num + "to" + num, text):
        lo, hi = (check_number(where, float(x)) for x in m.groups())
        if not lo < hi:
            fail(where, f"{text!r}: lo must be below hi")
        if domain == "unit":  # bounded parameter: beta with these 5% and 95% quantiles
            if not 0 < lo < hi < 1:
                fail(where, f"{text!r} on a [0,1] parameter needs 0 < lo < hi < 1")
            return beta_dist(text, *beta_from_quantiles(where, np.array([0.05, 0.95]), np.array([lo, hi])))
        if domain in ("nonneg", "pos"):  # positive parameter: lognormal
            if lo <= 0:
                fail(where, f"{text!r} on a positive parameter needs lo > 0")
            mu, sg = (math.log(lo) + math.log(hi)) / 2, (math.log(hi) - math.log(lo)) / (2 * Z90)
            return lognormal_dist(text, mu, sg)
        return normal_dist(text, (lo + hi) / 2, (hi - lo) / (2 * Z90))  # real line, event effects
    m = re.fullmatch(r"([a-z]+)\s*\((.*)\)", text)
    if not m:
        fail(where, f"cannot parse distribution {text!r}")
    name, body = m.group(1), m.group(2)
    if name == "quantiles":
        pairs = [p.split(":") for p in body.split(",")]
        try:
            ps, xs = (np.array([check_number(where, float(p[i])) for p in pairs]) for i in (0, 1))
        except (ValueError, IndexError):
            fail(where, f"{text!r}: write quantiles(p1: x1, p2: x2, ...)")
        if len(ps) < 2 or np.any(np.diff(ps) <= 0) or np.any(np.diff(xs) <= 0) or ps[0] <= 0 or ps[-1] >= 1:
            fail(where, f"{text!r}: needs two or more quantiles, probabilities strictly increasing "
                        "in (0, 1) and values strictly increasing")
        if domain == "unit":
            return beta_dist(text, *beta_from_quantiles(where, ps, xs))
        if domain in ("nonneg", "pos"):
            return lognormal_dist(text, *lognormal_from_quantiles(where, ps, xs))
        sg, mu = np.polyfit(special.ndtri(ps), xs, 1)  # least squares is linear for the normal
        return normal_dist(text, float(mu), float(sg))
    try:
        args = [check_number(where, float(x)) for x in body.split(",")]
    except ValueError:
        fail(where, f"cannot parse the arguments of {text!r}")
    arity = {"uniform": 2, "beta": 2, "normal": 2, "lognormal": 2, "triangular": 3, "pert": 3,
             "truncnormal": 4}
    if name not in arity:
        close = difflib.get_close_matches(name, [*arity, "quantiles"], n=1)
        fail(where, f"unknown distribution {name!r}" + (f" (did you mean {close[0]}?)" if close else ""))
    if len(args) != arity[name]:
        fail(where, f"{name} takes {arity[name]} arguments, {text!r} has {len(args)}")
    if name == "uniform":
        a, b = args
        if not a < b:
            fail(where, f"{text!r} needs a < b")
        return Dist(text, lambda rng, n: rng.uniform(a, b, n), lambda u: a + (b - a) * u, a, b)
    if name == "beta":
        a, b = args
        if not (a > 0 and b > 0):
            fail(where, f"{text!r} needs a, b > 0")
        return beta_dist(text, a, b)
    if name == "normal":
        if not args[1] > 0:
            fail(where, f"{text!r} needs sd > 0")
        return normal_dist(text, *args)
    if name == "lognormal":
        mu, sg = args
        if not sg > 0 or abs(mu) + 40 * sg > 700:
            fail(where, f"{text!r} needs sigma > 0 and |mu| + 40 sigma <= 700")
        return lognormal_dist(text, mu, sg)
    if name == "triangular":
        lo, mode, hi = args
        if not (lo <= mode <= hi and lo < hi):
            fail(where, f"{text!r} needs lo <= mode <= hi, lo < hi")
        c = (mode - lo) / (hi - lo)

        def tri_ppf(u):
            u = np.asarray(u, float)
            return np.where(u < c, lo + np.sqrt(u * (hi - lo) * (mode - lo)),
                            hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode)))
        return Dist(text, lambda rng, n: rng.triangular(lo, mode, hi, n), tri_ppf, lo, hi)
    if name == "pert":  # beta-PERT, shape 4
        lo, mode, hi = args
        if not (lo <= mode <= hi and lo < hi):
            fail(where, f"{text!r} needs lo <= mode <= hi, lo < hi")
        a, b = 1 + 4 * (mode - lo) / (hi - lo), 1 + 4 * (hi - mode) / (hi - lo)
        return Dist(text, lambda rng, n: lo + (hi - lo) * rng.beta(a, b, n),
                    lambda u: lo + (hi - lo) * special.betaincinv(a, b, u), lo, hi)
    # truncnormal: inverse CDF on the side of the mean where the cut points lose least precision
    mu, sg, lo, hi = args
    if not (sg > 0 and lo < hi):
        fail(where, f"{text!r} needs sd > 0 and lo < hi")
    flip = (lo - mu) > (mu - hi)  # interval mostly above the mean: work on the mirrored normal
    a, b = ((mu - hi) / sg, (mu - lo) / sg) if flip else ((lo - mu) / sg, (hi - mu) / sg)
    pa, pb = special.ndtr(a), special.ndtr(b)
    if pb - pa < 1e-12 * max(pb, 1e-300):  # hopelessly far in a tail: scipy's careful version
        dist = stats.truncnorm((lo - mu) / sg, (hi - mu) / sg, loc=mu, scale=sg)
        ppf = dist.ppf
    else:
        def ppf(u):
            zz = special.ndtri(pa + (pb - pa) * (1 - u if flip else u))
            return np.clip(mu - sg * zz if flip else mu + sg * zz, lo, hi)
    return Dist(text, lambda rng, n: ppf(rng.random(n)), ppf, lo, hi)


def check_support(where, d, domain):
    ok = {"unit": d.lo >= 0 and d.hi <= 1,
          "nonneg": d.lo >= 0,
          "pos": d.lo > 0 or (d.lo == 0 and d.lo_open),
          "real": True}[domain]
    if not ok:
        fail(where, f"{d.text} takes values in [{d.lo}, {d.hi}], outside the domain {domain}")


# ---------------------------------------------------------------- the resolved scenario
class Model:
    """Everything one trial needs, in canonical order (parties and issues as declared)."""

    def __init__(self, sc, src):
        self.src = src
        unknown_keys(src, sc, TOP_KEYS)
        for key in ("description", "question"):
            if key in sc and not isinstance(sc[key], str):
                fail(f"{src}: {key}", "must be a string")
        sim = sc.get("simulation", {})
        unknown_keys(f"{src}: [simulation]", sim, SIMULATION_KEYS)
        for key in SIMULATION_KEYS:
            if key not in sim:
                fail(f"{src}: [simulation]", f"missing `{key}`")
        self.start = month_index(f"{src}: simulation.start", sim["start"])
        self.months = month_index(f"{src}: simulation.deadline", sim["deadline"]) - self.start
        if self.months < 1:
            fail(f"{src}: simulation.deadline", "must be after simulation.start")
        self.trials = whole_number(f"{src}: simulation.trials", sim["trials"], 1, 2**63 - 1)
        self.seed = whole_number(f"{src}: simulation.seed", sim["seed"], 0, 2**64 - 1)

        self.params = {}  # key -> Dist, canonical order
        self.state = []   # keys events may shift (their domain is [0,1])
        self.signatories, self.outside, self.issues = [], [], []
        self.hazard, self.successor = {}, {}  # signatory -> parameter key
        parties, issues = sc.get("party", {}), sc.get("issue", {})
        if not isinstance(parties, dict) or not isinstance(issues, dict):
            fail(src, "`party` and `issue` must be tables ([party.NAME], [issue.NAME])")
        for name in list(parties) + list(issues):
            if not NAME.fullmatch(name):
                fail(src, f"name {name!r} must match [a-z][a-z0-9_]*")
        if both := set(parties) & set(issues):
            fail(src, f"{sorted(both)[0]!r} names both a party and an issue")

        def param(key, spec, domain, state=False):
            where = f"{src}: {key}"
            d = parse_dist(spec, domain, where)
            check_support(where, d, domain)
            self.params[key] = d
            if state:
                self.state.append(key)

        for p, t in parties.items():
            where = f"{src}: [party.{p}]"
            if not isinstance(t, dict):
                fail(where, "must be a table")
            role = t.get("role", "signatory")
            if role not in ("signatory", "outside"):
                fail(f"{where} role", f"{role!r}: accepted are \"signatory\" and \"outside\"")
            if "label" in t and not isinstance(t["label"], str):
                fail(f"{where} label", "must be a string")
            if role == "outside":
                unknown_keys(where, t, OUTSIDE_KEYS)
                if "indifference" not in t:
                    fail(where, "an outside party needs `indifference`")
                param(f"party.{p}.indifference", t["indifference"], "unit", state=True)
                self.outside.append(p)
                continue
            unknown_keys(where, t, SIGNATORY_KEYS)
            if "will" not in t:
                fail(where, "a signatory needs `will`")
            param(f"party.{p}.will", t["will"], "unit", state=True)
            if "leader_exit_hazard" in t:
                param(f"party.{p}.leader_exit_hazard", t["leader_exit_hazard"], "unit")
                d = self.params[f"party.{p}.leader_exit_hazard"]
                if d.const != 0.0:  # a change of leader by hazard can happen
                    self.hazard[p] = f"party.{p}.leader_exit_hazard"
            if "successor_will" in t:
                param(f"party.{p}.successor_will", t["successor_will"], "unit")
                self.successor[p] = f"party.{p}.successor_will"
            self.signatories.append(p)
        if len(self.signatories) < 2:
            fail(src, f"a scenario needs at least two signatories, it has {len(self.signatories)}")
        for p in self.hazard:
            if p not in self.successor:
                fail(f"{src}: [party.{p}]", "leader_exit_hazard can be > 0, so `successor_will` is required")

        for i, t in issues.items():
            where = f"{src}: [issue.{i}]"
            if not isinstance(t, dict):
                fail(where, "must be a table")
            unknown_keys(where, t, ISSUE_KEYS)
            for key in ("concedes", "demands", "concession", "demand"):
                if key not in t:
                    fail(where, f"missing `{key}`")
            for key in ("concedes", "demands"):
                if t[key] not in self.signatories:
                    fail(f"{where} {key}", f"{t[key]!r} is not a signatory ({', '.join(self.signatories)})")
            if t["concedes"] == t["demands"]:
                fail(where, "`concedes` and `demands` must be two different signatories")
            param(f"issue.{i}.concession", t["concession"], "unit", state=True)
            param(f"issue.{i}.demand", t["demand"], "unit", state=True)
            tables = {}
            for name in ("leverage", "pressure"):
                tables[name] = t.get(name, {})
                if not isinstance(tables[name], dict):
                    fail(f"{where} {name}", "must be a table { OUTSIDE = value, ... }")
                for o, spec in tables[name].items():
                    if o not in self.outside:
                        fail(f"{where} {name}", f"{o!r} is not an outside party ({', '.join(self.outside) or 'none'})")
                    param(f"issue.{i}.{name}.{o}", spec, "unit")
            # pressure entries in party order, as treatysim sums them
            pressure = [o for o in self.outside if o in tables["pressure"]]
            lev = [o for o in self.outside if o in tables["leverage"]]
            drifts = []
            for name in ("concession_drift", "demand_drift"):
                if name in t:
                    param(f"issue.{i}.{name}", t[name], "real")
                    drifts.append(f"issue.{i}.{name}")
                else:
                    drifts.append(None)
            breaker = t.get("dealbreaker", False)
            if not isinstance(breaker, bool):
                fail(f"{where} dealbreaker", f"{breaker!r} must be true or false")
            self.issues.append((i, lev, pressure, drifts, breaker))

        proc = sc.get("process", {})
        unknown_keys(f"{src}: [process]", proc, set(PROCESS))
        for key, domain in PROCESS.items():
            if key not in proc:
                fail(f"{src}: [process]", f"missing `{key}`")
            param(f"process.{key}", proc[key], domain, state=key == "summit_rate")

        # every event, declaration order: (name, kind, chance, first t, last t, exits, shifts,
        # requires, excludes); kind "fixed", "drawn" (month uniform on first..last) or "hazard"
        self.events = []
        raw = sc.get("event", [])
        index = {ev.get("name"): k for k, ev in enumerate(raw)}
        for ev in raw:
            where = f"{src}: event {ev.get('name')!r}"
            unknown_keys(where, ev, EVENT_KEYS)
            for key in ("name", "month"):
                if key not in ev:
                    fail(where, f"missing `{key}`")
            if ("probability" in ev) == ("hazard" in ev):
                fail(where, "give exactly one of `probability` and `hazard`")
            kind = "hazard" if "hazard" in ev else "fixed"
            prob = ev.get("hazard", ev.get("probability"))
            first = month_index(f"{where} month", ev["month"]) - self.start
            last = first
            if "until" in ev:
                last = month_index(f"{where} until", ev["until"]) - self.start
                if last < first:
                    fail(f"{where} until", "is before `month`")
                if kind == "fixed":
                    kind = "drawn"
            elif kind == "hazard":
                last = self.months - 1
            if isinstance(prob, bool) or not isinstance(prob, (int, float)) or not 0 <= prob <= 1:
                fail(f"{where} probability", f"{prob!r} must be a number in [0, 1]")
            effects = ev.get("effects", {})
            if not isinstance(effects, dict):
                fail(f"{where} effects", "must be a table { \"KEY\" = shift, ... }")
            shifts = []
            for key, spec in effects.items():
                if key not in self.state:
                    close = difflib.get_close_matches(key, self.state, n=1)
                    fail(f"{where} effects", f"cannot shift {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                         + f"; state parameters: {', '.join(self.state)}")
                shifts.append((key, parse_dist(spec, None, f"{where} effects.{key}")))
            exits = ev.get("leader_exit", [])
            if not isinstance(exits, list):
                fail(f"{where} leader_exit", "must be a list of signatories")
            for p in exits:
                if p not in self.signatories:
                    fail(f"{where} leader_exit", f"{p!r} is not a signatory ({', '.join(self.signatories)})")
                if p not in self.successor:
                    fail(f"{where} leader_exit", f"{p!r} needs a `successor_will` in [party.{p}]")
            links = []
            for field in ("requires", "excludes"):
                names = ev.get(field, [])
                if not isinstance(names, list) or any(n not in index or n == ev["name"] for n in names):
                    fail(f"{where} {field}", f"{names!r} must list other events by name")
                links.append([index[n] for n in names])
            if last < 0 or first >= self.months:
                print(f"warning: {where}: its window is outside the simulation, it never fires",
                      file=sys.stderr)
            idx = sorted({self.signatories.index(p) for p in exits})
            self.events.append((ev["name"], kind, float(prob), first, last, idx, shifts, *links))
        state = {}  # a cycle of requires is an error

        def visit(k, path):
            if state.get(k) == 1:
                fail(f"{src}: event {self.events[k][0]!r}", "a cycle of requires")
            if state.get(k) == 2:
                return
            state[k] = 1
            for r in self.events[k][7]:
                visit(r, path + [k])
            state[k] = 2

        for k in range(len(self.events)):
            visit(k, [])

        # correlations: Gaussian copula, Pearson r = 2 sin(pi rho / 6) on the normal scale
        self.corr_keys, self.chol = [], None
        pairs = sc.get("correlations", {})
        rho_of = {}
        for pk, rho in pairs.items():
            where = f"{src}: correlations {pk!r}"
            a, b = pk.split(" ~ ")
            for k in (a, b):
                if k not in self.params:
                    close = difflib.get_close_matches(k, list(self.params), n=1)
                    fail(where, f"{k!r} is not a parameter" + (f" (did you mean {close[0]!r}?)" if close else ""))
                if self.params[k].const is not None:
                    fail(where, f"{k} is a constant; only uncertain parameters can be correlated")
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1 < rho < 1:
                fail(where, f"{rho!r} must be a number strictly between -1 and 1")
            rho_of[(a, b)] = float(rho)
        if rho_of:
            self.corr_keys = [k for k in self.params if any(k in ab for ab in rho_of)]
            ix = {k: j for j, k in enumerate(self.corr_keys)}
            r = np.eye(len(ix))
            for (a, b), rho in rho_of.items():
                r[ix[a], ix[b]] = r[ix[b], ix[a]] = 2 * math.sin(math.pi * rho / 6)
            try:
                self.chol = np.linalg.cholesky(r)
            except np.linalg.LinAlgError:
                fail(f"{src}: correlations", "the correlation matrix is not positive definite")

    def draw(self, rng, n):
        """Every parameter's draw for n trials: arrays, or floats for constants."""
        out = {k: d.sample(rng, n) for k, d in self.params.items() if k not in self.corr_keys}
        if self.corr_keys:
            z = self.chol @ rng.standard_normal((len(self.corr_keys), n))
            for j, k in enumerate(self.corr_keys):
                out[k] = np.asarray(self.params[k].ppf(special.ndtr(z[j])), float)
        return out


# ---------------------------------------------------------------- the model (SPEC §4)
def simulate(model, trials, seed, estimator, chunk):
    """Run the trials; return (probability, standard error, cumulative probability by month)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    months, sigs, K = model.months, model.signatories, len(model.signatories)
    month_sum = np.zeros(months)  # sum over trials of each month's contribution
    y_sum = y_sq = 0.0            # sums of per-trial totals and squares, for the standard error
    for first in range(0, trials, chunk):
        n = min(chunk, trials - first)
        draws = model.draw(rng, n)
        W = np.empty((K, n))  # row P: signatory P's will (mutable state)
        for i, p in enumerate(sigs):
            W[i] = draws[f"party.{p}.will"]
        st = {f"party.{p}.will": W[i] for i, p in enumerate(sigs)}  # views into W
        for key in model.state:
            if key not in st:
                st[key] = np.broadcast_to(draws[key], (n,)).astype(float)  # mutable copies
        sigma, theta, s = (draws[k] for k in ("process.will_volatility",
                                              "process.signing_threshold", "process.decision_noise"))
        sigma = np.asarray(sigma)
        succ = {i: np.broadcast_to(draws[model.successor[p]], (n,))
                for i, p in enumerate(sigs) if p in model.successor}
        hazards = [(i, draws[model.hazard[p]]) for i, p in enumerate(sigs) if p in model.hazard]
        issues = [(st[f"issue.{i}.concession"], st[f"issue.{i}.demand"],
                   [(draws[f"issue.{i}.leverage.{o}"], st[f"party.{o}.indifference"]) for o in lev],
                   [(draws[f"issue.{i}.pressure.{o}"], st[f"party.{o}.indifference"]) for o in press],
                   [None if d is None else draws[d] for d in drifts], breaker)
                  for i, lev, press, drifts, breaker in model.issues]
        drifting = any(d is not None for *_, drifts, _b in model.issues for d in drifts)
        # each event's firing month (-1: not yet); a windowed probability event's drawn month
        fired = np.full((len(model.events), n), -1)
        drawn = {k: ev[3] + np.minimum((rng.random(n) * (ev[4] - ev[3] + 1)).astype(int), ev[4] - ev[3])
                 for k, ev in enumerate(model.events) if ev[1] == "drawn"}
        in_office = np.ones((K, n), bool)
        alive = np.ones(n)  # survival S_t (conditional) or 1.0/0.0 for unsigned (indicator)
        z, x, u = np.empty((K, n)), np.empty(n), np.empty(n)  # reused buffers
        bar = None          # theta + sum of the issues' gaps; changes only when an event fires
        for t in range(months):
            if t > 0:  # step 1: random walk of every signatory's will, clamped to [0, 1]
                rng.standard_normal(out=z)
                z *= sigma
                W += z
                np.clip(W, 0, 1, out=W)
            for k, (_name, kind, prob, first, last, exits, shifts, req, exc) in enumerate(model.events):
                if not first <= t <= last:  # step 2: due events, in declaration order
                    continue
                if kind == "fixed" and t != first:
                    continue
                due = drawn[k] == t if kind == "drawn" else fired[k] < 0
                if not due.any() if kind == "drawn" else False:
                    continue
                fires = due & (rng.random(n) < prob)
                for r in req:
                    fires &= fired[r] >= 0
                for x_ in exc:
                    fires &= fired[x_] < 0
                fired[k][fires] = t
                fired_now = fires
                for i in exits:  # leaders still in office leave first: W_P <- S_P
                    np.copyto(W[i], succ[i], where=fired_now & in_office[i])
                    in_office[i] &= ~fired_now
                for key, dist in shifts:  # drawn for every trial, applied where the event fired
                    shift = np.broadcast_to(dist.sample(rng, n), (n,))
                    np.clip(st[key] + np.where(fired_now, shift, 0.0), 0, 1, out=st[key])
                bar = None
            for i, h in hazards:  # step 3: a leader still in office leaves with hazard h (once)
                rng.random(out=u)
                leaves = in_office[i] & (u < h)
                np.copyto(W[i], succ[i], where=leaves)
                in_office[i] &= ~leaves
            if bar is None or drifting:
                # c = clip(C + dC t), d = clip(D + dD t), room = clip(c + sum L U - sum K (1 - U)),
                # gap = sum_I max(0, d - room); a dealbreaker with d > room makes p = 0
                gap = np.zeros(n)
                blocked = np.zeros(n, bool)
                for C, D, lev, press, (dc, dd), breaker in issues:
                    c = C if dc is None else np.clip(C + dc * t, 0, 1)
                    d = D if dd is None else np.clip(D + dd * t, 0, 1)
                    room = np.array(c, float, copy=True)
                    for L, U in lev:
                        room += L * U
                    for K_, U in press:
                        room -= K_ * (1 - U)
                    np.clip(room, 0.0, 1.0, out=room)
                    gap += np.maximum(0.0, d - room)
                    if breaker:
                        blocked |= d > room
                bar = np.where(blocked, np.inf, theta + gap)
            # step 4: summit with probability lambda, then signing with probability
            # p = 1 / (1 + exp(-(min_P W_P - theta - gap) / s))
            np.min(W, axis=0, out=x)
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


def arg_number(lo, hi):
    def parse(v):
        try:
            return whole_number("value", v, lo, hi)
        except ScenarioError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return parse


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=arg_number(1, 2**63 - 1), help="e.g. 200000 or 2e5")
    ap.add_argument("--seed", type=arg_number(0, 2**64 - 1))
    ap.add_argument("--estimator", choices=["conditional", "indicator"], default="conditional")
    ap.add_argument("--chunk", type=int, default=1 << 16, help="trials per vectorised block")
    ap.add_argument("--scenarios", action="append", default=[],
                    help="search path for `extends` (repeatable), after the file's own folder")
    ap.add_argument("--csv", action="store_true", help="print only `probability,std_error`")
    a = ap.parse_args()
    if a.chunk < 1:
        ap.error("--chunk must be >= 1")
    search = a.scenarios + [d for d in os.environ.get("TREATYSIM_SCENARIOS", "").split(os.pathsep) if d]
    try:
        model = Model(load(a.scenario, search), a.scenario)
    except ScenarioError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    trials = a.trials if a.trials is not None else model.trials
    seed = a.seed if a.seed is not None else model.seed

    t0 = time.perf_counter()
    prob, se, cum = simulate(model, trials, seed, a.estimator, a.chunk)
    wall = time.perf_counter() - t0

    if a.csv:
        print(f"{float(prob)!r},{float(se)!r}")
        return
    print(f"scenario     {Path(a.scenario).stem} ({a.estimator}, {trials} trials, seed {seed})")
    print(f"signatories  {', '.join(model.signatories)}; outside: {', '.join(model.outside) or '-'}; "
          f"issues: {', '.join(i for i, *_ in model.issues) or '-'}")
    print(f"probability   {prob:.6f}")
    print(f"std_error     {se:.6f}")
    print(f"ci95 (normal) {max(prob - 1.96 * se, 0):.6f} .. {min(prob + 1.96 * se, 1):.6f}")
    print("month    cumulative")
    for t, c in enumerate(cum):
        m = model.start + t
        print(f"{m // 12}-{m % 12 + 1:02d}  {c:.6f}")
    print(f"wall_time_s  {wall:.4f}")
    print(f"trials_per_s {trials / wall:.0f}")


if __name__ == "__main__":
    main()
