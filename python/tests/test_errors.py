"""Errors raise ScenarioError (a ValueError) with path, line, column and key."""

from __future__ import annotations

import pytest

import treatysim as ts


def test_a_bad_value_names_file_line_column_and_key(root):
    text = (root / "scenarios" / "baseline.toml").read_text()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("will = "))
    lines[at] = 'will = "beta(6, -3)"'
    with pytest.raises(ts.ScenarioError) as caught:
        ts.Scenario.from_toml("\n".join(lines) + "\n", name="broken")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.path == "broken.toml"
    assert error.line == at + 1
    assert error.column is not None and error.column >= 1
    assert error.key == "party.japan.will"
    assert str(error).startswith(f"broken.toml:{at + 1}:")


def test_a_toml_syntax_error_has_a_place_but_no_key(root):
    text = (root / "scenarios" / "baseline.toml").read_text()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("will = "))
    lines.insert(at + 1, 'will = "beta(2, 2)"')
    with pytest.raises(ts.ScenarioError) as caught:
        ts.Scenario.from_toml("\n".join(lines) + "\n", name="twice")
    error = caught.value
    assert "duplicate key `will`" in str(error)
    assert (error.path, error.line) == ("twice.toml", at + 2)
    assert error.key is None


def test_lookup_errors_give_advice_in_python_terms(root, monkeypatch):
    """ts.load's advice names its own argument (scenarios=[...]), not the command line's
    --scenarios, nor a treatysim command."""
    monkeypatch.chdir(root)
    for call, wanted in [
        (lambda: ts.load("baseline", scenarios="scenarios/baseline.toml"), 'ts.load("scenarios/baseline.toml")'),
        (lambda: ts.load("baseline", scenarios="nope"), 'add scenarios=["scenarios"]'),
    ]:
        with pytest.raises(ts.ScenarioError) as caught:
            call()
        message = str(caught.value)
        assert wanted in message and "--scenarios" not in message, message


def test_an_unknown_scenario_is_refused_with_a_suggestion(root):
    with pytest.raises(ts.ScenarioError, match="basline|baseline") as caught:
        ts.load("basline", scenarios=[root / "scenarios"])
    assert isinstance(caught.value, ValueError)


def test_a_bad_override_names_the_key(root):
    sc = ts.load("baseline", scenarios=[root / "scenarios"])
    with pytest.raises(ts.ScenarioError) as caught:
        sc.set("party.japan.wil", 0.5)
    assert "party.japan.wil" in str(caught.value)
    assert caught.value.key == "party.japan.wil" and caught.value.path is None
    with pytest.raises(ts.ScenarioError) as caught:
        sc.set("party.japan.will", "beta(8")
    assert caught.value.key == "party.japan.will"


def test_bad_arguments_are_scenario_errors(root):
    sc = ts.load("baseline", scenarios=[root / "scenarios"])
    with pytest.raises(ts.ScenarioError, match="estimator"):
        ts.run(sc, trials=10, estimator="bogus")
    with pytest.raises(ts.ScenarioError, match="trials"):
        ts.run(sc, trials=0)
    with pytest.raises(ts.ScenarioError, match="trials"):
        ts.run(sc, trials=1.5)
    # Not a number at all, negative, or a boolean: the same error, stating the range.
    for bad in ["x", "10", -1, True, float("nan"), float("inf"), [10]]:
        with pytest.raises(ts.ScenarioError, match="trials: .* is not a whole number from 1 to 18446744073709551615"):
            ts.run(sc, trials=bad)
    with pytest.raises(ts.ScenarioError, match="seed: 'x' is not a whole number from 0 to"):
        ts.run(sc, trials=10, seed="x")
    # Past the command line's limit, 2^64 - 1: a ScenarioError, not Python's OverflowError.
    for what in ["trials", "seed"]:
        with pytest.raises(ts.ScenarioError, match=f"{what}: 18446744073709551616 is not a whole number"):
            ts.run(sc, **{"trials": 10, what: 2**64})
    with pytest.raises(ts.ScenarioError, match="threads"):
        ts.run(sc, trials=10, threads=0)
    with pytest.raises(ts.ScenarioError):
        ts.sweep(sc, {"party.japan.will": []})
    with pytest.raises(ts.ScenarioError, match="party.japan.wil"):
        ts.sweep(sc, {"party.japan.wil": [0.1]})


def test_a_boolean_key_takes_a_python_boolean(root):
    """Scenario.set("issue.I.dealbreaker", True) is --set issue.I.dealbreaker=true (it raised
    "a value of True is not a number"); a number's key refuses a boolean with the CLI's words."""
    sc = ts.load("baseline", scenarios=[root / "scenarios"])
    closed = ts.run(sc.set("issue.security.dealbreaker", True), trials=2000)
    assert closed.probability < ts.run(sc, trials=2000).probability
    assert ts.run(sc.set("issue.security.dealbreaker", False), trials=2000).probability == ts.run(sc, trials=2000).probability
    with pytest.raises(ts.ScenarioError, match="party.japan.will"):
        sc.set("party.japan.will", True)


def test_extends_is_refused_in_text(root):
    text = (root / "scenarios" / "two_islands.toml").read_text()
    with pytest.raises(ts.ScenarioError) as caught:
        ts.Scenario.from_toml(text, name="child")
    assert caught.value.key == "extends"
    assert caught.value.path == "child.toml" and caught.value.line is not None
