"""
The outside tools the jobs race against: DuckDB spatial (offline) and QGIS's qgis_process.

DuckDB's spatial extension comes from the PyPI package ``duckdb-extension-spatial``; it is
installed from the file inside that package (``INSTALL '<path>'``, then ``LOAD spatial``)
into a private extension folder, with auto-install and auto-load off, so no run ever reaches
the network. QGIS is Debian's ``qgis`` package when present; ``qgis_process.bin`` is called
directly, because Debian's ``qgis_process`` wrapper passes ``--noversioncheck``, which the
3.22 executable refuses. It runs headless (``QT_QPA_PLATFORM=offscreen``). Its times include
its start-up and reading its GeoPackage inputs: that is what a planner running it waits for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyogrio
import shapely

__all__ = [
    "QGIS",
    "duckdb_connect",
    "geometry_table",
    "qgis_missing",
    "qgis_run",
    "qgis_startup_s",
    "spatial_extension_path",
    "write_gpkg",
]

QGIS = "qgis_process.bin"


def spatial_extension_path() -> Path:
    """The ``spatial.duckdb_extension`` file shipped inside ``duckdb-extension-spatial``."""
    import duckdb_extension_spatial

    root = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    found = sorted(root.glob("*/spatial.duckdb_extension"))
    if not found:
        raise FileNotFoundError(
            f"Expected spatial.duckdb_extension under {root}; reinstall duckdb-extension-spatial."
        )
    return found[-1]


def duckdb_connect():
    """An in-memory DuckDB connection with spatial loaded from the local file, no network."""
    import duckdb

    folder = tempfile.mkdtemp(prefix="atlas-duckdb-ext-")
    con = duckdb.connect(
        config={
            "extension_directory": folder,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    con.execute(f"INSTALL '{spatial_extension_path()}'")
    con.execute("LOAD spatial")
    return con


def geometry_table(frame: gpd.GeoDataFrame, columns: list[str]) -> pa.Table:
    """``columns`` plus the geometry as WKB, for DuckDB to read without copying rows."""
    data = {c: pa.array(frame[c].to_numpy()) for c in columns}
    data["wkb"] = pa.array(shapely.to_wkb(frame.geometry.to_numpy()), pa.binary())
    return pa.table(data)


def qgis_missing() -> str | None:
    """Why QGIS cannot be a peer here (``None`` when ``qgis_process.bin`` answers)."""
    if shutil.which(QGIS) is None:
        return (
            "qgis_process.bin not found: Debian's qgis package is not installed "
            "(`apt-get install qgis qgis-providers` adds it)"
        )
    try:
        answer = subprocess.run(
            [QGIS, "--version"], capture_output=True, text=True, env=_qgis_env(), timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"qgis_process.bin did not answer: {exc}"
    if answer.returncode != 0:
        return f"qgis_process.bin --version failed: {answer.stderr.strip()[-300:]}"
    return None


def qgis_version() -> str | None:
    if qgis_missing():
        return None
    answer = subprocess.run([QGIS, "--version"], capture_output=True, text=True, env=_qgis_env())
    return next((ln for ln in answer.stdout.splitlines() if ln.startswith("QGIS")), None)


def _qgis_env() -> dict[str, str]:
    runtime = Path(tempfile.gettempdir()) / "atlas-qgis-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))


def qgis_run(algorithm: str, params: dict[str, str], *, ellipsoid: str | None = None) -> dict:
    """Run one processing algorithm; its JSON answer, or RuntimeError with its stderr."""
    args = [QGIS, "--json", "run", algorithm, "--"]
    args += [f"{k}={v}" for k, v in params.items()]
    if ellipsoid is not None:
        args.append(f"--ELLIPSOID={ellipsoid}")
    answer = subprocess.run(args, capture_output=True, text=True, env=_qgis_env())
    if answer.returncode != 0 or "{" not in answer.stdout:
        raise RuntimeError(f"{algorithm} failed ({answer.returncode}): {answer.stderr[-500:]}")
    return json.loads(answer.stdout[answer.stdout.index("{") :])


def qgis_startup_s(repeat: int) -> float:
    """Median seconds of ``qgis_process.bin help <algorithm>``: start-up with no data."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [QGIS, "help", "native:countpointsinpolygon"], capture_output=True, env=_qgis_env()
        )
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def write_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str) -> Path:
    """Write one layer as GeoPackage 1.2 (QGIS 3.22's GDAL warns on newer ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    pyogrio.write_dataframe(
        frame, tmp, layer=layer, driver="GPKG", dataset_options={"VERSION": "1.2"}
    )
    tmp.replace(path)
    return path
