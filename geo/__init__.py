"""Geodata logic for Renovation Atlas: datums, outlines, place names, reported figures.

Nothing in this package imports streamlit or folium. GDAL is configured first
(:mod:`geo._gdal`: allowed drivers only, no network), before anything loads pyogrio.
"""

from geo import _gdal  # noqa: F401  (first: GDAL reads its driver skip list on import)
