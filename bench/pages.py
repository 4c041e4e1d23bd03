"""
The priorities, ledger, history and quality pages on a national workspace: time and bytes.

A script, not a job of ``python -m bench`` (it needs a national workspace, built as
``bench/map_page.py`` says). Run from the root of the tree to measure (its modules are
imported from the current directory, so a ``git archive`` copy of an older commit is
measured with the same script)::

    ATLAS_DATABASE_URL=sqlite:////tmp/national/atlas.sqlite ATLAS_USER=bench \\
        .venv/bin/python bench/pages.py [--pages priorities,ledger,history,quality] \\
        [--lang zh,en] [--repeat 2]

Each open is a new session (an AppTest, in process) at ``?province=china`` that opens the map
page (the app's default) and then the page, as a planner's link does. The first page opened
pays for reading the workspace (the server's first open); ``--warm`` (the map page, by
default) is opened first for that, so each page's first open is its own cost. Per page and
language: seconds of the first open and of the ``--repeat`` next ones (new sessions of the
warm server), the rows of every table shown and the bytes of their Arrow data (what a
browser would be sent for them). Writes one JSON object to stdout, the load average beside
each open.

Measured on 7 Dec 2026, 300k-row ledger saved as one version, 2 cores shared (load 4-9),
before = a ``git archive`` copy of 5d4c923, run just before the after (seconds, the map
page's own run included, ~1-2 s at that load; first open / next opens):

===========  ==============================  ==============================
page         before                          after
===========  ==============================  ==============================
(see the report of the change that added this script for the numbers of that run)
===========  ==============================  ==============================
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.getcwd())
sys.path.insert(0, os.path.join(os.getcwd(), "tests"))


def _open(page: str, lang: str) -> dict:
    from _pages import open_page
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(os.path.join(os.getcwd(), "app.py"), default_timeout=900)
    at.query_params["province"] = "china"
    if lang == "en":
        at.query_params["lang"] = "en"
    load = os.getloadavg()[0]
    start = time.perf_counter()
    at.run()
    if page != "map":
        open_page(at, page).run()
    seconds = time.perf_counter() - start
    tables = list(at.dataframe)
    return {
        "seconds": round(seconds, 2),
        "load": round(load, 2),
        "exceptions": [str(e.value)[:200] for e in at.exception],
        "table_rows": [len(t.value) for t in tables],
        "table_bytes": sum(
            len(t.proto.arrow_data.data) + len(t.proto.lazy_data.initial_chunk.data) for t in tables
        ),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="priorities,ledger,history,quality")
    parser.add_argument("--lang", default="zh,en")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--warm", default="map", help="the page opened first, not reported")
    args = parser.parse_args(argv)
    import server

    server.import_layers()
    result: dict = {"warm": _open(args.warm, "zh") if args.warm else None, "pages": {}}
    for lang in args.lang.split(","):
        for page in args.pages.split(","):
            opens = [_open(page, lang) for _ in range(1 + args.repeat)]
            result["pages"][f"{page}-{lang}"] = {"first": opens[0], "next": opens[1:]}
            print(page, lang, [o["seconds"] for o in opens], file=sys.stderr, flush=True)
    return result


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=1))
