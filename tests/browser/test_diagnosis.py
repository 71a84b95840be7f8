"""The territorial diagnosis end to end, offline: import the real SIRENE table through the
« Données » page's generic import, open the Carmausin-Ségala example in the builder, then
read the indicator on the page « Diagnostic territorial ». The expected value is the plain
pandas sum of the file's rows for the example's communes (merged communes mapped with
data/code_successors.csv)."""

from pathlib import Path

import pandas as pd
from playwright.sync_api import expect

from tests.browser.clipping import clipped
from tests.conftest import shared_file

ROOT = Path(__file__).resolve().parents[2]
SIRENE = "sirene_etab_sante_communes_2019_16dep.csv"
LABEL = "Établissements de médecine générale"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def expected_count(codes) -> int:
    frame = pd.read_csv(shared_file(SIRENE), dtype={"code_commune": str})
    successors = pd.read_csv(ROOT / "data" / "code_successors.csv", dtype=str)
    current = dict(zip(successors["old_code"], successors["current_code"], strict=True))
    frame["code"] = frame["code_commune"].map(lambda c: current.get(c, c))
    return int(frame.loc[frame["code"].isin(codes), "generaliste"].sum())


def test_import_a_table_then_diagnose_carmausin(streamlit_server, page, artifacts_dir, carmausin):
    sirene = shared_file(SIRENE)
    base = streamlit_server("app.py", instance="diagnosis")
    page.set_viewport_size({"width": 1600, "height": 1100})

    page.goto(f"{base}/Données")
    expect(page.get_by_text("Aucun jeu d'indicateurs")).to_be_visible(timeout=60_000)
    # A page opened first after the start still gets the app's navigation (serve.py).
    expect(page.get_by_test_id("stSidebarNav")).to_contain_text("Construire un périmètre")
    page.get_by_role("tab", name="Autre tableau d'indicateurs").click()
    page.locator(".st-key-table_upload_0 input[type=file]").set_input_files(sirene)
    codes = page.get_by_role("combobox", name="Colonne des codes INSEE (commune ou IRIS)")
    expect(codes).to_have_value("code_commune", timeout=30_000)
    label = page.get_by_label("Libellé")
    # The value column: typed into the multiselect. Streamlit may still be swapping its
    # placeholder for the loaded widget, which drops what was typed: type again until the
    # column's form (its « Libellé ») shows.
    values = page.get_by_role("combobox", name="Colonnes de valeurs à importer")
    for _ in range(5):
        values.fill("generaliste")
        values.press("Enter")
        page.keyboard.press("Escape")
        try:
            expect(label).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            continue
    expect(label).to_have_value("generaliste", timeout=20_000)
    label.fill(LABEL)
    label.press("Enter")
    unit = page.get_by_label("Unité")
    unit.fill("établissements")
    unit.press("Enter")
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_test_id("stAlertContentSuccess").first).to_contain_text("importé", timeout=60_000)
    page.get_by_text("Jeux d'indicateurs").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "diagnosis_data_imported.png")

    page.goto(base)
    page.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click(timeout=60_000)
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).to_have_text("32", timeout=30_000)
    page.get_by_test_id("stSidebarNav").get_by_text("Diagnostic territorial").click()

    panel = page.get_by_test_id("stMetric").filter(has_text=LABEL)
    expect(panel.get_by_test_id("stMetricValue")).to_have_text(
        f"{expected_count(carmausin.codes)} établissements", timeout=60_000)
    expect(page.get_by_text("Calculé sur").first).to_be_visible()
    expect(page.locator(MAP_IFRAME)).to_be_visible(timeout=30_000)
    expect(page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").nth(31)).to_be_attached()
    page.wait_for_timeout(1500)  # let the figures and the map paint
    page.screenshot(path=artifacts_dir / "diagnosis_carmausin.png", full_page=True)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "diagnosis_carmausin_indicator.png")
    assert clipped(page) == []  # values and bar labels (gap to the references) whole
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts_dir / "diagnosis_carmausin_map.png")
    assert page.blocked_urls == []
