"""Population of a set of units, honest about what is unknown, and the CPTS size class.

IRIS populations are known from an INSEE file, else estimated (the catalog's `estimated`
IRIS: their 2016 share of their commune times its population), else unknown. An unknown
IRIS is never counted as zero: when all the IRIS of a commune are in the set, the commune's
population is exact (estimates are not needed); otherwise estimated IRIS count their
estimate (the figure says it is one), and unknown ones make the set's population a range
(at most the commune's population minus what is known or estimated outside the set), and
the Taille may be a range too.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.french import fmt_int
from geo.units import IRIS_ESTIMATE_YEAR, vintage_label

# Taille 1 < 40,000 <= Taille 2 < 80,000 <= Taille 3 < 175,000 <= Taille 4 (ACI funding).
TAILLE_THRESHOLDS = (40_000, 80_000, 175_000)


def taille(population: int) -> int:
    """CPTS size class (1 to 4) of a population: a threshold belongs to the class above it.

    >>> [taille(p) for p in (29_367, 39_999, 40_000, 80_000, 174_999, 175_000)]
    [1, 1, 2, 3, 3, 4]
    """
    return 1 + sum(population >= t for t in TAILLE_THRESHOLDS)


def distance_to_threshold(population: int) -> tuple[int, int]:
    """(nearest threshold, inhabitants from it: negative below it, positive above).

    >>> distance_to_threshold(38_500)
    (40000, -1500)
    >>> distance_to_threshold(90_000)
    (80000, 10000)
    """
    nearest = min(TAILLE_THRESHOLDS, key=lambda t: abs(population - t))
    return nearest, population - nearest


@dataclass(frozen=True)
class PopulationEstimate:
    low: int
    high: int
    unknown_units: tuple[str, ...] = ()
    vintages: tuple[int, ...] = ()
    estimated_units: tuple[str, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_units)

    @property
    def exact(self) -> bool:
        return self.low == self.high and not self.unknown_bounds

    @property
    def unknown_bounds(self) -> bool:
        return self.high < 0

    @property
    def value(self) -> int | None:
        return self.low if self.exact else None

    @property
    def tailles(self) -> tuple[int, int] | None:
        """(lowest, highest) possible Taille; None when no bound is known."""
        if self.unknown_bounds:
            return None
        return taille(self.low), taille(self.high)

    def label(self) -> str:
        """French text: `29 369 hab.`, `48 120 hab. (estimation)` or `entre 18 000 et 138 000 hab.`.

        >>> PopulationEstimate(29_369, 29_369).label().replace("\u202f", " ")
        '29 369 hab.'
        >>> PopulationEstimate(18_000, 138_000).taille_label()
        'Taille 1 à 3 (indéterminée)'
        """
        flag = " (estimation)" if self.estimated else ""
        if self.exact:
            return f"{fmt_int(self.low)} hab.{flag}"
        if self.unknown_bounds and not self.unknown_units and not self.low:
            return "aucune unité placée"
        if self.unknown_bounds:
            unknown = fmt_int(len(self.unknown_units))
            return f"au moins {fmt_int(self.low)} hab. (population de {unknown} unités inconnue)"
        return f"entre {fmt_int(self.low)} et {fmt_int(self.high)} hab.{flag}"

    def vintage_label(self) -> str:
        """`population municipale 2023 (INSEE, en vigueur)`: said next to every population,
        with the method when IRIS populations are estimated."""
        text = vintage_label(self.vintages)
        if self.estimated:
            text += f" ; {fmt_int(len(self.estimated_units))} IRIS en estimation : {estimate_method()}"
        return text

    def taille_label(self) -> str:
        bounds = self.tailles
        if bounds is None:
            return "Taille indéterminée"
        low, high = bounds
        return f"Taille {low}" if low == high else f"Taille {low} à {high} (indéterminée)"


def estimate_method() -> str:
    """How an IRIS population is estimated, in French (tooltips, exports)."""
    return (f"part de l'IRIS dans la population de sa commune au recensement {IRIS_ESTIMATE_YEAR} "
            "(INSEE, IRIS d'habitat, six tranches d'âge), appliquée à la population municipale "
            "de la commune")


class _Filled:
    """Official populations, with `manual` ones (geo.manual_population) where the official
    one is unknown or only `replaceable` (an estimate)."""

    def __init__(self, official: dict, manual: dict[str, int], replaceable=frozenset()):
        self.official, self.manual, self.replaceable = official, manual, replaceable

    def get(self, code: str):
        value = self.official.get(code)
        if code in self.manual and (value is None or code in self.replaceable):
            return self.manual[code]
        return value

    def __getitem__(self, code: str):
        return self.get(code)


def estimate(catalog, leaves, mesh, manual: dict[str, int] | None = None) -> PopulationEstimate:
    """Population of the mesh leaves `leaves` of the catalog. `manual` (code → inhabitants,
    geo.manual_population) fills in units whose population is unknown or only estimated; it
    never replaces an official figure."""
    leaves = list(leaves)
    chosen = set(leaves)
    population = catalog.column("population")
    guessed: frozenset[str] = getattr(catalog, "estimated", frozenset())
    if manual:  # a figure entered by hand replaces an unknown or estimated one, never an official one
        population = _Filled(population, manual, guessed)
        guessed = guessed - manual.keys()
    known = lambda code: population.get(code) is not None and code not in guessed  # noqa: E731
    low = sum(int(population[c]) for c in leaves if known(c))
    high = low
    unresolved: list[str] = []
    estimated: list[str] = []
    by_parent: dict[str, list[str]] = {}
    for code in (c for c in leaves if not known(c)):
        parents = [p for p in catalog.ancestors(code) if known(p)]
        if parents:
            by_parent.setdefault(parents[0], []).append(code)
        else:
            unresolved.append(code)
            high = -1
    for parent, missing in by_parent.items():
        parts = mesh.leaves(parent)
        known_in = sum(int(population[c]) for c in parts if c in chosen and known(c))
        known_out = sum(int(population[c]) for c in parts if c not in chosen and known(c))
        rest = max(int(population[parent]) - known_in, 0)
        if all(c in chosen for c in parts):
            low += rest
            high += rest if high >= 0 else 0
            continue
        guesses = [c for c in missing if c in guessed]
        value = sum(int(population[c]) for c in guesses)
        estimated.extend(guesses)
        low += value
        high += value if high >= 0 else 0
        unknown = [c for c in missing if c not in guessed]
        if unknown:
            # Bounded by what is exactly known outside only: the estimates outside share out
            # the whole commune and would leave these IRIS nothing, a zero no one measured.
            unresolved.extend(unknown)
            high += max(rest - value - known_out, 0) if high >= 0 else 0
    vintage = catalog.column("population_vintage")
    vintages = tuple(sorted({int(vintage[c]) for c in leaves if vintage.get(c) is not None}))
    return PopulationEstimate(low, high, tuple(unresolved), vintages, tuple(estimated))
