"""The catalog of units a perimeter can be made of, and the land-neighbour graph across levels.

Communes and arrondissements come from the embedded file; IRIS join when an IRIS contour
file is loaded. One graph links units of every level: commune–commune borders from the
embedded graph, IRIS–IRIS borders from the IRIS contours, and IRIS–commune borders derived
from those (an IRIS borders a commune when it borders one of that commune's IRIS), so a
perimeter mixing whole communes and IRIS is checked on one consistent graph.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd
import shapely

from geo.areas import local_crs, mostly_inside, projected
from geo.neighbours import neighbour_pairs
from geo.units import (
    checked_vintage,
    load_commune_neighbours,
    load_communes,
    load_iris_population_2016,
    load_populations,
    load_successors,
    vintage_in_force,
)

# INSEE divides communes of 10,000 inhabitants or more into IRIS: above this a commune is
# "large" (a CPTS may hold part of it; a bare `infra` flag on its claimants means they split it).
IRIS_MIN_POPULATION = 10_000
# Contours rebuilt from vector tiles have ~14 m of play (see shared/data/SOURCES.md).
IRIS_TOLERANCE_M = 20.0
IRIS_MIN_BORDER_M = 60.0


class UnknownCodesError(ValueError):
    """Codes that name no unit of the catalog (listed in `.codes`)."""

    def __init__(self, codes: list[str]):
        super().__init__("codes INSEE inconnus : " + ", ".join(codes))
        self.codes = codes


@dataclass(frozen=True)
class Resolution:
    """What became of a list of codes: those placed, renamed (obsolete -> current), unknown."""

    codes: tuple[str, ...]
    remapped: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()


def normalise_code(raw: object) -> str:
    """A code as INSEE writes it: `1001` (a spreadsheet ate the zero) -> `01001`, `2a004` -> `2A004`.

    >>> [normalise_code(c) for c in (1001, "1001.0", " 2a004 ", "10010000", "661360801")]
    ['01001', '01001', '2A004', '010010000', '661360801']
    """
    text = str(raw).strip().upper()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    if re.fullmatch(r"\d{4}|\d{8}", text):
        text = "0" + text
    return text


# Letters NFKD does not decompose, which `fold` would drop: Mercœur is typed « Mercoeur ».
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents, hyphens or apostrophes, for matching names.

    >>> fold("Saint-Étienne-d'Albagnan")
    'saint etienne d albagnan'
    >>> fold("  ŒUVRE  ")
    'oeuvre'
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class Catalog:
    """All units (indexed by code) with their graph; IRIS when contours were given.

    Populations are those of one vintage of the populations légales (`vintage`, the one in
    force by default); `with_vintage` gives the same catalog with another vintage's, sharing
    the graph and everything else already computed."""

    def __init__(self, iris: gpd.GeoDataFrame | None = None, iris_source: str | None = None):
        communes = load_communes()
        self.successors = load_successors()
        self.iris_source = iris_source
        self.vintage = vintage_in_force()
        self._iris_exact: tuple[pd.Series, int] | None = None
        self._siblings: dict[int, Catalog] = {self.vintage: self}
        self.estimated: frozenset[str] = frozenset()  # IRIS whose population is an estimate
        self._iris = iris if iris is not None and len(iris) else None
        if self._iris is not None:
            self._iris = iris.set_index("code", drop=False)
            self.units = pd.concat([communes, self._iris])
            self._fill_iris_populations()
        else:
            self.units = communes

    @property
    def has_iris(self) -> bool:
        return self._iris is not None

    def is_large(self, code: str) -> bool:
        """A unit CPTS may share below the commune: divided (arrondissements, IRIS) or populous."""
        population = self.column("population").get(code)
        return code in self.children or (population is not None and population >= IRIS_MIN_POPULATION)

    def iris_communes(self) -> set[str]:
        """Communes and arrondissements whose IRIS this catalog holds."""
        return set() if self._iris is None else set(self._iris["parent_code"])

    def with_iris(self, extra: gpd.GeoDataFrame, source: str) -> Catalog:
        """A catalog holding this one's IRIS plus `extra` (IRIS of communes it had none of,
        e.g. those a CPTS layer brings with their contours)."""
        frames = [f for f in (self._iris, extra) if f is not None and len(f)]
        iris = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        sources = " + ".join(s for s in (self.iris_source, source) if s)
        catalog = Catalog(gpd.GeoDataFrame(iris, geometry="geometry", crs=4326), sources)
        if catalog.vintage != self.vintage:
            catalog = catalog.with_vintage(self.vintage)
        if self._iris_exact is not None:
            catalog.set_iris_population(*self._iris_exact)
        return catalog

    def with_vintage(self, vintage: int) -> Catalog:
        """This catalog with the populations of `vintage` (UnknownVintageError if not embedded)."""
        vintage = checked_vintage(vintage)
        if vintage not in self._siblings:
            self._siblings[vintage] = self._with_populations_of(vintage)
        return self._siblings[vintage]

    def _with_populations_of(self, vintage: int) -> Catalog:
        self.adjacency, self.children  # noqa: B018 - built once, then shared by every vintage
        other = copy.copy(self)
        other.__dict__.pop("_columns", None)
        other.vintage = vintage
        units = self.units.copy(deep=False)
        base = (units["level"] != "iris").to_numpy()
        population = load_populations()[vintage].reindex(units.index).astype("Int64")
        units["population"] = population.where(base, pd.NA)
        units["population_vintage"] = pd.Series(vintage, units.index, dtype="Int64").where(base, pd.NA)
        other.units = units
        if other.has_iris:
            other._fill_iris_populations()
            if self._iris_exact is not None:
                other._place_iris_population(*self._iris_exact)
        return other

    def _fill_iris_populations(self) -> None:
        self._fill_iris_population_from_single_iris_communes()
        self._estimate_iris_population()

    def _estimate_iris_population(self) -> None:
        """IRIS without a population get an estimate (listed in `estimated`): their share of
        their commune (or arrondissement) in INSEE's population 2016 of habitat IRIS, times
        the commune's population of this catalog's vintage. IRIS absent from that file
        (activity or miscellaneous IRIS, types A and D; IRIS redrawn since) stay unknown."""
        units = self.units
        iris = units[(units["level"] == "iris") & units["population"].isna()]
        known = load_iris_population_2016()
        # Each 2016 IRIS's commune or arrondissement today (merged communes follow their successor).
        groups = known.index.str[:5].map(lambda c: self.successors.get(c, c))
        totals = known.groupby(groups.to_numpy()).sum()
        iris = iris[iris.index.isin(known.index) & iris["parent_code"].isin(totals.index)]
        parent_population = pd.to_numeric(units["population"].reindex(iris["parent_code"]),
                                          errors="coerce").to_numpy(dtype=float)
        share = known[iris.index].to_numpy() / totals[iris["parent_code"]].to_numpy()
        estimate = pd.Series((share * parent_population).round(), index=iris.index).dropna()
        units.loc[estimate.index, "population"] = estimate.astype("int64").to_numpy()
        units.loc[estimate.index, "population_vintage"] = self.vintage
        self.estimated = frozenset(estimate.index)

    def _fill_iris_population_from_single_iris_communes(self) -> None:
        """A commune not divided into IRIS is its own IRIS `XXXXX0000`: same population."""
        iris = self.units[self.units["level"] == "iris"]
        single = iris.groupby("parent_code")["code"].transform("size") == 1
        whole = iris[single & iris["code"].str.endswith("0000")]
        parent_pop = self.units.loc[whole["parent_code"], "population"].to_numpy()
        self.units.loc[whole.index, "population"] = parent_pop
        self.units.loc[whole.index, "population_vintage"] = self.units.loc[
            whole["parent_code"], "population_vintage"].to_numpy()

    def set_iris_population(self, population: pd.Series, year: int) -> list[str]:
        """Give IRIS their INSEE population (in this catalog and every vintage of it);
        returns the codes of the file not placed."""
        for sibling in self._siblings.values():
            sibling._iris_exact = (population, year)
            unplaced = sibling._place_iris_population(population, year)
        return unplaced

    def _place_iris_population(self, population: pd.Series, year: int) -> list[str]:
        iris_codes = self.units.index[self.units["level"] == "iris"]
        placed = population[population.index.isin(iris_codes)]
        self.units.loc[placed.index, "population"] = placed.to_numpy()
        self.units.loc[placed.index, "population_vintage"] = year
        self.estimated = self.estimated - set(placed.index)
        self._columns.clear()
        return sorted(set(population.index) - set(placed.index))

    def column(self, name: str) -> dict:
        """Code -> value of one column, as a dict (hot loops look units up one by one;
        missing values are None)."""
        if name not in self._columns:
            series = self.units[name]
            values = series.to_numpy(dtype=object, copy=True)
            values[series.isna().to_numpy()] = None
            self._columns[name] = dict(zip(series.index.tolist(), values.tolist()))
        return self._columns[name]

    @cached_property
    def _columns(self) -> dict[str, dict]:
        return {}

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """Parent code -> the codes of the units directly inside it."""
        out: dict[str, list[str]] = defaultdict(list)
        inner = self.units[self.units["parent_code"].notna()]
        for code, parent in zip(inner["code"], inner["parent_code"]):
            out[parent].append(code)
        return dict(out)

    @cached_property
    def adjacency(self) -> dict[str, set[str]]:
        """Code -> codes of units of any level sharing a land border with it."""
        adj: dict[str, set[str]] = defaultdict(set)

        def link(a: str, b: str) -> None:
            if a != b:
                adj[a].add(b)
                adj[b].add(a)

        pairs = load_commune_neighbours()
        for a, b in zip(pairs["a"].to_numpy(), pairs["b"].to_numpy()):
            link(a, b)
        if self._iris is not None:
            self._link_iris(link)
        return dict(adj)

    def _link_iris(self, link) -> None:
        iris = self._iris
        pairs = neighbour_pairs(iris, IRIS_TOLERANCE_M, IRIS_MIN_BORDER_M)
        parent = self._parent
        for a, b in zip(pairs["a"].to_numpy(), pairs["b"].to_numpy()):
            link(a, b)
            for x, y in ((a, b), (b, a)):
                # x borders y's containers (arrondissement, then commune) unless inside them.
                inside = self.ancestors(x)
                up = parent.get(y)
                while isinstance(up, str):
                    if up not in inside:
                        link(x, up)
                    up = parent.get(up)
        # At the edge of the IRIS file, bordering communes have no IRIS: test geometrically.
        for a, b in self._iris_to_outer_communes(iris):
            link(a, b)

    def _iris_to_outer_communes(self, iris: gpd.GeoDataFrame) -> list[tuple[str, str]]:
        covered = set(iris["parent_code"]) | set(iris["commune_code"])
        base = load_commune_neighbours()
        edge = base[base["a"].isin(covered) ^ base["b"].isin(covered)]
        inner = edge["a"].where(edge["a"].isin(covered), edge["b"])
        outer = edge["b"].where(edge["a"].isin(covered), edge["a"])
        candidates = iris[["code", "parent_code"]].merge(
            pd.DataFrame({"parent_code": inner, "outer": outer}), on="parent_code")
        if candidates.empty:
            return []
        tol = IRIS_TOLERANCE_M * 5
        inner_iris = iris.loc[candidates["code"]]
        crs = local_crs(inner_iris)  # the pair measured where the IRIS lies
        a = projected(inner_iris.geometry.to_numpy(), crs)
        b = projected(self.units.loc[candidates["outer"]].geometry.to_numpy(), crs)
        shared = shapely.length(shapely.intersection(
            shapely.boundary(a), shapely.buffer(b, tol, quad_segs=2)))
        keep = shared > IRIS_MIN_BORDER_M
        return list(zip(candidates["code"][keep], candidates["outer"][keep]))

    def ancestors(self, code: str) -> list[str]:
        """The units containing `code`, innermost first (an IRIS's arrondissement, commune)."""
        out, up = [], self._parent.get(code)
        while up is not None:
            out.append(up)
            up = self._parent.get(up)
        return out

    @cached_property
    def _parent(self) -> dict[str, str]:
        return self.units["parent_code"].dropna().to_dict()

    # --- finding units -------------------------------------------------------------

    def resolve(self, codes) -> Resolution:
        """Place codes: normalised, obsolete commune codes mapped to their successor."""
        placed, remapped, unknown = [], {}, []
        for raw in codes:
            code = normalise_code(raw)
            if not code:
                continue
            if code in self.units.index:
                placed.append(code)
            elif code in self.successors:
                remapped[code] = self.successors[code]
                placed.append(self.successors[code])
            else:
                unknown.append(code)
        return Resolution(tuple(dict.fromkeys(placed)), remapped, tuple(dict.fromkeys(unknown)))

    def search(self, text: str, limit: int = 20) -> pd.DataFrame:
        """Units whose name, INSEE code or postal code matches `text` (communes first)."""
        query = fold(text)
        if not query:
            return self.units.iloc[0:0]
        names = self._folded_names
        hit = (names.str.startswith(query) | self.units["code"].str.startswith(text.strip().upper())
               | self.units["postal_codes"].str.contains(re.escape(text.strip()), regex=True))
        if hit.sum() < limit:
            hit |= names.str.contains(re.escape(query), regex=True)
        found = self.units[hit]
        order = found["level"].map({"commune": 0, "arrondissement": 1, "iris": 2})
        exact = (names[hit] != query).astype(int)
        return found.assign(_o=order, _e=exact).sort_values(["_e", "_o", "name"]).drop(
            columns=["_o", "_e"]).head(limit)

    @cached_property
    def _folded_names(self) -> pd.Series:
        label = self.units["name"].where(self.units["level"] != "iris",
                                         self.units["commune_name"] + " " + self.units["name"])
        return label.map(fold)

    def codes_named(self, names, deps=None) -> Resolution:
        """Communes by name (exact, accents and case ignored), optionally within départements
        `deps`; a name shared by several communes is returned as unknown."""
        communes = self.units[self.units["level"] == "commune"]
        if deps:
            communes = communes[communes["dep"].isin(list(deps))]
        by_name = communes.groupby(communes["name"].map(fold))["code"].agg(list)
        placed, unknown = [], []
        for name in names:
            match = by_name.get(fold(name), [])
            (placed.append(match[0]) if len(match) == 1 else unknown.append(str(name)))
        return Resolution(tuple(placed), {}, tuple(unknown))

    def epci_communes(self, epci_code: str) -> list[str]:
        communes = self.units[self.units["level"] == "commune"]
        return communes.index[communes["epci_code"] == str(epci_code)].tolist()

    def units_in_polygon(self, polygon, level: str = "commune", min_share: float = 0.5) -> list[str]:
        """Codes of units of `level` with more than `min_share` of their area inside `polygon`."""
        return mostly_inside(self.units[self.units["level"] == level], polygon, min_share)
