#!/usr/bin/env python3
"""An independent model of SPEC sections 3 and 4, written from the SPEC alone (not from
treatysim's source nor bench/numpy_model.py), for the conformance comparison of
bench/scenarios/conformance/.  It computes only the statistics (the probability of a treaty
before the deadline and the per-month cumulative timeline), with its own random streams.

    python3 bench/spec_model.py NAME --scenarios DIR [--trials N] [--seed S]
        [--set KEY=VALUE ...] [--estimator conditional|indicator] [--timeline]

Prints one JSON object: probability, std_error, trials, estimator, and per month
cumulative_probability (with its standard error, cumulative_se) when --timeline is given.
Needs numpy and scipy.
"""
import argparse
import json
import math
import os
import re
import sys
import tomllib

import numpy as np
from scipy import optimize, special, stats

Z95 = stats.norm.ppf(0.95)

# ---------------------------------------------------------------- scenario resolution


def find_file(name, own_dir, dirs):
    if name.endswith(".toml") or "/" in name:
        return name
    for d in ([own_dir] if own_dir else []) + list(dirs):
        p = os.path.join(d, name + ".toml")
        if os.path.exists(p):
            return p
    raise SystemExit(f"scenario {name} not found in {dirs}")


def merge_event(parent, child):
    out = dict(parent)
    for k, v in child.items():
        if k == "effects":
            eff = dict(out.get("effects", {}))
            eff.update(v)
            out["effects"] = eff
        elif k == "probability":
            out.pop("hazard", None)
            out[k] = v
        elif k == "hazard":
            out.pop("probability", None)
            out[k] = v
        else:  # scalars and the lists requires / excludes / leader_exit: replaced whole
            out[k] = v
    return out


def merge_table(parent, child):
    out = dict(parent)
    for k, v in child.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_table(out[k], v)
        else:
            out[k] = v
    return out


def load(name, dirs, own_dir=None, depth=0):
    if depth > 64:
        raise SystemExit("extends chain too deep")
    path = find_file(name, own_dir, dirs)
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    parent_name = doc.pop("extends", None)
    events = doc.pop("event", [])
    if parent_name is None:
        doc["event"] = events
        return doc
    parent = load(parent_name, dirs, os.path.dirname(path), depth + 1)
    pevents = parent.pop("event")
    out = merge_table(parent, doc)
    for k in ("description", "question"):
        if k in doc:
            out[k] = doc[k]
    by_name = {e["name"]: i for i, e in enumerate(pevents)}
    merged = list(pevents)
    for e in events:
        if e["name"] in by_name:
            merged[by_name[e["name"]]] = merge_event(merged[by_name[e["name"]]], e)
        else:
            merged.append(e)
    out["event"] = merged
    return out


def parse_value(text):
    t = text.strip().strip("'\"")
    if t in ("true", "false"):
        return t == "true"
    try:
        return float(t)
    except ValueError:
        return t


def apply_set(doc, key, value):
    v = parse_value(value)
    parts = key.split(".")
    if parts[0] == "event":
        name, field = ".".join(parts[1:-1]), parts[-1]
        for i, e in enumerate(doc["event"]):
            if e["name"] == name:
                doc["event"][i] = merge_event(e, {field: v})
                return
        raise SystemExit(f"no event {name}")
    if parts[0] == "correlations":
        doc.setdefault("correlations", {})[key[len("correlations."):]] = v
        return
    d = doc
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = v


# ---------------------------------------------------------------- distributions

UNIT, NONNEG, POS, REAL = "unit", "nonneg", "pos", "real"


def beta_from_90(lo, hi):
    def f(x):
        a, b = np.exp(x)
        return [stats.beta.ppf(0.05, a, b) - lo, stats.beta.ppf(0.95, a, b) - hi]

    best = None
    for guess in ([0.0, 0.0], [1.0, 1.0], [2.0, 1.0], [1.0, 2.0], [2.0, 3.0], [3.0, 2.0]):
        sol, info, ier, _ = optimize.fsolve(f, guess, full_output=True, xtol=1e-13)
        if ier == 1 and max(abs(np.array(f(sol)))) < 1e-9:
            best = np.exp(sol)
            break
    if best is None:
        raise SystemExit(f"cannot fit beta to {lo} to {hi}")
    return stats.beta(best[0], best[1])


def make_dist(spec, domain):
    """A frozen scipy distribution, or a float for a constant."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return float(spec)
    s = spec.strip()
    try:
        return float(s)
    except ValueError:
        pass
    m = re.fullmatch(r"([a-z]+)\((.*)\)", s)
    if m and m.group(1) != "quantiles":
        fam = m.group(1)
        args = [float(a) for a in m.group(2).split(",")]
        if fam == "uniform":
            return stats.uniform(args[0], args[1] - args[0])
        if fam == "beta":
            return stats.beta(args[0], args[1])
        if fam == "normal":
            return stats.norm(args[0], args[1])
        if fam == "truncnormal":
            mu, sd, lo, hi = args
            return stats.truncnorm((lo - mu) / sd, (hi - mu) / sd, loc=mu, scale=sd)
        if fam == "lognormal":
            return stats.lognorm(args[1], scale=math.exp(args[0]))
        if fam == "triangular":
            lo, mode, hi = args
            return stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if fam == "pert":
            lo, mode, hi = args
            a = 1 + 4 * (mode - lo) / (hi - lo)
            b = 1 + 4 * (hi - mode) / (hi - lo)
            return stats.beta(a, b, loc=lo, scale=hi - lo)
        raise SystemExit(f"unsupported distribution {s}")
    m = re.fullmatch(r"quantiles\((.*)\)", s)
    if m and domain == REAL:
        pairs = [[float(x) for x in q.split(":")] for q in m.group(1).split(",")]
        if len(pairs) != 2:
            raise SystemExit("only two-quantile fits are supported here")
        (p1, x1), (p2, x2) = pairs
        sd = (x2 - x1) / (stats.norm.ppf(p2) - stats.norm.ppf(p1))
        return stats.norm(x1 - sd * stats.norm.ppf(p1), sd)
    m = re.fullmatch(r"(\S+)\s+to\s+(\S+)", s)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if domain == UNIT:
            return beta_from_90(lo, hi)
        if domain in (NONNEG, POS):
            mu = (math.log(lo) + math.log(hi)) / 2
            sig = (math.log(hi) - math.log(lo)) / (2 * Z95)
            return stats.lognorm(sig, scale=math.exp(mu))
        return stats.norm((lo + hi) / 2, (hi - lo) / (2 * Z95))
    raise SystemExit(f"unsupported distribution {s}")


def month_index(text):
    y, m = text.split("-")
    return int(y) * 12 + int(m) - 1


# ---------------------------------------------------------------- the model


class Model:
    def __init__(self, doc):
        self.doc = doc
        sim = doc["simulation"]
        self.start = month_index(sim["start"])
        self.T = month_index(sim["deadline"]) - self.start
        parties = doc.get("party", {})
        self.sigs = [p for p, d in parties.items() if d.get("role", "signatory") == "signatory"]
        self.outs = [p for p, d in parties.items() if d.get("role", "signatory") == "outside"]
        self.issues = list(doc.get("issue", {}).keys())
        # parameters: key -> (spec, domain), in canonical order
        self.params = {}
        for p, d in parties.items():
            if p in self.sigs:
                self.params[f"party.{p}.will"] = (d["will"], UNIT)
                self.params[f"party.{p}.leader_exit_hazard"] = (d.get("leader_exit_hazard", 0.0), UNIT)
                if "successor_will" in d:
                    self.params[f"party.{p}.successor_will"] = (d["successor_will"], UNIT)
            else:
                self.params[f"party.{p}.indifference"] = (d["indifference"], UNIT)
        for i, d in doc.get("issue", {}).items():
            self.params[f"issue.{i}.concession"] = (d["concession"], UNIT)
            self.params[f"issue.{i}.demand"] = (d["demand"], UNIT)
            for o, v in d.get("leverage", {}).items():
                self.params[f"issue.{i}.leverage.{o}"] = (v, UNIT)
            for o, v in d.get("pressure", {}).items():
                self.params[f"issue.{i}.pressure.{o}"] = (v, UNIT)
            self.params[f"issue.{i}.concession_drift"] = (d.get("concession_drift", 0.0), REAL)
            self.params[f"issue.{i}.demand_drift"] = (d.get("demand_drift", 0.0), REAL)
        pr = doc["process"]
        self.params["process.summit_rate"] = (pr["summit_rate"], UNIT)
        self.params["process.will_volatility"] = (pr["will_volatility"], NONNEG)
        self.params["process.signing_threshold"] = (pr["signing_threshold"], REAL)
        self.params["process.decision_noise"] = (pr["decision_noise"], POS)
        self.dists = {k: make_dist(s, dom) for k, (s, dom) in self.params.items()}
        self.dealbreaker = {i: bool(d.get("dealbreaker", False)) for i, d in doc.get("issue", {}).items()}
        self.corr = []
        for k, r in doc.get("correlations", {}).items():
            a, b = [x.strip() for x in k.split("~")]
            self.corr.append((a, b, float(r)))
        self.events = []
        for e in doc.get("event", []):
            ev = dict(e)
            ev["m0"] = month_index(e["month"]) - self.start
            ev["m1"] = month_index(e["until"]) - self.start if "until" in e else None
            ev["effect_dists"] = {k: make_dist(v, REAL) for k, v in e.get("effects", {}).items()}
            self.events.append(ev)

    def draw(self, rng, n):
        keys = list(self.params)
        u = {}
        corr_keys = []
        for a, b, _ in self.corr:
            for k in (a, b):
                if k not in corr_keys:
                    corr_keys.append(k)
        if corr_keys:
            m = len(corr_keys)
            R = np.eye(m)
            for a, b, rho in self.corr:
                i, j = corr_keys.index(a), corr_keys.index(b)
                R[i, j] = R[j, i] = 2 * math.sin(math.pi * rho / 6)
            L = np.linalg.cholesky(R)
            z = rng.standard_normal((n, m)) @ L.T
            for i, k in enumerate(corr_keys):
                u[k] = special.ndtr(z[:, i])
        vals = {}
        for k in keys:
            d = self.dists[k]
            if isinstance(d, float):
                vals[k] = np.full(n, d)
            else:
                uk = u[k] if k in u else rng.random(n)
                vals[k] = d.ppf(uk)
        return vals

    def run(self, n, seed, estimator="conditional", chunk=100_000):
        T = self.T
        total_month = np.zeros(T)
        total_month_sq = np.zeros(T)
        totals = []
        rng = np.random.default_rng(seed)
        done = 0
        while done < n:
            m = min(chunk, n - done)
            per_month = self.trial_chunk(rng, m, estimator)  # (m, T)
            cum = per_month.cumsum(axis=1)
            total_month += cum.sum(axis=0)
            total_month_sq += (cum ** 2).sum(axis=0)
            totals.append(per_month.sum(axis=1))
            done += m
        tot = np.concatenate(totals)
        p = tot.mean()
        se = tot.std(ddof=1) / math.sqrt(n)
        pm = total_month / n
        pm_se = np.sqrt(np.maximum(total_month_sq / n - pm ** 2, 0) / (n - 1))
        return p, se, pm, pm_se

    def trial_chunk(self, rng, n, estimator):
        v = self.draw(rng, n)
        T = self.T
        W = {p: v[f"party.{p}.will"].copy() for p in self.sigs}
        S = {p: v.get(f"party.{p}.successor_will") for p in self.sigs}
        H = {p: v[f"party.{p}.leader_exit_hazard"] for p in self.sigs}
        in_office = {p: np.ones(n, bool) for p in self.sigs}
        state = {}
        for p in self.outs:
            state[f"party.{p}.indifference"] = v[f"party.{p}.indifference"].copy()
        for i in self.issues:
            state[f"issue.{i}.concession"] = v[f"issue.{i}.concession"].copy()
            state[f"issue.{i}.demand"] = v[f"issue.{i}.demand"].copy()
        state["process.summit_rate"] = v["process.summit_rate"].copy()
        sigma = v["process.will_volatility"]
        theta = v["process.signing_threshold"]
        s = v["process.decision_noise"]
        fired = [np.zeros(n, bool) for _ in self.events]
        names = {e["name"]: k for k, e in enumerate(self.events)}
        # a probability event's month: drawn once per trial, uniformly from the whole window
        ev_month = []
        for e in self.events:
            if "probability" in e:
                if e["m1"] is None:
                    ev_month.append(np.full(n, e["m0"]))
                else:
                    ev_month.append(e["m0"] + rng.integers(0, e["m1"] - e["m0"] + 1, n))
            else:
                ev_month.append(None)
        out = np.zeros((n, T))
        surv = np.ones(n)
        alive = np.ones(n, bool)
        for t in range(T):
            # step 1
            if t > 0:
                for p in self.sigs:
                    W[p] = np.clip(W[p] + sigma * rng.standard_normal(n), 0, 1)
            # step 2
            for k, e in enumerate(self.events):
                if "probability" in e:
                    due = ev_month[k] == t
                    chance = float(e["probability"])
                else:
                    lo = e["m0"]
                    hi = e["m1"] if e["m1"] is not None else T - 1
                    if not (lo <= t <= hi):
                        continue
                    due = ~fired[k]
                    chance = float(e["hazard"])
                ok = due.copy()
                for r in e.get("requires", []):
                    ok &= fired[names[r]]
                for x in e.get("excludes", []):
                    ok &= ~fired[names[x]]
                fire = ok & (rng.random(n) < chance)
                if not fire.any():
                    continue
                fired[k] |= fire
                for p in e.get("leader_exit", []):
                    leave = fire & in_office[p]
                    W[p] = np.where(leave, S[p], W[p])
                    in_office[p] &= ~leave
                for key, d in e["effect_dists"].items():
                    if isinstance(d, float):
                        shift = np.full(n, d)
                    else:
                        shift = d.ppf(rng.random(n))
                    if key.endswith(".will"):
                        p = key.split(".")[1]
                        W[p] = np.where(fire, np.clip(W[p] + shift, 0, 1), W[p])
                    else:
                        state[key] = np.where(fire, np.clip(state[key] + shift, 0, 1), state[key])
            # step 3
            for p in self.sigs:
                if S[p] is None:
                    continue
                leave = in_office[p] & (rng.random(n) < H[p])
                W[p] = np.where(leave, S[p], W[p])
                in_office[p] &= ~leave
            # step 4
            gap = np.zeros(n)
            blocked = np.zeros(n, bool)
            for i in self.issues:
                c = np.clip(state[f"issue.{i}.concession"] + v[f"issue.{i}.concession_drift"] * t, 0, 1)
                d = np.clip(state[f"issue.{i}.demand"] + v[f"issue.{i}.demand_drift"] * t, 0, 1)
                room = c.copy()
                for o in self.doc["issue"][i].get("leverage", {}):
                    room = room + v[f"issue.{i}.leverage.{o}"] * state[f"party.{o}.indifference"]
                for o in self.doc["issue"][i].get("pressure", {}):
                    room = room - v[f"issue.{i}.pressure.{o}"] * (1 - state[f"party.{o}.indifference"])
                room = np.clip(room, 0, 1)
                gap += np.maximum(0, d - room)
                if self.dealbreaker[i]:
                    blocked |= d > room
            minw = np.min(np.stack([W[p] for p in self.sigs]), axis=0)
            p_sign = np.where(blocked, 0.0, special.expit((minw - theta - gap) / s))
            q = state["process.summit_rate"] * p_sign
            if estimator == "conditional":
                out[:, t] = surv * q
                surv = surv * (1 - q)
            else:
                signed = alive & (rng.random(n) < state["process.summit_rate"]) & (rng.random(n) < p_sign)
                out[signed, t] = 1.0
                alive &= ~signed
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("--scenarios", action="append", default=[])
    ap.add_argument("--trials", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--estimator", default="conditional")
    ap.add_argument("--timeline", action="store_true")
    a = ap.parse_args()
    dirs = a.scenarios or ["scenarios"]
    doc = load(a.name, dirs)
    for kv in a.set:
        k, v = kv.split("=", 1)
        apply_set(doc, k, v)
    model = Model(doc)
    n = int(a.trials or doc["simulation"]["trials"])
    p, se, pm, pm_se = model.run(n, a.seed, a.estimator)
    res = {"probability": p, "std_error": se, "trials": n, "estimator": a.estimator}
    if a.timeline:
        res["cumulative_probability"] = pm.tolist()
        res["cumulative_se"] = pm_se.tolist()
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
