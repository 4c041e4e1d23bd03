"""
The README and docs/ tell the truth about the tree: every module under geo/, layers/, store/
and app_pages/ is named in the developer guide by its path, no doc names a module that is
gone, every relative link and anchor resolves, every image has its alt text, every `atlas`
command has its section in docs/cli.md, and the README opens with the two commands.
"""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
GUIDE = DOCS / "developer-guide.md"
PACKAGES = ("geo", "layers", "store", "app_pages")
#: Alembic's revisions are data of the migrations, not modules a reader looks for.
NOT_LISTED = ("store/migrations/versions",)

_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]*)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.M)
# A path of the four packages as the docs write it (geo/io/gdal.py, geo/io/), and a dotted
# module reference (geo.coverage.measure, layers._html.esc_md).
_PATH = re.compile(rf"(?<![\w/.-])((?:{'|'.join(PACKAGES)})/(?:\w+/)*(?:\w+\.py)?)(?![\w/])")
_DOTTED = re.compile(rf"(?<![\w/.-])((?:{'|'.join(PACKAGES)})\.\w+)")


def _docs() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def _modules() -> list[str]:
    """Every module and package of the four packages, as the guide writes them."""
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*")):
            relative = path.relative_to(REPO).as_posix()
            if "__pycache__" in relative or relative.startswith(NOT_LISTED):
                continue
            if path.is_dir() and (path / "__init__.py").exists():
                found.append(relative + "/")
            elif path.suffix == ".py" and path.name != "__init__.py":
                found.append(relative)
    return found


def _names(text: str, path: str) -> bool:
    tail = r"(?![\w.])" if path.endswith("/") else r"(?![\w/])"
    return re.search(rf"(?<![\w/.-]){re.escape(path)}{tail}", text) is not None


def _prose(text: str) -> str:
    """The text without code blocks and code spans, where links are not links."""
    return _CODE.sub("", _FENCE.sub("", text))


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    seen: dict[str, int] = {}
    anchors = set()
    for _, heading in _HEADING.findall(_FENCE.sub("", text)):
        words = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        count = seen.get(words, 0)
        seen[words] = count + 1
        anchors.add(words if count == 0 else f"{words}-{count}")
    return anchors


def test_the_developer_guide_names_every_module():
    text = GUIDE.read_text(encoding="utf-8")
    missing = [path for path in _modules() if not _names(text, path)]
    assert not missing, (
        f"docs/developer-guide.md does not name {len(missing)} module(s) by its path. Add a "
        "line for each to its package's listing under '## Layout' (the path, then in a few "
        "words what it holds), and remove the lines of modules that moved:\n"
        + "\n".join(f"    {path}" for path in missing)
    )


def test_the_docs_name_no_module_that_is_gone():
    gone = []
    for doc in _docs():
        text = doc.read_text(encoding="utf-8")
        for path in sorted(set(_PATH.findall(text))):
            if not (REPO / path).exists():
                gone.append(f"    {doc.relative_to(REPO)}: {path}")
        for dotted in sorted(set(_DOTTED.findall(text))):
            base = REPO / dotted.replace(".", "/")
            if not (base.with_suffix(".py").exists() or (base / "__init__.py").exists()):
                gone.append(f"    {doc.relative_to(REPO)}: {dotted}")
    assert not gone, (
        "These docs name modules that do not exist (moved or renamed?). Write each one's "
        "new path, or drop it:\n" + "\n".join(gone)
    )


def test_every_relative_link_and_anchor_resolves():
    broken = []
    for doc in _docs():
        for _, _, target in _LINK.findall(_prose(doc.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):
                continue  # an address outside the repository, never fetched here
            file, _, anchor = target.partition("#")
            linked = (doc.parent / file).resolve() if file else doc
            if not linked.exists():
                broken.append(f"    {doc.relative_to(REPO)}: {target} (no such file)")
            elif anchor and anchor not in _anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"    {doc.relative_to(REPO)}: {target} (no such heading)")
    assert not broken, "Links that lead nowhere:\n" + "\n".join(broken)


def test_every_image_has_alt_text_and_the_readme_keeps_its_screenshots():
    images = []
    for doc in _docs():
        for bang, alt, target in _LINK.findall(_prose(doc.read_text(encoding="utf-8"))):
            if bang:
                assert alt.strip(), f"{doc.relative_to(REPO)}: the image {target} has no alt text"
                images.append((doc, target))
    readme = {(doc.parent / target).resolve() for doc, target in images if doc.name == "README.md"}
    assert readme >= {path.resolve() for path in DOCS.glob("*.png")}


def test_the_readme_opens_with_the_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first = _FENCE.search(text)
    assert first is not None and text.index(first.group()) < 200
    commands = [line.split("#")[0].strip() for line in first.group().splitlines()[1:-1]]
    assert [c for c in commands if c] == ["make app", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^app:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_every_command_has_its_section_in_the_cli_reference(capsys):
    # The `atlas` entry point, whichever module holds it, asked for its help in this process.
    (atlas,) = entry_points(group="console_scripts", name="atlas")
    with pytest.raises(SystemExit):
        atlas.load()(["--help"])
    shown = capsys.readouterr().out
    commands = re.search(r"\{([\w,-]+)\}", shown).group(1).split(",")
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in commands if not re.search(rf"^### atlas {c}$", text, re.M)]
    assert not missing, (
        "docs/cli.md has no section for these commands. Add '### atlas NAME' under "
        "'## Reference', with what it does and its --help:\n"
        + "\n".join(f"    atlas {c}" for c in missing)
    )
