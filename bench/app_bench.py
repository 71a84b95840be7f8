"""The builder's server side: a click (toggle a unit) to updated panels, and the size of
the map payload for a département and a région."""

from __future__ import annotations

import gzip
import json
import time

from geo.catalog import Catalog
from geo.checks import check_perimeter
from geo.examples import carmausin_segala
from indicators.basics import summary
from reports.lettre import lettre_table
from ui.map import perimeter_group, territory_geojson, territory_units
from ui.perimeter_figures import population_by_commune, taille_gauge


def click_to_panels(catalog: Catalog, perimeter, neighbours) -> float:
    """Everything the page recomputes after a click, minus Streamlit's own rendering."""
    start = time.perf_counter()
    report = check_perimeter(catalog, perimeter, neighbours)
    table = lettre_table(catalog, perimeter)
    summary(catalog.units, report)
    taille_gauge(report.figures.population)
    population_by_commune(table.rename(columns={"Commune / quartier": "label", "Population": "population"}))
    from geo.perimeter import geometry_of

    perimeter_group(geometry_of(catalog, perimeter), report.findings)
    return time.perf_counter() - start


def main() -> None:
    catalog = Catalog()
    catalog.adjacency  # noqa: B018 - built once at app start
    carmausin = carmausin_segala(catalog)
    units = catalog.units
    tarn = units[(units["dep"] == "81") & (units["level"] == "commune")]
    neighbours = [type(carmausin)(name, set(g["code"])) for name, g in tarn.groupby("epci_name")
                  if "Carmausin" not in name]
    times = []
    for code in ["81060", "81004", "81065", "81048", "81060"]:
        times.append(click_to_panels(catalog, carmausin.toggled(code), neighbours))
    print(f"click -> updated panels (checks against {len(neighbours)} EPCIs of the Tarn, table, "
          f"figures, map layer), server compute: median {sorted(times)[2] * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms")
    for label, deps in [("département 81", ("81",)),
                        ("région Occitanie (13 départements)",
                         tuple(sorted(units.loc[units["reg"] == "76", "dep"].unique())))]:
        start = time.perf_counter()
        payload = json.dumps(territory_geojson(territory_units(catalog, deps, ())), separators=(",", ":"))
        print(f"map payload, {label}: {len(payload) / 1e6:.2f} MB ({len(gzip.compress(payload.encode())) / 1e6:.2f} MB "
              f"as sent, gzip), built in {(time.perf_counter() - start) * 1000:.0f} ms (once per territory)")


if __name__ == "__main__":
    main()
