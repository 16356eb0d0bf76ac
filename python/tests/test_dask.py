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


def _shards(baseline, count=3):
    return [ts._native.run_shard(baseline._native, 20_000, None, "conditional", None, k, count) for k in range(1, count + 1)]


def test_a_shard_key_seals_shards_and_merge_refuses_any_without_it(baseline, monkeypatch, tmp_path):
    """With TREATYSIM_SHARD_KEY set (or a key file), shards are sealed as `run --shard` seals
    them, and ts.merge refuses a shard written without the key or under another one, as
    `treatysim merge` does (SPEC §9)."""
    monkeypatch.delenv("TREATYSIM_SHARD_KEY", raising=False)
    plain = _shards(baseline)
    assert not any("hmac" in text.splitlines()[1] for text in plain)
    monkeypatch.setenv("TREATYSIM_SHARD_KEY", "first key")
    sealed = _shards(baseline)
    assert all(text.splitlines()[1].startswith("# hmac-sha256 = ") for text in sealed)
    _same(ts.merge(sealed), ts.run(baseline, trials=20_000))
    # One shard from before the key was set: refused, naming the missing HMAC.
    with pytest.raises(ts.ScenarioError, match="carries no HMAC"):
        ts.merge([sealed[0], plain[1], sealed[2]])
    # Another key, from a file: every shard refused.
    other = tmp_path / "key"
    other.write_text("second key\n")
    with pytest.raises(ts.ScenarioError, match="does not match the key"):
        ts.merge(sealed, key_file=other)
    # A key file that cannot be read is named as one (not as the command line's option).
    with pytest.raises(ts.ScenarioError, match="shard key file .*cannot read it"):
        ts.merge(sealed, key_file=tmp_path / "absent")
    # The same key from a file (its trailing line end dropped) accepts them.
    same = tmp_path / "same"
    same.write_text("first key\n")
    monkeypatch.delenv("TREATYSIM_SHARD_KEY")
    _same(ts.merge(sealed, key_file=same), ts.run(baseline, trials=20_000))
    # Without any key, sealed shards merge too (the HMAC line is a comment then).
    _same(ts.merge(sealed), ts.run(baseline, trials=20_000))


def test_dask_runs_and_sweeps_check_the_key(baseline, client, monkeypatch, tmp_path):
    """ts.dask's tasks seal with their worker's TREATYSIM_SHARD_KEY (the workers here share the
    test's environment), and the client's merge checks every shard and sweep point."""
    monkeypatch.setenv("TREATYSIM_SHARD_KEY", "cluster key")
    _same(ts.dask.run(baseline, trials=TRIALS, shards=3, client=client), ts.run(baseline, trials=TRIALS))
    params = {"party.russia.will": [0.3, 0.5]}
    got = ts.dask.sweep(baseline, params, trials=20_000, client=client)
    pd.testing.assert_frame_equal(got, ts.sweep(baseline, params, trials=20_000), check_exact=True)
    other = tmp_path / "key"
    other.write_text("not the cluster's key")
    with pytest.raises(ts.ScenarioError, match="does not match the key"):
        ts.dask.run(baseline, trials=TRIALS, shards=2, client=client, key_file=other)
    with pytest.raises(ts.ScenarioError, match="does not match the key"):
        ts.dask.sweep(baseline, params, trials=20_000, client=client, key_file=other)
