"""Folium layers and file exports built from `geo`; never imports streamlit."""

import geo  # noqa: F401  (configures GDAL, geo.io.gdal, before layers.export loads pyogrio)
