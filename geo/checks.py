"""The checks an ARS makes before validating a CPTS perimeter, as findings to show and map.

Each finding has a severity (`blocking`, `warning`, `info`), a French message, the units
concerned with their population, and the geometry to highlight. Units are compared on the
mesh leaves (geo.mesh), so a whole commune and one of its IRIS overlap; neighbours come
from the catalog's land-border graph, so a shared point is no border.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geo import manual_population
from geo.areas import crs_of_place, projected
from geo.catalog import Catalog
from geo.finding_kinds import severity_of
from geo.french import fmt_int, fmt_km2
from geo.infra import declares_infra
from geo.mesh import Mesh
from geo.perimeter import Perimeter
from geo.population import PopulationEstimate, distance_to_threshold, estimate

# Beyond this many uncovered units in one connected group, it is open territory, not a
# commune left alone between CPTS (and the search stops there).
ISOLATION_CAP = 200
# Geometric overlaps of imported contours below this are slivers of simplified borders.
SLIVER_M2 = 10_000
SLIVER_SHARE = 0.001


@dataclass(frozen=True)
class Finding:
    severity: str
    kind: str
    message: str
    codes: tuple[str, ...] = ()
    population: PopulationEstimate | None = None
    geometry: object | None = None
    other: str | None = None

    def as_dict(self) -> dict:
        return {
            "severity": self.severity, "kind": self.kind, "message": self.message,
            "codes": list(self.codes), "other": self.other,
            "population": None if self.population is None else {
                "low": self.population.low, "high": self.population.high,
                "exact": self.population.exact},
        }


@dataclass
class Figures:
    population: PopulationEstimate
    area_km2: float
    communes: int
    iris: int
    units: int
    parts: int

    @property
    def density(self) -> float | None:
        value = self.population.value
        return None if value is None or not self.area_km2 else value / self.area_km2


@dataclass
class Report:
    perimeter: Perimeter
    figures: Figures
    findings: list[Finding] = field(default_factory=list)
    leaves: frozenset[str] = frozenset()

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "blocking"]


class Checker:
    """Checks perimeters against each other on one mesh (built once for them all)."""

    def __init__(self, catalog: Catalog, perimeters: list[Perimeter], manual: dict[str, int] | None = None):
        self.catalog = catalog
        self.manual = manual  # populations entered by hand (geo.manual_population)
        self.units = catalog.units
        known = catalog.units.index
        # Codes the catalog does not know (IRIS without IRIS contours, typos) cannot be
        # checked; files and pages report them, the checks work on the others.
        codes = {p.name: [c for c in p.codes if c in known] for p in perimeters}
        self.metadata = {p.name: p.metadata for p in perimeters}
        self.mesh = Mesh(catalog, [c for group in codes.values() for c in group])
        self.leaves = {name: self.mesh.expand(group) for name, group in codes.items()}
        self.covered = frozenset().union(*self.leaves.values()) if self.leaves else frozenset()
        self._groups: dict[str, tuple[set[str], set[str]] | None] = {}

    # --- helpers ---------------------------------------------------------------------

    def population(self, leaves) -> PopulationEstimate:
        return estimate(self.catalog, leaves, self.mesh, self.manual)

    def geometry(self, leaves):
        """The units' contours as one collection, to highlight (no costly dissolve)."""
        geometry = self.catalog.column("geometry")
        shapes = [geometry[c] for c in sorted(leaves) if geometry.get(c) is not None]
        return shapely.GeometryCollection(shapes) if shapes else None

    def area(self, leaves) -> float:
        area = self.catalog.column("area_km2")
        return float(sum(area[c] for c in leaves if area.get(c) is not None))

    def names(self, leaves, limit: int = 6) -> str:
        name, commune, level = (self.catalog.column(c) for c in ("name", "commune_name", "level"))
        labels = [name[c] if level[c] != "iris" else f"{commune[c]} ({name[c]})" for c in sorted(leaves)]
        more = len(labels) - limit
        return ", ".join(labels[:limit]) + (f" et {more} autres" if more > 0 else "")

    def components(self, leaves) -> list[set[str]]:
        """Connected groups of `leaves` over land borders."""
        left, groups = set(leaves), []
        while left:
            start = left.pop()
            group, queue = {start}, deque([start])
            while queue:
                for n in self.mesh.neighbours(queue.popleft()):
                    if n in left:
                        left.discard(n)
                        group.add(n)
                        queue.append(n)
            groups.append(group)
        return sorted(groups, key=lambda g: (-len(g), min(g)))

    def uncovered_group(self, start: str, in_scope=lambda code: True) -> tuple[set[str], set[str]] | None:
        """The connected uncovered group around `start` and the covered units around it;
        None when the group is open territory (too large, or reaching out of scope).
        Memoised per start: every unit of a group shares its answer."""
        if start in self._groups:
            return self._groups[start]
        group, border, queue, answer = {start}, set(), deque([start]), None
        while queue:
            for n in self.mesh.neighbours(queue.popleft()):
                if n in self.covered:
                    border.add(n)
                elif n not in group:
                    if len(group) >= ISOLATION_CAP or not in_scope(n):
                        queue.clear()
                        break
                    group.add(n)
                    queue.append(n)
            else:
                continue
            break
        else:
            answer = (group, border)
        self._groups.update(dict.fromkeys(group, answer))
        return answer

    # --- the checks -------------------------------------------------------------------

    def check(self, candidate: Perimeter, geometries: dict | None = None) -> Report:
        leaves = self.leaves[candidate.name]
        split = self.declared_splits(candidate.name)
        findings: list[Finding] = []
        findings += self.unknown_population(leaves)
        findings += self.manual_population(candidate, leaves)
        findings += self.overlaps(candidate, split)
        findings += self.isolated_around(candidate)
        parts = self.components(leaves)
        findings += self.contiguity(parts)
        findings += self.split_communes(leaves)
        if geometries:
            findings += self.geometric_overlaps(candidate, geometries)
        figures = self.figures(leaves, len(parts))
        figures.population = self.split_population(leaves, split)
        if leaves:
            findings += size_class(figures.population)
        findings.sort(key=lambda f: severity_of(f.severity).order)
        return Report(candidate, figures, findings, leaves)

    def figures(self, leaves, parts: int) -> Figures:
        commune, level = self.catalog.column("commune_code"), self.catalog.column("level")
        return Figures(
            population=self.population(leaves),
            area_km2=round(self.area(leaves), 1),
            communes=len({commune[c] for c in leaves}),
            iris=sum(level[c] == "iris" for c in leaves),
            units=len(leaves),
            parts=parts,
        )

    def unknown_population(self, leaves) -> list[Finding]:
        pop = self.population(leaves)
        if not pop.unknown_units:
            return []
        return [Finding(
            "warning", "unknown_population",
            f"Population inconnue pour {fmt_int(len(pop.unknown_units))} unités "
            f"({self.names(pop.unknown_units)}) : chargez la population INSEE par IRIS "
            f"(base-ic-evol-struct-pop). Population du périmètre : {pop.label()}",
            tuple(sorted(pop.unknown_units)), pop)]

    def manual_population(self, candidate: Perimeter, leaves) -> list[Finding]:
        """Populations entered by hand that the figures use: said, with their sources."""
        used = manual_population.in_use(candidate.metadata, leaves)
        if not used:
            return []
        return [Finding(
            "info", "manual_population",
            f"Population en {manual_population.MARK} pour {fmt_int(len(used))} unité(s), non officielle : "
            + " ; ".join(f"{self.names([c])} {fmt_int(e.value)} hab. (source : {e.source})"
                         for c, e in sorted(used.items())) + ".",
            tuple(sorted(used)))]

    def declared_splits(self, name: str) -> set[str]:
        """Leaves `name` shares with other perimeters where all of them declare holding only
        part of it (geo.infra): shared with an unknown split, not overlapped."""
        mine, out = self.leaves[name], set()
        for other, theirs in self.leaves.items():
            if other != name:
                out |= {c for c in mine & theirs if declares_infra(self.catalog, self.metadata[name], c)
                        and declares_infra(self.catalog, self.metadata[other], c)}
        return out

    def split_population(self, leaves, shared) -> PopulationEstimate:
        """Holding an unknown part of `shared` units: between none of them and all of them."""
        population = self.population(leaves)
        if not shared:
            return population
        without = self.population(set(leaves) - set(shared))
        return PopulationEstimate(without.low, population.high if without.high >= 0 else -1,
                                  tuple(sorted(set(without.unknown_units) | set(shared))), population.vintages,
                                  population.estimated_units)

    def overlaps(self, candidate: Perimeter, split=frozenset()) -> list[Finding]:
        mine = self.leaves[candidate.name]
        out = []
        for other, theirs in self.leaves.items():
            both = mine & theirs
            if other == candidate.name or not both:
                continue
            declared = both & split
            if declared:
                out.append(Finding(
                    "warning", "shared_commune",
                    f"{self.names(declared)} partagée(s) avec « {other} », découpage infra-communal inconnu : "
                    "la population du périmètre est une fourchette tant que le découpage (IRIS, quartiers) "
                    "n'est pas fourni.", tuple(sorted(declared)), self.population(declared),
                    self.geometry(declared), other))
            shared = both - declared
            if not shared:
                continue
            pop = self.population(shared)
            area = self.area(shared)
            out.append(Finding(
                "blocking", "overlap",
                f"Chevauchement avec « {other} » : {fmt_int(len(shared))} unité(s) en commun "
                f"({self.names(shared)}), {pop.label()}, {fmt_km2(area, 1)}.",
                tuple(sorted(shared)), pop, self.geometry(shared), other))
        return out

    def isolated_around(self, candidate: Perimeter) -> list[Finding]:
        mine = self.leaves[candidate.name]
        seeds = {n for leaf in mine for n in self.mesh.neighbours(leaf)} - self.covered
        return self.isolated_groups(seeds)

    def isolated_groups(self, seeds, in_scope=lambda code: True) -> list[Finding]:
        """Uncovered groups reachable from `seeds` whose land neighbours are all covered."""
        out, seen = [], set()
        for seed in sorted(seeds):
            if seed in seen:
                continue
            found = self.uncovered_group(seed, in_scope)
            if found is None:
                seen.add(seed)
                continue
            group, border = found
            seen |= group
            if not border:
                continue  # an island: no land neighbour at all
            pop = self.population(group)
            owners = sorted(name for name, leaves in self.leaves.items() if leaves & border)
            where = (f"enclavé(e)s dans « {owners[0]} » (trou dans le périmètre)" if len(owners) == 1
                     else f"entouré(e)s par des CPTS ({', '.join(owners)})")
            out.append(Finding(
                "blocking", "isolated",
                f"{self.names(group)} ({pop.label()}) : non couvert(e)s et {where} : "
                "unité(s) isolée(s) à rattacher.",
                tuple(sorted(group)), pop, self.geometry(group)))
        return out

    def contiguity(self, parts: list[set[str]]) -> list[Finding]:
        if len(parts) <= 1:
            return []
        detached = set().union(*parts[1:])
        return [Finding(
            "warning", "parts",
            f"Le périmètre est en {fmt_int(len(parts))} morceaux non contigus : "
            f"{self.names(detached)} détaché(s) du reste.",
            tuple(sorted(detached)), self.population(detached), self.geometry(detached))]

    def split_communes(self, leaves) -> list[Finding]:
        out = []
        commune_of, level, name_of = (self.catalog.column(c) for c in ("commune_code", "level", "name"))
        for commune in sorted({commune_of[c] for c in leaves if level[c] != "commune"}):
            parts = self.mesh.leaves(commune)
            outside = [c for c in parts if c not in leaves]
            if not outside:
                continue
            nobody = [c for c in outside if c not in self.covered]
            name = name_of[commune]
            inside = len(parts) - len(outside)
            text = (f"{name} est partagée : {inside} de ses {fmt_int(len(parts))} unités (IRIS ou "
                    f"arrondissements) sont dans le périmètre")
            if nobody:
                out.append(Finding(
                    "warning", "split_commune",
                    text + f" ; {fmt_int(len(nobody))} ne sont couvertes par aucune CPTS.",
                    tuple(nobody), self.population(nobody), self.geometry(nobody)))
            else:
                out.append(Finding("info", "split_commune", text + " ; le reste est couvert.",
                                   tuple(outside)))
        return out

    def geometric_overlaps(self, candidate: Perimeter, geometries: dict) -> list[Finding]:
        """For imported contours: overlaps above a sliver tolerance, measured in the CRS of
        the candidate's place."""
        mine = geometries.get(candidate.name)
        if mine is None:
            return []
        names = [n for n in geometries if n != candidate.name]
        crs = crs_of_place(mine)
        own, *theirs = projected([mine] + [geometries[n] for n in names], crs)
        out = []
        for name, shape in zip(names, theirs, strict=True):
            if not own.intersects(shape):
                continue
            area = own.intersection(shape).area
            if area > max(SLIVER_M2, SLIVER_SHARE * min(own.area, shape.area)):
                out.append(Finding(
                    "blocking", "geometric_overlap",
                    f"Les contours importés de « {candidate.name} » et « {name} » se "
                    f"recouvrent sur {fmt_km2(area / 1e6, 2)}.",
                    other=name, geometry=gpd.GeoSeries([own.intersection(shape)], crs=crs)
                    .to_crs(4326).iloc[0]))
        return out


def size_class(pop: PopulationEstimate) -> list[Finding]:
    """The Taille and how far the population stands from the nearest threshold."""
    if not pop.exact:
        return [Finding("warning", "size_class",
                        f"{pop.taille_label()} : population {pop.label()}", population=pop)]
    threshold, gap = distance_to_threshold(pop.low)
    side = "au-dessus" if gap >= 0 else "en dessous"
    return [Finding("info", "size_class",
                    f"{pop.taille_label()} ({pop.label()}) : {fmt_int(abs(gap))} hab. {side} "
                    f"du seuil de {fmt_int(threshold)}.", population=pop)]


def check_perimeter(catalog: Catalog, candidate: Perimeter, others=(),
                    geometries: dict | None = None) -> Report:
    """Check one perimeter against its neighbours (other perimeters, e.g. a CPTS layer)."""
    others = [o for o in others if o.name != candidate.name]
    manual = manual_population.values(candidate.metadata)
    return Checker(catalog, [candidate, *others], manual).check(candidate, geometries)
