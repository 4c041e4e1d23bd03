"""Folium layers and file exports built from `geo`; never imports streamlit."""
