"""Building perimeters from an EPCI, from names, from a drawing."""

import pytest
import shapely

from geo.catalog import UnknownCodesError
from geo.perimeter import from_epci, from_names, from_polygon


def test_from_epci_is_every_commune_of_the_epci(catalog):
    units = catalog.units
    communes = units[(units["level"] == "commune") & (units["epci_name"] == "Communauté de communes Carmausin-Ségala")]
    perimeter = from_epci(catalog, "3CS", communes["epci_code"].iloc[0])
    assert perimeter.codes == set(communes.index) and len(perimeter.codes) == 31
    with pytest.raises(UnknownCodesError):
        from_epci(catalog, "?", "000000000")


def test_ambiguous_names_need_a_departement(catalog):
    _, everywhere = from_names(catalog, "x", ["Salles"])
    assert everywhere.unknown == ("Salles",)  # several communes of France are named Salles
    perimeter, tarn = from_names(catalog, "x", ["Salles"], deps=["81"])
    assert not tarn.unknown and catalog.units.loc[list(perimeter.codes), "dep"].tolist() == ["81"]


def test_from_polygon_takes_units_mostly_inside(catalog):
    carmaux = catalog.units.loc["81060"].geometry
    inside = from_polygon(catalog, "dessin", carmaux.buffer(-0.001))
    assert inside.codes == {"81060"}
    assert not from_polygon(catalog, "dessin", shapely.Point(2.15, 44.05).buffer(0.001)).codes
