"""
One OSM extract, infrastructure and network: how often it is checked and read, and what it costs.

``python -m bench.osm_once [EXTRACT ...] [--repeat N]`` (default: the Paris extract of
``../shared/osm``). Each scenario runs in a fresh Python process (imports done before the
clock starts), ``repeat`` times, median reported:

- ``check``: :func:`geo.io.osm.check_osm` alone, with the network's cap;
- ``infra``: :func:`geo.infra.read_infra` (the check, then GDAL's OSM driver, three layers);
- ``network``: :func:`geo.network.build_network` without its cache (the check, then pyosmium);
- ``both``: ``infra`` then ``network`` of the same file, as ``atlas reach --infra X.osm.pbf
  --network X.osm.pbf`` and the walking-reach page do.

Per scenario: wall seconds, whole-file checks made (libosmium reads of the file to its end),
peak resident memory of the process (``ru_maxrss``, what GDAL and libosmium hold in C++
included) and the peak of Python's own allocations (``tracemalloc``). Resident memory
before the work is reported too, so the work's share is the difference.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = ("check", "infra", "network", "both")


def _shared_osm() -> Path:
    """``shared/osm`` beside the checkout, or beside the folder of worktrees."""
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "osm").is_dir():
            return base / "shared" / "osm"
    return REPO.parent / "shared" / "osm"


def _run(scenario: str, path: Path) -> dict[str, float]:
    """One scenario in this process: seconds, whole-file checks, memory."""
    from geo import infra, network
    from geo.io import osm

    checks = 0
    whole = osm._check_whole

    def counted(*args, **kwargs):
        nonlocal checks
        checks += 1
        return whole(*args, **kwargs)

    osm._check_whole = counted
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    if scenario == "check":
        osm.check_osm(path, path.name, max_refs=network.MAX_NETWORK_REFS)
    if scenario in ("infra", "both"):
        infra.read_infra(path)
    if scenario in ("network", "both"):
        network.build_network(path, use_cache=False)
    seconds = time.perf_counter() - start
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "checks": checks,
        "rss_before_mb": before_kb / 1024,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python_peak_mb": python_peak / 2**20,
    }


def _child(scenario: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.osm_once", "--child", scenario, str(path)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run every scenario on every extract; print one line per scenario and a JSON summary."""
    parser = argparse.ArgumentParser(prog="python -m bench.osm_once")
    parser.add_argument("extracts", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_run(args.child, args.extracts[0])))
        return 0
    extracts = args.extracts or [_shared_osm() / "paris_bss.osm.pbf"]
    results = {}
    for path in extracts:
        for scenario in SCENARIOS:
            runs = [_child(scenario, path) for _ in range(args.repeat)]
            row = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            results[f"{path.name}/{scenario}"] = row
            print(
                f"{path.name:<20} {scenario:<8} {row['seconds']:.3f} s  "
                f"checks {row['checks']:.0f}  RSS {row['rss_before_mb']:.0f} -> "
                f"{row['rss_peak_mb']:.0f} MB  Python peak {row['python_peak_mb']:.1f} MB"
            )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
