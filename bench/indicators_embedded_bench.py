"""The embedded indicators: what the builder's first « Santé et âge » panel costs (the two
datasets read and their département, région and France totals prepared, once per server
process and vintage), then each perimeter after."""

from __future__ import annotations

import time

from geo.catalog import Catalog
from geo.examples import carmausin_segala
from indicators.aggregate import Aggregator
from indicators.embedded import (
    AGE_75,
    APL_2023,
    APL_INDICATOR,
    SHARE_75_INDICATOR,
    embedded_dataset,
)

SHOWN = ((APL_2023, APL_INDICATOR), (AGE_75, SHARE_75_INDICATOR))


def main() -> None:
    catalog = Catalog()
    perimeter = carmausin_segala(catalog)
    codes = perimeter.sorted_codes()
    start = time.perf_counter()
    aggregators = [(Aggregator(catalog, embedded_dataset(d)), i) for d, i in SHOWN]
    prepared = time.perf_counter() - start
    start = time.perf_counter()
    for aggregator, indicator in aggregators:
        aggregator.compare(indicator, codes, perimeter.name)
    compared = time.perf_counter() - start
    print(f"first health panel: datasets read and references prepared {prepared * 1000:.0f} ms, "
          f"then {compared * 1000:.0f} ms per perimeter (Carmausin-Ségala)")
