"""Imported datasets kept in the local workspace, one folder each.

`<workspace>/datasets/<id>/` holds `table.parquet` (unit values indexed by code) and
`dataset.json` (title, level, indicators, provenance, codes set aside). The workspace is
store.workspace's: `<project>/workspace/` (gitignored), or the folder `CPTS_WORKSPACE` names.

A dataset is written whole into a temporary folder beside its final place, then swapped
in by renaming, so an import that fails, or a crash while saving, leaves the datasets
already saved as they were.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from indicators.definitions import Dataset, Indicator, Provenance
from store.workspace import workspace_dir

FORMAT_VERSION = 1
TABLE_FILE, META_FILE = "table.parquet", "dataset.json"


def _datasets_dir(workspace: Path | None) -> Path:
    return Path(workspace or workspace_dir()) / "datasets"


def _folder(dataset_id: str, workspace: Path | None) -> Path:
    if not dataset_id or "/" in dataset_id or "\\" in dataset_id or dataset_id.startswith("."):
        raise ValueError(f"invalid dataset id {dataset_id!r}")
    return _datasets_dir(workspace) / dataset_id


def save_dataset(dataset: Dataset, workspace: Path | None = None) -> Path:
    """Write (or replace) a dataset; returns its folder."""
    root = _datasets_dir(workspace)
    root.mkdir(parents=True, exist_ok=True)
    final = _folder(dataset.id, workspace)
    staging = Path(tempfile.mkdtemp(prefix=f".{dataset.id}-", dir=root))
    try:
        dataset.table.to_parquet(staging / TABLE_FILE)
        meta = {
            "format_version": FORMAT_VERSION,
            "id": dataset.id,
            "title": dataset.title,
            "level": dataset.level,
            "indicators": [asdict(i) for i in dataset.indicators],
            "provenance": asdict(dataset.provenance),
            "unknown_codes": list(dataset.unknown_codes),
            "remapped": dict(dataset.remapped),
        }
        (staging / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1))
        retired = root / f".{dataset.id}-retired"
        shutil.rmtree(retired, ignore_errors=True)
        if final.exists():
            final.rename(retired)
        try:
            staging.rename(final)
        except OSError:
            if retired.exists():
                retired.rename(final)
            raise
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _read_meta(folder: Path) -> dict:
    return json.loads((folder / META_FILE).read_text())


def list_datasets(workspace: Path | None = None) -> list[dict]:
    """The saved datasets, as their JSON descriptions (id, title, level, indicators,
    provenance …), by title. Half-written or foreign folders are skipped."""
    root = _datasets_dir(workspace)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not (folder / META_FILE).is_file():
            continue
        try:
            found.append(_read_meta(folder))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda meta: meta.get("title", ""))


def load_dataset(dataset_id: str, workspace: Path | None = None) -> Dataset:
    folder = _folder(dataset_id, workspace)
    if not (folder / META_FILE).is_file():
        raise KeyError(dataset_id)
    meta = _read_meta(folder)
    provenance = meta["provenance"]
    provenance["warnings"] = tuple(provenance.get("warnings", ()))
    return Dataset(
        meta["id"], meta["title"], meta["level"], pd.read_parquet(folder / TABLE_FILE),
        tuple(Indicator(**i) for i in meta["indicators"]), Provenance(**provenance),
        tuple(meta.get("unknown_codes", ())), dict(meta.get("remapped", {})),
    )


def remove_dataset(dataset_id: str, workspace: Path | None = None) -> bool:
    """Delete a saved dataset; False when there was none."""
    folder = _folder(dataset_id, workspace)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True
