"""The folium map of the builder: the shown territory's units, the candidate perimeter,
neighbouring CPTS and the findings to highlight.

Only the shown territory is sent, with rounded coordinates and few properties; a large
territory is simplified as a coverage (shared borders simplified once, so neighbours gain
no slivers). The units layer is static for a territory, so Streamlit does not redraw it on
every click: the perimeter and the findings travel in the one dynamic feature group that
streamlit-folium updates in place. Every text from users or files is HTML-escaped before it
reaches a tooltip.
"""

from __future__ import annotations

import html
import json

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely

from geo.catalog import Catalog
from geo.population import fmt_int
from ui.offline_assets import use_local_assets

PRECISION_DEG = 1e-5  # about 1 m: ample for a map
SIMPLIFY_ABOVE_UNITS = 1500
SIMPLIFY_TOLERANCE_DEG = 0.002
NEIGHBOUR_COLOURS = ["#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                     "#1b9e77", "#666666"]
SEVERITY_COLOURS = {"blocking": "#d7191c", "warning": "#fdae61", "info": "#2c7bb6"}
PERIMETER_COLOUR = "#0050a0"


def territory_units(catalog: Catalog, deps: tuple[str, ...], opened: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Units shown for départements `deps`: communes (arrondissements for Paris, Lyon and
    Marseille), with the communes in `opened` replaced by their IRIS."""
    units = catalog.units
    shown = units[units["dep"].isin(deps) & units["level"].isin(["commune", "arrondissement"])]
    plm = set(shown.loc[shown["level"] == "arrondissement", "parent_code"])
    shown = shown[~shown["code"].isin(plm)]
    if opened:
        iris = units[(units["level"] == "iris") & units["parent_code"].isin(opened)]
        shown = gpd.GeoDataFrame(pd.concat([shown[~shown["code"].isin(opened)], iris]), crs=4326)
    return shown[shown.geometry.notna()]


def territory_geojson(units: gpd.GeoDataFrame) -> dict:
    """Compact GeoJSON of the shown units: code, escaped name, population label."""
    geoms = units.geometry.to_numpy()
    precision = PRECISION_DEG
    if len(units) > SIMPLIFY_ABOVE_UNITS:
        geoms = shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE_DEG)
        precision = SIMPLIFY_TOLERANCE_DEG / 10
    geoms = shapely.set_precision(geoms, precision)
    features = []
    for code, name, level, pop, geom in zip(units["code"], units["name"], units["level"],
                                            units["population"], geoms):
        if geom is None or geom.is_empty:
            continue
        label = name if level != "iris" else f"IRIS {name}"
        features.append({
            "type": "Feature",
            "properties": {"code": code, "nom": html.escape(str(label)),
                           "pop": "inconnue" if pop is None or str(pop) == "<NA>" else fmt_int(pop)},
            "geometry": json.loads(shapely.to_geojson(geom)),
        })
    return {"type": "FeatureCollection", "features": features}


def base_map(territory: dict, bounds, neighbours: list[tuple[str, object]]) -> folium.Map:
    """The static part: units (clickable, with tooltips), neighbouring CPTS, drawing tools."""
    use_local_assets()
    m = folium.Map(tiles=None, prefer_canvas=False, control_scale=True, zoom_snap=0.25)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    folium.GeoJson(
        territory, name="Communes",
        style_function=lambda _: {"color": "#8a8a8a", "weight": 0.7, "fillColor": "#f4f1ea",
                                  "fillOpacity": 0.9},
        highlight_function=lambda _: {"weight": 2.5, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(fields=["nom", "code", "pop"],
                                      aliases=["", "INSEE", "Population"], labels=True),
    ).add_to(m)
    for i, (name, geometry) in enumerate(neighbours):
        colour = NEIGHBOUR_COLOURS[i % len(NEIGHBOUR_COLOURS)]
        folium.GeoJson(
            json.loads(shapely.to_geojson(shapely.set_precision(geometry, PRECISION_DEG))),
            name=html.escape(name),
            style_function=lambda _, c=colour: {"color": c, "weight": 3, "fillColor": c,
                                                "fillOpacity": 0.12, "dashArray": "6 4"},
            tooltip=folium.Tooltip(f"CPTS voisine : {html.escape(name)}"),
        ).add_to(m)
    folium.plugins.Draw(
        export=False, position="topleft",
        draw_options={"polyline": False, "circle": False, "marker": False,
                      "circlemarker": False, "polygon": True, "rectangle": True},
        edit_options={"edit": False, "remove": False},
    ).add_to(m)
    return m


def perimeter_group(perimeter_geometry, findings) -> folium.FeatureGroup:
    """The dynamic part: the candidate perimeter and the findings' units."""
    group = folium.FeatureGroup(name="Périmètre")
    if perimeter_geometry is not None and not perimeter_geometry.is_empty:
        folium.GeoJson(
            json.loads(shapely.to_geojson(shapely.set_precision(perimeter_geometry, PRECISION_DEG))),
            style_function=lambda _: {"color": PERIMETER_COLOUR, "weight": 3,
                                      "fillColor": PERIMETER_COLOUR, "fillOpacity": 0.35},
        ).add_to(group)
    for finding in findings:
        if finding.geometry is None or finding.kind in ("size_class", "unknown_population"):
            continue
        colour = SEVERITY_COLOURS[finding.severity]
        folium.GeoJson(
            json.loads(shapely.to_geojson(shapely.set_precision(finding.geometry, PRECISION_DEG))),
            style_function=lambda _, c=colour: {"color": c, "weight": 3, "fillColor": c,
                                                "fillOpacity": 0.45},
            tooltip=folium.Tooltip(html.escape(finding.message)),
        ).add_to(group)
    return group


def unit_at(units: gpd.GeoDataFrame, lng: float, lat: float) -> str | None:
    """Code of the shown unit under a clicked point (our own point-in-polygon: the
    front end's idea of the clicked feature is not relied on)."""
    hits = units.sindex.query(shapely.Point(lng, lat), predicate="within")
    return None if not len(hits) else str(units["code"].iloc[hits[0]])
