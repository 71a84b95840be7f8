"""Shared fixtures: the embedded catalog, the IRIS catalog built from the real extract in
../shared/data, and the seeds' perimeters."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.catalog import Catalog
from geo.iris import read_iris_contours
from geo.examples import RUSCINO_CODES as RUSCINO  # noqa: F401 - the tests import it from here
from geo.examples import carmausin_segala
from geo.perimeter import Perimeter
from geo.units import load_communes, load_successors

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IRIS_CONTOURS = SHARED_DATA / "iris_contours_2020_16dep.parquet"

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
    return carmausin_segala(catalog)
