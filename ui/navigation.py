"""The app's pages: script, French title and URL path of each, in the order of the sidebar.

app.py declares them to st.navigation from this table; the links between pages
(st.switch_page, st.page_link) and the workshop's addresses use the same entries. The URL
paths are those the app had when its page files carried these titles (« /Données »,
« /Atelier »…): links and QR codes already printed keep opening their page, so never
change them (tests/browser/test_pages.py opens each one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    script: str    # relative to app.py
    title: str     # in the sidebar
    url_path: str  # "" for the home page: share links (?p=) and live links (?suivre=) open it


BUILDER = Page("pages/builder.py", "Construire un périmètre", "")
DIAGNOSIS = Page("pages/diagnosis.py", "Diagnostic territorial", "Diagnostic_territorial")
SCENARIOS = Page("pages/scenarios.py", "Scénarios", "Scénarios")
COMPARE_SCENARIOS = Page("pages/compare_scenarios.py", "Comparer les scénarios", "Comparer_les_scénarios")
COMPARE_CPTS = Page("pages/compare_cpts.py", "Comparer les CPTS", "Comparer_les_CPTS")
DATA = Page("pages/data.py", "Données", "Données")
WORKSHOP = Page("pages/workshop.py", "Atelier", "Atelier")
PAGES = (BUILDER, DIAGNOSIS, SCENARIOS, COMPARE_SCENARIOS, COMPARE_CPTS, DATA, WORKSHOP)
