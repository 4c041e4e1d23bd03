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

Measured on 7 Dec 2026, 300k-row ledger saved as one version (296,910 clean, 3,090
quarantined), 2 cores shared, ``--repeat 2``; before: a ``git archive`` copy of 5d4c923
(load 6.1-9.3), then the after (load 6.0-6.4), back to back. Seconds of wall time (in
brackets: this process's CPU seconds), the first open / the two next ones, each including
the map page's own run (alone: 1.0-1.7 s, 0.75-1.05 CPU s); tables: rows shown, MB of Arrow:

===============  ==================================  ==================================
page             before                              after
===============  ==================================  ==================================
priorities zh    28.0 / 32.9, 27.9 (10.9-11.2)       1.3 / 2.1, 2.5 (1.0-1.1)
priorities en    29.6 / 28.0, 25.5 (10.7-11.0)       2.8 / 2.4, 1.9 (1.1-1.2)
ledger zh        13.8 / 14.6, 17.8 (6.8-7.4)         2.5 / 1.7, 1.0 (0.8-1.1)
ledger en        16.6 / 11.1, 8.3 (6.6-6.8)          2.4 / 1.5, 1.5 (0.9-1.0)
history zh       13.7 / 15.0, 11.6 (6.3-6.5)         3.5 / 1.2, 1.9 (0.7-1.6)
history en       10.6 / 10.5, 8.7 (6.2-6.4)          1.3 / 1.7, 1.2 (0.8-1.1)
quality zh       4.0 / 3.5, 5.8 (2.8-3.1)            4.1 / 2.4, 1.7 (1.0-1.4)
quality en       4.0 / 4.9, 6.2 (2.7-3.0)            1.8 / 1.7, 1.5 (1.0)
===============  ==================================  ==================================

Tables sent (zh): priorities 49,444 rows, 10.2 MB → 500 rows, 0.11 MB; ledger 296,910 +
68,964 + 3,090 rows, 158 MB → 3 × 500 rows, 0.61 MB; quality 68,964 + 3,090 rows, 18.3 MB
→ 2 × 500 rows, 0.40 MB. (AppTest has no server: a browser is sent tables above 150,000 rows
lazily by Streamlit, the ledger's 296,910 communities among them; the others whole.)
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
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    if page != "map":
        open_page(at, page).run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    tables = list(at.dataframe)
    return {
        "seconds": round(seconds, 2),
        # This process's CPU seconds (every thread): what other work on the machine inflates
        # the least.
        "cpu_s": round(cpu, 2),
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
            times = [(o["seconds"], o["cpu_s"]) for o in opens]
            print(page, lang, times, file=sys.stderr, flush=True)
    return result


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=1))
