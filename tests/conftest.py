"""Shared fixtures: the embedded catalog, the IRIS catalog built from the real extract in
../shared/data, and the seeds' perimeters."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.catalog import Catalog
from geo.iris import read_iris_contours
from geo.perimeter import Perimeter, from_epci, from_names
from geo.units import load_communes, load_successors

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IRIS_CONTOURS = SHARED_DATA / "iris_contours_2020_16dep.parquet"

RUSCINO = (
    "660280101 660280102 660280103 660280104 661360801 661360901 661360902 661361001 "
    "661361101 661361202 661361203 661361901 661361902 661361903 661860000 661890000"
).split()


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real test data absent: {path} (see ../shared/data/SOURCES.md)")
    return path


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture(scope="session")
def iris_catalog() -> Catalog:
    path = shared_file(IRIS_CONTOURS.name)
    return Catalog(read_iris_contours(path, load_communes(), load_successors()), path.name)


@pytest.fixture(scope="session")
def carmausin(catalog) -> Perimeter:
    """As its lettre d'intention says: CC Carmausin-Ségala without Villeneuve-sur-Vère and
    Milhavet, plus Lacapelle-Pinet, Laparrouquial and Salles."""
    epci = catalog.units[catalog.units["epci_name"] == "Communauté de communes Carmausin-Ségala"]
    base = from_epci(catalog, "x", epci["epci_code"].iloc[0])
    out, r1 = from_names(catalog, "x", ["Villeneuve-sur-Vère", "Milhavet"], deps=["81"])
    extra, r2 = from_names(catalog, "x", ["Lacapelle-Pinet", "Laparrouquial", "Salles"], deps=["81"])
    assert not r1.unknown and not r2.unknown
    return Perimeter("CPTS du Carmausin-Ségala", (base.codes - out.codes) | extra.codes)
