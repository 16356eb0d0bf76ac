"""Shared fixtures: the repository, the command-line binary the package is compared with,
and a CLI runner."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path:
    given = os.environ.get("TREATYSIM_BIN")
    path = Path(given) if given else ROOT / "target" / "release" / "treatysim"
    if not path.is_file():
        raise RuntimeError(
            f"the command-line binary {path} is missing: build it with `cargo build --release` "
            "(or set TREATYSIM_BIN); the package's numbers are compared with it"
        )
    return path


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Runs the treatysim binary in the repository root; returns the completed process."""
    binary = _binary()

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(binary), *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, "TREATYSIM_SCENARIOS": ""}
        )
        if check and done.returncode != 0:
            raise AssertionError(f"treatysim {' '.join(args)} failed: {done.stderr}")
        return done

    return run
