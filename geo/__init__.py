"""Geodata logic for Renovation Atlas: datums, outlines, place names, reported figures.

Nothing in this package imports streamlit or folium. GDAL is configured first
(:mod:`geo.io.gdal`: allowed drivers only, no network), before anything loads pyogrio; and
openpyxl is told to parse workbook XML with the standard library's expat (see below).
"""

import os

# openpyxl picks lxml and defusedxml when installed (python-docx brings lxml, the .docx reader
# defusedxml). Workbooks are checked by geo/io/xlsx.py and then parsed by expat, whose limits
# refuse entity tricks in one line; lxml would resolve a local file's entity, and defusedxml
# triples the read time (12 s against 3.6 s for 300k cells). Read once, when openpyxl loads.
os.environ.setdefault("OPENPYXL_LXML", "False")
os.environ.setdefault("OPENPYXL_DEFUSEDXML", "False")

from geo.io import gdal as _gdal  # noqa: F401  (first: GDAL reads its driver skip list on import)
