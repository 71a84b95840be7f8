"""The page « Diagnostic territorial » and the indicator sections of the page « Données »,
headless (Streamlit's AppTest).

Expected figures are computed here with plain pandas: on the embedded communes' columns
(population, area, département, région) for the key figures, and on the real SIRENE file
of ../shared/data (SOURCES.md, section 3; merged communes mapped with
data/code_successors.csv) for the indicator, never read back from the code under test.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from formats.indicator_files import read_insee_population, read_table
from indicators.definitions import Indicator
from store.datasets import list_datasets, save_dataset
from tests.conftest import shared_file
from ui import navigation

ROOT = Path(__file__).resolve().parents[1]
DIAGNOSIS = navigation.DIAGNOSIS.script
DATA = navigation.DATA.script
SIRENE = "sirene_etab_sante_communes_2019_16dep.csv"
LABEL = "Établissements de médecine générale"


def fr(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(elements) -> str:
    """The elements' text without markdown escapes and bold marks, as a reader sees it."""
    return "\n".join(re.sub(r"\\(.)", r"\1", e.value.replace("**", "")) for e in elements)


@pytest.fixture
def app(workspace):
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    return at


def open_page(at, page: str, perimeter=None):
    if perimeter is not None:
        at.session_state["perimeter"] = perimeter
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def sirene_frame() -> pd.DataFrame:
    """The SIRENE counts, obsolete commune codes replaced by their current commune."""
    frame = pd.read_csv(shared_file(SIRENE), dtype={"code_commune": str, "dep": str})
    successors = pd.read_csv(ROOT / "data" / "code_successors.csv", dtype=str)
    current = dict(zip(successors["old_code"], successors["current_code"], strict=True))
    frame["code"] = frame["code_commune"].map(lambda c: current.get(c, c))
    return frame


@pytest.fixture(scope="module")
def communes(catalog) -> pd.DataFrame:
    units = catalog.units
    return pd.DataFrame(units.loc[units["level"] == "commune",
                                  ["name", "dep", "reg", "population", "area_km2"]])


# --- the diagnosis page ------------------------------------------------------------------

def test_empty_perimeter_points_to_the_builder(app):
    at = open_page(app, DIAGNOSIS)
    message = texts(at.info)
    assert "Construire un périmètre" in message and "CPTS du Carmausin-Ségala (Tarn)" in message
    assert not at.metric


def test_carmausin_key_figures_without_datasets(app, carmausin, communes):
    at = open_page(app, DIAGNOSIS, carmausin)
    rows = communes.loc[sorted(carmausin.codes)]
    population = int(rows["population"].sum())
    area = float(rows["area_km2"].sum())
    density = rows["population"].astype(float) / rows["area_km2"]
    main = rows["population"].astype(float).idxmax()
    assert metric(at, "Population") == f"{fr(population)} hab."
    assert metric(at, "Superficie") == f"{fr(area)} km²"
    assert metric(at, "Densité") == f"{fr(population / area, 1)} hab./km²"
    captions = texts(at.caption)
    assert f"de {fr(density.min(), 1)} à {fr(density.max(), 1)} hab./km² selon la commune" in captions
    assert metric(at, "Communes") == str(len(rows))
    assert metric(at, "Commune principale") == rows.at[main, "name"]
    assert f"{fr(100 * rows.at[main, 'population'] / population, 1)} % de la population" in captions
    assert "Aucun jeu d'indicateurs chargé" in texts(at.info)


def test_saved_dataset_shows_indicator_and_references(app, workspace, carmausin, communes, sirene_frame):
    indicator = Indicator("generaliste", LABEL, "établissements", "INSEE, SIRENE", 2019, "sum",
                          "generaliste", decimals=0)
    save_dataset(read_table(shared_file(SIRENE), "code_commune", [indicator], title="SIRENE santé 2019",
                            publisher="INSEE", vintage=2019), workspace)
    at = open_page(app, DIAGNOSIS, carmausin)

    codes = sorted(carmausin.codes)
    counts = sirene_frame.groupby("code")["generaliste"].sum()
    present = [c for c in codes if c in counts.index]
    value = counts[present].sum()
    population = communes.loc[codes, "population"].astype(float)
    covered = population[present].sum()
    assert metric(at, LABEL) == f"{fr(value)} établissements"
    captions = texts(at.caption)
    assert f"Calculé sur {fr(100 * covered / population.sum())} % de la population du périmètre" in captions
    assert f"{len(present)} unités sur {len(codes)}" in captions
    assert f"soit {fr(value / covered * 10_000, 1)} pour 10 000 hab." in captions

    table = at.dataframe[-1].value.set_index("Indicateur")
    frame = sirene_frame.assign(reg=communes["reg"].reindex(sirene_frame["code"]).to_numpy())
    assert table.at[LABEL, carmausin.name] == value
    # A reference computed from part of its population says so in its column's name.
    row = table.loc[LABEL].dropna()
    place = lambda name: next(c for c in row.index if c == name or c.startswith(f"{name} "))  # noqa: E731
    assert row[place("Tarn")] == frame.loc[frame["dep"] == "81", "generaliste"].sum()
    assert row[place("Occitanie")] == frame.loc[frame["reg"] == "76", "generaliste"].sum()
    assert row[place("France")] == frame["generaliste"].sum()
    assert place("France").startswith("France — partiel (") and "France" not in row.index
    assert any(b.label.startswith("Télécharger le tableau") for b in at.get("download_button"))

    # The map's legend spans the communes' own values per 10,000 inhabitants; the
    # communes absent from the file are « pas de donnée », not 0.
    per_10k = counts[present] / population[present] * 10_000
    legend = next(m.value for m in at.markdown if "background:" in m.value)
    bounds = re.findall(r"de ([\d\u202f,]+) à ([\d\u202f,]+)", legend)
    assert bounds[0][0] == fr(per_10k.min(), 1) and bounds[-1][1] == fr(per_10k.max(), 1)
    assert ("pas de donnée" in legend) == (len(present) < len(codes))


def test_age_structure_from_an_insee_layout_file(app, workspace, tmp_path, carmausin):
    """INSEE's base-cc file is not available offline: one in its layout for the example's
    communes, with TEST VALUES (labelled so), and the expected shares from them."""
    codes = sorted(carmausin.codes)
    rows = pd.DataFrame({"CODGEO": codes, "LIBGEO": "VALEURS DE TEST"})
    bands = {"0014": 150, "1529": 120, "3044": 160, "4559": 200, "6074": 220}
    for suffix, base in bands.items():
        rows[f"P20_POP{suffix}"] = [base + 3 * i for i in range(len(codes))]
    rows["P20_POP75P"] = [90 + 7 * i for i in range(len(codes))]
    rows["P20_POP"] = rows[[f"P20_POP{s}" for s in [*bands, "75P"]]].sum(axis=1)
    rows["P20_POP0019"] = rows["P20_POP0014"] + 40
    rows["P20_POP65P"] = rows["P20_POP75P"] + 110
    path = tmp_path / "base-cc-evol-struct-pop-2020-test.csv"
    rows.to_csv(path, sep=";", index=False)
    save_dataset(read_insee_population(path), workspace)

    at = open_page(app, DIAGNOSIS, carmausin)
    total = rows["P20_POP"].sum()
    assert metric(at, "Part des 65 ans et plus") == f"{fr(100 * rows['P20_POP65P'].sum() / total, 1)} %"
    assert metric(at, "Part des 75 ans et plus") == f"{fr(100 * rows['P20_POP75P'].sum() / total, 1)} %"
    index = 100 * rows["P20_POP65P"].sum() / rows["P20_POP0019"].sum()
    assert metric(at, "Indice de vieillissement (65 ans et + pour 100 moins de 20 ans)") == f"{fr(index)} pour 100"
    assert "Structure par âge" in [h.value for h in at.subheader]
    assert "Calculé sur 100 % de la population du périmètre" in texts(at.caption)


# --- the « Données » page ------------------------------------------------------------------

def table_uploader(at):
    return next(u for u in at.get("file_uploader") if u.key and u.key.startswith("table_upload"))


def describe_and_import(at, column: str, label: str | None = None, code: str | None = None):
    if code:
        next(s for s in at.selectbox if s.label.startswith("Colonne des codes")).set_value(code).run()
    next(m for m in at.multiselect if m.label.startswith("Colonnes de valeurs")).set_value([column]).run()
    if label:
        next(t for t in at.text_input if t.label == "Libellé").input(label).run()
    next(b for b in at.button if b.label == "Importer").click().run()
    assert not at.exception, at.exception
    return at


def test_generic_import_errors_keep_what_was_loaded_then_remove(app, workspace, sirene_frame, communes):
    at = open_page(app, DATA)
    raw = shared_file(SIRENE).read_bytes()
    table_uploader(at).set_value((SIRENE, raw, "text/csv")).run()
    assert next(s for s in at.selectbox if s.label.startswith("Colonne des codes")).value == "code_commune"
    describe_and_import(at, "infirmiers", "Infirmiers et sages-femmes")

    saved = list_datasets(workspace)
    assert [i["column"] for i in saved[0]["indicators"]] == ["infirmiers"]
    assert f"importé : {fr(sirene_frame['code'].nunique())} communes" in texts(at.success)
    tarn = communes[communes["dep"] == "81"]
    share = tarn.loc[tarn.index.isin(sirene_frame["code"]), "population"].sum() / tarn["population"].sum()
    assert f"Couverture du territoire affiché (81 – Tarn) : {fr(100 * share)} %" in texts(at.markdown)
    remapped = sirene_frame.loc[sirene_frame["code"] != sirene_frame["code_commune"]]
    assert remapped.shape[0] and all(f"{o} → {n}" in texts(at.code)
                                     for o, n in zip(remapped["code_commune"], remapped["code"], strict=True))

    # Text where a number is expected (a test value written into a copy of the real file).
    frame = pd.read_csv(io.BytesIO(raw), dtype=str)
    frame.loc[3, "infirmiers"] = "valeur de test"
    table_uploader(at).set_value(("modifie.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    describe_and_import(at, "infirmiers")
    error = texts(at.error)
    assert "contient du texte" in error and "valeur de test" in error and "conservés" in error
    # A column without INSEE codes taken as the code column.
    describe_and_import(at, "ambulance", code="dep")
    assert "aucun code de commune" in texts(at.error)
    # A rate without its denominator.
    next(s for s in at.selectbox if s.label == "Agrégation").set_value("ratio").run()
    next(b for b in at.button if b.label == "Importer").click().run()
    assert "dénominateur" in texts(at.error)
    assert list_datasets(workspace) == saved

    next(b for b in at.button if b.label == "Retirer").click().run()
    assert not at.exception and list_datasets(workspace) == []


def test_wrong_sheet_and_too_big_file(app, workspace, monkeypatch, sirene_frame):
    at = open_page(app, DATA)
    book = io.BytesIO()
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame({"Notes": ["Feuille de notes (test)"]}).to_excel(writer, sheet_name="Notes", index=False)
        sirene_frame.drop(columns="code").to_excel(writer, sheet_name="Données", index=False)
    table_uploader(at).set_value(("sirene.xlsx", book.getvalue(), "application/octet-stream")).run()
    sheet = next(s for s in at.selectbox if s.label == "Feuille")
    assert sheet.value == "Données" and sheet.options == ["Notes", "Données"]
    sheet.set_value("Notes").run()
    assert "Aucun tableau lisible" in texts(at.warning)

    monkeypatch.setattr("formats.indicator_files.MAX_FILE_BYTES", 50_000)
    table_uploader(at).set_value((SIRENE, shared_file(SIRENE).read_bytes(), "text/csv")).run()
    assert "la limite est de" in texts(at.error) and "conservés" in texts(at.error)
    assert list_datasets(workspace) == []


def test_french_numbers_and_sentences(app, carmausin):
    """The EPCI share is a number with one decimal, in the reader's number format (a French
    browser writes « 93,5 », and the column still sorts by value); the Données page keeps
    the commas of its sentence (only the thousands get a narrow space)."""
    at = open_page(app, DIAGNOSIS, carmausin)
    table = next(d for d in at.dataframe if "Part des communes (%)" in d.value.columns)
    shares = table.value["Part des communes (%)"]
    assert len(shares) and (shares == shares.round(1)).all() and shares.between(0, 100).all()
    assert json.loads(table.proto.columns)["Part des communes (%)"]["type_config"]["format"] == "localized"
    at = open_page(at, DATA)
    sentence = next(m.value for m in at.markdown if "Code officiel géographique" in m.value)
    assert "(Paris, Lyon, Marseille), Code officiel géographique" in sentence
    assert re.search(r"\d\u202f\d{3} communes", sentence)


def test_diagnosis_opens_with_embedded_indicators_and_the_departement_context(app, carmausin):
    """No import: the APL, the 75+ share, F-EDI and single-parent families are there, with
    their sources, and the Tarn's INSEE Statistiques locales figures with their vintage."""
    at = open_page(app, DIAGNOSIS, carmausin)
    assert not at.exception
    labels = [m.label for m in at.metric]
    for label in ("APL aux médecins généralistes", "Part des 75 ans et plus",
                  "Indice de défavorisation F-EDI", "Part des familles monoparentales"):
        assert label in labels
    context = next(t for t in at.table if "Médecin généraliste (en nombre) 2024" in t.value.columns)
    export = pd.read_csv(shared_file("cartosante_bv/insee_statlocales_departements_sante_2024.csv"),
                         sep=";", skiprows=2, dtype={"Code": str}).set_index("Code")
    assert list(context.value.index) == ["81 – Tarn"]
    doctors = "Médecin généraliste (en nombre) 2024"
    assert context.value.iloc[0][doctors] == str(export.at["81", doctors])
    assert context.value.iloc[0]["Espérance de vie des femmes à la naissance 2024"] == "86,0"
    assert "Statistiques locales" in texts(at.caption)


def test_bad_exports_and_workbooks_are_refused_in_french_and_keep_what_was_loaded(app, workspace):
    """A CartoSanté table by bassin de vie, an export truncated mid-row and a workbook of
    another layout than DREES's: a French message each, and the dataset already saved stays."""
    indicator = Indicator("generaliste", LABEL, "établissements", "INSEE, SIRENE", 2019, "sum",
                          "generaliste", decimals=0)
    save_dataset(read_table(shared_file(SIRENE), "code_commune", [indicator], title="SIRENE santé 2019"),
                 workspace)
    saved = list_datasets(workspace)
    at = open_page(app, DATA)
    bassins = shared_file("cartosante_bv/cartosante_bv_sante_2023_2024.csv")
    table_uploader(at).set_value((bassins.name, bassins.read_bytes(), "text/csv")).run()
    error = texts(at.error)
    assert "par bassin de vie" in error and "pas par commune" in error and "conservés" in error

    export = shared_file("cartosante_bv/insee_statlocales_departements_sante_2024.csv").read_bytes()
    cut = export[: export.index(b"\n81;") + 12]
    table_uploader(at).set_value(("tronque.csv", cut, "text/csv")).run()
    assert "tronqué" in texts(at.error)

    book = io.BytesIO()
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        pd.DataFrame({"Code INSEE": ["81060"], "APL aux infirmiers": [80.0]}).to_excel(
            writer, sheet_name="APL 2023", index=False)
    apl = next(u for u in at.get("file_uploader") if u.key == "apl_upload")
    apl.set_value(("apl_autre_mise_en_page.xlsx", book.getvalue(), "application/octet-stream")).run()
    assert not at.exception
    assert "Code commune INSEE" in texts(at.error) and "APL non importé" in texts(at.error)
    assert list_datasets(workspace) == saved
