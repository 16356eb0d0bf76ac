"""Runs that outgrow one machine: the shards of SPEC §9 as Dask tasks.

A run of T trials is split into N contiguous ranges (shard K runs trials ⌊(K−1)T/N⌋ to
⌊KT/N⌋). Every trial's random stream depends on the seed and the trial's index alone, never on
the worker, and each shard returns its tally as integer sums, so the client adds them exactly:
the merged result equals the single-process run bit for bit, whatever N, however the tasks are
placed, and however often Dask retries one.

Point it at any cluster with a ``dask.distributed.Client``: ``Client("tcp://scheduler:8786")``,
``coiled.Cluster(...).get_client()``, ``dask_kubernetes``'s ``KubeCluster`` or
``dask_jobqueue``'s ``SLURMCluster`` (docs/python.md). Without a client the current default
client is used (``distributed.get_client()``).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from . import PathLike, RunResult, Scenario, _key, _native, _whole

__all__ = ["run", "sweep"]


def _shard(
    scenario: Scenario,
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    index: int,
    count: int,
) -> str:
    """One task: shard ``index`` of ``count``, as the text of its shard file (checksummed)."""
    return _native.run_shard(scenario._native, trials, seed, estimator, threads, index, count)


def _client(client: Any) -> Any:
    if client is not None:
        return client
    from distributed import get_client

    return get_client()


def run(
    scenario: Scenario,
    trials: Optional[int] = None,
    shards: int = 8,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    client: Any = None,
    retries: int = 2,
    key_file: Optional[PathLike] = None,
) -> RunResult:
    """Run ``scenario`` as ``shards`` Dask tasks and merge them exactly in the client.

    Parameters
    ----------
    scenario : Scenario
        The scenario (shipped to the workers as its resolved text: they need no files).
    trials, seed, estimator, threads
        As :func:`treatysim.run`; ``threads`` is per task.
    shards : int, default 8
        Number of tasks N.
    client : distributed.Client, optional
        The cluster; default the current client.
    retries : int, default 2
        How often Dask may rerun a failed task (a rerun gives the same shard).
    key_file : path, optional
        A shard key, as ``treatysim merge --key-file``: every task's shard must carry a valid
        HMAC under it. Without it, the key in ``TREATYSIM_SHARD_KEY`` when the client has that
        set. Tasks seal their shards with the ``TREATYSIM_SHARD_KEY`` of their worker's
        environment, so with a key, set it on the workers too.

    Returns
    -------
    RunResult
        Equal to ``treatysim.run(scenario, trials, seed, estimator)``.
    """
    count = _whole(shards, "shards")
    if not count:
        from . import ScenarioError

        raise ScenarioError("shards: 0 is not a number of shards; accepted: 1 or more")
    client = _client(client)
    scattered = client.scatter(scenario, broadcast=True)
    futures = [
        client.submit(
            _shard,
            scattered,
            _whole(trials, "trials", 1),
            _whole(seed, "seed"),
            str(estimator),
            _whole(threads, "threads"),
            k,
            count,
            retries=retries,
            pure=False,
        )
        for k in range(1, count + 1)
    ]
    texts = client.gather(futures)
    return RunResult(_native.merge_shards(list(texts), _key(key_file)), scenario)



def sweep(
    scenario: Scenario,
    params: Mapping[str, Sequence[Any]],
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    estimator: str = "conditional",
    threads: Optional[int] = None,
    client: Any = None,
    retries: int = 2,
    key_file: Optional[PathLike] = None,
) -> pd.DataFrame:
    """A sweep (:func:`treatysim.sweep`) whose points run as Dask tasks, one task a point.

    Every point runs the same trials (common random numbers) exactly as the single-process
    sweep does, so the table is the same, row for row and bit for bit.

    Parameters
    ----------
    scenario, params
        As :func:`treatysim.sweep`.
    trials, seed, estimator, threads
        As :func:`treatysim.run`; ``threads`` is per task.
    client : distributed.Client, optional
        The cluster; default the current client.
    retries : int, default 2
        How often Dask may rerun a failed task (a rerun gives the same point).
    key_file : path, optional
        As :func:`run`: with a key, every point's result must carry a valid HMAC under it.

    Returns
    -------
    pandas.DataFrame
        Equal to ``treatysim.sweep(scenario, params, trials, seed, estimator)``.
    """
    from .analysis import _points, _sweep_frame

    client = _client(client)
    keys, points = _points(params)
    scattered = client.scatter(scenario, broadcast=True)
    futures = [
        client.submit(
            _point,
            scattered,
            keys,
            point,
            _whole(trials, "trials", 1),
            _whole(seed, "seed"),
            str(estimator),
            _whole(threads, "threads"),
            retries=retries,
            pure=False,
        )
        for point in points
    ]
    runs = client.gather(futures)
    return _sweep_frame(scenario, keys, points, runs, estimator, _key(key_file))


def _point(
    scenario: Scenario,
    keys: Sequence[str],
    point: Sequence[float],
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
) -> str:
    """One task: a sweep point's whole run, as a one-shard shard file's text."""
    from .analysis import _point_scenario

    return _shard(_point_scenario(scenario, keys, point), trials, seed, estimator, threads, 1, 1)
