"""Populations entered by hand for units whose official population is unknown or only
estimated (typically an IRIS before the INSEE file is imported, when the porteur has the
figure from INSEE).

A separate layer over the official figures: the entries live in the perimeter's metadata
(`METADATA_KEY`), so they travel with it into scenarios, files and the fiche; they are
passed to the population estimate as overrides (geo.population.estimate's `manual`) and
never replace an official figure. Each entry carries its source text, and every place that
shows a population including one says « saisie manuelle » with that source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from geo.french import fmt_int

METADATA_KEY = "manual_population"
MAX_SOURCE_CHARS = 200
MAX_VALUE = 3_000_000  # more than any French commune: a typo, not a figure
MARK = "saisie manuelle"


class ManualPopulationError(ValueError):
    """An entry that cannot be accepted; the message is French, for the user."""


@dataclass(frozen=True)
class ManualPopulation:
    value: int
    source: str

    def note(self) -> str:
        """« saisie manuelle (source : INSEE RP 2020) »: what every figure using it says."""
        return f"{MARK} (source : {self.source})"


def entries(metadata: dict) -> dict[str, ManualPopulation]:
    """The entries of a perimeter's metadata, code → entry."""
    raw = (metadata or {}).get(METADATA_KEY) or {}
    return {code: ManualPopulation(int(e["value"]), str(e["source"])) for code, e in raw.items()}


def values(metadata: dict) -> dict[str, int]:
    """Code → inhabitants, for geo.population.estimate."""
    return {code: e.value for code, e in entries(metadata).items()}


def entered(metadata: dict, code: str, value, source: str, official: int | None) -> dict:
    """The metadata with `code`'s population entered by hand; ManualPopulationError when
    the unit has an official population (`official`), or the value or source is unusable."""
    if official is not None:
        raise ManualPopulationError(f"L'unité {code} a une population officielle "
                                    f"({fmt_int(official)} hab.) : elle ne se saisit pas à la main.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ManualPopulationError("Population à saisir en nombre entier d'habitants.") from None
    if not 0 <= number <= MAX_VALUE or number != value:
        raise ManualPopulationError(f"Population impossible : {value}. Saisissez un nombre entier "
                                    f"d'habitants entre 0 et {fmt_int(MAX_VALUE)}.")
    source = " ".join(str(source or "").split())
    if not source:
        raise ManualPopulationError("Indiquez la source du chiffre (par exemple « INSEE, "
                                    "recensement 2020, base infracommunale ») : sans source, "
                                    "il ne peut pas être utilisé.")
    if len(source) > MAX_SOURCE_CHARS:
        raise ManualPopulationError(f"Source trop longue ({len(source)} caractères, "
                                    f"{MAX_SOURCE_CHARS} au plus).")
    current = dict((metadata or {}).get(METADATA_KEY) or {})
    current[code] = {"value": number, "source": source}
    return {**(metadata or {}), METADATA_KEY: current}


def removed(metadata: dict, code: str) -> dict:
    current = {c: e for c, e in ((metadata or {}).get(METADATA_KEY) or {}).items() if c != code}
    out = {k: v for k, v in (metadata or {}).items() if k != METADATA_KEY}
    return {**out, METADATA_KEY: current} if current else out


def in_use(metadata: dict, codes) -> dict[str, ManualPopulation]:
    """The entries for units among `codes` (a perimeter may keep an entry for a unit it no
    longer holds: it is then not used)."""
    codes = set(codes)
    return {c: e for c, e in entries(metadata).items() if c in codes}


def summary(metadata: dict, codes, label=str) -> str | None:
    """« dont 2 350 hab. en saisie manuelle (Perpignan IRIS X : INSEE RP 2020) », or None."""
    used = in_use(metadata, codes)
    if not used:
        return None
    total = sum(e.value for e in used.values())
    detail = " ; ".join(f"{label(c)} : {fmt_int(e.value)}, source : {e.source}" for c, e in sorted(used.items()))
    return f"dont {fmt_int(total)} hab. en {MARK}, non officiels ({detail})"


def to_json(metadata: dict) -> str:
    """The entries as stored with a scenario ('' when none)."""
    raw = (metadata or {}).get(METADATA_KEY) or {}
    return json.dumps(raw, ensure_ascii=False, sort_keys=True) if raw else ""


def from_json(text: str) -> dict:
    """Metadata holding the entries stored by `to_json`."""
    return {METADATA_KEY: json.loads(text)} if text else {}
