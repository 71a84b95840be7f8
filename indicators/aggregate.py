"""Indicators of a set of units (a perimeter) and of its references, by one rule.

Aggregation happens at the dataset's level. Each code of the set is matched to units of
the dataset's table:

- a code present in the table stands for itself;
- a coarser code (a commune in an IRIS dataset; Paris, Lyon or Marseille in a table by
  arrondissement) stands for all its rows in the table;
- a finer code (an IRIS or arrondissement in a table by commune) is matched to the table
  unit containing it. When the set holds all of that unit (every IRIS of the commune),
  the unit counts whole. Otherwise the unit is *partial*: a count (`sum`) cannot be
  split, so it is left out and its population counts as without data; a rate (`ratio`,
  `weighted_mean`) applies to the part, its numerator and denominator (or weight) scaled
  by the part's share of the unit's population (catalog populations). When that share is
  unknown (IRIS population not loaded), the unit is left out for every rule.

A missing value is never 0: units without a value are left out and the coverage says
so. Coverage is the share of the set's population (catalog population, vintage of the
embedded file) living in units with a value; units whose population is unknown are left
out of it and counted in the notes.

References (the set's départements and régions, France) are whole communes of the
catalog, so they are precomputed once per dataset: per-commune sums of numerators and
denominators, then per département, per région and for France. A commune of an IRIS
table counts as with data when at least one of its IRIS has a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.catalog import Catalog
from indicators.definitions import PARENT_COLUMN, Dataset, Indicator

FRANCE = "France"


@dataclass(frozen=True)
class Aggregate:
    """An indicator over one set of units. `value` is None when no unit has data;
    `coverage` (0–1) is None when no unit's population is known."""

    indicator: Indicator
    scope: str  # "perimetre", "autre", "departement", "region", "france"
    name: str
    value: float | None
    coverage: float | None
    n_with_data: int
    n_units: int
    population: float
    population_covered: float
    code: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def per_10k(self) -> float | None:
        """A count per 10,000 inhabitants of the units with data (catalog population,
        whose vintage may differ from the count's)."""
        if not self.indicator.per_10k or self.indicator.rule != "sum" or self.value is None \
                or not self.population_covered:
            return None
        return self.value / self.population_covered * 10_000


@dataclass(frozen=True)
class Comparison:
    """A perimeter and its references for one indicator (départements and régions by
    decreasing population of the perimeter in them)."""

    indicator: Indicator
    perimeter: Aggregate
    departements: tuple[Aggregate, ...]
    regions: tuple[Aggregate, ...]
    france: Aggregate
    other: Aggregate | None = None

    @property
    def references(self) -> tuple[Aggregate, ...]:
        extra = (self.other,) if self.other is not None else ()
        return extra + self.departements + self.regions + (self.france,)


@dataclass
class _Item:
    """Codes of the set that share one fate: the table units they stand for (with the
    factor applied to each unit's sums), their population, and whether the match is a
    partial unit."""

    codes: list[str]
    units: list[str]
    factors: list[float]
    population: float | None
    partial: bool = False
    share_known: bool = True


@dataclass
class _Plan:
    items: list[_Item]
    unknown: list[str]
    deps: list[str]
    regs: list[str]
    partial: list[tuple[str, _Item]] = field(default_factory=list)  # (table unit, item)


@dataclass(frozen=True)
class _Prepared:
    """One indicator's unit sums (numerator, denominator or weight; absent where no
    data) and its reference totals."""

    num: dict[str, float]
    den: dict[str, float]
    totals: dict  # ("dep"|"reg"|"france", code) -> (num, den, n_with, n, pop, pop_covered)


class Aggregator:
    """A dataset ready to aggregate on a catalog: reference totals computed once, so
    comparing a perimeter with its département, région and France costs only the
    perimeter's own units."""

    def __init__(self, catalog: Catalog, dataset: Dataset):
        self.catalog = catalog
        self.dataset = dataset
        units = catalog.units
        self._info = units[["level", "name", "dep", "dep_name", "reg", "reg_name",
                            "commune_code"]]
        table = dataset.table
        self._present = set(table.index.tolist())
        self._commune_of = self._communes_of_rows(table)
        self._rows_of = self._rows_by_container(table)
        communes = self._info[self._info["level"] == "commune"]
        self._names = {}
        for key, column in (("dep", "dep_name"), ("reg", "reg_name")):
            pairs = communes[[key, column]].drop_duplicates(key)
            self._names.update({(key, c): n for c, n in zip(pairs[key].tolist(), pairs[column].tolist(), strict=True)})
        self._prepared = self._prepare_all()

    # --- precomputation ------------------------------------------------------------

    def _communes_of_rows(self, table: pd.DataFrame) -> pd.Series:
        """The catalog commune of each table row (NaN for rows the catalog does not know)."""
        if self.dataset.level == "iris":
            parents = table[PARENT_COLUMN]
            return pd.Series(self._info["commune_code"].reindex(parents).to_numpy(), index=table.index)
        return self._info["commune_code"].reindex(table.index)

    def _rows_by_container(self, table: pd.DataFrame) -> dict[str, list[str]]:
        """Coarser code -> its rows in the table: a commune's or arrondissement's IRIS, a
        city's arrondissements."""
        rows: dict[str, list[str]] = {}
        codes, communes = table.index.tolist(), self._commune_of.tolist()
        if self.dataset.level == "iris":
            for code, parent, commune in zip(codes, table[PARENT_COLUMN].tolist(), communes, strict=True):
                rows.setdefault(parent, []).append(code)
                if isinstance(commune, str) and commune != parent:
                    rows.setdefault(commune, []).append(code)
        else:
            for code, commune in zip(codes, communes, strict=True):
                if isinstance(commune, str) and commune != code:
                    rows.setdefault(commune, []).append(code)
        return rows

    def _unit_sums(self, indicator: Indicator) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Per table unit: numerator (value, or value x weight), denominator (or weight),
        both 0 where the unit has no data, and whether it has."""
        table = self.dataset.table
        value = pd.to_numeric(table[indicator.column], errors="coerce").astype(float)
        if indicator.rule == "sum":
            den = pd.Series(0.0, index=table.index)
            has = value.notna()
        else:
            if indicator.denominator:
                den = pd.to_numeric(table[indicator.denominator], errors="coerce").astype(float)
            else:
                population = self.catalog.units["population"].reindex(table.index)
                den = pd.to_numeric(population, errors="coerce").astype(float)
            has = value.notna() & den.notna()
            if indicator.rule == "weighted_mean":
                value = value * den
        return value.where(has, 0.0), den.where(has, 0.0), has

    def _prepare_all(self) -> dict[str, _Prepared]:
        """Unit sums of every indicator, and their totals per département, per région and
        for France, in one pass over the communes."""
        sums = {i.id: self._unit_sums(i) for i in self.dataset.indicators}
        frame = pd.DataFrame({f"{part}:{ident}": series for ident, parts in sums.items()
                              for part, series in zip(("num", "den", "has"), parts, strict=True)}).astype(float)
        per_commune = frame.groupby(self._commune_of).sum()
        units = self.catalog.units
        communes = units.loc[units["level"] == "commune", ["dep", "reg", "population"]]
        wide = per_commune.reindex(communes.index).fillna(0.0)
        population = pd.to_numeric(communes["population"], errors="coerce").fillna(0.0).astype(float)
        for ident in sums:
            wide[f"has:{ident}"] = (wide[f"has:{ident}"] > 0).astype(float)
            wide[f"covered:{ident}"] = population * wide[f"has:{ident}"]
        wide["pop"], wide["n"] = population, 1.0
        levels = [wide.sum().to_frame(FRANCE).T.rename_axis("code").assign(key="france")]
        for key in ("dep", "reg"):
            levels.append(wide.groupby(communes[key]).sum().rename_axis("code").assign(key=key))
        totals = pd.concat(levels)
        keys = list(zip(totals["key"].tolist(), totals.index.tolist(), strict=True))
        prepared = {}
        for ident, (num, den, has) in sums.items():
            names = [f"num:{ident}", f"den:{ident}", f"has:{ident}", "n", "pop", f"covered:{ident}"]
            with_data = num.index[has.to_numpy()].tolist()
            prepared[ident] = _Prepared(
                dict(zip(with_data, num[has].tolist(), strict=True)),
                dict(zip(with_data, den[has].tolist(), strict=True)),
                dict(zip(keys, map(tuple, totals[names].to_numpy(dtype=float).tolist()), strict=True)))
        return prepared

    # --- public --------------------------------------------------------------------

    def reference(self, indicator_id: str, scope: str, code: str = FRANCE) -> Aggregate:
        """A département (`scope="departement"`, code `81`), région (`"region"`, `76`) or
        France (`"france"`), from the precomputed totals."""
        indicator = self.dataset.indicator(indicator_id)
        key = {"departement": "dep", "region": "reg", "france": "france"}[scope]
        num, den, n_with, n, pop, pop_covered = self._prepared[indicator_id].totals.get(
            (key, code), (0.0, 0.0, 0, 0, 0.0, 0.0))
        name = FRANCE if key == "france" else self._names.get((key, code), code)
        return Aggregate(indicator, scope, name, _value(indicator, num, den, n_with > 0),
                         float(pop_covered / pop) if pop else None, int(n_with), int(n),
                         float(pop), float(pop_covered), code)

    def aggregate(self, indicator_id: str, codes, name: str = "Périmètre",
                  scope: str = "perimetre") -> Aggregate:
        """The indicator over a set of catalog codes (communes, arrondissements, IRIS)."""
        return self._evaluate(self.dataset.indicator(indicator_id), self._plan(codes), name, scope)

    def compare(self, indicator_id: str, codes, name: str = "Périmètre",
                other: tuple[str, object] | None = None) -> Comparison:
        """The perimeter, its départements, régions and France (and `other`, a
        (name, codes) pair, when given), all by the indicator's rule."""
        return self._compare(self.dataset.indicator(indicator_id), self._plan(codes), name,
                             (other[0], self._plan(other[1])) if other else None)

    def compare_all(self, codes, name: str = "Périmètre",
                    other: tuple[str, object] | None = None) -> dict[str, Comparison]:
        """Every indicator of the dataset, matching the codes once."""
        plan = self._plan(codes)
        other_plan = (other[0], self._plan(other[1])) if other else None
        return {i.id: self._compare(i, plan, name, other_plan) for i in self.dataset.indicators}

    # --- perimeter -----------------------------------------------------------------

    def _compare(self, indicator, plan, name, other) -> Comparison:
        return Comparison(
            indicator,
            self._evaluate(indicator, plan, name, "perimetre"),
            tuple(self.reference(indicator.id, "departement", d) for d in plan.deps),
            tuple(self.reference(indicator.id, "region", r) for r in plan.regs),
            self.reference(indicator.id, "france"),
            self._evaluate(indicator, other[1], other[0], "autre") if other else None,
        )

    def _plan(self, codes) -> _Plan:
        """Match the set's codes to table units (see the module docstring)."""
        codes = list(dict.fromkeys(str(c) for c in codes))
        known = [c for c in codes if c in self._info.index]
        unknown = [c for c in codes if c not in self._info.index]
        chosen = set(known)
        # A code inside another code of the set adds nothing.
        known = [c for c in known if not chosen.intersection(self.catalog.ancestors(c))]
        population = pd.to_numeric(self.catalog.units["population"].reindex(known), errors="coerce")
        pop = {c: (None if pd.isna(p) else float(p)) for c, p in zip(known, population, strict=True)}
        items: list[_Item] = []
        groups: dict[str, list[str]] = {}
        for code in known:
            if code in self._present:
                items.append(_Item([code], [code], [1.0], pop[code]))
            elif code in self._rows_of:
                rows = self._rows_of[code]
                items.append(_Item([code], rows, [1.0] * len(rows), pop[code]))
            else:
                container = self._container(code)
                if container is None:
                    items.append(_Item([code], [], [], pop[code]))
                else:
                    groups.setdefault(container, []).append(code)
        plan = _Plan(items, unknown, *self._references_of(known, pop))
        for container, members in groups.items():
            items.append(self._group_item(container, members, pop))
            if items[-1].partial:
                plan.partial.append((container, items[-1]))
        return plan

    def _container(self, code: str) -> str | None:
        """The table unit containing a finer code (in a table by commune)."""
        if self.dataset.level == "iris":
            return None
        return next((a for a in self.catalog.ancestors(code) if a in self._present), None)

    def _group_item(self, container: str, members: list[str], pop: dict) -> _Item:
        container_pop = pd.to_numeric(self.catalog.units.at[container, "population"], errors="coerce")
        container_pop = None if pd.isna(container_pop) else float(container_pop)
        if self._covers(container, set(members)):
            return _Item(members, [container], [1.0], container_pop)
        parts = [pop[m] for m in members]
        if any(p is None for p in parts) or not container_pop:
            return _Item(members, [container], [0.0], None, partial=True, share_known=False)
        part = sum(parts)
        return _Item(members, [container], [part / container_pop], part, partial=True)

    def _covers(self, code: str, chosen: set[str]) -> bool:
        kids = self.catalog.children.get(code)
        if not kids:
            return False
        return all(k in chosen or self._covers(k, chosen) for k in kids)

    def _references_of(self, known: list[str], pop: dict) -> tuple[list[str], list[str]]:
        """Départements and régions of the set, the most populated first."""
        info = self._info.loc[known, ["dep", "reg"]].assign(
            pop=[pop[c] or 0.0 for c in known])
        def order(key: str) -> list[str]:
            return info.groupby(key)["pop"].sum().sort_values(ascending=False).index.tolist()

        return order("dep"), order("reg")

    def _evaluate(self, indicator: Indicator, plan: _Plan, name: str, scope: str) -> Aggregate:
        prep = self._prepared[indicator.id]
        num = den = 0.0
        n_with = n_units = 0
        population = covered = 0.0
        unknown_pop = 0
        for item in plan.items:
            n_units += len(item.codes)
            counted = item.share_known and not (item.partial and indicator.rule == "sum")
            with_data = ([(u, f) for u, f in zip(item.units, item.factors, strict=True) if u in prep.num]
                         if counted else [])
            has = bool(with_data)
            if has:
                num += sum(prep.num[u] * f for u, f in with_data)
                den += sum(prep.den[u] * f for u, f in with_data)
                n_with += len(item.codes)
            if item.population is None:
                unknown_pop += len(item.codes)
            else:
                population += item.population
                covered += item.population if has else 0.0
        notes = self._notes(indicator, plan, unknown_pop)
        return Aggregate(indicator, scope, name, _value(indicator, num, den, n_with > 0),
                         covered / population if population else None, n_with, n_units,
                         population, covered, None, notes)

    def _notes(self, indicator: Indicator, plan: _Plan, unknown_pop: int) -> tuple[str, ...]:
        notes = []
        names = self._info["name"]
        for container, item in plan.partial:
            label = f"{names.get(container, container)} ({container})"
            count = len(item.codes)
            if indicator.rule == "sum":
                notes.append(f"{label} : valeur connue pour la commune entière seulement ; "
                             f"un effectif ne se partage pas, ses {count} unités du périmètre "
                             "sont comptées sans donnée.")
            elif item.share_known:
                notes.append(f"{label} : valeur de la commune appliquée à ses {count} unités "
                             "du périmètre, au prorata de leur population.")
            else:
                notes.append(f"{label} : valeur connue pour la commune entière seulement et "
                             f"population de ses {count} unités du périmètre inconnue : "
                             "comptées sans donnée.")
        if unknown_pop:
            notes.append(f"Population inconnue pour {unknown_pop} unités : elles ne comptent "
                         "pas dans la couverture.")
        if plan.unknown:
            notes.append(f"{len(plan.unknown)} codes inconnus ignorés : "
                         + ", ".join(plan.unknown[:10]) + (" …" if len(plan.unknown) > 10 else ""))
        return tuple(notes)


def _value(indicator: Indicator, num: float, den: float, has_data: bool) -> float | None:
    if not has_data:
        return None
    if indicator.rule == "sum":
        return float(num)
    if not den:
        return None
    return float(num) / float(den) * indicator.scale
