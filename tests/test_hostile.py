"""
The hostile-file battery: every command that reads a user's file, fed files no one should
send. Each must end in exit 0 (read, bad rows quarantined) or exit 2 with one line saying
what was wrong; never a traceback, never exit 1. The table of hostile inputs in
docs/security.md lists what each case is and where its behaviour is tested in detail.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from io import BytesIO

import pytest

from cli import main
from geo._data import DATA_DIR

LEDGER = (DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv").read_bytes()
SURVEY = json.loads((DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson").read_bytes())
VRT = (
    b"<!-- <osm --><OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>"
    b"CSV:/vsicurl/http://127.0.0.1:9/x.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _sqlite(tmp_path) -> bytes:
    path = tmp_path / "plain.sqlite"
    if not path.exists():
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE t (a)")
    return path.read_bytes()


def _survey_with(feature: dict) -> bytes:
    return json.dumps({**SURVEY, "features": [*SURVEY["features"][:50], feature]}).encode()


def _cases(tmp_path) -> dict[str, tuple[str, bytes]]:
    bad_line = {"type": "Feature", "properties": {"类型": "盲道"},
                "geometry": {"type": "LineString", "coordinates": [[113.9, 35.3]]}}  # fmt: skip
    return {
        "empty csv": ("l.csv", b""),
        "bom only": ("l.csv", b"\xef\xbb\xbf"),
        "nul bytes": ("l.csv", b"a,b\x00\n1,2\n"),
        "binary junk": ("l.csv", bytes(range(256)) * 40),
        "unclosed quote": ("l.csv", '小区名称,所属区县\n"甲,卫滨区\n'.encode()),
        "ledger cut mid-row": ("l.csv", LEDGER[: len(LEDGER) // 2]),
        "gbk and utf-16 mixed": (
            "l.csv",
            "小区名称,所属区县\n".encode("utf-16") + "甲".encode("gbk"),
        ),
        "10,000 columns": ("l.csv", (",".join(f"c{i}" for i in range(10_000)) + "\n").encode()),
        "old xls": ("l.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 600),
        "zip named xlsx": ("l.xlsx", _zip({"readme.txt": b"hello"})),
        "truncated xlsx": ("l.xlsx", _zip({"[Content_Types].xml": b"<Types"})[:-10]),
        "vrt named osm": ("x.osm", VRT),
        "vrt named geojson": ("x.geojson", VRT),
        "vrt named gpkg": ("x.gpkg", VRT),
        "vrt named csv": ("x.csv", VRT),
        "plain sqlite named gpkg": ("x.gpkg", _sqlite(tmp_path)),
        "geojson cut short": ("x.geojson", json.dumps(SURVEY).encode()[:5000]),
        "geojson of a string": ("x.geojson", b'"FeatureCollection"'),
        "deeply nested json": ("x.geojson", b"[" * 100_000 + b"]" * 100_000),
        "survey with a one-point line": ("x.geojson", _survey_with(bad_line)),
        "zip with a path escape": ("x.zip", _zip({"../x.shp": b"", "x.shx": b"", "x.dbf": b""})),
        "pbf of zeros": ("x.osm.pbf", b"\x00" * 200),
        "osm xml with entities": ("x.osm", b'<!DOCTYPE osm [<!ENTITY a "b">]><osm>&a;</osm>'),
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


CASES = [
    "empty csv", "bom only", "nul bytes", "binary junk", "unclosed quote", "ledger cut mid-row",
    "gbk and utf-16 mixed", "10,000 columns", "old xls", "zip named xlsx", "truncated xlsx",
    "vrt named osm", "vrt named geojson", "vrt named gpkg", "vrt named csv",
    "plain sqlite named gpkg", "geojson cut short", "geojson of a string", "deeply nested json",
    "survey with a one-point line", "zip with a path escape", "pbf of zeros",
    "osm xml with entities",
]  # fmt: skip


def test_the_list_of_cases_is_the_battery(folder):
    assert sorted(CASES) == sorted(_cases(folder))


@pytest.mark.parametrize("case", CASES)
def test_no_command_prints_a_traceback_for_a_hostile_file(folder, capsys, case):
    name, data = _cases(folder)[case]
    path = folder / case.replace(" ", "-").replace(",", "") / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    out = path.parent
    commands = [
        ["infra", str(path), "--crs", "wgs84", "--out", str(out / "i.gpkg")],
        ["coverage", "--infra", str(path), "--out", str(out / "c.geojson")],
        ["map", "--city", "新乡市", "--infra", str(path), "--out", str(out / "m.html")],
    ]
    if name.endswith((".csv", ".xlsx", ".xls")):
        report = ["--report", str(out / "q.csv")]
        commands.append(
            ["ingest", str(path), "--crs", "gcj02", "--out", str(out / "p.gpkg"), *report]
        )
        commands.append(
            ["map", "--city", "新乡市", "--projects", str(path), "--out", str(out / "n.html")]
        )
    for args in commands:
        capsys.readouterr()
        status = main(args)
        err = capsys.readouterr().err.strip()
        assert status in (0, 2), (args, err)
        assert "Traceback" not in err
        if status == 2:
            assert len(err.splitlines()) == 1 and err.startswith(f"atlas {args[0]}: "), err


# --- files that cost without limit (issue 29): refused in one line naming the cap ------------


def _costly(folder) -> dict[str, tuple[str, bytes, str]]:
    """Case → (file name, bytes, the start of the refusal after "atlas <command>: ")."""
    import hostile_files

    long_way = hostile_files.long_way_pbf(folder / "long.osm.pbf", 3_000_000).read_bytes()
    many_ways = hostile_files.long_way_pbf(folder / "many.osm.pbf", 2_000, ways=501)
    josm = hostile_files.osm_pbf(
        folder / "josm.osm.pbf", {-1: (114.0, 35.2), -2: (114.0001, 35.2)}, {-3: [-1, -2]}
    )
    return {
        "one figure and 64,000 spaces": (
            "spaces.txt",
            "全市改造小区1个".encode() + b" " * 64_000,
            "Expected lines of at most 10,000 characters",
        ),
        "100,001 lines": ("lines.txt", b"1\n" * 100_001, "Expected a document of at most 100,000"),
        "pdf page tree 120 deep": (
            "deep.pdf",
            hostile_files.pdf_deep_tree(120),
            "Expected a PDF whose page tree nests",
        ),
        "pdf pages in a cycle": (
            "cycle.pdf",
            hostile_files.pdf_cyclic_tree(),
            "Expected a PDF whose pages can be listed",
        ),
        "pdf of 70 MB in 40 KB": (
            "big.pdf",
            hostile_files.pdf_pages([b" " * 10_000_000] * 7, shared=True),
            "Expected a PDF whose pages unpack to at most 64 MiB",
        ),
        "pbf of one way of 3M references": (
            "long.osm.pbf",
            long_way,
            "Expected ways of at most 2,000 nodes",
        ),
        "pbf of 1M references in 501 ways": (
            "many.osm.pbf",
            many_ways.read_bytes(),
            "Expected an extract whose streets and paths (highway=*) list at most 1,000,000",
        ),
        "josm pbf with negative ids": (
            "josm.osm.pbf",
            josm.read_bytes(),
            "Expected OSM ids above zero",
        ),
    }


COSTLY = [
    "one figure and 64,000 spaces", "100,001 lines", "pdf page tree 120 deep",
    "pdf pages in a cycle", "pdf of 70 MB in 40 KB", "pbf of one way of 3M references",
    "pbf of 1M references in 501 ways", "josm pbf with negative ids",
]  # fmt: skip


@pytest.fixture(scope="module")
def costly(tmp_path_factory):
    folder = tmp_path_factory.mktemp("costly")
    return folder, _costly(folder)


def test_the_list_of_costly_cases_is_the_battery(costly):
    assert sorted(COSTLY) == sorted(costly[1])


@pytest.mark.parametrize("case", COSTLY)
def test_a_costly_file_is_refused_in_one_line_naming_its_cap(costly, capsys, case):
    folder, cases = costly
    name, data, refusal = cases[case]
    path = folder / case.replace(" ", "-").replace(",", "") / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    if name.endswith(".pbf"):
        args = ["network", str(path), "--out", str(path.parent / "n.gpkg")]
    else:
        args = ["figures", "extract", str(path), "--out", str(path.parent / "f.csv")]
    capsys.readouterr()
    status = main(args)
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    assert err.startswith(f"atlas {args[0]}: {refusal}"), err
    assert len(err.splitlines()) == 1
    assert not any(path.parent.glob("[nf].*"))  # nothing written
