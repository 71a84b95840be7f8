"""The map's payload: only the shown territory, compact, and user text escaped."""

import json

import shapely

from ui.map import (
    neighbours_payload,
    perimeter_group,
    territory_geojson,
    territory_units,
)


def test_territory_is_the_departement_with_plm_arrondissements(catalog):
    units = territory_units(catalog, ("13",), ())
    assert "13055" not in set(units["code"]) and {"13201", "13216"} <= set(units["code"])
    assert set(units["dep"]) == {"13"}


def test_user_text_is_escaped_in_the_map_data(catalog, carmausin):
    units = territory_units(catalog, ("81",), ())
    evil = "<script>alert(1)</script>"
    shape = units.loc[units["code"] == "81060"].geometry.iloc[0]
    text = json.dumps(neighbours_payload([(evil, shape, ("81060",))]))  # fetched by the map
    assert evil not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_payload_is_rounded_and_lists_every_shown_unit(catalog):
    units = territory_units(catalog, ("81",), ())
    payload = territory_geojson(units)
    assert len(payload["features"]) == len(units)
    ring = payload["features"][0]["geometry"]["coordinates"][0][0]  # MultiPolygon's first ring
    assert all(len(repr(v).split(".")[1]) <= 5 for point in ring for v in point)
    assert json.dumps(payload)  # serialisable as sent


def test_perimeter_layer_holds_the_perimeter_and_the_findings(catalog, carmausin):
    from geo.checks import check_perimeter
    from geo.perimeter import Perimeter, geometry_of

    report = check_perimeter(catalog, carmausin, [Perimeter("Voisine", {"81060"})])
    group = perimeter_group(geometry_of(catalog, carmausin), report.findings)
    assert len(group._children) == 2  # the perimeter, the overlap (size class: no geometry)

def test_units_layer_reports_the_bounds_folium_would_compute(catalog):
    from folium.utilities import get_bounds

    from ui.map import UnitsLayer

    units = territory_units(catalog, ("81",), ())
    payload = territory_geojson(units)
    walked = get_bounds(payload, lonlat=True)  # what folium.GeoJson walks every coordinate for
    given = UnitsLayer("/app/static/maps/territory.json", tuple(units.total_bounds)).get_bounds()
    # The payload is rounded to 1e-5 degree; the units' own bounds are exact.
    assert all(abs(a - b) <= 1e-5
               for mine, theirs in zip(given, walked, strict=True) for a, b in zip(mine, theirs, strict=True))


def test_a_region_is_simplified_as_a_coverage_and_stays_one(catalog):
    """Occitanie's communes are simplified (the payload must stay small) with their shared
    borders simplified once: no unit gains a border that its neighbour does not share (no
    sliver, no gap). The source itself has a few such units (28): none is added; a plain
    simplification would give nearly all of them one."""
    from shapely.geometry import shape

    units = territory_units(catalog, tuple(catalog.units.loc[catalog.units["reg"] == "76", "dep"].unique()), ())
    assert len(units) > 4400
    payload = territory_geojson(units)
    geoms = [shape(f["geometry"]) for f in payload["features"]]
    assert len(geoms) == len(units)
    def mismatched(coverage) -> int:  # units with a border not shared exactly
        return int((~shapely.is_empty(shapely.coverage_invalid_edges(coverage))).sum())

    assert mismatched(geoms) <= mismatched(units.geometry.to_numpy()) < 50
    assert len(json.dumps(payload, separators=(",", ":"))) < 2.6e6
    raw = sum(len(shapely.get_coordinates(g)) for g in units.geometry)
    assert sum(len(shapely.get_coordinates(g)) for g in geoms) < 0.8 * raw
