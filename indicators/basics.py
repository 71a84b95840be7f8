"""The figures every perimeter has from the embedded data alone: population and Taille,
area, density and its spread across communes, composition, and the share of each EPCI
the perimeter covers (a CPTS usually follows EPCIs; a partly covered one needs a word).
"""

from __future__ import annotations

import pandas as pd

from geo.checks import Report


def epci_shares(units: pd.DataFrame, report: Report) -> pd.DataFrame:
    """Per EPCI touched: communes in the perimeter over the EPCI's communes (whole communes
    only count; a commune partly in by IRIS counts as partial)."""
    rows = units.loc[sorted(report.leaves)]
    communes_in = rows.groupby("commune_code").size()
    whole = {c for c, n in communes_in.items() if n == len(_parts(units, c, rows))}
    touched = units[(units["level"] == "commune") & units["epci_code"].isin(rows["epci_code"].dropna())]
    out = touched.groupby(["epci_code", "epci_name"]).agg(
        communes_epci=("code", "size"),
        communes_in=("code", lambda s: int(s.isin(whole).sum())),
        partial=("code", lambda s: int((s.isin(communes_in.index) & ~s.isin(whole)).sum())),
    ).reset_index()
    out["share_pct"] = (100 * out["communes_in"] / out["communes_epci"]).round(1)
    return out.sort_values("share_pct", ascending=False).reset_index(drop=True)


def _parts(units: pd.DataFrame, commune: str, rows: pd.DataFrame) -> pd.Index:
    level = rows.loc[rows["commune_code"] == commune, "level"]
    if (level == "commune").all():
        return pd.Index([commune])
    return units.index[(units["commune_code"] == commune) & (units["level"] == level.iloc[0])]


def density_spread(units: pd.DataFrame, report: Report) -> pd.Series:
    """Inhabitants per km² of each commune of the perimeter (whole communes), by name."""
    rows = units.loc[sorted(report.leaves)]
    rows = rows[rows["level"] == "commune"]
    return (rows["population"].astype("float") / rows["area_km2"]).rename(rows["name"].to_dict()).dropna()


def summary(units: pd.DataFrame, report: Report) -> dict:
    """The headline figures, as plain values (for the panels, the CLI and JSON)."""
    f = report.figures
    pop = f.population
    rows = units.loc[sorted(report.leaves)]
    main = rows.sort_values("population", ascending=False, na_position="last").head(1)
    main_share = (float(main["population"].iloc[0]) / pop.value * 100
                  if pop.exact and pop.value and len(main) and pd.notna(main["population"].iloc[0]) else None)
    spread = density_spread(units, report)
    return {
        "name": report.perimeter.name,
        "population": pop.value,
        "population_low": pop.low,
        "population_high": pop.high if pop.high >= 0 else None,
        "population_label": pop.label(),
        "population_vintages": list(pop.vintages),
        "taille": pop.taille_label(),
        "area_km2": f.area_km2,
        "density": None if f.density is None else round(f.density, 1),
        "density_min": None if spread.empty else round(float(spread.min()), 1),
        "density_max": None if spread.empty else round(float(spread.max()), 1),
        "communes": f.communes,
        "iris": f.iris,
        "units": f.units,
        "parts": f.parts,
        "main_unit": None if main.empty else str(main["name"].iloc[0]),
        "main_unit_share_pct": None if main_share is None else round(main_share, 1),
    }
