"""Fixture app for tests/browser/test_offline_map.py: a folium map that must
render, and report clicks back to Python, with no internet."""

import folium
import folium.plugins
import streamlit as st
from streamlit_folium import st_folium

from ui.offline_assets import use_local_assets

use_local_assets()


def square(name: str, west: float, south: float, size: float = 0.5) -> dict:
    """A GeoJSON square feature with its south-west corner at (west, south)."""
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


# Two adjacent squares; the map is centred on the middle of "Secteur A", so a
# click in the centre of the map lands inside that polygon.
squares = {
    "type": "FeatureCollection",
    "features": [square("Secteur A", 2.0, 46.0), square("Secteur B", 2.5, 46.0)],
}

m = folium.Map(location=[46.25, 2.25], zoom_start=8, tiles=None)
folium.GeoJson(squares, tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(m)
folium.plugins.Draw().add_to(m)

out = st_folium(
    m, key="map", height=500, returned_objects=["last_clicked", "last_active_drawing"]
)

# last_clicked comes from the map's click event (clicks on polygons bubble up
# to the map); last_active_drawing is the GeoJSON of the clicked feature.
clicked = out["last_clicked"]
feature = out["last_active_drawing"]
if clicked:
    name = (feature or {}).get("properties", {}).get("name")
    st.code(f"clicked lat={clicked['lat']:.5f} lng={clicked['lng']:.5f} feature={name}")
else:
    st.code("clicked none")
