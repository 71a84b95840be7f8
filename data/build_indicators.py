"""Build the embedded health and social indicators of every commune (`indicateurs_communes.parquet`)
from the real files of ../shared/data (see data/README.md for their provenance):

- DREES APL médecins généralistes 2022 and 2023: the original workbook, read with the app's
  own DREES importer (formats.indicator_files.read_apl: codes placed on the COG in force,
  merged communes averaged with the standardised population as weight);
- INSEE « Statistiques locales » export of the départements (2024): professionals, emergency
  departments, life expectancy, mortality (`departements_sante.csv`, the Diagnostic's context);
- INSEE share of people aged 75 or more (2022), Santé publique France F-EDI (2021), INSEE
  share of single-parent families (2022), by commune (Paris, Lyon, Marseille whole for the
  shares, by arrondissement for F-EDI).

Also the population 2016 of each habitat IRIS (`iris_population_2016.parquet`, INSEE
base-ic-evol-struct-pop 2016, six age bands summed), the key of the IRIS population estimate
(geo/catalog.py).

Only the values (and the APL's standardised population, its weight) are stored; the rules
and the other weights (populations légales) are in indicators/embedded.py.

Run: .venv/bin/python -m data.build_indicators [SHARED_DATA_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from formats.indicator_files import read_apl
from formats.statlocales import DEPARTEMENT_COLUMNS, DEPARTEMENTS_FILE, read_export
from geo.catalog import normalise_code
from geo.units import DATA_DIR, IRIS_POPULATION_FILE, load_communes, load_successors

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
APL_FILE = "drees_apl_medecins_generalistes_2022_2023.xlsx"
SOCIAL_FILE = "communes_part75p_2022_fedi2021_monoparentales_2022.csv"
IRIS_FILE = "insee_iris_habitat_pop_age_csp_2016_france.csv"
DEPARTEMENTS_EXPORT = "cartosante_bv/insee_statlocales_departements_sante_2024.csv"
OUT = DATA_DIR / "indicateurs_communes.parquet"
SOCIAL_COLUMNS = {"part_75ans_plus_2022_pct": "part_75p_2022", "fedi_2021": "fedi_2021",
                  "part_familles_monoparentales_2022_pct": "part_monoparentales_2022"}


def apl(path: Path, year: int) -> tuple[pd.DataFrame, list[str]]:
    dataset = read_apl(path, sheet=f"APL {year}")
    if not any(i.label == "APL aux médecins généralistes" for i in dataset.indicators):
        raise ValueError(f"{path.name}, APL {year}: not the DREES workbook of médecins généralistes")
    table = dataset.table.rename(columns={
        "apl-aux-medecins-generalistes": f"apl_mg_{year}",
        "apl-aux-medecins-generalistes-de-moins-de-65-ans": f"apl_mg_65_{year}",
        "population_standardisee": f"pop_std_{year}"})
    return table, list(dataset.provenance.warnings)


def social(path: Path) -> tuple[pd.DataFrame, list[str]]:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    codes = raw["code_commune"].map(normalise_code)
    successors, known = load_successors(), set(load_communes().index)
    current = codes.map(lambda c: c if c in known else successors.get(c))
    table = raw[list(SOCIAL_COLUMNS)].apply(pd.to_numeric, errors="coerce").rename(columns=SOCIAL_COLUMNS)
    notes = []
    if current.isna().any():
        notes.append(f"{int(current.isna().sum())} codes inconnus ignorés : "
                     + ", ".join(codes[current.isna()].tolist()[:20]))
    table.index = current
    table = table[table.index.notna()]
    # A commune merged since the file's geography has a share for each former part only:
    # without their counts it cannot be rebuilt, so it stays unknown (never one part's share).
    merged = table.index[table.index.duplicated()].unique()
    table = table[~table.index.duplicated(keep="first")]
    table.loc[merged] = float("nan")
    if len(merged):
        notes.append(f"{len(merged)} communes fusionnées depuis la géographie du fichier, sans "
                     "valeur (parts non recomposables sans effectifs) : " + ", ".join(merged[:20]))
    return table, notes


def iris_population_2016(path: Path) -> pd.DataFrame:
    """Population 2016 of each habitat IRIS: the sum of its six age bands (INSEE gives no
    total column; values are weighted, hence decimals)."""
    raw = pd.read_csv(path, dtype={"IRIS": str})
    bands = ["P16_POP0014", "P16_POP1529", "P16_POP3044", "P16_POP4559", "P16_POP6074", "P16_POP75P"]
    table = pd.DataFrame({"code": raw["IRIS"].str.zfill(9), "pop_2016": raw[bands].sum(axis=1)})
    assert table["code"].is_unique and (raw["TYP_IRIS"] == "H").all()
    return table.astype({"pop_2016": "float32"}).sort_values("code")


def departements(path: Path) -> pd.DataFrame:
    """The health context of the départements (INSEE Statistiques locales export, 2024)."""
    export = read_export(path.read_text(encoding="utf-8-sig"), path.name)
    assert export.level == "France par département" and len(export.table) == 101
    return export.table[["Libellé", *DEPARTEMENT_COLUMNS]]


def main(shared: Path = SHARED) -> None:
    departements(shared / DEPARTEMENTS_EXPORT).to_csv(DEPARTEMENTS_FILE)
    print(f"wrote {DEPARTEMENTS_FILE}")
    iris = iris_population_2016(shared / IRIS_FILE)
    iris.to_parquet(IRIS_POPULATION_FILE, compression="zstd", index=False)
    print(f"wrote {IRIS_POPULATION_FILE} ({IRIS_POPULATION_FILE.stat().st_size / 1e3:.0f} kB, {len(iris)} IRIS)")
    parts, notes = [], {}
    for year in (2022, 2023):
        table, warnings = apl(shared / APL_FILE, year)
        parts.append(table)
        notes[f"APL {year}"] = warnings
    table, warnings = social(shared / SOCIAL_FILE)
    parts.append(table)
    notes[SOCIAL_FILE] = warnings
    out = pd.concat(parts, axis=1).astype("float32").sort_index().rename_axis("code").reset_index()
    out.to_parquet(OUT, compression="zstd", index=False)
    OUT.with_suffix(".json").write_text(json.dumps(
        {"files": [APL_FILE, SOCIAL_FILE], "rows": len(out),
         "non_null": {c: int(out[c].notna().sum()) for c in out.columns if c != "code"},
         "notes": notes}, indent=1, ensure_ascii=False))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB, {len(out)} units)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED)
