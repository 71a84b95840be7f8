"""The pages as the sidebar and old links reach them: each URL the app has produced
(page addresses such as /Données, share links /?p=…, live links /?suivre=…) still opens
its page, the sidebar lists each page once under its French title, and a deep link opened
first after the server starts gets the app's navigation (what serve.py's one private
setting is for: `test_without_serve_a_first_deep_link_is_page_not_found` shows why)."""

import os
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from store.share_links import encode
from tests.browser.conftest import REPO, _free_port, _healthy
from ui import navigation

# The heading each page opens with (the workshop shows the perimeter's name).
HEADINGS = {
    "": "Construire un périmètre de CPTS",
    "Diagnostic_territorial": "Diagnostic territorial",
    "Scénarios": "Scénarios enregistrés",
    "Comparer_les_scénarios": "Comparer les scénarios",
    "Comparer_les_CPTS": "Comparer les CPTS d'un territoire",
    "Données": "Données",
    "Atelier": "Mon projet de CPTS",
}
NOT_FOUND = "Page not found"  # Streamlit's dialog over a page it could not resolve
TITLES = ["Construire un périmètre", "Diagnostic territorial", "Scénarios", "Comparer les scénarios",
          "Comparer les CPTS", "Données", "Atelier"]


def sidebar_links(page, collapsed: bool = False) -> list[str]:
    if collapsed:  # the workshop starts with its sidebar closed
        page.get_by_role("button", name="Expand sidebar").click()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible(timeout=60_000)
    return [link.inner_text().strip() for link in nav.get_by_role("link").all()]


def test_every_old_url_opens_its_page_and_the_sidebar_lists_each_page_once(streamlit_server, page):
    base = streamlit_server("app.py", instance="pages")  # a fresh server: the first visit is a deep link
    assert sorted(p.url_path for p in navigation.PAGES) == sorted(HEADINGS)
    for path, heading in [("Données", "Données"), *HEADINGS.items()]:
        page.goto(f"{base}/{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
        expect(page.get_by_role("heading", name=NOT_FOUND)).to_have_count(0)
        assert sidebar_links(page, collapsed=path == "Atelier") == TITLES, path


def test_share_and_live_links_open_the_home_page(streamlit_server, page, catalog, carmausin):
    base = streamlit_server("app.py", instance="pages")
    page.goto(f"{base}/?p={encode(carmausin)}")
    expect(page.get_by_role("heading", name=HEADINGS[""])).to_be_visible(timeout=60_000)
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).to_have_text(str(len(carmausin.codes)), timeout=60_000)
    page.goto(f"{base}/?suivre=inconnu")
    expect(page.get_by_text("Aucune session en direct à cette adresse")).to_be_visible(timeout=60_000)


def test_without_serve_a_first_deep_link_is_page_not_found(tmp_path, page):
    """Plain `streamlit run app.py`: Streamlit sees a `pages/` folder beside app.py and runs
    the first session the old way (MPA v1: pages named after the files) until some run of
    app.py has called st.navigation. /Données is then no page of the files' navigation: the
    first visitor gets Streamlit's « Page not found » over the page. serve.py sets the flag
    that st.navigation sets before the server starts.
    If this test fails, Streamlit no longer does so: remove the setting from serve.py."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=REPO, env={**os.environ, "CPTS_WORKSPACE": str(tmp_path)},
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail((tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        page.goto(f"{url}/Données")
        expect(page.get_by_role("heading", name=NOT_FOUND)).to_be_visible(timeout=60_000)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
