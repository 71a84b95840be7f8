"""What each kind of finding is called and how it looks on every map (the builder's, the
coverage map of « Comparer les CPTS », the fiche): one home, so an overlap never wears the
red of an isolated commune on one map and not on another.

The order of `FINDING_KINDS` is the order of legends. `drawn` says whether the finding's
units are highlighted on a map (a Taille or an unknown population has no place to show).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FindingKind:
    label: str   # French, for legends
    colour: str  # fill and outline of the units concerned
    drawn: bool = True


OVERLAP = FindingKind("Chevauchement avec une CPTS voisine", "#542788")
FINDING_KINDS: dict[str, FindingKind] = {
    "overlap": OVERLAP,
    "geometric_overlap": OVERLAP,
    "isolated": FindingKind("Unité isolée entre CPTS", "#d7191c"),
    "split_commune": FindingKind("Commune partagée : partie sans CPTS", "#f1a340"),
    "parts": FindingKind("Morceau détaché du périmètre", "#01665e"),
    "shared_commune": FindingKind("Commune partagée, découpage inconnu", "#f1a340", drawn=False),
    "unknown_population": FindingKind("Population inconnue", "#999999", drawn=False),
    "manual_population": FindingKind("Population en saisie manuelle", "#999999", drawn=False),
    "size_class": FindingKind("Taille", "#999999", drawn=False),
    "unknown_codes": FindingKind("Codes non reconnus", "#999999", drawn=False),
    "remapped_codes": FindingKind("Codes remplacés", "#999999", drawn=False),
}


def kind_of(kind: str) -> FindingKind:
    """The look of a finding kind; KeyError names a kind added to the checks but not here."""
    try:
        return FINDING_KINDS[kind]
    except KeyError:
        raise KeyError(f"finding kind {kind!r} has no entry in geo.finding_kinds") from None
