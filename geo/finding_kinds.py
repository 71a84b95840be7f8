"""What each kind and each severity of finding is called and how it looks everywhere (the
builder's map and panels, the coverage map of « Comparer les CPTS », the fiche, the command
line): one home, so an overlap never wears the red of an isolated commune on one map and not
on another, and « Bloquant » is the same word and rank on every page.

The order of `FINDING_KINDS` is the order of legends. `drawn` says whether the finding's
units are highlighted on a map (a Taille or an unknown population has no place to show).
A finding keeps its severity as a key (`blocking`, `warning`, `info`: the JSON output's);
`severity_of` gives its label, rank and colour.
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


@dataclass(frozen=True)
class Severity:
    key: str     # as findings and the JSON output carry it
    label: str   # French: « Bloquant » on screen, « BLOQUANT » in the fiche and the command line
    order: int   # findings are listed blocking first
    colour: str  # of the label in the fiche

    @property
    def tag(self) -> str:
        """The label in capitals, as the fiche and the command line print it: « BLOQUANT »."""
        return self.label.upper()

    @property
    def rgb(self) -> tuple[int, int, int]:
        """The colour as fpdf2 takes it.

        >>> severity_of("blocking").rgb
        (192, 57, 43)
        """
        red, green, blue = (int(self.colour[i:i + 2], 16) for i in (1, 3, 5))
        return red, green, blue


SEVERITIES: dict[str, Severity] = {s.key: s for s in (
    Severity("blocking", "Bloquant", 0, "#c0392b"),
    Severity("warning", "Attention", 1, "#c87800"),
    Severity("info", "Info", 2, "#5a5a5a"),
)}


def severity_of(key: str) -> Severity:
    """The severity of key `key`; KeyError names an unknown one.

    >>> sorted(SEVERITIES, key=lambda k: severity_of(k).order)
    ['blocking', 'warning', 'info']
    >>> severity_of("warning").tag
    'ATTENTION'
    """
    try:
        return SEVERITIES[key]
    except KeyError:
        raise KeyError(f"severity {key!r} has no entry in geo.finding_kinds") from None
