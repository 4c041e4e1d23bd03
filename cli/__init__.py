"""
The ``atlas`` command: thin subcommands over ``geo`` and ``layers``.

    atlas build [--force]
    atlas resolve NAME [--city CITY] [--year YEAR]
    atlas export (--city CITY ... | --province PROVINCE | --all | --all-seed) [--district D ...]
                 [--from YEAR] [--to YEAR] [--figure METRIC ...] [--out FILE.geojson]
                 [--gpkg FILE.gpkg [--projects FILE.gpkg] [--infra FILE.gpkg]]
    atlas compare (--city CITY ... | --province PROVINCE) [--place ADCODE|NAME ...]
                  [--metric M ...] [--from YEAR] [--to YEAR] [--show value|share_of_city|
                  per_household] [--projects FILE.gpkg] [--infra FILE.gpkg] [--lang zh|en]
                  --out FILE.csv|FILE.xlsx
    atlas ingest LEDGER [--crs DATUM] [--sheet NAME] --out FILE.gpkg --report FILE.csv
                 [--reconcile FILE.csv]
    atlas infra FILE [--crs DATUM] [--sheet NAME] [--layer NAME] [--covers DISTRICT ...]
                [--city CITY] --out FILE.gpkg
    atlas coverage --infra FILE.gpkg [--projects FILE.gpkg] [--radius M ...] --out FILE.geojson
    atlas map (--city CITY ... | --province PROVINCE | --all) [--figure METRIC] [--infra FILE.gpkg]
              [--projects FILE.gpkg] [--dataset NAME[@VERSION] ...] --out FILE.html
    atlas figures extract DOC [--city CITY] [--district D] [--year YEAR] [--out FILE.csv]
                          [--save [--dataset NAME]]
    atlas figures read TABLE [--sheet NAME] [--city CITY] [--out FILE.csv --report FILE.csv]
                       [--save [--dataset NAME]]
    atlas figures template --out FILE.xlsx
    atlas plan template --out FILE.xlsx
    atlas plan save FILE.xlsx --dataset NAME [--city CITY] [--year YEAR] [--sheet NAME]
    atlas plan save --from-figures --city CITY --year YEAR [--start-by DAY] [--finish-by DAY]
                    [--check DAY ...] [--report-day N] [--document DOC] --dataset NAME
    atlas progress --plan NAME[@V] --ledger NAME[@V] --as-of DAY --out FILE.xlsx [--lang en]
    atlas network OSM --out FILE.gpkg
    atlas reach --projects FILE.gpkg --infra FILE.gpkg --network FILE.gpkg
                [--profile P ...] [--radius M ...] [--max-snap M] --out FILE.geojson
    atlas site --projects LEDGER [--crs DATUM] --network EXTRACT [--type T] [--candidates FILE]
               [--existing FILE] [--sites-crs DATUM] --count N --radius R
               --profile walk|wheelchair
               [--weigh households|renovated_households|elderly] [--time-limit S]
               [--solver highs|cbc] [--all-candidates] --out FILE.geojson
    atlas priorities (--projects LEDGER | --candidates LIST) [--crs DATUM]
                     [--among planned|not_completed|all] [--osm EXTRACT]
                     [--preset safety|accessibility|balanced]
                     [--lang zh|en] --out FILE.csv|.xlsx [--report FILE.csv|.xlsx]
    atlas indicators --projects LEDGER [--crs DATUM] --osm EXTRACT [--facilities FILE]
                     [--profile walk|wheelchair] [--radius CATEGORY=M ...]
                     --out FILE.gpkg|.geojson|.xlsx
    atlas db init|upgrade|status|backup FILE|restore FILE [--replace]
    atlas datasets | atlas history DATASET | atlas diff DATASET V1 V2
    atlas user add NAME --role admin|city|district|viewer [--city CITY] [--district D ...]
    atlas user list | atlas user passwd NAME | atlas user disable NAME | atlas user unlock NAME
    atlas audit [--actor NAME] [--action ACTION] [--limit N]
    atlas publish NAME@VERSION [--withdraw]
    atlas serve [--address localhost] [--port 8501]
    atlas report reply|sheets (--city CITY ... | --province P) [--district D ...]
                 [--period 2023] [--kind plan|completed|…] [--ledger NAME[@V]]
                 [--infra NAME[@V] | --figures-only] [--figure METRIC] [--lang zh|en]
                 --out FILE.docx|FILE.pdf

Against a workspace with accounts (a team server) every workspace command takes ``--user
NAME``; the password comes from ``$ATLAS_PASSWORD`` or a prompt, a new account's from
``$ATLAS_NEW_PASSWORD`` or a prompt (typed twice). Without accounts the workspace is in local
mode: the one local user, named ``$ATLAS_USER`` or the login name, may do everything.

``atlas db init`` creates the workspace if there is none (the embedded file, or a server's
tables) and leaves one that is there as it is; no other command creates one, so a missing or
broken workspace file is an error (exit 2), never an empty workspace.

``atlas ingest`` and ``atlas infra`` take ``--save [--dataset NAME]`` to keep the file as the
next version of a dataset in the workspace (:mod:`store`; the embedded file, or
``$ATLAS_DATABASE_URL``), and print the version beside the counts. Saved, the counts and the
files written (``--out``, ``--report``) are the version's: a district account's rows of other
districts are quarantined as ``out_of_scope``; a file with no clean row is not saved. ``atlas
export`` and ``atlas map`` take ``--dataset NAME[@VERSION]`` to read communities from it (without a
version: the current state). Saves are recorded under the acting account.

``atlas infra`` reads an OSM extract or a survey file and prints one JSON line of counts per
feature type; ``atlas coverage`` writes per-district metrics, each with a ``_status``
property, and prints one JSON line of how many districts each metric could be computed for.
``atlas ingest`` ends by printing one JSON line, ``{"rows", "clean", "quarantined",
"by_reason"}``, and exits 0 even when rows were quarantined; a file that cannot be read at
all exits 2 with a message saying why and how to fix it.

User errors (an unknown place, a bad option) print one line to stderr, with close matches
where there are any, and exit with status 2. Nothing prints a traceback for them.
``atlas map`` writes one self-contained offline HTML map (:mod:`layers.offline`): Leaflet
inlined, no tiles, nothing fetched. Over 10,000 communities with a point
(:data:`layers.projects.MAX_POINTS_DRAWN`) it draws one marker per district with their count
and households, as the app's map does, so the file stays under 2 MB.

``atlas figures extract`` writes the figures a document (.txt, .docx, .pdf) proposes, one row
each with its line, for review, and prints one JSON line of counts; ``atlas figures read``
reads a filled-in figures table like ``atlas ingest`` reads a ledger; ``atlas figures
template`` writes the blank table. With ``--save [--dataset NAME]`` both keep the figures as
the next version of a figures dataset, as the figures page saves them: of a document, the
proposals the review would suggest accepting (known metric, confident, not an estimate or a
range, not restated), with the document's text; of a table, its clean rows.

``atlas export --gpkg`` writes the view's layers in one GeoPackage, as the export page's
(:func:`layers.view.export_layers`): the districts with their figures, the communities of
``--projects``/``--dataset`` in view with their reconciliation, and with ``--infra`` its
features and coverage (the accessibility page's default radii); it prints one JSON line of
the rows per layer. ``atlas compare`` writes the compare page's table
(:func:`layers.compare.compare_places`) and prints one JSON line: places, metrics, period,
rows by status.

One module per noun: :mod:`cli.places`, :mod:`cli.export`, :mod:`cli.compare`, :mod:`cli.ledger`,
:mod:`cli.infra`, :mod:`cli.figures`, :mod:`cli.plan`, :mod:`cli.network`, :mod:`cli.site`,
:mod:`cli.indicators`, :mod:`cli.workspace`, :mod:`cli.accounts`, :mod:`cli.report`,
:mod:`cli.batch`; what
they share (options, the check of files, the acting account) in :mod:`cli._common`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from cli._common import check_files, decode_file_name
from geo.errors import AtlasError, InputError

__all__ = ["decode_file_name", "main"]

EXIT_USAGE = 2
EXIT_BUG = 1
#: How to give each setting an :class:`~geo.errors.InputError` names as its fix, here.
FIX_FLAGS = {
    "datum": "pass --crs wgs84|cgcs2000|gcj02|bd09",
    "sheet": "pass --sheet NAME",
    "layer": "pass --layer NAME",
    "city": "pass --city CITY",
    "output": "pass another path to the output option",
}
#: The command modules, in the order ``atlas --help`` lists their commands, with the commands
#: each registers: a command imports only its own module (and what that needs), not every
#: command's (mapclassify, scipy, folium… cost ``atlas report reply`` 2.5 s of CPU before it
#: read an argument). tests/test_cli.py checks the names against what the modules register.
COMMANDS = {
    "places": ("build", "resolve"),
    "export": ("export", "map"),
    "compare": ("compare",),
    "ledger": ("ingest",),
    "infra": ("infra", "coverage"),
    "figures": ("figures",),
    "plan": ("plan", "progress"),
    "network": ("network", "reach"),
    "site": ("priorities", "site"),
    "indicators": ("indicators",),
    "workspace": ("db", "datasets", "history", "diff"),
    "accounts": ("user", "audit", "publish", "serve"),
    "report": ("report",),
    "batch": ("batch",),
}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """
    The ``atlas`` parser: the options of ``command``'s module, or of every module's commands.

    An unknown or missing ``command`` gets every command, so ``--help`` and argparse's
    refusal list them all.
    """
    parser = argparse.ArgumentParser(prog="atlas", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = [name for name, commands in COMMANDS.items() if command in commands]
    for name in chosen or COMMANDS:
        importlib.import_module(f"cli.{name}").add_commands(sub)
    return parser


def _message(exc: Exception) -> str:
    """The error's message, with this command line's way to give the setting it names."""
    fix = FIX_FLAGS.get(exc.fix) if isinstance(exc, InputError) and exc.fix else None
    return f"{exc} Fix: {fix}." if fix else str(exc)


def main(argv: list[str] | None = None) -> int:
    """Run the ``atlas`` command line; returns the process exit status."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # one line per layer written
    given = sys.argv[1:] if argv is None else argv
    args = _parser(given[0] if given else None).parse_args(given)
    try:
        check_files(args)
        return args.func(args)
    except (AtlasError, ValueError) as exc:
        print(f"atlas {args.command}: {_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        # An input the system will not give (permission, a folder); outputs are checked above.
        where = f" {exc.filename!r}" if exc.filename else ""
        print(f"atlas {args.command}: cannot read{where}: {exc.strerror or exc}.", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get("ATLAS_TRACEBACK"):
            raise
        # Not the user's doing: one line, and how to get the traceback for a report.
        print(
            f"atlas {args.command}: internal error ({type(exc).__name__}: {exc}). This is a "
            "bug: run again with ATLAS_TRACEBACK=1 and report the output with the file.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
