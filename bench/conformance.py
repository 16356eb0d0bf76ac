#!/usr/bin/env python3
"""Compare treatysim (both estimators) with bench/spec_model.py, an implementation of SPEC
sections 3-4 written from the SPEC alone, and with bench/numpy_model.py, on the scenarios of
bench/scenarios/conformance/ (see its README.md).

    python3 bench/conformance.py [--trials N] [--model-trials N] [NAME ...]

Needs numpy and scipy (for spec_model.py) and target/release/treatysim.  Prints one row per
run: treatysim's P +- se for each estimator, the model's, the numpy model's, their z-scores
against the model, and the largest |z| over the months of the cumulative timeline.
"""
import argparse, csv, json, math, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIR = os.path.join(HERE, "scenarios", "conformance")
BIN = os.path.join(ROOT, "target", "release", "treatysim")

# (label, scenario, --set overrides)
RUNS = [
    ("c01", "c01_closed_form", []),
    ("c02", "c02_multilateral", []),
    ("c03", "c03_drift_clamp", []),
    ("c04", "c04_effects_drift", []),
    ("c05", "c05_windows", []),
    ("c05-set", "c05_windows", ["event.early.hazard=0.2", "event.late.until=2021-04",
                                "event.after.month=2021-01", "event.open hazard.probability=0.7"]),
    ("c06", "c06_requires", []),
    ("c06-set", "c06_requires", ["event.cause.probability=1", "event.trigger.until=2020-03",
                                 "event.rival two.month=2020-04"]),
    ("c07", "c07_leaders", []),
    ("c08", "c08_effects", []),
    ("c09", "c09_correlations", []),
    ("c10", "c10_child", []),
    ("c10-set", "c10_child", ["event.coup.probability=0.9", "event.coup.month=2020-03",
                              "event.coup.until=2020-05", "party.b.successor_will=beta(2, 8)",
                              "issue.y.dealbreaker=false"]),
    ("c11", "c11_tie", []),
    ("c12", "c12_walk", []),
    ("c13", "c13_summit_rate", []),
    ("c14", "c14_exit_order", []),
    ("c15", "c15_outside_refs", []),
    ("c15-set", "c15_outside_refs", ["event.straddle.hazard=0.3", "event.future.month=2020-08",
                                     "event.past.until=2020-02"]),
    ("c05-window", "c05_windows", ["simulation.start=2020-09", "simulation.deadline=2021-04"]),
    ("c07-set", "c07_leaders", ["party.c.leader_exit_hazard=0.05", "party.a.leader_exit_hazard=0",
                                "process.summit_rate=uniform(0.05, 0.2)"]),
    ("c09-set", "c09_correlations", ["correlations.party.a.will ~ party.b.will=-0.5",
                                     "issue.x.demand_drift=-0.03 to 0.03"]),
]


def run_treatysim(name, sets, est, trials, out):
    cmd = [BIN, "run", name, "--scenarios", DIR, "--out", out, "--trials", str(trials),
           "--estimator", est, "--quiet", "--as", f"{name}-{est}"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    folder = os.path.join(out, f"{name}-{est}")
    with open(os.path.join(folder, "summary.csv")) as f:
        row = next(csv.DictReader(f))
    with open(os.path.join(folder, "timeline.csv")) as f:
        tl = [(float(r["cumulative_probability"]),
               (float(r["ci95_high"]) - float(r["ci95_low"])) / (2 * 1.959963984540054))
              for r in csv.DictReader(f)]
    return float(row["probability"]), float(row["std_error"]), tl


def run_model(name, sets, trials, est="conditional"):
    cmd = [sys.executable, os.path.join(HERE, "spec_model.py"), name, "--scenarios", DIR,
           "--trials", str(trials), "--seed", "12345", "--timeline", "--estimator", est]
    for s in sets:
        cmd += ["--set", s]
    r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return r["probability"], r["std_error"], list(zip(r["cumulative_probability"], r["cumulative_se"]))


def run_numpy(name, sets, trials):
    if sets:
        return None
    cmd = [sys.executable, os.path.join(HERE, "numpy_model.py"), os.path.join(DIR, name + ".toml"),
           "--trials", str(trials), "--csv", "--scenarios", DIR]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return ("error", r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "")
    p, se = r.stdout.strip().split(",")
    return float(p), float(se)


def z(a, sa, b, sb):
    if abs(a - b) < 1e-12:
        return 0.0
    s = math.hypot(sa, sb)
    return (a - b) / s if s > 0 else (0.0 if a == b else math.inf)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=400000)
    ap.add_argument("--model-trials", type=int, default=400000)
    ap.add_argument("--no-numpy", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    out = tempfile.mkdtemp(prefix="conformance-")
    print("| run | treatysim conditional | treatysim indicator | spec_model | numpy_model | z cond | z ind | z numpy | max abs z timeline (cond, ind) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, name, sets in RUNS:
        if a.names and label not in a.names:
            continue
        pc, sc, tc = run_treatysim(name, sets, "conditional", a.trials, out)
        pi, si, ti = run_treatysim(name, sets, "indicator", a.trials, out)
        pm, sm, tm = run_model(name, sets, a.model_trials)
        npy = None if a.no_numpy else run_numpy(name, sets, a.model_trials)
        zt_c = max(abs(z(x[0], x[1], y[0], y[1])) for x, y in zip(tc, tm))
        zt_i = max(abs(z(x[0], x[1], y[0], y[1])) for x, y in zip(ti, tm))
        if npy is None:
            ns, zn = "-", "-"
        elif npy[0] == "error":
            ns, zn = "error: " + npy[1][:60], "-"
        else:
            ns, zn = f"{npy[0]:.5f} ± {npy[1]:.5f}", f"{z(npy[0], npy[1], pm, sm):+.2f}"
        print(f"| {label} | {pc:.5f} ± {sc:.5f} | {pi:.5f} ± {si:.5f} | {pm:.5f} ± {sm:.5f} | {ns} | "
              f"{z(pc, sc, pm, sm):+.2f} | {z(pi, si, pm, sm):+.2f} | {zn} | {zt_c:.2f}, {zt_i:.2f} |", flush=True)


if __name__ == "__main__":
    main()
