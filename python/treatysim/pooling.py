"""Pooling experts and scoring forecasts (SPEC §8 "Pooling experts", "Scoring"): :func:`pool`
and :func:`score`."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import pandas as pd

from . import PathLike, RunResult, Scenario, ScenarioError, _Estimate, _native, _progress_callback, _read_csv, _whole

__all__ = ["pool", "PoolResult", "score", "Scores"]


class PoolResult(_Estimate):
    """The result of :func:`pool`: the chosen pool's probability and timeline, and the pool
    table (every member's estimate, the linear pool and the geometric mean of odds).

    Attributes
    ----------
    probability : float
        The chosen pool's P(treaty before the deadline).
    std_error : float
        Its standard error.
    ci95 : tuple of float
        Its 95% interval (low, high).
    """

    @property
    def name(self) -> str:
        """The pool's label."""
        return self._native.name

    @property
    def method(self) -> str:
        """``"linear"`` or ``"geometric-odds"``: the pool reported first."""
        return self._native.method

    @property
    def table(self) -> pd.DataFrame:
        """pool.csv as a DataFrame: one row per member (method ``member``), then the linear
        pool and the geometric mean of odds."""
        return _read_csv(self._native.pool_csv())

    @property
    def summary(self) -> pd.DataFrame:
        """The chosen pool's summary.csv as a DataFrame (one row)."""
        return _read_csv(self._native.summary_csv())

    @property
    def timeline(self) -> Optional[pd.DataFrame]:
        """The chosen pool's timeline.csv as a DataFrame; ``None`` for a pool with a direct
        forecast, which has no timeline."""
        data = self._native.timeline_csv()
        return None if data is None else _read_csv(data)

    def write(self, out: PathLike = "results") -> None:
        """Write the command line's files into ``out``: ``LABEL/pool.csv``, the chosen pool's
        ``LABEL/summary.csv`` and ``LABEL/timeline.csv`` (none with a direct forecast),
        ``LABEL/run.toml``, and LABEL's row of ``summary.csv``, byte for byte as
        ``treatysim pool`` writes them."""
        self._native.write(os.fspath(out))

    def __repr__(self) -> str:
        low, high = self.ci95
        return (
            f"PoolResult({self.name!r}: {self.method} pool P = {self.probability:.4f} "
            f"(95% CI {low:.4f}-{high:.4f}), {self.trials} trials, {self.estimator})"
        )

    def _repr_html_(self) -> str:
        from ._html import pool_html

        return pool_html(self)


def _forecast_pairs(forecasts: Union[None, Mapping[str, float], Iterable[Tuple[str, float]]]) -> list:
    if forecasts is None:
        return []
    items = forecasts.items() if isinstance(forecasts, Mapping) else forecasts
    pairs = []
    for item in items:
        try:
            name, p = item
            pairs.append((str(name), float(p)))
        except (TypeError, ValueError):
            raise ScenarioError(f"forecasts: {item!r} is not a (name, probability) pair") from None
    return pairs


def pool(
    label: str,
    members: Sequence[Scenario],
    weights: Optional[Sequence[float]] = None,
    method: str = "linear",
    forecasts: Union[None, Mapping[str, float], Iterable[Tuple[str, float]]] = None,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> PoolResult:
    """Pool experts' scenarios run on the same trials, as ``treatysim pool`` does (without
    writing files).

    Parameters
    ----------
    label : str
        The pool's name (a scenario name's rules; not a member's name).
    members : list of Scenario
        The experts' scenarios, sharing one window. They run under the first one's trials
        and seed unless ``trials``/``seed`` are given.
    weights : list of float, optional
        One per member, scenarios first then ``forecasts`` (any positive scale); default equal.
    method : {"linear", "geometric-odds"}, default "linear"
        The pool reported as ``probability`` and written as the summary and timeline.
    forecasts : mapping of str to float, optional
        Direct forecasts ``{name: probability}`` pooled with the scenarios (``--forecast``).
    trials, seed, estimator, threads, progress
        As :func:`treatysim.run`.

    Returns
    -------
    PoolResult

    Raises
    ------
    ScenarioError
        Invalid arguments, with the command line's message.
    """
    members = list(members)
    if not members or not all(isinstance(m, Scenario) for m in members):
        raise ScenarioError("pool: give a list of one or more Scenario members")
    total = trials if trials is not None else members[0].trials
    native = _native.pool(
        str(label),
        [m._native for m in members],
        None if weights is None else [float(w) for w in weights],
        str(method),
        _forecast_pairs(forecasts),
        _whole(trials, "trials", 1),
        _whole(seed, "seed"),
        str(estimator),
        _whole(threads, "threads"),
        _progress_callback(progress, total, str(label)),
    )
    return PoolResult(native)


class Scores(NamedTuple):
    """What :func:`score` returns."""

    scores: pd.DataFrame
    """scores.csv's table: one row per result, by name."""
    calibration: Optional[pd.DataFrame]
    """calibration.csv's table, with ten results or more; ``None`` otherwise."""

    def _repr_html_(self) -> str:
        from ._html import tables_html

        return tables_html("scores", [("scores.csv", self.scores), ("calibration.csv", self.calibration)])


def score(results: Iterable[Union[RunResult, PoolResult]]) -> Scores:
    """Score runs and pools held in memory against their scenarios' ``[resolution]``, as
    ``treatysim score`` scores them once written (a pool against the resolution its scenario
    members agree on).

    Parameters
    ----------
    results : list of RunResult or PoolResult
        Results of :func:`treatysim.run` and :func:`pool`, each name once.

    Returns
    -------
    Scores
        ``scores`` (scores.csv's columns) and ``calibration`` (calibration.csv's, or ``None``
        with fewer than ten results).

    Raises
    ------
    ScenarioError
        A result whose scenario has no ``[resolution]``, two results of one name, a pool whose
        members disagree.
    """
    natives = []
    for r in results:
        if not isinstance(r, (RunResult, PoolResult)):
            raise ScenarioError(f"score: {r!r} is not a run's or a pool's result")
        natives.append(r._native)
    scores, calibration = _native.score(natives)
    return Scores(_read_csv(scores), None if calibration is None else _read_csv(calibration))
