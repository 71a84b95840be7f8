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
from urllib.parse import urlencode

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from geo.catalog import Catalog
from geo.finding_kinds import FINDING_KINDS, kind_of
from geo.french import fmt_int
from ui.offline_assets import draw_assets, static_url, use_local_assets
from ui.panel_code import panel_scripts

PRECISION_DEG = 1e-5  # about 1 m: ample for a map
SIMPLIFY_ABOVE_UNITS = 1500
# A région (Occitanie: 4,450 communes) simplified as a coverage: each shared border once,
# so neighbours stay joined (no sliver, no gap); about 1.9 MB, 0.7 MB as sent (gzip).
SIMPLIFY_TOLERANCE_DEG = 0.003
SIMPLIFIED_PRECISION_DEG = 1e-4  # a decimal grid: shorter numbers in the JSON
NEIGHBOUR_COLOURS = ["#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                     "#1b9e77", "#666666"]
PERIMETER_COLOUR = "#0050a0"
UNIT_STYLE = {"color": "#8a8a8a", "weight": 0.7, "fillColor": "#f4f1ea", "fillOpacity": 0.9}
PERIMETER_STYLE = {"color": PERIMETER_COLOUR, "weight": 0.7, "fillColor": PERIMETER_COLOUR, "fillOpacity": 0.55}
HIGHLIGHT_STYLE = {"color": "#111111", "weight": 3.5}  # the CPTS the ARS map points at
MAX_LABELS = 60  # commune names on the builder's map at once (those that fit)
DRAW_OPTIONS = {"polyline": False, "circle": False, "marker": False, "circlemarker": False,
                "polygon": True, "rectangle": True}  # Leaflet.draw's `draw` options


def neighbour_colour(i: int) -> str:
    """The colour of the i-th neighbouring CPTS shown (the map and its legend agree)."""
    return NEIGHBOUR_COLOURS[i % len(NEIGHBOUR_COLOURS)]


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
    shown = shown[shown.geometry.notna()]
    return shown.assign(estimated=shown["code"].isin(catalog.estimated))


def territory_geojson(units: gpd.GeoDataFrame) -> dict:
    """Compact GeoJSON of the shown units: code, escaped name, population label with its
    vintage (« estimation » for an IRIS estimated from 2016, when `units` says which), and
    for the names on the map a label point `lp` ([lat, lng], inside the unit) and the
    population `n` (larger towns are named first)."""
    geoms = units.geometry.to_numpy()
    precision = PRECISION_DEG
    if len(units) > SIMPLIFY_ABOVE_UNITS:
        geoms = shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE_DEG)
        precision = SIMPLIFIED_PRECISION_DEG
    geoms = shapely.set_precision(geoms, precision)
    points = shapely.point_on_surface(units.geometry.to_numpy())
    features = []
    estimated = units["estimated"] if "estimated" in units else pd.Series(False, index=units.index)
    for code, name, level, pop, vintage, guess, geom, point in zip(
            units["code"], units["name"], units["level"], units["population"],
            units["population_vintage"], estimated, geoms, points, strict=True):
        if geom is None or geom.is_empty:
            continue
        label = name if level != "iris" else f"IRIS {name}"
        known = not (pop is None or str(pop) == "<NA>")
        year = f"{'estimation ' if guess else ''}{vintage}" if known and str(vintage) != "<NA>" else ""
        features.append({
            "type": "Feature",
            "properties": {"code": code, "nom": html.escape(str(label)),
                           "pop": f"{fmt_int(pop)} ({year})" if known else "inconnue",
                           "n": int(pop) if known else 0,
                           "lp": [round(point.y, 4), round(point.x, 4)]},
            "geometry": json.loads(shapely.to_geojson(geom)),
        })
    return {"type": "FeatureCollection", "features": features}


class UnitsLayer(JSCSSMixin, MacroElement):
    """The territory's units, drawn and made clickable by static/cpts_map.js from the
    published file at `url`: the map's script stays a few kilobytes, the same on every
    rerun, so Streamlit re-sends no geometry and streamlit-folium never redraws the map.
    Its bounds are given (no coordinate to walk in Python)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        CptsMap.init({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, url: str, bounds, tooltip: list[tuple[str, str]] | None = None,
                 unit_style: dict | None = None, draw: dict | None = None,
                 panel_code: tuple[str, ...] = ()):
        super().__init__()
        self._name = "UnitsLayer"
        self._bounds = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
        self.options = {"url": url, "maxLabels": 0 if tooltip else MAX_LABELS, "tooltip": tooltip,
                        "style": {"unit": unit_style or UNIT_STYLE, "perimeter": PERIMETER_STYLE,
                                  "highlight": HIGHLIGHT_STYLE},
                        "draw": draw, "panelCode": list(panel_code)}
        # The units' address rides on the script's: it starts fetching them on load.
        self.default_js = [("cpts_map_js", f"{static_url('cpts_map.js')}?{urlencode({'units': url})}")]
        self.default_css = [("cpts_map_css", static_url("cpts_map.css"))]

    def _get_self_bounds(self):
        return self._bounds


class MapState(MacroElement):
    """What the server says after a run, for static/cpts_map.js: the perimeter's codes,
    the last map event it applied, the neighbouring CPTS file."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        CptsMap.update({{ this.state|tojson }});
        {% endmacro %}
    """)

    def __init__(self, state: dict):
        super().__init__()
        self._name = "MapState"
        self.state = state


def base_map(territory_url: str, bounds) -> folium.Map:
    """The static part, the same for every run on a territory: the units (clickable,
    with tooltips and names), the drawing tools (polygon and rectangle; static/cpts_map.js
    loads Leaflet.draw once the units are painted), and the panels' code it then loads into
    the page (ui/panel_code.py). `bounds` are the units' (minx, miny, maxx, maxy)."""
    use_local_assets()
    m = folium.Map(tiles=None, prefer_canvas=False, control_scale=True, zoom_snap=0.25)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    UnitsLayer(territory_url, bounds, draw=draw_assets() | {"options": DRAW_OPTIONS},
               panel_code=panel_scripts()).add_to(m)
    return m


def neighbours_payload(neighbours: list[tuple[str, BaseGeometry, tuple[str, ...]]]) -> dict:
    """The neighbouring CPTS for the map: outline, escaped name, colour and unit codes of
    each (name, geometry, codes)."""
    features = []
    for i, (name, geometry, codes) in enumerate(neighbours):
        features.append({
            "type": "Feature",
            "properties": {"name": html.escape(name), "codes": list(codes),
                           "colour": neighbour_colour(i)},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geometry, PRECISION_DEG))),
        })
    return {"type": "FeatureCollection", "features": features}


def perimeter_group(perimeter_geometry, findings, state: dict | None = None) -> folium.FeatureGroup:
    """The dynamic part: the candidate perimeter's outline, the findings' units and the
    server's state for the map's script. None of them takes clicks: the units under them do."""
    group = folium.FeatureGroup(name="Périmètre")
    if perimeter_geometry is not None and not perimeter_geometry.is_empty:
        folium.GeoJson(
            json.loads(shapely.to_geojson(shapely.set_precision(perimeter_geometry, PRECISION_DEG))),
            style_function=lambda _: {"color": PERIMETER_COLOUR, "weight": 3, "fill": False},
            interactive=False,
        ).add_to(group)
    for finding in findings:
        if finding.geometry is None or not kind_of(finding.kind).drawn:
            continue
        colour = kind_of(finding.kind).colour
        folium.GeoJson(
            json.loads(shapely.to_geojson(shapely.set_precision(finding.geometry, PRECISION_DEG))),
            style_function=lambda _, c=colour: {"color": c, "weight": 3, "fillColor": c,
                                                "fillOpacity": 0.45},
            interactive=False,
        ).add_to(group)
    if state is not None:
        MapState(state).add_to(group)
    return group


# --- the coverage map of the ARS view -------------------------------------------------

# Fill colours of CPTS: pale enough for the highlights below to stand out; no red, orange
# or purple, which mean something else on this map.
CPTS_COLOURS = ["#8dd3c7", "#80b1d3", "#b3de69", "#bebada", "#ffffb3", "#fccde5", "#ccebc5",
                "#bc80bd", "#ffed6f", "#a6cee3", "#b2df8a", "#e5d8bd"]
# Units needing attention: (fill colour, French label shown in the tooltip and the legend).
COVERAGE_STATUS = {
    "isolated": (FINDING_KINDS["isolated"].colour, "zone blanche isolée entre CPTS"),
    "white": ("#ffffff", "zone blanche (aucune CPTS)"),
    "overlap": (FINDING_KINDS["overlap"].colour, "chevauchement (unité revendiquée entière par plusieurs CPTS)"),
    "shared": (FINDING_KINDS["shared_commune"].colour, "commune partagée, découpage inconnu"),
}


def cpts_colours(neighbours: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """A colour per CPTS, bordering CPTS in different colours: greedy, most-connected
    first, each taking the least used colour its neighbours leave free, so the whole
    palette is spread over the map."""
    colours: dict[str, str] = {}
    used = dict.fromkeys(CPTS_COLOURS, 0)
    for name in sorted(neighbours, key=lambda n: (-len(neighbours[n]), n)):
        taken = {colours.get(n) for n in neighbours[name]}
        colour = min((c for c in CPTS_COLOURS if c not in taken), key=used.__getitem__, default=None)
        colours[name] = colour or min(CPTS_COLOURS, key=used.__getitem__)
        used[colours[name]] += 1
    return colours


def coverage_geojson(units: gpd.GeoDataFrame, owners: dict[str, list[str]],
                     status: dict[str, str], colours: dict[str, str]) -> dict:
    """The scope's units (compact, as `territory_geojson`), each with the CPTS holding it,
    its state and its fill colour. CPTS names are escaped: they come from files."""
    payload = territory_geojson(units)
    for feature in payload["features"]:
        props = feature["properties"]
        code = props["code"]
        names = owners.get(code, [])
        state = status.get(code)
        props["cpts"] = html.escape(", ".join(names)) if names else "aucune"
        props["etat"] = COVERAGE_STATUS[state][1] if state else "couverte"
        props["fill"] = COVERAGE_STATUS[state][0] if state else colours.get(names[0], CPTS_COLOURS[0])
        feature["id"] = code  # folium would otherwise number the features in place
    return payload


def filled_units_map(payload: dict, bounds, name: str, fields: list[str], aliases: list[str],
                     line_colour: str = "#ffffff", wheel_zoom: bool = True) -> folium.Map:
    """Read-only map of units filled by their `fill` property (coverage states, indicator
    classes), with a tooltip of `fields` (already escaped in the payload)."""
    use_local_assets()
    m = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25, scroll_wheel_zoom=wheel_zoom)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    folium.GeoJson(
        payload, name=name,
        style_function=lambda f: {"color": line_colour, "weight": 0.7,
                                  "fillColor": f["properties"]["fill"], "fillOpacity": 0.85},
        highlight_function=lambda _: {"weight": 2.5, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, labels=True),
    ).add_to(m)
    return m


def coverage_map(url: str, bounds) -> folium.Map:
    """Read-only map of a layer's coverage: the units of the published payload at `url`
    (coverage_geojson), filled by their state, fetched once; `highlight_group` outlines
    some of them from run to run."""
    use_local_assets()
    m = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    UnitsLayer(url, bounds, tooltip=[("code", "INSEE"), ("pop", "Population"), ("cpts", "CPTS"),
                                     ("etat", "État")],
               unit_style={"color": "#ffffff", "weight": 0.7, "fillOpacity": 0.85}).add_to(m)
    return m


def highlight_group(codes: tuple[str, ...]) -> folium.FeatureGroup:
    """The dynamic part of the coverage map: which units to outline."""
    group = folium.FeatureGroup(name="Mise en évidence")
    MapState({"highlight": list(codes)}).add_to(group)
    return group
