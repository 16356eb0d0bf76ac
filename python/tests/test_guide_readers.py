"""The guide's pandas reader ("Reading one run's files together" in docs/guide.md; issue #17
item 4), run as written while the command line republishes the folder over and over: it always
returns one run's summary and timeline, never a mix of two runs, and never fails."""

from __future__ import annotations

import threading
import time

MARKER = "<!-- tested: python/tests/test_guide_readers.py, the pandas reader -->\n```python\n"

# Publications the writer makes while the reader reads, at least.
PUBLICATIONS = 6


def _snippet(root) -> str:
    guide = (root / "docs" / "guide.md").read_text(encoding="utf-8")
    start = guide.index(MARKER) + len(MARKER)
    return guide[start : guide.index("```", start)]


def _run_snippet(snippet: str):
    namespace: dict = {}
    exec(compile(snippet, "docs/guide.md (pandas reader)", "exec"), namespace)
    return namespace


def test_the_guides_pandas_reader_reads_one_run_while_it_is_republished(
    cli, root, tmp_path, monkeypatch
):
    snippet = _snippet(root)

    def publish(seed: int, out) -> None:
        cli("run", "baseline", "--scenarios", "scenarios", "--trials", "2000",
            "--seed", str(seed), "--out", str(out))

    # The snippet as written reads results/baseline from the current folder.
    monkeypatch.chdir(tmp_path)
    publish(1, tmp_path / "results")
    read_run = _run_snippet(snippet)["read_run"]
    # Each version read alone, as the reference.
    versions = {}
    for seed in (1, 2):
        alone = tmp_path / f"alone-{seed}"
        publish(seed, alone)
        versions[seed] = read_run(str(alone / "baseline"))
    assert versions[1][0]["probability"][0] != versions[2][0]["probability"][0]
    stop = threading.Event()
    published = []
    errors = []

    def writer() -> None:
        try:
            while not stop.is_set():
                publish(2 if len(published) % 2 == 0 else 1, tmp_path / "results")
                published.append(1)
        except Exception as e:  # reported by the test below
            errors.append(e)

    thread = threading.Thread(target=writer)
    thread.start()
    reads = 0
    deadline = time.monotonic() + 60
    try:
        while (len(published) < PUBLICATIONS or reads < 20) and time.monotonic() < deadline:
            if errors:
                break
            namespace = _run_snippet(snippet)
            summary, timeline = namespace["summary"], namespace["timeline"]
            seed = int(summary["seed"][0])
            assert seed in versions, seed
            expected_summary, expected_timeline = versions[seed]
            assert summary.equals(expected_summary), (seed, summary)
            assert timeline.equals(expected_timeline), seed
            assert summary["probability"][0] == timeline["cumulative_probability"].iloc[-1]
            reads += 1
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert len(published) >= PUBLICATIONS, (len(published), reads)
