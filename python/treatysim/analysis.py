"""Analyses that return tables: :func:`sweep`."""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Optional, Sequence, Tuple

import pandas as pd

from . import Scenario, ScenarioError, _native, _progress_callback, _read_csv, _whole

__all__ = ["sweep", "compare", "sensitivity", "Sensitivity", "explain"]


def _points(params: Mapping[str, Sequence[Any]]) -> Tuple[list, list]:
    """The keys, and every point of their grid (the first key varying slowest)."""
    if not 1 <= len(params) <= 2:
        raise ScenarioError("sweep takes one or two different parameters")
    keys = [str(k) for k in params]
    values = []
    for key, vals in params.items():
        if isinstance(vals, (str, bytes)):
            raise ScenarioError(f"--param {key}: give a list of numbers, e.g. [0.1, 0.2, 0.3]")
        try:
            vals = [float(v) for v in vals]
        except (TypeError, ValueError):
            raise ScenarioError(f"--param {key}: every value is a number, e.g. [0.1, 0.2, 0.3]") from None
        if not vals:
            raise ScenarioError(f"--param {key}: give at least one value")
        values.append(vals)
    points: list = [[]]
    for vals in values:
        points = [p + [v] for p in points for v in vals]
    return keys, points


def sweep(
    scenario: Scenario,
    params: Mapping[str, Sequence[float]],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> pd.DataFrame:
    """Rerun the same trials with one or two parameters set to each of several values.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    params : mapping of str to list of float
        ``{key: values}``, one or two keys, e.g. ``{"issue.security.concession": [0.1, 0.2]}``.
    trials, seed, estimator, threads, progress
        As :func:`treatysim.run`.

    Returns
    -------
    pandas.DataFrame
        ``sweep-KEY.csv``'s table: scenario, the keys, trials, seed, estimator, probability,
        std_error, ci95_low, ci95_high; one row per point.
    """
    keys, _ = _points(params)
    values = [[float(v) for v in params[k]] for k in keys]
    total = trials if trials is not None else scenario.trials
    data = _native.sweep(
        scenario._native,
        keys,
        values,
        _whole(trials, "trials", 1),
        _whole(seed, "seed"),
        str(estimator),
        _whole(threads, "threads"),
        _progress_callback(progress, total, f"sweep {scenario.name}"),
    )
    return _read_csv(data)


def _point_scenario(scenario: Scenario, keys: Sequence[str], point: Sequence[float]) -> Scenario:
    for key, value in zip(keys, point):
        scenario = scenario.set(key, float(value))
    return scenario


def _sweep_frame(
    scenario: Scenario,
    keys: Sequence[str],
    points: Sequence[Sequence[float]],
    runs: Sequence[str],
    estimator: str,
    key_file: Optional[str] = None,
) -> pd.DataFrame:
    data = _native.sweep_table(
        scenario.name, list(keys), [list(map(float, p)) for p in points], list(runs), key_file
    )
    return _read_csv(data)


class Sensitivity(NamedTuple):
    """A sensitivity study's two tables."""

    indices: pd.DataFrame
    """``sensitivity.csv``: one row per uncertain parameter and one for chance, largest
    total-order Sobol index first, with the tornado's swing."""
    bins: pd.DataFrame
    """``sensitivity_bins.csv``: the probability in each quantile bin of each parameter."""

    def _repr_html_(self) -> str:
        from ._html import tables_html

        return tables_html("sensitivity", [("sensitivity.csv", self.indices), ("sensitivity_bins.csv", self.bins)])


def sensitivity(
    scenario: Scenario,
    bins: int = 10,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Sensitivity:
    """Sobol indices of the uncertain parameters and of chance, and the tornado's bins, as
    ``treatysim sensitivity`` computes them.

    Parameters
    ----------
    scenario : Scenario
        The scenario; it needs at least one uncertain parameter.
    bins : int, default 10
        Quantile bins of each parameter's draws (2 to 1000).
    trials, seed, estimator, threads, progress
        As :func:`treatysim.run`.

    Returns
    -------
    Sensitivity
        ``(indices, bins)``: the DataFrames of ``sensitivity.csv`` and ``sensitivity_bins.csv``.
    """
    count = _whole(bins, "bins")
    total = trials if trials is not None else scenario.trials
    table, bin_table = _native.sensitivity(
        scenario._native,
        count,
        _whole(trials, "trials", 1),
        _whole(seed, "seed"),
        str(estimator),
        _whole(threads, "threads"),
        _progress_callback(progress, total, f"sensitivity {scenario.name}"),
    )
    return Sensitivity(_read_csv(table), _read_csv(bin_table))


def compare(
    a: Scenario,
    b: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> pd.DataFrame:
    """Run two scenarios on the same trials and estimate their difference, as
    ``treatysim compare A B`` does (trials and seed default to ``a``'s).

    Parameters
    ----------
    a, b : Scenario
        The two scenarios, sharing one window.
    trials, seed, estimator, threads, progress
        As :func:`treatysim.run`.

    Returns
    -------
    pandas.DataFrame
        ``compare-A-vs-B.csv``'s row: both probabilities and the paired difference B - A with
        its standard error and 95% interval.
    """
    total = trials if trials is not None else a.trials
    data = _native.compare(
        a._native,
        b._native,
        _whole(trials, "trials", 1),
        _whole(seed, "seed"),
        str(estimator),
        _whole(threads, "threads"),
        _progress_callback(progress, total, f"compare {a.name} {b.name}"),
    )
    return _read_csv(data)


def explain(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> pd.DataFrame:
    """Why the probability is what it is, as ``treatysim explain`` says: the central path, a
    diagnostic run and the strongest reasons.

    Parameters
    ----------
    scenario : Scenario
        The scenario (the conditional estimator explains it).
    trials : int, optional
        Trials of the diagnostic run; default the diagnostic's own, not the scenario's.
    seed, threads, progress
        As :func:`treatysim.run`.

    Returns
    -------
    pandas.DataFrame
        ``explain.csv``'s table; the text the command prints is in ``.attrs["report"]``.
    """
    data, report = _native.explain(
        scenario._native,
        _whole(trials, "trials", 1),
        _whole(seed, "seed"),
        _whole(threads, "threads"),
        _progress_callback(progress, trials or 0, f"explain {scenario.name}") if trials else None,
    )
    table = _read_csv(data)
    table.attrs["report"] = report
    return table
