"""Coverage of a whole layer (the ARS view, geo.coverage): the real PACA layer over its
région (target < 1 s), and an all-France layer of about 800 perimeters (target < 5 s).

The all-France layer is a BENCHMARK INPUT, not real CPTS: real communes grouped by their
real EPCI, an EPCI under MERGE_BELOW inhabitants merged with its smallest neighbouring
group of the same département, one over SPLIT_ABOVE cut into contiguous pieces of about
PIECE inhabitants (Paris, Lyon and Marseille by arrondissement), and every 10th group left
out so that white zones and isolated units exist. Real contours, populations and borders;
invented perimeters."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from formats.layers import Layer, read_layer
from geo.catalog import Catalog
from geo.coverage import Scope, analyse_layer
from geo.perimeter import Perimeter

PACA_LAYER = Path(__file__).resolve().parents[2] / "shared" / "data" / "cpts_paca.geojson"
MERGE_BELOW = 25_000
SPLIT_ABOVE = 300_000
PIECE = 150_000
LEFT_OUT_EVERY = 10


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def _merge_small(groups: dict[str, set[str]], pop: dict[str, int], dep_of: dict[str, str],
                 adjacency: dict[str, set[str]]) -> dict[str, set[str]]:
    """Merge each group under MERGE_BELOW into its smallest neighbour of the same département."""
    group_of = {c: g for g, members in groups.items() for c in members}
    size = {g: sum(pop.get(c, 0) for c in members) for g, members in groups.items()}
    for g in sorted(groups, key=lambda g: size[g]):
        if g not in groups or size[g] >= MERGE_BELOW:
            continue
        members = groups[g]
        dep = dep_of[min(members)]
        near = {group_of[n] for c in members for n in adjacency.get(c, ()) if n in group_of
                and group_of[n] != g and dep_of[n] == dep}
        if not near:
            continue
        target = min(near, key=lambda h: (size[h], h))
        groups[target] |= members
        size[target] += size[g]
        for c in members:
            group_of[c] = target
        del groups[g]
    return groups


def _split_large(members: set[str], pop: dict[str, int], adjacency: dict[str, set[str]]) -> list[set[str]]:
    """Contiguous pieces of about PIECE inhabitants, in breadth-first order over borders."""
    pieces, current, total, left = [], set(), 0, set(members)
    while left:
        queue = deque([min(left)])
        left.discard(queue[0])
        while queue:
            code = queue.popleft()
            current.add(code)
            total += pop.get(code, 0)
            if total >= PIECE:
                pieces.append(current)
                current, total = set(), 0
            for n in sorted(adjacency.get(code, ())):
                if n in left:
                    left.discard(n)
                    queue.append(n)
    if current:
        pieces.append(current)
    return pieces


def france_layer(catalog: Catalog) -> Layer:
    units = catalog.units
    communes = units[(units["level"] == "commune") & units.geometry.notna()]
    plm = {c for c in communes.index if c in catalog.children}  # Paris, Lyon, Marseille
    pop = {c: int(p) for c, p in units["population"].dropna().items()}
    dep_of = units["dep"].to_dict()
    groups: dict[str, set[str]] = {}
    for code, epci in zip(communes.index, communes["epci_code"].fillna("")):
        members = set(catalog.children[code]) if code in plm else {code}
        groups.setdefault(epci or code, set()).update(members)
    groups = _merge_small(groups, pop, dep_of, catalog.adjacency)
    pieces = []
    for key in sorted(groups):
        members = groups[key]
        if sum(pop.get(c, 0) for c in members) > SPLIT_ABOVE:
            pieces += _split_large(members, pop, catalog.adjacency)
        else:
            pieces.append(members)
    kept = [p for i, p in enumerate(pieces) if i % LEFT_OUT_EVERY]
    return Layer([Perimeter(f"Essai banc {i:04d}", codes) for i, codes in enumerate(kept, 1)])


def main() -> None:
    catalog = Catalog()
    catalog.adjacency  # built once per process; timed by core_bench
    paca = read_layer(catalog, PACA_LAYER.read_bytes(), PACA_LAYER.name) if PACA_LAYER.exists() else None
    if paca is None:
        print(f"PACA layer absent ({PACA_LAYER}): skipped")
    else:
        for run in ("first call (builds the catalog's lazy tables)", "again"):
            coverage, t = timed(lambda: analyse_layer(catalog, paca))
            f = coverage.figures
            print(f"PACA, whole région, {f.cpts} CPTS, {run}: {t * 1000:.0f} ms (target < 1 s); "
                  f"{f.communes_white} white communes, {len(coverage.of_kind('isolated'))} isolated groups")

    layer, t = timed(lambda: france_layer(catalog))
    print(f"building the all-France benchmark layer ({len(layer.perimeters)} invented perimeters "
          f"of real communes): {t:.2f} s")
    everywhere = Scope(regions=tuple(sorted(catalog.units["reg"].dropna().unique())))
    coverage, t = timed(lambda: analyse_layer(catalog, layer, everywhere))
    f = coverage.figures
    print(f"all France, {f.communes} communes, {f.cpts} perimeters: {t:.2f} s (target < 5 s); "
          f"{f.communes_white} white communes, {len(coverage.of_kind('isolated'))} isolated groups, "
          f"{len(coverage.findings)} findings")


if __name__ == "__main__":
    main()
