"""
Timing and bookkeeping shared by every benchmark job: medians, checks, the machine, versions.

Each peer runs once untimed (warm-up: imports, caches, lazily built indexes), then ``repeat``
timed runs; the median is reported beside every run. Before each run the objects already
alive are frozen out of the garbage collector's sight, so no peer pays for another's. Wall
time (``time.perf_counter``) is what a planner waits for; CPU time of this process is
recorded too, since the machine (2 cores) is shared and the load is noted before and after
each job.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Mismatch",
    "Timing",
    "first_difference",
    "load",
    "machine",
    "measure",
    "peer_result",
    "versions",
]

#: The project's own code: the baseline every ratio is taken against.
ATLAS = "atlas"


class Mismatch(AssertionError):
    """A peer's answer differs from the project's: the benchmark stops, loudly."""


@dataclass
class Timing:
    """Wall-clock runs (s) of one peer on one case, CPU seconds of this process beside them."""

    runs_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)


def measure(run: Callable[[], Any], repeat: int, *, before: Callable[[], None] | None = None):
    """
    Run ``run`` once untimed, then ``repeat`` times timed; return (timing, last result).

    ``before`` runs ahead of every run, untimed (e.g. clearing a peer's own cache).
    """
    timing = Timing()
    result = None
    for attempt in range(repeat + 1):
        if before is not None:
            before()
        result = None
        # Whatever earlier peers left alive is set aside, so the garbage collector walks
        # only what this run makes, as in a fresh process (it otherwise doubled sjoin's 1M).
        gc.collect()
        gc.freeze()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            result = run()
        finally:
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            gc.unfreeze()
        if attempt:
            timing.runs_s.append(wall)
            timing.cpu_s.append(cpu)
    return timing, result


def first_difference(ours: np.ndarray, theirs: np.ndarray) -> tuple[int, int | None]:
    """How many answers differ, and the position of the first (``None`` when none do)."""
    differ = np.flatnonzero(ours != theirs)
    return differ.size, (int(differ[0]) if differ.size else None)


def peer_result(timing: Timing | None, *, error: str | None = None, **extra) -> dict:
    """One peer's entry in the results: median, every run, CPU, or the error it raised."""
    if timing is None:
        return {"median_s": None, "runs_s": [], "cpu_s": [], "error": error, **extra}
    return {
        "median_s": timing.median_s,
        "runs_s": timing.runs_s,
        "cpu_s": timing.cpu_s,
        "error": error,
        **extra,
    }


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages (2 cores: above 2 means others are waiting)."""
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    """CPU model, cores, memory and Python: what a reader needs to weigh absolute times."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    memory = None
    with contextlib.suppress(ValueError, OSError):
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


_PACKAGES = (
    "shapely",
    "geopandas",
    "pandas",
    "numpy",
    "pyarrow",
    "pyproj",
    "pyogrio",
    "scipy",
    "duckdb",
    "duckdb-extension-spatial",
    "osmium",
    "pyrosm",
    "folium",
    "streamlit",
    "playwright",
    "matplotlib",
)


def versions() -> dict[str, str | None]:
    """Versions of the libraries the jobs and their peers run on (GEOS, GDAL, PROJ too)."""
    import pyogrio
    import pyproj
    import shapely

    found: dict[str, str | None] = {}
    for package in _PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    found["geos"] = shapely.geos_version_string
    found["gdal"] = pyogrio.__gdal_version_string__
    found["proj"] = pyproj.proj_version_str
    return found


@contextlib.contextmanager
def environ(**values: str | None) -> Iterator[None]:
    """This process's environment with ``values`` set (``None``: unset), as it was afterwards."""
    before = {k: os.environ.get(k) for k in values}
    try:
        _put(values)
        yield
    finally:
        _put(before)


def _put(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextlib.contextmanager
def scratch_workspace() -> Iterator[Path]:
    """
    An empty embedded workspace of the run's own (``atlas db init``), in this environment.

    What the app's jobs read, so that a run on a fresh machine, with no workspace yet or
    with the planner's own, measures the same thing. Yields its folder (``ATLAS_DATA_DIR``).
    """
    from store import Workspace

    with (
        tempfile.TemporaryDirectory(prefix="atlas-bench-") as folder,
        environ(ATLAS_DATA_DIR=folder, ATLAS_DATABASE_URL=None, ATLAS_AUTH=None),
    ):
        with Workspace() as workspace:
            workspace.init()
        yield Path(folder)
