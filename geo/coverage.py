"""The ARS view: a whole layer of CPTS analysed at once over a scope of communes.

How much of the région the CPTS cover (population, communes, CPTS by Taille), one row per
CPTS, which CPTS overlap, which communes no CPTS covers (white zones) and which of those are
left alone between CPTS, and what the layer could not place. Everything is computed on one
`Checker` (one mesh for all the layer's perimeters), so figures agree with the checks of a
single perimeter.

Real layers list a big city in several CPTS without saying how it is split (PACA: Nice in
3 CPTS, Toulon in 2, with an `infra` property naming the city). Such a commune is reported
as shared with an unknown infra-communal split (a warning), and each claimant's population
becomes a range; a commune wholly claimed by two CPTS with no such indication stays a
blocking overlap.

The command line (`cpts-coverage`) lives in `cli.coverage`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Protocol

import pandas as pd

from geo.catalog import Catalog
from geo.checks import Checker, Finding
from geo.finding_kinds import severity_of
from geo.french import fmt_int, fmt_km2
from geo.infra import declares_infra
from geo.perimeter import Perimeter
from geo.population import PopulationEstimate
from geo.units import embedded_metadata

# Default scope: a région counts when the layer claims at least this share of its communes,
# so one commune across the border does not pull a whole neighbouring région in.
MIN_REGION_SHARE = 0.05
# A unit claimed by more CPTS than this is reported once with its claimants, not per pair.
MAX_PAIRED_CLAIMANTS = 6


class LayerContents(Protocol):
    """What the analysis needs of a layer, however it was read (formats.layers.Layer)."""

    perimeters: list[Perimeter]
    unknown_codes: dict[str, list[str]]
    remapped: dict[str, str]
    warnings: list[str]
    uncovered: dict[str, list[str]]


class ScopeError(ValueError):
    """A scope naming no commune (unknown région or département); French message."""


@dataclass(frozen=True)
class Scope:
    """Where coverage is measured: every commune of these régions and départements."""

    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerFinding:
    """A finding of the layer and the CPTS it concerns (none for a layer-wide one)."""

    finding: Finding
    cpts: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {**self.finding.as_dict(), "cpts": list(self.cpts)}


@dataclass(frozen=True)
class CptsRow:
    """One CPTS of the layer: its figures, the CPTS it borders, how many findings concern it.
    Holding part of a shared commune makes its population (and Taille) a range."""

    name: str
    population: PopulationEstimate
    communes: int
    units: int
    area_km2: float
    neighbours: tuple[str, ...]
    findings: int

    @property
    def taille(self) -> str:
        return self.population.taille_label()

    @property
    def density(self) -> float | None:
        value = self.population.value
        return None if value is None or not self.area_km2 else value / self.area_km2


@dataclass(frozen=True)
class Overlap:
    """Two CPTS claiming the same units: `codes` wholly (blocking), `shared` communes with
    an unknown infra-communal split (warning); `population` is that of `codes`."""

    a: str
    b: str
    codes: tuple[str, ...]
    shared: tuple[str, ...]
    population: PopulationEstimate


@dataclass
class CoverageFigures:
    """Coverage of the scope. A commune counts as covered when a CPTS holds any part of it;
    `communes_partial` of those only in part (Marseille without its 1er arrondissement)."""

    cpts: int
    communes: int
    communes_covered: int
    communes_partial: int
    population: PopulationEstimate
    population_covered: PopulationEstimate
    by_taille: dict[str, int]

    @property
    def communes_white(self) -> int:
        return self.communes - self.communes_covered

    @property
    def share_communes(self) -> float | None:
        return self.communes_covered / self.communes if self.communes else None

    @property
    def share_population(self) -> float | None:
        total, covered = self.population.value, self.population_covered.value
        return covered / total if total and covered is not None else None


@dataclass
class Coverage:
    """Everything the ARS page and the command line show about one layer."""

    scope: Scope
    scope_label: str
    figures: CoverageFigures
    cpts: list[CptsRow]
    overlaps: list[Overlap]
    # Uncovered units of the scope: code, name, commune_code, commune_name, dep, population, isolated.
    white: pd.DataFrame
    findings: list[LayerFinding]
    unplaced: dict[str, list[str]] = field(default_factory=dict)
    remapped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Rows of the file saying « no CPTS » (« HORS CPTS », empty): the value -> their codes.
    uncovered: dict[str, list[str]] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[LayerFinding]:
        return [f for f in self.findings if f.finding.kind in kinds]

    def findings_of(self, name: str) -> list[LayerFinding]:
        return [f for f in self.findings if name in f.cpts]

    def table(self) -> pd.DataFrame:
        """One row per CPTS, for display and export."""
        return pd.DataFrame([{
            "name": r.name, "population": r.population.value, "population_label": r.population.label(),
            "taille": r.taille, "communes": r.communes, "area_km2": r.area_km2,
            "density": None if r.density is None else round(r.density, 1),
            "neighbours": list(r.neighbours), "findings": r.findings} for r in self.cpts])

    def overlap_matrix(self, value: str = "units") -> pd.DataFrame:
        """CPTS x CPTS (those in an overlap): units claimed wholly by both (`units`), or
        their population (`population`, the low bound)."""
        names = sorted({n for o in self.overlaps if o.codes for n in (o.a, o.b)})
        matrix = pd.DataFrame(0, index=names, columns=names)
        for o in self.overlaps:
            if o.codes:
                matrix.loc[o.a, o.b] = matrix.loc[o.b, o.a] = (
                    len(o.codes) if value == "units" else o.population.low)
        return matrix

    def as_dict(self) -> dict:
        f = self.figures
        return {
            "scope": {"regions": list(self.scope.regions), "departements": list(self.scope.departements),
                      "label": self.scope_label},
            "figures": {
                "cpts": f.cpts, "communes": f.communes, "communes_covered": f.communes_covered,
                "communes_partial": f.communes_partial, "communes_white": f.communes_white,
                "share_communes": f.share_communes, "population": _population_dict(f.population),
                "population_covered": _population_dict(f.population_covered),
                "share_population": f.share_population, "by_taille": f.by_taille},
            "cpts": [{"name": r.name, "population": _population_dict(r.population), "taille": r.taille,
                      "communes": r.communes, "units": r.units, "area_km2": r.area_km2,
                      "density": r.density, "neighbours": list(r.neighbours), "findings": r.findings}
                     for r in self.cpts],
            "overlaps": [{"a": o.a, "b": o.b, "codes": list(o.codes), "shared_communes": list(o.shared),
                          "population": _population_dict(o.population)} for o in self.overlaps],
            "white": self.white.to_dict("records"),
            "findings": [f.as_dict() for f in self.findings],
            "unplaced_codes": self.unplaced,
            "remapped_codes": self.remapped,
            "warnings": self.warnings,
            "uncovered_rows": self.uncovered,
        }


def _population_dict(pop: PopulationEstimate) -> dict:
    return {"value": pop.value, "low": pop.low, "high": pop.high if pop.high >= 0 else None,
            "exact": pop.exact, "label": pop.label(), "vintages": list(pop.vintages)}


# --- scope ---------------------------------------------------------------------------

def scope_communes(catalog: Catalog, scope: Scope) -> pd.Index:
    """Codes of the communes of the scope; ScopeError for a code naming nothing."""
    communes = catalog.units[catalog.units["level"] == "commune"]
    for column, codes, label in (("reg", scope.regions, "Région inconnue"),
                                 ("dep", scope.departements, "Département inconnu")):
        unknown = sorted(set(codes) - set(communes[column].unique()))
        if unknown:
            raise ScopeError(f"{label} : {', '.join(unknown)} (codes INSEE attendus, "
                             "par exemple 93 pour Provence-Alpes-Côte d'Azur, 06 pour les Alpes-Maritimes).")
    chosen = communes[communes["reg"].isin(scope.regions) | communes["dep"].isin(scope.departements)]
    if chosen.empty:
        raise ScopeError("Aucune commune dans le territoire d'analyse : indiquez une région ou un département.")
    return chosen.index


def default_scope(catalog: Catalog, covered) -> Scope:
    """The régions where the layer lies: those where it claims at least MIN_REGION_SHARE of
    the communes (else the région where it claims most)."""
    units = catalog.units
    claimed = units.loc[sorted(covered)]
    claimed = claimed.drop_duplicates("commune_code").groupby("reg").size()
    if claimed.empty:
        raise ScopeError("La couche ne place aucune commune : territoire d'analyse indéterminé.")
    totals = units[units["level"] == "commune"].groupby("reg").size()
    share = claimed / totals.reindex(claimed.index)
    regions = sorted(share.index[share >= MIN_REGION_SHARE]) or [claimed.idxmax()]
    return Scope(regions=tuple(regions))


def scope_label(catalog: Catalog, scope: Scope) -> str:
    communes = catalog.units[catalog.units["level"] == "commune"]
    regs = communes.drop_duplicates("reg").set_index("reg")["reg_name"]
    deps = communes.drop_duplicates("dep").set_index("dep")["dep_name"]
    parts = [f"{regs[c]} (région {c})" for c in scope.regions] + [
        f"{deps[c]} ({c})" for c in scope.departements]
    return ", ".join(parts)


# --- the analysis --------------------------------------------------------------------

def analyse_layer(catalog: Catalog, layer: LayerContents, scope: Scope | None = None) -> Coverage:
    """Coverage of `scope` (default: the régions of the layer) by the layer's CPTS."""
    perimeters = layer.perimeters
    checker = Checker(catalog, perimeters)
    scope = scope or default_scope(catalog, checker.covered)
    in_scope = checker.mesh.expand(scope_communes(catalog, scope))
    owners: dict[str, list[str]] = defaultdict(list)
    for name, leaves in checker.leaves.items():
        for leaf in leaves:
            owners[leaf].append(name)

    infra = _shared_below_commune(catalog, perimeters, owners)
    overlaps, crowded = _overlaps(checker, owners, infra)
    findings = [_overlap_finding(checker, o) for o in overlaps if o.codes] + crowded
    findings += [_shared_finding(checker, leaf, owners[leaf]) for leaf in sorted(infra)]

    white = in_scope - checker.covered
    isolated = _isolated(checker, white, in_scope, owners)
    findings += isolated
    rows = []
    for p in perimeters:
        row, own = _cpts_row(checker, p.name, owners, infra)
        rows.append(row)
        findings += own
    findings += _unplaced_findings(catalog, layer)
    findings.sort(key=lambda f: (severity_of(f.finding.severity).order, f.finding.kind))
    count = Counter(n for f in findings for n in f.cpts)
    rows = [replace(r, findings=count[r.name]) for r in rows]

    isolated_codes = {c for f in isolated for c in f.finding.codes}
    return Coverage(
        scope=scope, scope_label=scope_label(catalog, scope),
        figures=_figures(checker, rows, in_scope, white),
        cpts=rows, overlaps=overlaps, white=_white_table(catalog, white, isolated_codes),
        findings=findings, unplaced=dict(layer.unknown_codes), remapped=dict(layer.remapped),
        warnings=list(layer.warnings), uncovered=dict(layer.uncovered))


def _shared_below_commune(catalog: Catalog, perimeters, owners: dict) -> set[str]:
    """Units claimed by several CPTS, every one of which declares holding only part of it."""
    metadata = {p.name: p.metadata for p in perimeters}
    return {leaf for leaf, names in owners.items() if len(names) > 1 and all(
        declares_infra(catalog, metadata[n], leaf) for n in names)}


def _overlaps(checker: Checker, owners: dict, infra: set) -> tuple[list[Overlap], list[LayerFinding]]:
    """Overlaps found per unit (who claims it): units claimed by a few CPTS are summed up
    per pair; a unit claimed by more than MAX_PAIRED_CLAIMANTS is reported once, with its
    claimants, so memory and time stay linear in the layer (1,000 features claiming one
    commune once meant half a million pairs)."""
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    crowded: list[LayerFinding] = []
    for leaf, names in owners.items():
        if len(names) < 2:
            continue
        if len(names) > MAX_PAIRED_CLAIMANTS and leaf not in infra:
            crowded.append(_crowded_finding(checker, leaf, names))
            continue
        for a, b in combinations(sorted(names), 2):
            pairs[a, b].append(leaf)
    out = []
    for (a, b), leaves in sorted(pairs.items()):
        codes = sorted(set(leaves) - infra)
        out.append(Overlap(a, b, tuple(codes), tuple(sorted(set(leaves) & infra)),
                           checker.population(codes)))
    return out, crowded


def _crowded_finding(checker: Checker, leaf: str, names: list[str]) -> LayerFinding:
    claimants = sorted(names)
    shown = ", ".join(f"« {n} »" for n in claimants[:5]) + (f" et {fmt_int(len(claimants) - 5)} autres"
                                                            if len(claimants) > 5 else "")
    return LayerFinding(Finding(
        "blocking", "overlap",
        f"{checker.names([leaf])} ({leaf}) est revendiquée entière par {fmt_int(len(claimants))} CPTS : {shown}.",
        (leaf,), checker.population([leaf]), checker.geometry([leaf])), tuple(claimants))


def _overlap_finding(checker: Checker, o: Overlap) -> LayerFinding:
    area = checker.area(o.codes)
    return LayerFinding(Finding(
        "blocking", "overlap",
        f"« {o.a} » et « {o.b} » se chevauchent : {fmt_int(len(o.codes))} unité(s) en commun "
        f"({checker.names(o.codes)}), {o.population.label()}, {fmt_km2(area, 1)}.",
        o.codes, o.population, checker.geometry(o.codes), o.b), (o.a, o.b))


def _shared_finding(checker: Checker, leaf: str, names: list[str]) -> LayerFinding:
    pop = checker.population([leaf])
    claimants = sorted(names)
    return LayerFinding(Finding(
        "warning", "shared_commune",
        f"{checker.names([leaf])} ({leaf}, {pop.label()}) : commune partagée, découpage "
        f"infra-communal inconnu, entre {fmt_int(len(claimants))} CPTS ({', '.join(claimants)}). "
        "La population de chacune est une fourchette tant que le découpage (IRIS, quartiers) "
        "n'est pas fourni.",
        (leaf,), pop, checker.geometry([leaf])), tuple(claimants))


def _isolated(checker: Checker, white, in_scope, owners) -> list[LayerFinding]:
    """Uncovered groups of the scope whose land neighbours are all covered; a group reaching
    out of the scope (where coverage is unknown) is not isolated."""
    out = []
    for finding in checker.isolated_groups(white, in_scope.__contains__):
        around = {n for leaf in finding.codes for n in checker.mesh.neighbours(leaf)}
        cpts = sorted({name for n in around for name in owners.get(n, ())})
        out.append(LayerFinding(finding, tuple(cpts)))
    return out


def _cpts_row(checker: Checker, name: str, owners: dict, infra: set) -> tuple[CptsRow, list[LayerFinding]]:
    leaves = checker.leaves[name]
    parts = checker.components(leaves)
    figures = checker.figures(leaves, len(parts))
    own = checker.contiguity(parts) + (checker.unknown_population(leaves) if figures.population.unknown_units
                                        else [])
    # Said of one CPTS among many: the message names it (the page and the CLI list them all).
    findings = [LayerFinding(replace(f, message=f"« {name} » : {f.message}"), (name,)) for f in own]
    # Holding an unknown part of a shared commune: a range. No unit placed (a contour in the
    # sea): no population, hence no Taille — never « Taille 1 ».
    population = checker.split_population(leaves, leaves & infra) if leaves else PopulationEstimate(0, -1)
    around = {n for leaf in leaves for n in checker.mesh.neighbours(leaf)}
    neighbours = sorted({o for n in around for o in owners.get(n, ()) if o != name})
    return CptsRow(name, population, figures.communes, figures.units, figures.area_km2,
                   tuple(neighbours), 0), findings


def _unplaced_findings(catalog: Catalog, layer: LayerContents) -> list[LayerFinding]:
    def why(codes) -> str:
        iris = [c for c in codes if len(c) == 9]
        return (f"inconnus du COG {embedded_metadata().get('cog_vintage', '')}" if not iris else
                "IRIS sans contours chargés : importez les contours IRIS" if len(iris) == len(codes) else
                "inconnus du COG, ou IRIS sans contours chargés")

    out = [LayerFinding(Finding(
        "warning", "unknown_codes",
        f"« {name} » : {fmt_int(len(codes))} code(s) non placé(s) ({why(codes)}) : {', '.join(codes)}.", tuple(codes)),
        (name,)) for name, codes in layer.unknown_codes.items()]
    if layer.remapped:
        names = catalog.units["name"]
        text = ", ".join(f"{old} → {new} ({names.get(new, '?')})" for old, new in sorted(layer.remapped.items()))
        out.append(LayerFinding(Finding(
            "info", "remapped_codes", f"Codes de communes fusionnées remplacés par leur commune "
            f"actuelle : {text}.", tuple(sorted(layer.remapped.values())))))
    return out


def _figures(checker: Checker, rows: list[CptsRow], in_scope, white) -> CoverageFigures:
    units = checker.units.loc[sorted(in_scope)]
    rows = [r for r in rows if checker.leaves[r.name] & in_scope]  # the CPTS of the scope
    uncovered = units.index.isin(list(white))
    touched = units.loc[~uncovered, "commune_code"]
    partial = set(touched) & set(units.loc[uncovered, "commune_code"])
    return CoverageFigures(
        cpts=len(rows), communes=units["commune_code"].nunique(),
        communes_covered=touched.nunique(), communes_partial=len(partial),
        population=checker.population(in_scope),
        population_covered=checker.population(in_scope - white),
        by_taille=dict(sorted(Counter(r.taille for r in rows).items())))


def _white_table(catalog: Catalog, white, isolated: set) -> pd.DataFrame:
    columns = ["code", "name", "commune_code", "commune_name", "dep", "population"]
    table = catalog.units.loc[sorted(white), columns].reset_index(drop=True)
    table["population"] = table["population"].astype("object").where(table["population"].notna(), None)
    table["isolated"] = table["code"].isin(isolated)
    return table.sort_values(["dep", "commune_name", "code"]).reset_index(drop=True)
