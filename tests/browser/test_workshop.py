"""The workshop as a room uses it: the share link and its QR code carry an address the
room's phones can reach, and say so when the only address known is the facilitator's own."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.clipping import clipped
from tests.browser.conftest import offline_page

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
ROOM_URL = "http://192.0.2.50:8501"


def open_carmausin(page, url: str) -> None:
    page.goto(url)
    expect(page.locator('iframe[title="streamlit_folium.st_folium"]')).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="CPTS du Carmausin-Ségala (Tarn)").click()
    communes = page.get_by_test_id("stMetric").filter(has_text="Communes").get_by_test_id("stMetricValue")
    expect(communes).not_to_have_text("0", timeout=60_000)


def share_link_text(page) -> str:
    code = page.get_by_test_id("stCode").filter(has_text="?p=")
    expect(code).to_be_visible(timeout=20_000)
    return code.inner_text().strip()


def test_share_link_warns_on_loopback_then_uses_the_room_address(streamlit_server, page, artifacts_dir):
    """The test server listens on 127.0.0.1 only: no address a phone can reach is known,
    so the builder's share link warns; the facilitator then types the room's address on
    the workshop page and the link and QR code carry it."""
    page.set_viewport_size({"width": 1600, "height": 1100})
    open_carmausin(page, streamlit_server("app.py", instance="share"))
    link = share_link_text(page)  # the builder shows the share link too
    assert urlsplit(link).hostname in LOOPBACK
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="téléphones")).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_text("Atelier").click()
    expect(page.get_by_test_id("stImage").locator("img")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="téléphones")).to_be_visible()
    field = page.get_by_role("textbox", name="Adresse de l'application pour la salle")
    field.fill(ROOM_URL)
    field.press("Enter")
    expect(page.get_by_test_id("stCode").filter(has_text=ROOM_URL)).to_be_visible(timeout=20_000)
    link = share_link_text(page)
    assert urlsplit(link).hostname not in LOOPBACK
    assert link.startswith(f"{ROOM_URL}/?p=")
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="téléphones")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "workshop_room_address.png", full_page=True)


def metric_value(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_workshop_fits_a_projector_and_frames_the_perimeter(streamlit_server, page, artifacts_dir):
    """On a 1366×768 projector the map (framed on the perimeter) and the key figures show
    together without scrolling; « Voir tout le territoire » goes back to the territory; at
    1920×1080 the QR code is on screen too."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_carmausin(page, streamlit_server("app.py", instance="share"))
    page.get_by_test_id("stSidebarNav").get_by_text("Atelier").click()
    expect(metric_value(page, "Communes")).to_have_text("32", timeout=30_000)
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]')
    expect(iframe).to_be_visible(timeout=30_000)
    for item in (iframe, metric_value(page, "Population"), metric_value(page, "Taille")):
        expect(item).to_be_in_viewport(ratio=1)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    zoomed = frame.locator(".leaflet-container").evaluate("m => m.getBoundingClientRect().width")
    # The perimeter's outline (drawn over the units, takes no clicks: the units under it do).
    perimeter = frame.locator("path[stroke='#0050a0'][fill='none']").first
    expect(perimeter).to_be_attached(timeout=20_000)
    framed = perimeter.evaluate("p => p.getBoundingClientRect().width")
    assert framed > zoomed * 0.3  # the perimeter fills the map, not a corner of the Tarn
    page.screenshot(path=artifacts_dir / "workshop_1366x768.png")

    page.get_by_role("button", name="Voir tout le territoire").click()
    expect(page.get_by_role("button", name="Zoomer sur le périmètre")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)
    assert perimeter.evaluate("p => p.getBoundingClientRect().width") < framed * 0.6

    page.set_viewport_size({"width": 1920, "height": 1080})
    qr = page.get_by_test_id("stImage").locator("img")
    expect(qr).to_be_in_viewport(ratio=1)
    page.screenshot(path=artifacts_dir / "workshop_1920x1080.png")


IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.fixture
def phone(browser):
    """A 390×844 phone, offline like the `page` fixture."""
    phone = offline_page(browser, viewport={"width": 390, "height": 844}, user_agent=IPHONE_UA,
                         is_mobile=True, has_touch=True)
    yield phone
    phone.context.close()
    assert phone.blocked_urls == []


def test_the_share_link_opens_a_compact_view_on_a_phone(streamlit_server, page, phone, artifacts_dir):
    base = streamlit_server("app.py", instance="share")
    page.set_viewport_size({"width": 1600, "height": 1100})
    open_carmausin(page, base)
    query = urlsplit(share_link_text(page)).query

    phone.goto(f"{base}/?{query}")
    population = metric_value(phone, "Population")
    expect(population).to_be_visible(timeout=60_000)
    expect(population).to_be_in_viewport(ratio=1)
    expect(metric_value(phone, "Taille")).to_be_in_viewport(ratio=1)
    iframe = phone.locator('iframe[title="streamlit_folium.st_folium"]')
    expect(iframe).to_be_visible(timeout=30_000)
    # Figures first, then the map; nothing to edit, no sidebar over the page.
    assert iframe.bounding_box()["y"] > population.bounding_box()["y"]
    expect(phone.get_by_role("textbox", name="Nom du périmètre")).to_have_count(0)
    expect(phone.get_by_test_id("stSidebar")).not_to_be_in_viewport()
    expect(phone.frame_locator('iframe[title="streamlit_folium.st_folium"]')
           .locator(".leaflet-draw")).to_have_count(0)
    phone.wait_for_timeout(1000)
    phone.screenshot(path=artifacts_dir / "phone_share_link.png")
    assert clipped(phone) == []
    phone.get_by_role("button", name="Ouvrir dans le constructeur complet").click()
    expect(phone.get_by_role("textbox", name="Nom du périmètre")).to_have_value(
        "CPTS du Carmausin-Ségala", timeout=30_000)


def test_follow_live_sees_each_change_then_the_end(streamlit_server, page, phone, artifacts_dir):
    base = streamlit_server("app.py", instance="share")
    page.set_viewport_size({"width": 1600, "height": 1000})
    open_carmausin(page, base)
    page.get_by_test_id("stSidebarNav").get_by_text("Atelier").click()
    page.get_by_role("button", name="Diffuser en direct").click()
    live = page.get_by_test_id("stCode").filter(has_text="?suivre=")
    expect(live).to_be_visible(timeout=20_000)
    follow = urlsplit(live.inner_text().strip())

    phone.goto(f"{base}/?{follow.query}")
    communes = phone.get_by_test_id("stCaptionContainer").filter(has_text="commune(s)")
    expect(communes).to_contain_text("32 commune(s)", timeout=60_000)
    # The facilitator undoes the example: the followers see the perimeter empty.
    page.get_by_role("button", name="↶ Annuler").click()
    expect(page.get_by_text("Périmètre vide")).to_be_visible(timeout=20_000)
    expect(phone.get_by_text("Le périmètre est vide pour l'instant")).to_be_visible(timeout=6_000)
    expect(phone.get_by_role("textbox")).to_have_count(0)  # read-only

    page.get_by_role("button", name="Arrêter la diffusion").click()
    expect(phone.get_by_text("La session en direct est terminée")).to_be_visible(timeout=6_000)
    phone.screenshot(path=artifacts_dir / "phone_live_ended.png")
