"""
Imported by the fork server of :mod:`geo._worker`: read once what every document needs.

Proposing the figures of a one-line document loads the gazetteer and the city names (about
2 s); done here, each child forked to read an upload starts with them in memory.
"""

from __future__ import annotations

from geo.documents.extract import extract_figures
from geo.documents.read import read_document

extract_figures(read_document("新乡市卫滨区改造老旧小区1个。".encode(), name="warm.txt"))
