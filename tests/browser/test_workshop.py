"""The workshop as a room uses it: the share link and its QR code carry an address the
room's phones can reach, and say so when the only address known is the facilitator's own."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

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
