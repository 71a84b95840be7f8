"""The map's payload: only the shown territory, compact, and user text escaped."""

import json

import shapely

from ui.map import base_map, perimeter_group, territory_geojson, territory_units, unit_at


def test_territory_is_the_departement_with_plm_arrondissements(catalog):
    units = territory_units(catalog, ("13",), ())
    assert "13055" not in set(units["code"]) and {"13201", "13216"} <= set(units["code"])
    assert set(units["dep"]) == {"13"}


def test_user_text_is_escaped_in_the_map_html(catalog, carmausin):
    units = territory_units(catalog, ("81",), ())
    evil = "<script>alert(1)</script>"
    shape = units.loc[units["code"] == "81060"].geometry.iloc[0]
    m = base_map(territory_geojson(units), tuple(units.total_bounds), [(evil, shape)])
    html = m.get_root().render()
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_click_finds_the_unit_under_the_point(catalog):
    units = territory_units(catalog, ("81",), ())
    inside = shapely.point_on_surface(catalog.units.loc["81060"].geometry)
    assert unit_at(units, inside.x, inside.y) == "81060"
    assert unit_at(units, 0.0, 0.0) is None


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
    given = UnitsLayer(payload, tuple(units.total_bounds)).get_bounds()
    # The payload is rounded to 1e-5 degree; the units' own bounds are exact.
    assert all(abs(a - b) <= 1e-5 for mine, theirs in zip(given, walked) for a, b in zip(mine, theirs))
