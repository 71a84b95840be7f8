"""Core figures: data load, France neighbour graph, checks of one perimeter and of a
~100-perimeter layer, against the naive way (geopandas overlay of every pair).

The layer is made of real EPCIs of Occitanie taken as perimeters: real contours and real
neighbourhoods, not real CPTS (a benchmark input only)."""

from __future__ import annotations

import time

import geopandas as gpd

from geo import units as units_module
from geo.catalog import Catalog
from geo.checks import Checker, check_perimeter
from geo.neighbours import neighbour_pairs
from geo.perimeter import Perimeter


def timed(fn, repeat: int = 1):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return result, best


def epci_layer(catalog: Catalog, reg: str, count: int) -> list[Perimeter]:
    communes = catalog.units[(catalog.units["level"] == "commune") & (catalog.units["reg"] == reg)]
    groups = communes.groupby("epci_name")["code"].agg(list)
    return [Perimeter(name, codes) for name, codes in list(groups.items())[:count]]


def main() -> None:
    units_module.load_communes.cache_clear()
    units, t = timed(units_module.load_communes)
    print(f"load embedded communes ({len(units)} units): {t * 1000:.0f} ms")
    with_contour = units[units.geometry.notna()].reset_index(drop=True)
    pairs, t = timed(lambda: neighbour_pairs(with_contour))
    print(f"neighbour graph, all France ({len(pairs)} borders): {t:.2f} s (built once, stored in data/)")
    catalog = Catalog()
    _, t = timed(lambda: catalog.adjacency)
    print(f"adjacency from the stored graph: {t * 1000:.0f} ms (once per process)")
    earlier, t = timed(lambda: catalog.with_vintage(2020))
    print(f"another vintage of the populations (2020), graph shared: {t * 1000:.0f} ms (once per vintage)")

    tarn = epci_layer(catalog, "76", 200)
    carmausin = next(p for p in tarn if "Carmausin" in p.name)
    others = [p for p in tarn if p is not carmausin and
              catalog.units.loc[sorted(p.codes), "dep"].eq("81").any()]
    report, t = timed(lambda: check_perimeter(catalog, carmausin, others), repeat=5)
    print(f"checks of one perimeter against the {len(others)} other EPCIs of its département: "
          f"{t * 1000:.0f} ms ({len(report.findings)} findings)")

    layer = epci_layer(catalog, "76", 100)

    def ours():
        checker = Checker(catalog, layer)
        return [checker.check(p) for p in layer]

    reports, t_ours = timed(ours, repeat=3)
    overlaps = sum(f.kind == "overlap" for r in reports for f in r.findings)
    print(f"checks of every perimeter of a {len(layer)}-perimeter layer: {t_ours * 1000:.0f} ms "
          f"({overlaps} overlap findings)")

    frame = gpd.GeoDataFrame(
        {"name": [p.name for p in layer]},
        geometry=[catalog.units.loc[sorted(p.codes)].geometry.union_all() for p in layer],
        crs=4326).to_crs(2154)

    def naive_every_pair():
        found = 0
        for i in range(len(frame)):
            for j in range(i + 1, len(frame)):
                pair = gpd.overlay(frame.iloc[[i]], frame.iloc[[j]], how="intersection",
                                   keep_geom_type=True)
                found += int((pair.area > 10_000).sum())
        return found

    found, t_naive = timed(naive_every_pair)
    print(f"naive: geopandas overlay of every pair ({len(frame) * (len(frame) - 1) // 2} overlays, "
          f"perimeters already dissolved): {t_naive:.1f} s ({found} overlaps above 1 ha), overlaps only")
    print(f"ratio naive / ours: {t_naive / t_ours:.0f}x")
    _, t_one = timed(lambda: gpd.overlay(frame, frame, how="intersection", keep_geom_type=True))
    print(f"for reference, one vectorised self-overlay of the layer: {t_one * 1000:.0f} ms "
          f"({t_one / t_ours:.1f}x ours), still without isolation or contiguity checks")

if __name__ == "__main__":
    main()
