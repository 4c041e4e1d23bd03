"""Geodata logic for Renovation Atlas: datums, outlines, place names, reported figures.

Nothing in this package imports streamlit or folium.
"""
