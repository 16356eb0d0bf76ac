"""ts.pool and ts.score give exactly the command line's pool.csv and scores.csv (SPEC §8
"Pooling experts", "Scoring"; SPEC §12)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import treatysim as ts

TRIALS = 20_000


def _read(path: Path) -> pd.DataFrame:
    return ts._read_csv(path.read_bytes())


def _without_command(path: Path) -> list:
    """run.toml's lines but its command lines (the Python process's argv)."""
    return [line for line in path.read_text().splitlines() if not line.startswith("command")]


def _same_files(py: Path, cli: Path, label: str, files: list) -> None:
    for file in files:
        assert (py / label / file).read_bytes() == (cli / label / file).read_bytes(), file
    assert (py / "summary.csv").read_bytes() == (cli / "summary.csv").read_bytes()
    assert _without_command(py / label / "run.toml") == _without_command(cli / label / "run.toml")


@pytest.mark.parametrize("estimator", ["conditional", "indicator"])
@pytest.mark.parametrize("method", ["linear", "geometric-odds"])
def test_pool_equals_the_command_line(method, estimator, cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    members = ["jain", "kistanov", "mason"]
    cli_out = tmp_path / "cli"
    cli("pool", "experts", *members, "--weights", "1,2,3", "--method", method, "--trials",
        str(TRIALS), "--seed", "7", "--estimator", estimator, "--out", str(cli_out))
    r = ts.pool("experts", [ts.load(m) for m in members], weights=[1, 2, 3], method=method,
                trials=TRIALS, seed=7, estimator=estimator)
    assert (r.name, r.method, r.trials, r.seed, r.estimator) == ("experts", method, TRIALS, 7, estimator)
    table = _read(cli_out / "experts" / "pool.csv")
    pd.testing.assert_frame_equal(r.table, table, check_exact=True)
    assert list(r.table.dtypes) == list(pd.read_csv(cli_out / "experts" / "pool.csv").dtypes)
    assert list(table["member"][:3]) == members
    summary = _read(cli_out / "experts" / "summary.csv")
    pd.testing.assert_frame_equal(r.summary, summary, check_exact=True)
    assert r.probability == summary["probability"][0]
    assert r.std_error == summary["std_error"][0]
    assert r.ci95 == (summary["ci95_low"][0], summary["ci95_high"][0])
    chosen = table[table["method"] == method]
    assert r.probability == chosen["probability"].iloc[0]
    pd.testing.assert_frame_equal(r.timeline, _read(cli_out / "experts" / "timeline.csv"), check_exact=True)
    py_out = tmp_path / "py"
    r.write(py_out)
    _same_files(py_out, cli_out, "experts", ["pool.csv", "summary.csv", "timeline.csv"])


def test_pool_with_forecasts_equals_the_command_line(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    cli_out = tmp_path / "cli"
    cli("pool", "panel", "jain", "togo", "--forecast", "desk=0.3", "--forecast", "field=0.05",
        "--weights", "1,1,2,4", "--method", "geometric-odds", "--trials", "9000", "--seed", "3",
        "--out", str(cli_out))
    r = ts.pool("panel", [ts.load("jain"), ts.load("togo")], weights=[1, 1, 2, 4],
                forecasts={"desk": 0.3, "field": 0.05}, method="geometric-odds", trials=9000, seed=3)
    pd.testing.assert_frame_equal(r.table, _read(cli_out / "panel" / "pool.csv"), check_exact=True)
    assert list(r.table["member"][:4]) == ["jain", "togo", "desk", "field"]
    assert list(r.table["weight"][:4]) == [0.125, 0.125, 0.25, 0.5]
    # A direct forecast has no timeline: neither the CLI nor the package makes one.
    assert r.timeline is None
    assert not (cli_out / "panel" / "timeline.csv").exists()
    py_out = tmp_path / "py"
    r.write(py_out)
    assert not (py_out / "panel" / "timeline.csv").exists()
    _same_files(py_out, cli_out, "panel", ["pool.csv", "summary.csv"])


def test_pool_refusals(root, monkeypatch):
    monkeypatch.chdir(root)
    jain, mason = ts.load("jain"), ts.load("mason")
    cases = [
        (dict(label="jain", members=[jain, mason]), "is the name of a member"),
        (dict(label="p", members=[jain, jain]), "is named twice"),
        (dict(label="p", members=[jain, mason], weights=[1.0]), "weight"),
        (dict(label="p", members=[jain, mason], method="median"), "accepted: linear, geometric-odds"),
        (dict(label="p", members=[jain], forecasts={"desk": 1.5}), "a probability is from 0 to 1"),
        (dict(label="p", members=[jain], forecasts={"jain": 0.5}), "a scenario member's name"),
        (dict(label="p", members=[jain], forecasts={"desk": 0.0}, method="geometric-odds"),
         "strictly between 0 and 1"),
        (dict(label="bad label", members=[jain]), "the label"),
        (dict(label="p", members=[]), "one or more Scenario"),
    ]
    for kwargs, words in cases:
        with pytest.raises(ts.ScenarioError, match=words):
            ts.pool(trials=100, **kwargs)


def test_score_equals_the_command_line(cli, root, tmp_path, monkeypatch):
    """Ten runs (signed and not) and two pools, scored in memory and by `treatysim score`:
    the same scores.csv and calibration.csv."""
    monkeypatch.chdir(root)
    base = (root / "scenarios" / "baseline.toml").read_text()
    signed = base.replace('outcome = "not signed"', 'outcome = "signed"\nmonth = "2020-03"')
    assert signed != base
    folder = tmp_path / "sc"
    folder.mkdir()
    out = tmp_path / "cli"
    results = []
    for k in range(10):
        name = f"v{k}"
        (folder / f"{name}.toml").write_text(signed if k % 2 else base)
        will = 0.1 * k + 0.05
        cli("run", name, "--scenarios", str(folder), "--set", f"party.russia.will={will!r}",
            "--trials", "3000", "--seed", "5", "--out", str(out))
        sc = ts.load(name, scenarios=[folder]).set("party.russia.will", will)
        results.append(ts.run(sc, trials=3000, seed=5))
    cli("pool", "experts", "jain", "mason", "--trials", "3000", "--seed", "5", "--out", str(out))
    cli("pool", "panel", "jain", "togo", "--forecast", "desk=0.2", "--method", "geometric-odds",
        "--trials", "3000", "--seed", "5", "--out", str(out))
    results.append(ts.pool("experts", [ts.load("jain"), ts.load("mason")], trials=3000, seed=5))
    results.append(ts.pool("panel", [ts.load("jain"), ts.load("togo")], forecasts={"desk": 0.2},
                           method="geometric-odds", trials=3000, seed=5))
    cli("score", "--scenarios", str(folder), "--scenarios", "scenarios", "--out", str(out))
    scored = ts.score(results)
    cli_scores = _read(out / "scores.csv")
    assert len(cli_scores) == 12
    pd.testing.assert_frame_equal(scored.scores, cli_scores, check_exact=True)
    assert list(scored.scores.dtypes) == list(pd.read_csv(out / "scores.csv").dtypes)
    assert set(scored.scores["outcome"]) == {"signed", "not signed"}
    # The pool with a direct forecast has no timeline: no time-averaged Brier score.
    panel = scored.scores[scored.scores["scenario"] == "panel"].iloc[0]
    assert panel["months_scored"] == 0 and pd.isna(panel["time_averaged_brier"])
    assert scored.calibration is not None
    pd.testing.assert_frame_equal(scored.calibration, _read(out / "calibration.csv"), check_exact=True)
    # Fewer than ten results: no calibration table.
    few = ts.score(results[:3])
    assert few.calibration is None and len(few.scores) == 3


def test_score_refusals(root, monkeypatch):
    monkeypatch.chdir(root)
    base = (root / "scenarios" / "baseline.toml").read_text()
    open_question = ts.Scenario.from_toml(base.replace('[resolution]\noutcome = "not signed"\n', ""), "open")
    r = ts.run(open_question, trials=500)
    with pytest.raises(ts.ScenarioError, match="has no \\[resolution\\]"):
        ts.score([r])
    b = ts.run(ts.load("baseline"), trials=500)
    with pytest.raises(ts.ScenarioError, match="two results are named"):
        ts.score([b, b])
    with pytest.raises(ts.ScenarioError, match="is not a run's or a pool's result"):
        ts.score([b, 0.5])
