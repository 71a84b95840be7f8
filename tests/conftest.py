"""Shared fixtures: the embedded catalog, the IRIS catalog built from the real extract in
../shared/data, and the seeds' perimeters."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from formats.iris import read_iris_contours
from geo.catalog import Catalog
from geo.examples import RUSCINO_CODES as RUSCINO  # noqa: F401 - the tests import it from here
from geo.examples import carmausin_segala
from geo.perimeter import Perimeter
from geo.units import SUCCESSORS_FILE, load_communes, load_successors

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IRIS_CONTOURS = SHARED_DATA / "iris_contours_2020_16dep.parquet"

def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real test data absent: {path} (see ../shared/data/SOURCES.md)")
    return path


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A fresh workspace (imports, scenarios in SQLite) for one test."""
    monkeypatch.setenv("CPTS_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def paca_feature_rows() -> pd.DataFrame:
    """The real PACA layer read independently of the project's reader: one row per feature
    with its commune codes (obsolete ones mapped to the current commune), its Marseille
    arrondissements, and its leaves (Marseille by arrondissement where the file says so)."""
    features = json.loads(shared_file("cpts_paca.geojson").read_bytes())["features"]
    successors = pd.read_csv(SUCCESSORS_FILE, dtype=str)
    current = dict(zip(successors["old_code"], successors["current_code"]))
    rows = []
    for f in features:
        p = f["properties"]
        communes = {current.get(c, c) for c in p["communes"]}
        arrondissements = set(p.get("arrondissements") or [])
        leaves = (communes - {"13055"} | arrondissements) if arrondissements else communes
        rows.append({"name": p["nom"], "communes": communes, "arrondissements": arrondissements,
                     "leaves": leaves, "raw_codes": p["communes"]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture(scope="session")
def iris_catalog() -> Catalog:
    path = shared_file(IRIS_CONTOURS.name)
    return Catalog(read_iris_contours(path, load_communes(), load_successors()), path.name)


@pytest.fixture(scope="session")
def iris_catalog_without_estimate() -> Catalog:
    """IRIS contours alone, as if no IRIS had a 2016 population to estimate from: IRIS
    populations unknown (what the app did before the estimate, and still does for IRIS
    absent from INSEE's 2016 file)."""
    from geo import catalog as catalog_module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog_module, "load_iris_population_2016",
                      lambda: pd.Series(dtype=float, index=pd.Index([], dtype=str)))
        path = shared_file(IRIS_CONTOURS.name)
        return Catalog(read_iris_contours(path, load_communes(), load_successors()), path.name)


@pytest.fixture(scope="session")
def carmausin(catalog) -> Perimeter:
    return carmausin_segala(catalog)


def pytest_collection_modifyitems(config, items):
    """Tests under tests/browser drive Chromium: marked `browser`, which `make test-fast`
    leaves out for the edit-test loop (`make test` runs everything)."""
    browser_dir = Path(__file__).resolve().parent / "browser"
    for item in items:
        if browser_dir in item.path.parents:
            item.add_marker(pytest.mark.browser)
