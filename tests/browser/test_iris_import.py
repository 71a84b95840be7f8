"""IRIS level end to end: import the real IRIS contours on the « Données » page, then open
the Ruscino example (IRIS of Cabestany and Perpignan, whole communes) in the builder: one
estimated population and a Taille, without the INSEE IRIS population file."""

from playwright.sync_api import expect

from tests.browser.clipping import clipped
from tests.conftest import shared_file


def test_import_iris_then_open_ruscino(streamlit_server, page, artifacts_dir):
    contours = shared_file("iris_contours_2020_16dep.parquet")
    base = streamlit_server("app.py", instance="iris")
    page.set_viewport_size({"width": 1600, "height": 1100})
    page.goto(f"{base}/Données")
    expect(page.get_by_text("Aucun contour IRIS")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(contours)
    expect(page.get_by_text("IRIS chargés depuis")).to_be_visible(timeout=120_000)

    page.goto(base)
    page.get_by_role("button", name="CPTS Ruscino (IRIS, Perpignan)").click(timeout=60_000)
    metric = page.get_by_test_id("stMetric")
    expect(metric.filter(has_text="Communes").get_by_test_id("stMetricValue")).to_have_text(
        "4", timeout=60_000)
    # Without the INSEE IRIS file, Perpignan's IRIS are estimated from their 2016 share: one
    # population, labelled as an estimate with its method, and a Taille (issue 13).
    population = metric.filter(has_text="Population").get_by_test_id("stMetricValue")
    expect(population).to_contain_text("hab. (estimation)")
    expect(population).not_to_contain_text("entre")
    expect(page.get_by_text("IRIS en estimation : part de l'IRIS")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="Taille 2").first).to_be_visible()
    page.wait_for_timeout(1500)
    page.screenshot(path=artifacts_dir / "ruscino_iris.png", full_page=True)
    # At 1,440 px the range, the density and the statut are whole, not cut with « … ».
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(1000)
    assert clipped(page) == []
    page.screenshot(path=artifacts_dir / "ruscino_iris_1440.png", full_page=True)
