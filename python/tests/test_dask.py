"""ts.dask: shards as Dask tasks, merged exactly in the client (issue #21 item 4).

The cluster is a LocalCluster with 2 workers in this process (processes=False, threads): cheap
enough for CI. Task arguments and results still go through Dask's serialisation of the
scenario (its __reduce__) and the shard texts; test_pickle checks that round trip on its own.
"""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import treatysim as ts

distributed = pytest.importorskip("distributed")

TRIALS = 60_000


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def baseline(root):
    return ts.load("baseline", scenarios=[root / "scenarios"]).set("party.japan.will", "beta(8, 2)")


def _same(a: ts.RunResult, b: ts.RunResult) -> None:
    assert (a.probability, a.std_error, a.ci95, a.trials) == (b.probability, b.std_error, b.ci95, b.trials)
    pd.testing.assert_frame_equal(a.timeline, b.timeline, check_exact=True)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)


@pytest.mark.parametrize("estimator", ["conditional", "indicator"])
@pytest.mark.parametrize("shards", [1, 3, 7])
def test_sharded_run_equals_the_single_process_run(client, baseline, shards, estimator):
    single = ts.run(baseline, trials=TRIALS, seed=5, estimator=estimator)
    sharded = ts.dask.run(baseline, trials=TRIALS, shards=shards, seed=5, estimator=estimator, client=client)
    _same(sharded, single)


def test_merged_files_equal_the_single_process_files(client, baseline, tmp_path):
    single = ts.run(baseline, trials=TRIALS)
    sharded = ts.dask.run(baseline, trials=TRIALS, shards=3, client=client)
    single.write(tmp_path / "a")
    sharded.write(tmp_path / "b")
    for file in ["summary.csv", "timeline.csv"]:
        assert (tmp_path / "a" / "baseline" / file).read_bytes() == (tmp_path / "b" / "baseline" / file).read_bytes()
    strip = lambda p: [l for l in p.read_text().splitlines() if not l.startswith("command")]  # noqa: E731
    assert strip(tmp_path / "a" / "baseline" / "run.toml") == strip(tmp_path / "b" / "baseline" / "run.toml")


def test_a_failed_task_is_retried_with_the_same_result(client, baseline, monkeypatch, tmp_path):
    marker = str(tmp_path / "failed-once")
    real = ts.dask._shard

    def flaky(scenario, trials, seed, estimator, threads, index, count):
        import os

        if index == 2 and not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("worker lost (simulated)")
        return real(scenario, trials, seed, estimator, threads, index, count)

    monkeypatch.setattr(ts.dask, "_shard", flaky)
    sharded = ts.dask.run(baseline, trials=TRIALS, shards=3, client=client, retries=1)
    assert (tmp_path / "failed-once").exists()
    _same(sharded, ts.run(baseline, trials=TRIALS))


def test_without_retries_a_failed_task_fails_the_run(client, baseline, monkeypatch):
    def broken(*args):
        raise RuntimeError("worker lost (simulated)")

    monkeypatch.setattr(ts.dask, "_shard", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        ts.dask.run(baseline, trials=TRIALS, shards=2, client=client, retries=0)


def test_sweep_on_dask_equals_the_sweep(client, baseline):
    params = {"issue.security.concession": [0.1, 0.2, 0.3]}
    expected = ts.sweep(baseline, params, trials=TRIALS)
    got = ts.dask.sweep(baseline, params, trials=TRIALS, client=client)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_a_scenario_pickles_to_the_same_runs(baseline):
    again = pickle.loads(pickle.dumps(baseline))
    assert again.overrides == baseline.overrides and again.name == baseline.name
    _same(ts.run(again, trials=20_000), ts.run(baseline, trials=20_000))


def test_merge_refuses_an_incomplete_or_edited_set(baseline):
    texts = [ts._native.run_shard(baseline._native, 20_000, None, "conditional", None, k, 3) for k in (1, 2, 3)]
    assert ts.merge(texts).probability == ts.run(baseline, trials=20_000).probability
    with pytest.raises(ts.ScenarioError, match="missing"):
        ts.merge(texts[:2])
    edited = texts[1].replace("trials", "trials ", 1)
    with pytest.raises(ts.ScenarioError):
        ts.merge([texts[0], edited, texts[2]])
