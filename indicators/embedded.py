"""Health and social indicators of every commune, embedded (data/indicateurs_communes.parquet,
built by data/build_indicators.py): available with no import, as datasets like imported ones.

Aggregation rules (the same for the perimeter and for its département, région and France):

- APL (DREES): mean of the communes' APL weighted by the workbook's standardised population
  (DREES's own rule for an APL over a territory).
- Share of people aged 75 or more (INSEE 2022): re-aggregated through counts. The file gives
  the share only; the count of a commune is rebuilt as share x population municipale 2022
  (the same census, embedded: data/populations.parquet), then sum of counts / sum of
  populations. Exact up to the share's rounding (0.1 point).
- F-EDI (Santé publique France 2021): an index, not a share: mean weighted by the population
  municipale 2021.
- Share of single-parent families (INSEE 2022): its denominator, the number of families, is
  not in the file; the mean is weighted by the population municipale 2022 instead, an
  approximation said in the indicator's source.

A commune without a value counts as without data (the coverage says so), never as zero.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache

import pandas as pd

from geo.units import DATA_DIR, load_populations
from indicators.definitions import Dataset, Indicator, Provenance

TABLE_FILE = DATA_DIR / "indicateurs_communes.parquet"
BUILT_ON = "2026-12-01"  # when data/build_indicators.py last ran (shown as the import date)
APL_2023, APL_2022 = "embedded-apl-mg-2023", "embedded-apl-mg-2022"
AGE_75, FEDI, SINGLE_PARENTS = "embedded-part-75p-2022", "embedded-fedi-2021", "embedded-monoparentales-2022"
APL_INDICATOR, SHARE_75_INDICATOR = "apl_mg", "part_75p"
APL_UNIT = "consultations/an/hab."


def _apl(year: int) -> tuple[dict, tuple[Indicator, ...]]:
    source = f"DREES, APL {year} (pondérée par la population standardisée {year - 2})"
    indicators = (
        Indicator(APL_INDICATOR, "APL aux médecins généralistes", APL_UNIT, source, year,
                  "weighted_mean", f"apl_mg_{year}", f"pop_std_{year}", decimals=2),
        Indicator("apl_mg_65", "APL aux médecins généralistes de moins de 65 ans", APL_UNIT, source,
                  year, "weighted_mean", f"apl_mg_65_{year}", f"pop_std_{year}", decimals=2),
    )
    return {"title": f"APL aux médecins généralistes (DREES, {year})", "publisher": "DREES",
            "file": "drees_apl_medecins_generalistes_2022_2023.xlsx", "vintage": year}, indicators


SOCIAL_FILE = "communes_part75p_2022_fedi2021_monoparentales_2022.csv"
SPECS = {
    APL_2023: _apl(2023),
    APL_2022: _apl(2022),
    AGE_75: ({"title": "Part des 75 ans et plus (INSEE, 2022)", "publisher": "INSEE",
              "file": SOCIAL_FILE, "vintage": 2022},
             (Indicator(SHARE_75_INDICATOR, "Part des 75 ans et plus", "%",
                        "INSEE, RP 2022 (effectifs = part x population municipale 2022)", 2022,
                        "ratio", "pop_75p_2022", "pop_2022", 100.0, 1),)),
    FEDI: ({"title": "Indice de défavorisation F-EDI (Santé publique France, 2021)",
            "publisher": "Santé publique France", "file": SOCIAL_FILE, "vintage": 2021},
           (Indicator("fedi", "Indice de défavorisation F-EDI", "indice",
                      "Santé publique France, F-EDI 2021 (moyenne pondérée par la population 2021)",
                      2021, "weighted_mean", "fedi_2021", "pop_2021", decimals=2),)),
    SINGLE_PARENTS: ({"title": "Part des familles monoparentales (INSEE, 2022)", "publisher": "INSEE",
                      "file": SOCIAL_FILE, "vintage": 2022},
                     (Indicator("part_monoparentales", "Part des familles monoparentales", "%",
                                "INSEE, RP 2022 (moyenne pondérée par la population 2022 : le "
                                "nombre de familles n'est pas dans le fichier)", 2022,
                                "weighted_mean", "part_monoparentales_2022", "pop_2022", decimals=1),)),
}


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    table = pd.read_parquet(TABLE_FILE).set_index("code").astype(float)
    populations = load_populations().reindex(table.index).astype(float)
    for year in (2021, 2022):
        table[f"pop_{year}"] = populations[year]
    table["pop_75p_2022"] = table["part_75p_2022"] / 100 * table["pop_2022"]
    return table


@cache
def embedded_dataset(dataset_id: str) -> Dataset:
    """One embedded dataset: the rows of the communes (or arrondissements) with a value."""
    meta, indicators = SPECS[dataset_id]
    columns = sorted({c for i in indicators for c in i.columns})
    table = _table()[columns]
    table = table[table[indicators[0].column].notna()]
    return Dataset(dataset_id, meta["title"], "commune", table, indicators,
                   Provenance(meta["publisher"], meta["file"], meta["vintage"], BUILT_ON,
                              tuple(_build_notes().get(meta["file"], ()))))


def _build_notes() -> dict:
    return json.loads(TABLE_FILE.with_suffix(".json").read_text()).get("notes", {})


def embedded_ids() -> tuple[str, ...]:
    return tuple(SPECS)
