"""treatysim in Python: treaty outcome probabilities, computed in process (SPEC §12).

The package calls the same engine as the ``treatysim`` command line, so the numbers are the
command line's, bit for bit, for the same scenario, trials, seed and estimator. Tables come
back as pandas DataFrames with the columns and dtypes of the command line's CSV files.

>>> import treatysim as ts
>>> sc = ts.load("baseline", scenarios=["scenarios"])          # doctest: +SKIP
>>> r = ts.run(sc.set("party.japan.will", "beta(8, 2)"), trials=200_000, seed=1)  # doctest: +SKIP
>>> r.probability, r.std_error, r.ci95                         # doctest: +SKIP
>>> r.timeline                                                 # doctest: +SKIP
>>> r.write("results")                                         # doctest: +SKIP

``treatysim.dask`` runs the shards of a run on a Dask cluster and merges them exactly.
"""

from __future__ import annotations

import io
import os
import re
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _treatysim as _native

__all__ = [
    "Scenario",
    "ScenarioError",
    "RunResult",
    "load",
    "run",
    "sweep",
    "compare",
    "explain",
    "sensitivity",
    "Sensitivity",
    "merge",
    "pool",
    "PoolResult",
    "score",
    "Scores",
]

PathLike = Union[str, "os.PathLike[str]"]

_LOCATION = re.compile(r"^(?P<path>[^\n]*?):(?P<line>\d+):(?P<column>\d+): (?P<key>[^:\n]+?): ")
_WHOLE = re.compile(r"^(?P<path>[^\n:]+\.toml): (?P<key>[^:\n ]+): ")
_SET = re.compile(r"^--set (?P<key>[^=\n]+)=")


class ScenarioError(ValueError):
    """Invalid input: a scenario file, an override or an argument.

    The message is the command line's. Where it names a place, the attributes say it.

    Attributes
    ----------
    message : str
        The full message.
    path : str or None
        The scenario file the problem is in (``None`` for an argument).
    line, column : int or None
        Where in the file, from 1.
    key : str or None
        The key concerned, e.g. ``party.japan.will`` (``None`` for a TOML syntax error,
        such as a duplicated key, which is about the file's text: the message names it).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: Optional[str] = None
        self.line: Optional[int] = None
        self.column: Optional[int] = None
        self.key: Optional[str] = None
        found = _LOCATION.match(message)
        if found:
            self.path = found["path"]
            self.line = int(found["line"])
            self.column = int(found["column"])
            # A TOML syntax error (a duplicated key, a missing quote) is about the file's text,
            # not one key: the message says what and where.
            if not found["key"].startswith("TOML syntax error"):
                self.key = found["key"]
            return
        found = _WHOLE.match(message)
        if found:
            self.path = found["path"]
            self.key = found["key"]
            return
        found = _SET.match(message)
        if found:
            self.key = found["key"]


def _value_text(value: Any) -> str:
    """An override's value as ``--set`` would take it: numbers as Python writes them."""
    if isinstance(value, bool):
        # As --set writes a boolean key (issue.I.dealbreaker=true); any other key refuses it.
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return str(value)


class Scenario:
    """A loaded, validated scenario. Immutable: :meth:`set` returns a new one.

    Make one with :func:`load` (from a folder of scenario files) or :meth:`from_toml`.
    """

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    @classmethod
    def from_toml(cls, text: str, name: str = "scenario") -> "Scenario":
        """The scenario a self-contained TOML text describes (format 2, no ``extends``).

        Parameters
        ----------
        text : str
            The scenario file's text.
        name : str, default "scenario"
            Its name: results are filed under it, and messages name ``NAME.toml``.
        """
        return cls(_native.from_toml(text, name, []))

    def set(self, key: str, value: Any) -> "Scenario":
        """A new scenario with ``key`` set to ``value``, as ``--set KEY=VALUE`` does.

        Parameters
        ----------
        key : str
            A parameter key, e.g. ``"party.japan.will"`` (``treatysim show NAME --keys``).
        value : float or str
            A number, or a distribution such as ``"beta(8, 2)"`` or ``"0.2 to 0.5"``.
        """
        return Scenario(self._native.set(f"{key}={_value_text(value)}"))

    def named(self, label: str) -> "Scenario":
        """The same scenario under another name, as ``--as LABEL`` does: its results are
        written to ``<out>/LABEL/`` (not over the unmodified scenario's), and comparisons and
        pools call it LABEL. Later :meth:`set` calls keep the label.

        Parameters
        ----------
        label : str
            A scenario name's rules: letters, digits, ``_``, ``.``, ``-``.
        """
        return Scenario(self._native.named(str(label)))

    @property
    def name(self) -> str:
        """The name its results are filed under."""
        return self._native.name

    @property
    def description(self) -> str:
        """The one-line description."""
        return self._native.description

    @property
    def trials(self) -> int:
        """``simulation.trials``: the default number of trials."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """``simulation.seed``: the default seed."""
        return self._native.seed

    @property
    def overrides(self) -> list:
        """The overrides applied, ``KEY=VALUE`` each."""
        return list(self._native.overrides)

    @property
    def warnings(self) -> list:
        """Warnings that do not stop a run."""
        return list(self._native.warnings)

    def to_toml(self) -> str:
        """The resolved scenario as TOML (what ``treatysim show`` prints)."""
        return self._native.to_toml()

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Scenario, (self._native,))

    def __repr__(self) -> str:
        extra = f", overrides={self.overrides!r}" if self.overrides else ""
        return f"Scenario({self.name!r}{extra})"


def load(
    name: str,
    scenarios: Union[PathLike, Sequence[PathLike]] = "scenarios",
    overrides: Optional[Mapping[str, Any]] = None,
) -> Scenario:
    """Load, resolve and validate a scenario by name (or path), as the command line does.

    Parameters
    ----------
    name : str
        A scenario name looked up as ``DIR/NAME.toml`` along ``scenarios`` then the folders in
        ``TREATYSIM_SCENARIOS``; or a path ending in ``.toml`` or containing ``/``.
    scenarios : str or path or list of them, default "scenarios"
        The search path, first match wins.
    overrides : mapping, optional
        ``{key: value}`` applied last, in order, as ``--set``.

    Raises
    ------
    ScenarioError
        Invalid input, naming path, line, column and key.
    """
    if isinstance(scenarios, (str, os.PathLike)):
        folders = [os.fspath(scenarios)]
    else:
        folders = [os.fspath(s) for s in scenarios]
    sets = [f"{k}={_value_text(v)}" for k, v in (overrides or {}).items()]
    try:
        return Scenario(_native.load(name, folders, sets))
    except ScenarioError as error:
        pythonic = _as_python(error.message)
        if pythonic == error.message:
            raise
        raise ScenarioError(pythonic) from None


def _as_python(message: str) -> str:
    """A lookup error's advice in this package's words: ``scenarios=[...]`` for the command
    line's ``--scenarios``, ``ts.load(...)`` for ``treatysim run ...``."""
    message = re.sub(r"`treatysim run ([^`]+)`", r'`ts.load("\1")`', message)
    message = message.replace("--scenarios DIR", "scenarios=[DIR]")
    message = message.replace("(--scenarios, ", "(scenarios=, ")
    return re.sub(r"--scenarios ([^\s;,()]+)", r'scenarios=["\1"]', message)


# pandas before 3 parses floats to the nearest double only when asked ("round_trip"); from 3
# on that is the default and the argument is deprecated.
_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _read_csv(data: bytes) -> pd.DataFrame:
    """A CSV file of the command line's as pandas reads it, floats to the bit."""
    return pd.read_csv(io.BytesIO(data), **_EXACT)


class _Estimate:
    """What a run and a pool both report: the estimate, its standard error and interval, and
    the trials, seed and estimator behind it (read from the native result)."""

    def __init__(self, native: Any) -> None:
        self._native = native
        p, se, low, high = native.estimate()
        self.probability: float = p
        self.std_error: float = se
        self.ci95: tuple = (low, high)

    @property
    def trials(self) -> int:
        """Trials run."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """The seed."""
        return self._native.seed

    @property
    def estimator(self) -> str:
        """``"conditional"`` or ``"indicator"``."""
        return self._native.estimator


class RunResult(_Estimate):
    """The result of :func:`run`: the probability of a treaty before the deadline and its
    timeline. Shows as a table and the timeline chart in Jupyter.

    Attributes
    ----------
    probability : float
        P(treaty before the deadline).
    std_error : float
        Its standard error.
    ci95 : tuple of float
        The 95% interval (low, high).
    """

    def __init__(self, native: Any, scenario: Optional[Scenario] = None) -> None:
        super().__init__(native)
        self._scenario = scenario

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self._native.name

    @property
    def summary(self) -> pd.DataFrame:
        """summary.csv as a DataFrame (one row)."""
        return _read_csv(self._native.summary_csv())

    @property
    def timeline(self) -> pd.DataFrame:
        """timeline.csv as a DataFrame: one row per month of the window."""
        return _read_csv(self._native.timeline_csv())

    def samples(self) -> pd.DataFrame:
        """samples.csv as a DataFrame: every trial's draws.

        Kept when the run was made with ``samples=True``; otherwise the same trials are run
        again with their draws kept (the same numbers: trials depend on the seed alone).
        """
        data = self._native.samples_csv()
        if data is None:
            if self._scenario is None:
                raise ValueError("this result keeps no samples; run with samples=True")
            again = run(
                self._scenario,
                trials=self.trials,
                seed=self.seed,
                estimator=self.estimator,
                samples=True,
                progress=False,
            )
            data = again._native.samples_csv()
        return _read_csv(data)

    def write(self, out: PathLike = "results") -> None:
        """Write the command line's files into ``out``: ``NAME/summary.csv``,
        ``NAME/timeline.csv``, ``NAME/run.toml`` (and ``NAME/samples.csv`` when kept), and
        NAME's row of ``summary.csv``, byte for byte as ``treatysim run`` writes them."""
        self._native.write(os.fspath(out))

    def __repr__(self) -> str:
        low, high = self.ci95
        return (
            f"RunResult({self.name!r}: P = {self.probability:.4f} "
            f"(95% CI {low:.4f}-{high:.4f}), {self.trials} trials, {self.estimator})"
        )

    def _repr_html_(self) -> str:
        from ._html import run_html

        return run_html(self)


def _progress_callback(enabled: Optional[bool], total: int, label: str) -> Optional[Callable[[int], None]]:
    """A tqdm progress bar's update, only in a notebook (or when asked) and only if tqdm is
    installed; ``None`` otherwise (tests and scripts print nothing)."""
    if enabled is False:
        return None
    if enabled is None and not _in_notebook():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = tqdm(total=total, desc=label, unit="trials", leave=False)

    def update(done: int) -> None:
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def _estimator(estimator: str) -> str:
    return str(estimator)


def run(
    scenario: Scenario,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    samples: bool = False,
    progress: Optional[bool] = None,
) -> RunResult:
    """Simulate a scenario in process, as ``treatysim run`` does (without writing files).

    Parameters
    ----------
    scenario : Scenario
        From :func:`load` or :meth:`Scenario.from_toml`.
    trials : int, optional
        Number of trials; default the scenario's ``simulation.trials``.
    seed : int, optional
        Seed of the random streams; default the scenario's ``simulation.seed``.
    estimator : {"conditional", "indicator"}, default "conditional"
        ``conditional`` adds each trial's exact chance of a treaty (less noise);
        ``indicator`` counts the trials that signed.
    threads : int, optional
        Worker threads; default all cores. Results do not depend on it.
    samples : bool, default False
        Keep every trial's draws in memory for :meth:`RunResult.samples`.
    progress : bool, optional
        A progress bar (tqdm); default only in a Jupyter notebook.

    Returns
    -------
    RunResult

    Raises
    ------
    ScenarioError
        Invalid arguments.
    KeyboardInterrupt
        On Ctrl-C, within a second; nothing is kept.

    Notes
    -----
    The GIL is released while the engine runs. Ctrl-C stops every treatysim call running in
    the process (the engine has one interrupt flag).
    """
    total = trials if trials is not None else scenario.trials
    callback = _progress_callback(progress, total, scenario.name)
    native = _native.run(
        scenario._native,
        _whole(trials, "trials", 1),
        _whole(seed, "seed"),
        _estimator(estimator),
        _whole(threads, "threads"),
        bool(samples),
        callback,
    )
    return RunResult(native, scenario)


_U64_MAX = 2**64 - 1


def _whole(value: Optional[int], what: str, low: int = 0) -> Optional[int]:
    """``value`` as an int (``None`` stays ``None``), or ``ScenarioError`` unless it is a whole
    number from ``low`` to 2**64 - 1, the command line's limit (``2e5`` is accepted; strings,
    booleans and fractions are not; past the limit is an error, not Python's ``OverflowError``)."""
    if value is None:
        return None
    try:
        whole = (
            not isinstance(value, (bool, str, bytes))
            and int(value) == value
            and low <= value <= _U64_MAX
        )
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole:
        raise ScenarioError(f"{what}: {value!r} is not a whole number from {low} to {_U64_MAX} (2^64 - 1)")
    return int(value)


def merge(shards: Iterable[str], key_file: Optional[PathLike] = None) -> RunResult:
    """Merge a complete set of a run's shard files' texts (SPEC §9) into the run they split,
    after the checks of ``treatysim merge`` (the library's one merge): the result equals the
    unsharded run exactly.

    Parameters
    ----------
    shards : iterable of str
        The texts of every shard file of one run, in any order.
    key_file : path, optional
        A shard key, as ``--key-file``: every shard must carry a valid HMAC under it. Without
        it, the key in the environment variable ``TREATYSIM_SHARD_KEY`` when that is set.

    Returns
    -------
    RunResult

    Raises
    ------
    ScenarioError
        Shards that are edited, missing, duplicated or disagree, or (with a key) not sealed
        with it, named as the command line names them.
    """
    return RunResult(_native.merge_shards(list(shards), _key(key_file)))


def _key(key_file: Optional[PathLike]) -> Optional[str]:
    """A ``key_file`` argument as the native module takes it."""
    return None if key_file is None else os.fspath(key_file)


from .analysis import Sensitivity, compare, explain, sensitivity, sweep  # noqa: E402  (needs the names above)
from .pooling import PoolResult, Scores, pool, score  # noqa: E402  (needs the names above)
from . import dask  # noqa: E402
