"""
Private readers of hostile input: what reaches GDAL, pyosmium, openpyxl or a CSV decoder.

Every upload passes through one of these before anything else reads it: allowed GDAL drivers
and no network (:mod:`geo.io.gdal`), an OSM extract checked whole (:mod:`geo.io.osm`), vector
files and archives (:mod:`geo.io.vector`), sheets in any encoding (:mod:`geo.io.sheets`,
:mod:`geo.io.xlsx`) and their cells read column by column (:mod:`geo.io.cells`). Only
:mod:`geo` imports this package (an import-linter contract); callers use the domain modules.
"""
