"""A CPTS holding only part of a commune, as layers say it: an `infra` property naming the
commune (PACA: Nice in three CPTS, Toulon in two), a bare flag on a large commune, or what
the readers infer (a table listing a large commune in several CPTS, a commune cut between
contours). Such a commune is shared with an unknown split — a warning and a population
range — not a blocking overlap; the single-perimeter checks and the layer analysis agree.
"""

from __future__ import annotations

import json

from geo.catalog import Catalog, fold

INFRA_KEYS = ("infra", "infra_communal", "infracommunal")
INFRA_FLAGS = {"1", "true", "oui", "yes", "vrai", "x"}


def _entries(value) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return [str(v) for v in json.loads(text)]
            except ValueError:
                pass
        return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def declares_infra(catalog: Catalog, metadata: dict, code: str) -> bool:
    """Whether a CPTS's metadata says it holds only part of unit `code`: an `infra`
    property naming it (code or name), or a bare flag when the unit is large. A Shapefile
    cuts names to 10 characters (`infra_communal` -> `infra_comm`): a prefix counts."""
    name = catalog.column("name").get(code, code)
    for key, value in metadata.items():
        key = str(key).strip().lower()
        if not any(k == key or (len(key) >= 10 and k.startswith(key)) for k in INFRA_KEYS):
            continue
        for entry in _entries(value):
            if entry.strip().upper() == code or fold(entry) == fold(name):
                return True
            if catalog.is_large(code) and fold(entry) in INFRA_FLAGS:
                return True
    return False
