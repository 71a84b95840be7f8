"""The local workspace: where imported files (IRIS contours, indicator tables) and saved
scenarios live across restarts. `<project>/workspace/` unless CPTS_WORKSPACE says otherwise
(tests point it at a temporary folder). Writes go to a temporary file renamed into place,
so a failed import never damages what was there.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd

IRIS_CONTOURS = "iris_contours.parquet"
IRIS_POPULATION = "iris_population.parquet"


def workspace_dir() -> Path:
    path = Path(os.environ.get("CPTS_WORKSPACE") or Path(__file__).resolve().parent.parent / "workspace")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_iris_contours(iris: gpd.GeoDataFrame, source: str) -> Path:
    """Keep imported IRIS units (canonical columns) for the next starts."""
    target = workspace_dir() / IRIS_CONTOURS
    partial = target.with_suffix(".partial")
    iris.to_parquet(partial, compression="zstd", index=False)
    partial.replace(target)
    meta = {"source": source, "units": int(len(iris)),
            "imported": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    target.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False))
    return target


def load_iris_contours() -> tuple[gpd.GeoDataFrame, dict] | None:
    """The imported IRIS units and their provenance, or None when none were imported."""
    target = workspace_dir() / IRIS_CONTOURS
    if not target.exists():
        return None
    meta_file = target.with_suffix(".json")
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {"source": target.name}
    return gpd.read_parquet(target), meta


def remove_iris_contours() -> None:
    for suffix in (".parquet", ".json"):
        (workspace_dir() / IRIS_CONTOURS).with_suffix(suffix).unlink(missing_ok=True)


def save_iris_population(population: pd.Series, year: int, source: str) -> None:
    """Keep an INSEE population-by-IRIS table (code -> inhabitants) for the next starts."""
    target = workspace_dir() / IRIS_POPULATION
    partial = target.with_suffix(".partial")
    population.rename("population").rename_axis("code").reset_index().to_parquet(partial, index=False)
    partial.replace(target)
    target.with_suffix(".json").write_text(json.dumps(
        {"source": source, "year": year, "units": int(len(population)),
         "imported": datetime.now(timezone.utc).isoformat(timespec="seconds")}, ensure_ascii=False))


def load_iris_population() -> tuple[pd.Series, dict] | None:
    target = workspace_dir() / IRIS_POPULATION
    if not target.exists():
        return None
    table = pd.read_parquet(target)
    meta = json.loads(target.with_suffix(".json").read_text())
    return table.set_index("code")["population"].astype("Int64"), meta


def remove_iris_population() -> None:
    for suffix in (".parquet", ".json"):
        (workspace_dir() / IRIS_POPULATION).with_suffix(suffix).unlink(missing_ok=True)
