"""Figures and summary table of indicators (ui/indicator_figures.py), on real SIRENE counts.

The plotted numbers are checked against plain pandas computations on the source file;
the labels against the French writing the workshop screens need.
"""

import io

import openpyxl
import pandas as pd
import pytest

from formats.indicator_files import read_insee_population, read_table
from formats.spreadsheets import to_xlsx
from geo.units import load_successors
from indicators.aggregate import Aggregator
from indicators.definitions import Indicator
from tests.conftest import shared_file
from ui.indicator_figures import (
    HIGHLIGHT_COLOUR,
    age_structure_figure,
    comparison_figure,
    summary_table,
)


@pytest.fixture(scope="module")
def sirene_frame():
    frame = pd.read_csv(shared_file("sirene_etab_sante_communes_2019_16dep.csv"),
                        dtype={"code_commune": str, "dep": str})
    successors = load_successors()
    frame["code_commune"] = frame["code_commune"].map(lambda c: successors.get(c, c))
    # Derived from the real counts: GP establishments among GP and nursing ones.
    frame["generaliste_ou_infirmier"] = frame["generaliste"] + frame["infirmiers"]
    return frame


@pytest.fixture(scope="module")
def sirene(catalog, sirene_frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("sirene") / "sirene.csv"
    sirene_frame.to_csv(path, index=False)
    indicators = [
        Indicator("generaliste", "Établissements de médecine générale", "établissements",
                  "INSEE, SIRENE", 2019, "sum", "generaliste", decimals=0),
        Indicator("part_mg", "Part des généralistes parmi généralistes et infirmiers", "%",
                  "INSEE, SIRENE", 2019, "ratio", "generaliste", "generaliste_ou_infirmier", 100.0),
    ]
    dataset = read_table(path, "code_commune", indicators, absent_as_zero=True, title="SIRENE")
    return Aggregator(catalog, dataset)


@pytest.fixture(scope="module")
def codes(carmausin):
    return sorted(carmausin.codes)


def _french(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def test_count_figure_plots_per_10k_with_coverage(sirene, sirene_frame, catalog, codes):
    comparison = sirene.compare("generaliste", codes, "Carmausin-Ségala")
    figure = comparison_figure(comparison)
    bars = figure.data[0]
    population = catalog.units["population"].astype(float)
    count = sirene_frame.loc[sirene_frame["code_commune"].isin(codes), "generaliste"].sum()
    assert bars.x[0] == pytest.approx(count / population[codes].sum() * 10_000)
    tarn = catalog.units[(catalog.units["level"] == "commune") & (catalog.units["dep"] == "81")]
    tarn_count = sirene_frame.loc[sirene_frame["dep"] == "81", "generaliste"].sum()
    assert bars.x[1] == pytest.approx(tarn_count / population[tarn.index].sum() * 10_000)
    assert "Carmausin-Ségala" in bars.y[0] and "Tarn" in bars.y[1] and "Occitanie" in bars.y[2]
    assert "France — partiel" in bars.y[3]
    assert all("couverture" in label for label in bars.y[:2])
    assert "couverture 100 %" in bars.y[0]
    assert "périmètre −" in bars.text[1]  # fewer GP establishments than in the Tarn
    assert "pour 10 000 hab." in figure.layout.title.text
    assert f"nombre dans le périmètre : {int(count)}" in figure.layout.title.text
    assert figure.layout.font.size >= 18


def test_percentage_gap_is_in_points(sirene, sirene_frame, codes):
    figure = comparison_figure(sirene.compare("part_mg", codes, "Carmausin-Ségala"))
    rows = sirene_frame[sirene_frame["code_commune"].isin(codes)]
    tarn = sirene_frame[sirene_frame["dep"] == "81"]
    share = lambda f: f["generaliste"].sum() / f["generaliste_ou_infirmier"].sum() * 100  # noqa: E731
    gap = share(rows) - share(tarn)
    sign = "+" if gap > 0 else "−"
    assert figure.data[0].text[0] == _french(share(rows))
    assert figure.data[0].text[1] == f"{_french(share(tarn))}  (périmètre {sign}{_french(abs(gap))} pt)"


def test_no_data_is_written_not_drawn_as_zero(sirene):
    figure = comparison_figure(sirene.compare("generaliste", ["75056"], "Paris"))
    assert figure.data[0].text[0] == "pas de donnée"
    assert "couverture 0 %" in figure.data[0].y[0]


def test_age_structure_only_when_loaded(sirene, codes, catalog, tmp_path):
    assert age_structure_figure(sirene.compare_all(codes, "Carmausin-Ségala")) is None
    # base-cc layout with TEST VALUES for two Tarn communes.
    suffixes = ["", "0014", "1529", "3044", "4559", "6074", "75P", "0019", "2064", "65P"]
    values = {"81060": [1000, 140, 150, 170, 190, 200, 150, 180, 560, 260],
              "81004": [2000, 320, 420, 380, 330, 310, 240, 430, 1250, 380]}
    frame = pd.DataFrame([[code, "VALEURS DE TEST"] + v for code, v in values.items()],
                         columns=["CODGEO", "LIBGEO"] + [f"P20_POP{s}" for s in suffixes])
    path = tmp_path / "base-cc-evol-struct-pop-2020.csv"
    frame.to_csv(path, sep=";", index=False)
    ages = Aggregator(catalog, read_insee_population(path))
    comparisons = ages.compare_all(list(values), "test")
    figure = age_structure_figure(comparisons)
    bars = figure.data[0]
    assert list(bars.x) == ["0–14 ans", "15–29 ans", "30–44 ans", "45–59 ans", "60–74 ans",
                            "75 ans et +", "65 ans et +"]
    assert bars.y[5] == pytest.approx((150 + 240) / 3000 * 100)
    assert bars.y[6] == pytest.approx((260 + 380) / 3000 * 100)
    assert [c == HIGHLIGHT_COLOUR for c in bars.marker.color] == [False] * 5 + [True, True]
    # The test file covers a few Tarn communes: both references are partial, and said so.
    assert [trace.name.split(" — ")[0] for trace in figure.data[1:]] == ["Tarn", "France"]
    assert all("partiel" in trace.name for trace in figure.data[1:])
    index = round((260 + 380) / (180 + 430) * 100)
    assert f"indice de vieillissement : {index}" in figure.layout.title.text
    # The summary keeps the headline indicators; inhabitants are not counted per 10,000.
    assert list(summary_table(comparisons.values())["Indicateur"]) == [
        "Population", "Part des 65 ans et plus", "Part des 75 ans et plus",
        "Indice de vieillissement (65 ans et + pour 100 moins de 20 ans)"]


def test_summary_table_and_its_xlsx(sirene, codes):
    comparisons = sirene.compare_all(codes, "Carmausin-Ségala")
    table = summary_table(comparisons.values())
    # The SIRENE extract covers 16 départements: Occitanie in part, France in a small part.
    count = comparisons["generaliste"]
    occitanie, france = count.regions[0], count.france
    assert 0.5 <= occitanie.coverage < 1 and france.coverage < 0.5
    regional = f"Occitanie ({_french(100 * occitanie.coverage)} % de sa population)"
    national = f"France — partiel ({_french(100 * france.coverage)} % de sa population)"
    assert list(table.columns) == ["Indicateur", "Unité", "Carmausin-Ségala", "Tarn", regional,
                                   national, "Couverture du périmètre (%)", "Source"]
    assert list(table["Indicateur"]) == [
        "Établissements de médecine générale",
        "Établissements de médecine générale pour 10 000 hab.",
        "Part des généralistes parmi généralistes et infirmiers"]
    assert table.loc[0, "Carmausin-Ségala"] == count.perimeter.value
    assert table.loc[1, "Tarn"] == round(count.departements[0].per_10k, 1)
    assert table.loc[2, national] == round(comparisons["part_mg"].france.value, 1)
    assert table.loc[0, "Source"] == "INSEE, SIRENE, 2019"

    data = to_xlsx(table, "Indicateurs", notes=["Couverture : part de la population avec une valeur."])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(table.columns)
    assert rows[1][2] == table.loc[0, "Carmausin-Ségala"]
    assert "France" not in rows[0] and national in rows[0]  # the XLSX never says bare « France »
    assert rows[len(table) + 2][0].startswith("Couverture")


def test_names_from_files_are_not_markup_in_figures(catalog, carmausin):
    """Plotly renders a subset of HTML in labels: a CPTS name from a file is escaped."""
    from indicators.aggregate import Aggregator
    from indicators.definitions import Dataset, Indicator, Provenance
    from ui.indicator_figures import comparison_figure

    units = catalog.units[catalog.units["dep"] == "81"]
    table = pd.DataFrame({"code": units["code"], "pop": units["population"].astype(float)})
    dataset = Dataset("pop81", "Population", "commune", table,
                      (Indicator("pop", "Population", "hab.", "Insee 2017", 2017, "sum", "pop"),),
                      Provenance("INSEE", "embedded", 2017, "2026-01-01"))
    comparison = Aggregator(catalog, dataset).compare("pop", sorted(carmausin.codes), name="<b>CPTS</b>")
    labels = comparison_figure(comparison).data[0].y
    assert "&lt;b&gt;CPTS&lt;/b&gt;" in labels[0] and "<b>CPTS</b>" not in labels[0]
    assert "Insee 2017, 2017" not in comparison_figure(comparison).layout.title.text
