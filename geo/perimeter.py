"""A perimeter is data: a name, a set of unit codes (communes, arrondissements and/or IRIS)
and free metadata (porteur, statut, notes). Its geometry and figures are derived from the
catalog, never stored as truth, so the same perimeter reads back identically from any file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import geopandas as gpd
import shapely

from geo.catalog import Catalog, Resolution, UnknownCodesError


@dataclass(frozen=True, init=False)
class Perimeter:
    name: str
    codes: frozenset[str]
    metadata: dict = field(compare=False, hash=False)

    def __init__(self, name: str, codes: Iterable[str], metadata: dict | None = None):
        """`codes`: any iterable of unit codes (a list read from a file, a set), kept as a frozenset."""
        if not str(name).strip():
            raise ValueError("a perimeter needs a name")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "codes", frozenset(codes))
        object.__setattr__(self, "metadata", {} if metadata is None else metadata)

    def sorted_codes(self) -> list[str]:
        return sorted(self.codes)

    def with_codes(self, codes) -> Perimeter:
        return replace(self, codes=frozenset(codes))

    def toggled(self, code: str) -> Perimeter:
        """Add `code`, or remove it when already in."""
        return self.with_codes(self.codes ^ {code})


def from_codes(catalog: Catalog, name: str, codes, strict: bool = True,
               metadata: dict | None = None) -> tuple[Perimeter, Resolution]:
    """Perimeter of the codes that name units; obsolete commune codes become their
    successor. With `strict`, unknown codes raise UnknownCodesError listing them."""
    resolution = catalog.resolve(codes)
    if strict and resolution.unknown:
        raise UnknownCodesError(list(resolution.unknown))
    return Perimeter(name, frozenset(resolution.codes), dict(metadata or {})), resolution


def from_names(catalog: Catalog, name: str, commune_names, deps=None) -> tuple[Perimeter, Resolution]:
    resolution = catalog.codes_named(commune_names, deps)
    return Perimeter(name, frozenset(resolution.codes)), resolution


def from_epci(catalog: Catalog, name: str, epci_code: str) -> Perimeter:
    codes = catalog.epci_communes(epci_code)
    if not codes:
        raise UnknownCodesError([str(epci_code)])
    return Perimeter(name, frozenset(codes))


def from_polygon(catalog: Catalog, name: str, polygon, level: str = "commune") -> Perimeter:
    """Units of `level` with most of their area inside a drawn polygon (EPSG:4326)."""
    return Perimeter(name, frozenset(catalog.units_in_polygon(polygon, level)))


def units_of(catalog: Catalog, perimeter: Perimeter) -> gpd.GeoDataFrame:
    """The catalog rows of the perimeter's codes (unknown codes are skipped)."""
    known = [c for c in perimeter.sorted_codes() if c in catalog.units.index]
    return catalog.units.loc[known]


def geometry_of(catalog: Catalog, perimeter: Perimeter):
    """The dissolved contour (EPSG:4326), or an empty geometry for an empty perimeter."""
    units = units_of(catalog, perimeter)
    shapes = units.geometry.dropna().to_numpy()
    if not len(shapes):
        return shapely.GeometryCollection()
    return shapely.union_all(shapes, grid_size=1e-6)
