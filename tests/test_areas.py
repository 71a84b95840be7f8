"""Areas and lengths in the CRS fit for the place (geo/areas.py): Lambert-93 in metropolitan
France, the local UTM overseas, also for shapes known only by where they lie (a drawn polygon,
an imported contour). References: pyproj's geodesic area on the WGS84 ellipsoid, and the real
communes of La Réunion, Guadeloupe and the Tarn."""

import re

import pyproj
import pytest
import shapely

from geo.areas import METROPOLE_CRS, area_shares, crs_of_place, mostly_inside, projected_crs
from geo.checks import check_perimeter
from geo.perimeter import Perimeter

GEOD = pyproj.Geod(ellps="WGS84")
PLACES = ["974", "971", "81"]  # La Réunion, Guadeloupe, Tarn


def geodesic_km2(geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geometry)[0]) / 1e6


def two_neighbours(catalog, dep: str) -> tuple[str, str]:
    """Two communes of `dep` sharing a border, the first ones in code order."""
    codes = sorted(c for c in catalog.units.index[catalog.units["dep"] == dep] if catalog.adjacency.get(c))
    first = codes[0]
    return first, min(c for c in catalog.adjacency[first] if catalog.units.at[c, "dep"] == dep)


def test_every_commune_lies_in_its_departements_crs(catalog):
    """The place alone (no département) gives the CRS the département gives, for every commune."""
    units = catalog.units[(catalog.units["level"] == "commune") & catalog.units.geometry.notna()]
    wrong = [code for code, dep, shape in zip(units.index, units["dep"], units.geometry, strict=True)
             if crs_of_place(shape) != projected_crs(dep)]
    assert len(units) > 34_000 and wrong == []
    assert crs_of_place(catalog.units.at["81004", "geometry"]) == METROPOLE_CRS == 2154


@pytest.mark.parametrize("dep", PLACES)
def test_units_areas_are_geodesic_areas(catalog, dep):
    units = catalog.units[(catalog.units["dep"] == dep) & (catalog.units["level"] == "commune")]
    for code, row in units.iterrows():
        assert row["area_km2"] == pytest.approx(geodesic_km2(row.geometry), rel=0.01), code


@pytest.mark.parametrize("dep", PLACES)
def test_overlap_of_imported_contours_is_measured_in_the_local_crs(catalog, dep):
    """Two imported contours, one holding the other's commune: the overlap's km² are the
    geodesic area of that commune (in Lambert-93, Réunion's were 3.5 times too large)."""
    a, b = two_neighbours(catalog, dep)
    shape_a, shape_b = catalog.units.at[a, "geometry"], catalog.units.at[b, "geometry"]
    geometries = {"Candidate": shapely.union(shape_a, shape_b), "Voisine": shape_b}
    report = check_perimeter(catalog, Perimeter("Candidate", {a, b}), [Perimeter("Voisine", {b})], geometries)
    found = next(f for f in report.findings if f.kind == "geometric_overlap")
    km2 = float(re.search(r"sur ([\d\u202f]+,\d+) km²", found.message).group(1)
                .replace("\u202f", "").replace(",", "."))
    assert km2 == pytest.approx(geodesic_km2(shape_b), rel=0.01)
    assert found.geometry.bounds == pytest.approx(shape_b.bounds, abs=1e-6)


@pytest.mark.parametrize("dep", PLACES)
def test_a_drawn_polygon_takes_the_communes_mostly_inside(catalog, dep):
    """A polygon drawn over two neighbouring communes (slightly inside their outline) takes
    them both and no other; their share inside it is nearly whole."""
    a, b = two_neighbours(catalog, dep)
    drawn = shapely.union(catalog.units.at[a, "geometry"], catalog.units.at[b, "geometry"]).buffer(-0.0002)
    units = catalog.units[catalog.units["level"] == "commune"]
    assert sorted(mostly_inside(units, drawn)) == sorted([a, b])
    shares = area_shares(units, {"dessin": drawn}).set_index("code")["share"]
    assert shares[a] > 0.9 and shares[b] > 0.9 and (shares.drop([a, b]) < 0.1).all()
