"""Embedded health and social indicators (data/indicateurs_communes.parquet), checked
against independent pandas computations on the real files of ../shared/data."""

import json
from pathlib import Path

import pandas as pd
import pytest

from formats.indicator_files import IndicatorImportError, read_apl
from indicators.aggregate import Aggregator
from indicators.embedded import (
    AGE_75,
    APL_2022,
    APL_2023,
    APL_INDICATOR,
    SHARE_75_INDICATOR,
    embedded_dataset,
)
from tests.conftest import shared_file

ROOT = Path(__file__).resolve().parents[1]
APL_FILE = "drees_apl_medecins_generalistes_2022_2023.xlsx"
SOCIAL_FILE = "communes_part75p_2022_fedi2021_monoparentales_2022.csv"


@pytest.fixture(scope="module")
def workbook():
    """Each APL sheet of the DREES workbook, read with pandas alone: header on row 9, a row of
    units under it, then one row per commune or arrondissement."""
    path = shared_file(APL_FILE)
    sheets = {}
    for year in (2022, 2023):
        frame = pd.read_excel(path, sheet_name=f"APL {year}", header=8, dtype={"Code commune INSEE": str},
                              engine="openpyxl").iloc[1:]
        weight = next(c for c in frame.columns if c.startswith("Population standardisée"))
        sheets[year] = pd.DataFrame({"code": frame["Code commune INSEE"],
                                     "apl": pd.to_numeric(frame["APL aux médecins généralistes"]),
                                     "weight": pd.to_numeric(frame[weight])}).dropna(subset=["code"])
    return sheets


def weighted(frame: pd.DataFrame) -> float:
    return float((frame["apl"] * frame["weight"]).sum() / frame["weight"].sum())


@pytest.mark.parametrize("year,dataset_id", [(2022, APL_2022), (2023, APL_2023)])
def test_apl_of_carmausin_and_of_the_tarn_match_pandas_on_the_workbook(catalog, carmausin, workbook,
                                                                      year, dataset_id):
    sheet = workbook[year]
    comparison = Aggregator(catalog, embedded_dataset(dataset_id)).compare(
        APL_INDICATOR, carmausin.sorted_codes(), carmausin.name)
    ours = sheet[sheet["code"].isin(carmausin.codes)]
    assert len(ours) == 32
    assert comparison.perimeter.value == pytest.approx(weighted(ours), rel=1e-6)
    assert comparison.perimeter.coverage == 1.0
    tarn = next(d for d in comparison.departements if d.code == "81")
    assert tarn.value == pytest.approx(weighted(sheet[sheet["code"].str.startswith("81")]), rel=1e-6)
    occitanie_deps = ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")
    region = sheet[sheet["code"].str[:2].isin(occitanie_deps)]
    assert comparison.regions[0].value == pytest.approx(weighted(region), rel=1e-6)
    assert comparison.france.value == pytest.approx(weighted(sheet), rel=1e-6)


def test_spot_checks_of_the_workbook_are_kept(catalog):
    table = embedded_dataset(APL_2023).table
    assert table.at["66136", "apl_mg_2023"] == pytest.approx(4.826, abs=1e-3)
    assert embedded_dataset(APL_2022).table.at["81060", "apl_mg_2022"] == pytest.approx(2.646, abs=1e-3)


def test_share_of_75_plus_is_reaggregated_through_counts(catalog, carmausin):
    """Counts rebuilt as share x population municipale 2022 (the same census, read here from
    the npm package 4.1.0), summed, over the summed population; not a mean of shares."""
    shares = pd.read_csv(shared_file(SOCIAL_FILE), dtype={"code_commune": str}).set_index("code_commune")
    package = ROOT / "data" / "npm" / "node_modules" / "decoupage-2022" / "data" / "communes.json"
    if not package.exists():
        pytest.skip("make data-sources installs the npm packages")
    people = pd.DataFrame(json.loads(package.read_text()))
    people = people[people["type"] == "commune-actuelle"].set_index("code")["population"]
    codes = carmausin.sorted_codes()
    count = (shares.loc[codes, "part_75ans_plus_2022_pct"] / 100 * people[codes]).sum()
    expected = 100 * count / people[codes].sum()
    mean_of_shares = shares.loc[codes, "part_75ans_plus_2022_pct"].mean()
    comparison = Aggregator(catalog, embedded_dataset(AGE_75)).compare(SHARE_75_INDICATOR, codes)
    assert comparison.perimeter.value == pytest.approx(expected, rel=1e-5)
    assert abs(expected - mean_of_shares) > 0.1  # the two rules differ here: the test can tell
    assert shares.at["66136", "part_75ans_plus_2022_pct"] == 11.6  # SOURCES.md's spot check


def test_a_commune_without_a_value_is_unknown_not_zero(catalog):
    """01187 merged since the file's geography: no share (see data/indicateurs_communes.json)."""
    dataset = embedded_dataset(AGE_75)
    assert "01187" not in dataset.table.index and "01001" in dataset.table.index
    result = Aggregator(catalog, dataset).aggregate(SHARE_75_INDICATOR, ["01001", "01187"])
    alone = Aggregator(catalog, dataset).aggregate(SHARE_75_INDICATOR, ["01001"])
    assert result.value == pytest.approx(alone.value) and result.n_with_data == 1
    population = catalog.units["population"]
    assert result.coverage == pytest.approx(population["01001"] / (population["01001"] + population["01187"]))


def test_a_workbook_of_the_wrong_layout_gets_a_french_message(tmp_path):
    """A sheet named like the DREES one whose header lacks the code column."""
    path = tmp_path / "apl_infirmiers.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Code INSEE": ["81060"], "APL aux infirmiers": [80.0]}).to_excel(
            writer, sheet_name="APL 2023", index=False)
    with pytest.raises(IndicatorImportError, match="Code commune INSEE"):
        read_apl(path)
