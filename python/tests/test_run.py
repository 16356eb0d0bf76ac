"""ts.run gives exactly the command line's numbers and files (SPEC §12, issue #21 item 3)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import treatysim as ts

SHIPPED = ["baseline", "hindsight_2020", "jain", "kistanov", "mason", "togo", "two_islands"]
EXAMPLES = ["israel_saudi_normalisation", "jcpoa_restoration"]
TRIALS = 20_000


def _folders(name: str) -> list:
    return ["examples/scenarios"] if name in EXAMPLES else ["scenarios"]


def _read(path: Path) -> pd.DataFrame:
    return ts._read_csv(path.read_bytes())


@pytest.mark.parametrize("estimator", ["conditional", "indicator"])
@pytest.mark.parametrize("name", SHIPPED + EXAMPLES)
def test_run_equals_the_command_line(name, estimator, cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    folder = _folders(name)[0]
    cli_out = tmp_path / "cli"
    cli("run", name, "--scenarios", folder, "--trials", str(TRIALS), "--seed", "7",
        "--estimator", estimator, "--out", str(cli_out))
    sc = ts.load(name, scenarios=_folders(name))
    r = ts.run(sc, trials=TRIALS, seed=7, estimator=estimator)
    summary = _read(cli_out / name / "summary.csv")
    assert r.probability == summary["probability"][0]
    assert r.std_error == summary["std_error"][0]
    assert r.ci95 == (summary["ci95_low"][0], summary["ci95_high"][0])
    timeline = _read(cli_out / name / "timeline.csv")
    pd.testing.assert_frame_equal(r.timeline, timeline, check_exact=True)
    pd.testing.assert_frame_equal(r.summary, summary, check_exact=True)
    # Plain read_csv, as a pandas user reads the CLI's files: the same columns and dtypes.
    assert list(r.timeline.dtypes) == list(pd.read_csv(cli_out / name / "timeline.csv").dtypes)
    assert list(r.summary.columns) == list(pd.read_csv(cli_out / name / "summary.csv").columns)
    # r.write gives the CLI's files byte for byte (run.toml's command line aside).
    py_out = tmp_path / "py"
    r.write(py_out)
    for file in ["summary.csv", "timeline.csv"]:
        assert (py_out / name / file).read_bytes() == (cli_out / name / file).read_bytes(), file
    assert (py_out / "summary.csv").read_bytes() == (cli_out / "summary.csv").read_bytes()
    assert _without_command(py_out / name / "run.toml") == _without_command(cli_out / name / "run.toml")


def _without_command(path: Path) -> list:
    """run.toml's lines but its command lines (the Python process's argv)."""
    return [line for line in path.read_text().splitlines() if not line.startswith("command")]


def test_defaults_and_overrides_equal_the_command_line(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    sc = ts.load("baseline")
    sc2 = sc.set("party.japan.will", "beta(8, 2)")
    assert sc.overrides == [] and sc2.overrides == ["party.japan.will=beta(8, 2)"]
    out = tmp_path / "cli"
    cli("run", "baseline", "--set", "party.japan.will=beta(8, 2)", "--out", str(out))
    r = ts.run(sc2)
    assert r.trials == sc.trials and r.seed == sc.seed
    assert r.probability == _read(out / "baseline" / "summary.csv")["probability"][0]
    py = tmp_path / "py"
    r.write(py)
    for file in ["summary.csv", "timeline.csv"]:
        assert (py / "baseline" / file).read_bytes() == (out / "baseline" / file).read_bytes()
    assert _without_command(py / "baseline" / "run.toml") == _without_command(out / "baseline" / "run.toml")
    # sc is unchanged: its run differs from the override's.
    assert ts.run(sc, trials=TRIALS).probability != ts.run(sc2, trials=TRIALS).probability


def test_named_is_the_command_lines_as(cli, root, tmp_path, monkeypatch):
    """Scenario.named(label) is --as LABEL: the variant's files go to out/LABEL/, byte for byte as
    the command line writes them, and the unmodified scenario's folder is left alone."""
    monkeypatch.chdir(root)
    sc = ts.load("baseline")
    keen = sc.named("keen_japan").set("party.japan.will", "beta(8, 2)")
    assert keen.name == "keen_japan" and sc.name == "baseline"
    assert keen.overrides == ["party.japan.will=beta(8, 2)"]
    out = tmp_path / "cli"
    cli("run", "baseline", "--set", "party.japan.will=beta(8, 2)", "--as", "keen_japan",
        "--trials", str(TRIALS), "--out", str(out))
    py = tmp_path / "py"
    ts.run(sc, trials=TRIALS).write(py)
    before = (py / "baseline" / "summary.csv").read_bytes()
    ts.run(keen, trials=TRIALS).write(py)
    assert (py / "baseline" / "summary.csv").read_bytes() == before
    for file in ["summary.csv", "timeline.csv"]:
        assert (py / "keen_japan" / file).read_bytes() == (out / "keen_japan" / file).read_bytes()
    # Comparisons name it; pickling keeps it.
    row = ts.compare(sc, keen, trials=TRIALS)
    assert list(row["scenario_a"]) == ["baseline"] and list(row["scenario_b"]) == ["keen_japan"]
    import pickle

    assert pickle.loads(pickle.dumps(keen)).name == "keen_japan"
    with pytest.raises(ts.ScenarioError, match="label"):
        sc.named("../x")


def test_numbers_in_overrides_read_as_the_command_line_reads_them(root, monkeypatch):
    monkeypatch.chdir(root)
    sc = ts.load("baseline")
    a = ts.run(sc.set("party.japan.will", 0.7), trials=TRIALS)
    b = ts.run(sc.set("party.japan.will", "0.7"), trials=TRIALS)
    assert a.probability == b.probability


def test_from_toml_equals_load(root):
    text = (root / "scenarios" / "baseline.toml").read_text()
    a = ts.run(ts.Scenario.from_toml(text, name="baseline"), trials=TRIALS)
    b = ts.run(ts.load("baseline", scenarios=[root / "scenarios"]), trials=TRIALS)
    assert (a.probability, a.std_error) == (b.probability, b.std_error)
    pd.testing.assert_frame_equal(a.timeline, b.timeline, check_exact=True)


def test_warnings_are_those_the_command_line_prints(cli, root, tmp_path):
    """A poorly fitted quantiles(...) and an event outside the window: the package lists both,
    worded as `treatysim check` prints them (the poor fit used to be missing)."""
    text = (root / "scenarios" / "baseline.toml").read_text()
    text = text.replace('will = "beta(6, 3)"', 'will = "quantiles(0.1: 0.1, 0.5: 0.8, 0.9: 0.85)"', 1)
    assert "quantiles(" in text
    text += '\n[[event]]\nname = "late"\nmonth = "2030-01"\nprobability = 0.5\neffects = { "party.russia.will" = 0.1 }\n'
    (tmp_path / "odd.toml").write_text(text)
    sc = ts.Scenario.from_toml(text, name="odd")
    warnings = sc.warnings
    assert len(warnings) == 2, warnings
    assert "outside the simulated window" in warnings[0]
    assert "misses an elicited quantile" in warnings[1] and "party.japan.will" in warnings[1]
    printed = cli("check", "odd", "--scenarios", str(tmp_path)).stderr
    for warning in warnings:
        assert warning in printed, (warning, printed)


def test_threads_do_not_change_the_result(root):
    sc = ts.load("baseline", scenarios=[root / "scenarios"])
    one = ts.run(sc, trials=50_000, threads=1)
    two = ts.run(sc, trials=50_000, threads=2)
    assert (one.probability, one.std_error) == (two.probability, two.std_error)


def test_samples_equal_the_command_lines(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    cli("run", "two_islands", "--trials", "3000", "--samples", "--out", str(out))
    sc = ts.load("two_islands")
    expected = (out / "two_islands" / "samples.csv").read_bytes()
    kept = ts.run(sc, trials=3000, samples=True)
    pd.testing.assert_frame_equal(kept.samples(), _read(out / "two_islands" / "samples.csv"), check_exact=True)
    # Asked for later, the same trials are run again with their draws.
    later = ts.run(sc, trials=3000)
    pd.testing.assert_frame_equal(later.samples(), kept.samples(), check_exact=True)
    py = tmp_path / "py"
    kept.write(py)
    assert (py / "two_islands" / "samples.csv").read_bytes() == expected
    assert (py / "two_islands" / "timeline.csv").read_bytes() == (out / "two_islands" / "timeline.csv").read_bytes()


def test_sweep_equals_the_command_line(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    cli("sweep", "baseline", "--param", "issue.security.concession=0.1,0.2,0.3", "--trials", "20000", "--out", str(out))
    sc = ts.load("baseline")
    table = ts.sweep(sc, {"issue.security.concession": [0.1, 0.2, 0.3]}, trials=20_000)
    expected = _read(out / "baseline" / "sweep-issue.security.concession.csv")
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert list(table.dtypes) == list(pd.read_csv(out / "baseline" / "sweep-issue.security.concession.csv").dtypes)


def test_two_axis_sweep_equals_the_command_line(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    cli("sweep", "baseline", "--param", "party.japan.will=0.2,0.8", "--param", "party.russia.will=0.3,0.5,0.7",
        "--trials", "8000", "--estimator", "indicator", "--out", str(out))
    table = ts.sweep(ts.load("baseline"), {"party.japan.will": [0.2, 0.8], "party.russia.will": [0.3, 0.5, 0.7]},
                     trials=8000, estimator="indicator")
    expected = _read(out / "baseline" / "sweep-party.japan.will-party.russia.will.csv")
    pd.testing.assert_frame_equal(table, expected, check_exact=True)


def test_repr_html_shows_a_table_and_the_timeline(root):
    r = ts.run(ts.load("baseline", scenarios=[root / "scenarios"]), trials=5000)
    page = r._repr_html_()
    assert "<table>" in page and "<svg" in page
    points = page.split('points="')[1].split('"')[0].split()
    assert len(points) == len(r.timeline)
    assert "baseline" in repr(r) and f"{r.probability:.4f}" in repr(r)


def test_nothing_is_printed_outside_a_notebook(root, capfd):
    ts.run(ts.load("baseline", scenarios=[root / "scenarios"]), trials=5000)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_reaches_the_total_when_asked(root, monkeypatch):
    seen = []
    monkeypatch.setattr(ts, "_progress_callback", lambda enabled, total, label: seen.append)
    ts.run(ts.load("baseline", scenarios=[root / "scenarios"]), trials=300_000, progress=True)
    assert seen and seen[-1] == 300_000 and seen == sorted(seen)


@pytest.mark.parametrize("estimator", ["conditional", "indicator"])
def test_sensitivity_equals_the_command_line(estimator, cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    cli("sensitivity", "baseline", "--bins", "5", "--trials", "20000", "--estimator", estimator, "--out", str(out))
    study = ts.sensitivity(ts.load("baseline"), bins=5, trials=20_000, estimator=estimator)
    for frame, file in [(study.indices, "sensitivity.csv"), (study.bins, "sensitivity_bins.csv")]:
        pd.testing.assert_frame_equal(frame, _read(out / "baseline" / file), check_exact=True)
        assert list(frame.dtypes) == list(pd.read_csv(out / "baseline" / file).dtypes)


def test_sensitivity_refuses_a_scenario_without_uncertainty(root):
    text = (root / "scenarios" / "baseline.toml").read_text()
    with pytest.raises(ts.ScenarioError):
        ts.sensitivity(ts.Scenario.from_toml(text, name="b"), bins=1)


@pytest.mark.parametrize("estimator", ["conditional", "indicator"])
def test_compare_equals_the_command_line(estimator, cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    cli("compare", "baseline", "mason", "--trials", "20000", "--estimator", estimator, "--out", str(out))
    table = ts.compare(ts.load("baseline"), ts.load("mason"), trials=20_000, estimator=estimator)
    expected = out / "compare-baseline-vs-mason.csv"
    pd.testing.assert_frame_equal(table, _read(expected), check_exact=True)
    assert list(table.dtypes) == list(pd.read_csv(expected).dtypes)


def test_compare_refuses_different_windows(root, monkeypatch):
    monkeypatch.chdir(root)
    a = ts.load("baseline")
    b = ts.load("jcpoa_restoration", scenarios=["examples/scenarios"])
    with pytest.raises(ts.ScenarioError, match="same window"):
        ts.compare(a, b, trials=100)


def test_explain_equals_the_command_line(cli, root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    done = cli("explain", "baseline", "--trials", "20000", "--out", str(out))
    table = ts.explain(ts.load("baseline"), trials=20_000)
    expected = out / "baseline" / "explain.csv"
    pd.testing.assert_frame_equal(table, _read(expected), check_exact=True)
    assert table.attrs["report"] == done.stdout


def test_explain_refuses_nothing_it_can_do(root):
    with pytest.raises(ts.ScenarioError, match="trials"):
        ts.explain(ts.load("baseline", scenarios=[root / "scenarios"]), trials=0)
