"""
Where a figure came from, as a planner cites it: a document by number, and a line in it.

geo keeps a figure's source as its file and line (``002_b03d685b680bd4c7.txt:31``), which
is what traces it; the file name of a seed document is a hash nobody cites. On screen a
line reads ``第 31 行`` beside the document's number, or, where a cell lists several
documents' lines, ``新百城提质办〔2023〕2号 第 29、31 行``. A document saved from the figures
page is named by its own file name, which is the planner's.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from geo import figures
from layers.wording import label

__all__ = ["cited_lines", "line_text", "lines_text"]

# file:line, where the file is a document (.txt, .docx, .pdf, .md); several are joined by "; ".
_REFERENCE = re.compile(r"(?P<file>[^\s·|;:：]+\.(?:txt|docx|pdf|md)):(?P<line>\d+)", re.I)


@functools.cache
def _seed_documents() -> dict[str, str]:
    """Seed file → its document number (or title), from the shipped figures."""
    seed = figures.load_figures()
    named = seed["doc_number"].fillna("").astype(str)
    named = named.where(named != "", seed["title"].fillna("").astype(str))
    return dict(zip(seed["seed_file"], named, strict=True))


def line_text(line: object, lang: str = "zh") -> str:
    """One line of a document: ``第 31 行`` / ``line 31``; missing reads ""."""
    if line is None or pd.isna(line) or str(line).strip() == "":
        return ""
    return label("figures_line", lang).format(line=int(float(str(line))))


def lines_text(references: object, lang: str = "zh", *, documents: bool = True) -> str:
    """
    A cell of ``file:line`` references (``a.txt:29; a.txt:31; b.txt:4``) as cited.

    Lines are grouped by document, each named by its number:
    ``新百城提质办〔2023〕2号 第 29、31 行；焦建办〔2024〕31号 第 4 行``.
    ``documents=False`` leaves the documents out where the row names its one document beside
    (``第 29、31 行``). Text that holds no reference is returned as it is.
    """
    if references is None or (not isinstance(references, str) and pd.isna(references)):
        return ""
    found = [(m["file"], int(m["line"])) for m in _REFERENCE.finditer(str(references))]
    if not found:
        return str(references)
    by_file: dict[str, list[int]] = {}
    for file, line in found:
        by_file.setdefault(file, []).append(line)
    sep, between = ("、", "；") if lang == "zh" else (", ", "; ")
    key = "figures_line" if lang == "zh" else "figures_lines"
    parts = []
    for file, lines in by_file.items():
        listed = sep.join(str(n) for n in dict.fromkeys(lines))
        cited = label(key if len(lines) > 1 else "figures_line", lang).format(line=listed)
        name = _seed_documents().get(file, file)
        parts.append(f"{name} {cited}" if documents else cited)
    return between.join(parts)


def cited_lines(text: object, lang: str = "zh") -> str:
    """A source (document · issuer · date · ``file:line``) with its line cited: ``第 31 行``."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return _REFERENCE.sub(lambda m: line_text(m["line"], lang), str(text))
