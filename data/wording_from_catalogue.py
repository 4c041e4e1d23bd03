"""
Carry interface texts from a Python catalogue into data/wording.toml.

The interface text was a Python dict (``LABELS`` in ``layers/_catalogue.py``) until it became
the data file ``data/wording.toml``. A branch that still adds keys to the Python file is merged
with this: each key the TOML file lacks is written after the key that precedes it in the
Python file, with its comments; a key both have with different texts is reported, not changed.

    git show BRANCH:layers/_catalogue.py > /tmp/catalogue.py
    python data/wording_from_catalogue.py /tmp/catalogue.py
    python data/wording_from_catalogue.py --all layers/_catalogue.py data/wording.toml

With ``--all SOURCE OUT`` it writes the whole Python catalogue as TOML to OUT instead (how
data/wording.toml was made), and checks that tomllib reads back the same dict, in order.
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
import tomllib
from pathlib import Path

TOML = Path(__file__).resolve().parent / "wording.toml"
HEADER = """\
# The interface text of Renovation Atlas, in Chinese and English: one table per key.
#
# Read once by layers/wording.py (label, error_text, reason_text...). Every key has both
# languages with the same {placeholders}; tests/test_wording.py checks this, and that every
# key the code uses is here. Strings are TOML basic strings, one line each.

"""


def read_entries(path: Path) -> list[tuple[str, dict[str, str], list[str], list[str]]]:
    """(key, texts, comments before, comment on the key's line) of the dict ``LABELS``."""
    source = path.read_text(encoding="utf-8")
    node = next(
        n
        for n in ast.parse(source).body
        if isinstance(n, ast.AnnAssign | ast.Assign) and "LABELS" in ast.unparse(n).split("=")[0]
    )
    comments = [
        (t.start[0], t.string)
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type == tokenize.COMMENT
    ]
    entries, end = [], node.value.lineno
    for key, value in zip(node.value.keys, node.value.values, strict=True):
        first, last = key.lineno, value.end_lineno
        lead = [c for n, c in comments if end < n <= last and n != first]
        trail = [c for n, c in comments if n == first]
        entries.append((key.value, ast.literal_eval(value), lead, trail))
        end = last
    return entries


def table_text(key: str, texts: dict[str, str], lead: list[str], trail: list[str]) -> str:
    """One key as a TOML table, its comments before it."""
    name = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)
    lines = ["", *lead] if lead else []
    lines.append(f"[{name}]" + (f"  {trail[0]}" if trail else ""))
    # JSON's string escapes are a subset of TOML's basic-string escapes.
    lines += [f"{lang} = {json.dumps(text, ensure_ascii=False)}" for lang, text in texts.items()]
    return "\n".join(lines) + "\n"


def write_all(source: Path, out: Path) -> None:
    """The whole catalogue as TOML, checked to read back equal and in the same order."""
    entries = read_entries(source)
    text = HEADER + "".join(table_text(*entry) for entry in entries)
    out.write_text(text, encoding="utf-8")
    expected = {key: texts for key, texts, _, _ in entries}
    loaded = tomllib.loads(text)
    assert loaded == expected and list(loaded) == list(expected), "the TOML reads differently"
    print(f"{len(loaded)} keys written to {out}, read back equal")


def add_missing(source: Path) -> None:
    """Write the keys data/wording.toml lacks after their predecessor; report differences."""
    lines = TOML.read_text(encoding="utf-8").splitlines(keepends=True)
    have = tomllib.loads("".join(lines))
    previous, added = None, 0
    for key, texts, lead, trail in read_entries(source):
        if key in have:
            if have[key] != texts:
                print(f"differs, kept as in {TOML.name}: {key}")
            previous = key
            continue
        at = _after(lines, previous)
        lines[at:at] = table_text(key, texts, lead, trail).splitlines(keepends=True)
        have[key], previous, added = texts, key, added + 1
    TOML.write_text("".join(lines), encoding="utf-8")
    tomllib.loads("".join(lines))  # still valid TOML
    print(f"{added} keys added to {TOML}")


def _after(lines: list[str], key: str | None) -> int:
    """The line index just after the table of ``key`` (the file's end when there is none)."""
    if key is None:
        return len(lines)
    header = re.compile(rf'^\[(?:{re.escape(key)}|"{re.escape(key)}")\]')
    start = next(i for i, line in enumerate(lines) if header.match(line))
    end = start + 1
    while end < len(lines) and re.match(r"^[a-z]{2} = ", lines[end]):
        end += 1
    return end


if __name__ == "__main__":
    if sys.argv[1:2] == ["--all"]:
        write_all(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        add_missing(Path(sys.argv[1]))
