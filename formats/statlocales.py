"""Exports of INSEE « Statistiques locales » and CartoSanté, as porteurs download them: two
title lines (the publisher, then « Référentiel géographique : France par <niveau> »), a
`;`-separated header `Code;Libellé;<indicator> <year>;…`, one row per territory, and
« N/A - secret statistique » / « N/A - résultat non disponible » where there is no value
(unknown, never zero).

Also the embedded table of the départements' health context (data/departements_sante.csv,
built from the INSEE export of ../shared/data/cartosante_bv by data/build_indicators.py).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from geo.units import DATA_DIR

LEVEL_RE = re.compile(r"R[ée]f[ée]rentiel g[ée]ographique\s*:\s*(.+)", re.IGNORECASE)
YEAR_RE = re.compile(r"\s((?:19|20)\d\d)\s*$")
DEPARTEMENTS_FILE = DATA_DIR / "departements_sante.csv"
# What the Diagnostic page shows of a département (column of the INSEE export).
DEPARTEMENT_COLUMNS = (
    "Médecin généraliste (en nombre) 2024", "Infirmier (en nombre) 2024",
    "Chirurgien dentiste (en nombre) 2024", "Pharmacie (en nombre) 2024",
    "Urgences (en nombre) 2024", "Espérance de vie des femmes à la naissance 2024",
    "Espérance de vie des hommes à la naissance 2024", "Taux brut de mortalité 2024",
    "Taux de mortalité standardisé des 0 à 64 ans 2024",
)


class StatLocalesError(ValueError):
    """An export that does not read as Statistiques locales / CartoSanté (French message)."""


@dataclass(frozen=True)
class Export:
    publisher: str  # first title line: « Insee - Statistiques locales », « CartoSanté »
    level: str  # « France par bassin de vie », « France par département », « France par commune »…
    table: pd.DataFrame  # indexed by Code; Libellé then one numeric column per indicator

    @property
    def by_commune(self) -> bool:
        return "commune" in self.level.lower() and "canton" not in self.level.lower()


def is_export(text: str) -> bool:
    """True when the first lines look like a Statistiques locales / CartoSanté export."""
    lines = text.lstrip("\ufeff").splitlines()[:3]
    return len(lines) == 3 and bool(LEVEL_RE.search(lines[1])) and lines[2].startswith("Code;")


def vintage_of(column: str) -> int | None:
    """The year closing an indicator's label (« Urgences (en nombre) 2024 » -> 2024)."""
    found = YEAR_RE.search(column)
    return int(found.group(1)) if found else None


def read_export(text: str, name: str = "fichier") -> Export:
    text = text.lstrip("\ufeff")
    if not is_export(text):
        raise StatLocalesError(f"« {name} » n'a pas l'en-tête d'un export Statistiques locales ou "
                               "CartoSanté (deux lignes de titre puis « Code;Libellé;… »).")
    lines = text.splitlines()
    publisher = lines[0].split(";")[0].strip()
    level = LEVEL_RE.search(lines[1]).group(1).split(";")[0].strip()
    frame = pd.read_csv(io.StringIO("\n".join(lines[2:])), sep=";", dtype=str, keep_default_na=False)
    width = len(frame.columns)
    short = frame.apply(lambda row: (row == "").sum(), axis=1)
    if len(frame) and (frame.iloc[-1].isna().any() or short.iloc[-1] > width // 2 > 0):
        raise StatLocalesError(f"« {name} » semble tronqué : sa dernière ligne ({frame.iloc[-1, 0]}) "
                               "est incomplète. Téléchargez l'export à nouveau.")
    table = frame.set_index("Code")
    values = table.drop(columns=["Libellé"]).apply(
        lambda c: pd.to_numeric(c.str.replace(",", ".").str.strip(), errors="coerce"))
    return Export(publisher, level, pd.concat([table[["Libellé"]], values], axis=1))


@lru_cache(maxsize=1)
def departements() -> pd.DataFrame:
    """The embedded health context of every département (code -> Libellé and DEPARTEMENT_COLUMNS)."""
    return pd.read_csv(DEPARTEMENTS_FILE, dtype={"Code": str}).set_index("Code")
