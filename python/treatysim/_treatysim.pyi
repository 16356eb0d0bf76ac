"""Type stubs of the native module (python/src/lib.rs)."""

from typing import Any, Callable, List, Optional, Tuple

class NativeScenario:
    name: str
    description: str
    trials: int
    seed: int
    overrides: List[str]
    warnings: List[str]
    def to_toml(self) -> str: ...
    def set(self, arg: str) -> NativeScenario: ...
    def named(self, label: str) -> NativeScenario: ...

class NativeRun:
    trials: int
    seed: int
    estimator: str
    name: str
    def estimate(self) -> Tuple[float, float, float, float]: ...
    def cumulative(self) -> List[float]: ...
    def summary_csv(self) -> bytes: ...
    def timeline_csv(self) -> bytes: ...
    def samples_csv(self) -> Optional[bytes]: ...
    def write(self, out: str) -> None: ...

def load(name: str, scenarios: List[str], overrides: List[str]) -> NativeScenario: ...
def from_toml(text: str, name: str, overrides: List[str]) -> NativeScenario: ...
def _resolved_scenario(name: str, text: str, overrides: List[str], chain: List[str]) -> NativeScenario: ...
def run(
    scenario: NativeScenario,
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    samples: bool,
    progress: Optional[Callable[[int], Any]],
) -> NativeRun: ...
def run_shard(
    scenario: NativeScenario,
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    index: int,
    count: int,
) -> str: ...
def merge_shards(shards: List[str]) -> NativeRun: ...
def sweep(
    scenario: NativeScenario,
    keys: List[str],
    values: List[List[float]],
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    progress: Optional[Callable[[int], Any]],
) -> bytes: ...
def sweep_table(name: str, keys: List[str], points: List[List[float]], runs: List[str]) -> bytes: ...
def sensitivity(
    scenario: NativeScenario,
    bins: int,
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    progress: Optional[Callable[[int], Any]],
) -> Tuple[bytes, bytes]: ...
def compare(
    a: NativeScenario,
    b: NativeScenario,
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    progress: Optional[Callable[[int], Any]],
) -> bytes: ...
def explain(
    scenario: NativeScenario,
    trials: Optional[int],
    seed: Optional[int],
    threads: Optional[int],
    progress: Optional[Callable[[int], Any]],
) -> Tuple[bytes, str]: ...

class NativePool:
    trials: int
    seed: int
    estimator: str
    name: str
    method: str
    def estimate(self) -> Tuple[float, float, float, float]: ...
    def pool_csv(self) -> bytes: ...
    def summary_csv(self) -> bytes: ...
    def timeline_csv(self) -> Optional[bytes]: ...
    def write(self, out: str) -> None: ...

def pool(
    label: str,
    members: List[NativeScenario],
    weights: Optional[List[float]],
    method: str,
    forecasts: List[Tuple[str, float]],
    trials: Optional[int],
    seed: Optional[int],
    estimator: str,
    threads: Optional[int],
    progress: Optional[Callable[[int], Any]],
) -> NativePool: ...
def score(results: List[Any]) -> Tuple[bytes, Optional[bytes]]: ...
