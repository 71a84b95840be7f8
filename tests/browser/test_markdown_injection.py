"""Names from files and links are shown as text: a CPTS named like a Markdown image must
not make the viewer's browser fetch anything (the page fixture fails on any request off
this machine), nor an address in a name become a link. Before the names were escaped, each
of these views fetched 198.51.100.7; before addresses were broken (ui.text), each made the
address in the name a link."""

from playwright.sync_api import expect

from geo.perimeter import Perimeter
from store.share_links import QUERY_PARAM, encode
from ui.text import WORD_JOINER

IMAGE = "![x](http://198.51.100.7/{}.png)"
LINKS = "a[href*='198.51.100.7']"


def shown(name: str) -> str:
    """The name as the page shows it: the same characters, a word joiner after « http: »."""
    return name.replace("http:", "http:" + WORD_JOINER)


def test_image_names_in_findings_warnings_and_the_link_toast_fetch_nothing(streamlit_server, page, tmp_path,
                                                                          artifacts_dir):
    base = streamlit_server("app.py", instance="markdown")
    page.set_viewport_size({"width": 1500, "height": 1000})
    # « Comparer les CPTS »: two CPTS claiming Carmaux (a blocking finding naming both), one
    # code unknown (a warning naming its CPTS), one CPTS in two pieces.
    a, b = IMAGE.format("a"), IMAGE.format("b")
    layer = tmp_path / "injection.csv"
    layer.write_text(f"cpts;code\n{a};81060\n{a};81004\n{a};99999\n{b};81060\n{b};81065\n", encoding="utf-8")
    page.goto(f"{base}/Comparer_les_CPTS")
    expect(page.get_by_text("Aucune couche de CPTS chargée")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(layer)
    expect(page.get_by_text("Constats", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"« {shown(a)} » et « {shown(b)} » se chevauchent", exact=False).first).to_be_visible()
    expect(page.get_by_text(f"« {shown(a)} » : 1 code(s) inconnu(s)", exact=False).first).to_be_visible()
    page.wait_for_timeout(1500)
    page.screenshot(path=artifacts_dir / "markdown_injection_ars.png", full_page=True)
    assert page.locator("img[src*='198.51.100.7']").count() == 0
    assert page.locator(LINKS).count() == 0

    # The builder opened from a share link: the toast names the perimeter.
    name = IMAGE.format("toast")
    page.goto(f"{base}/?{QUERY_PARAM}={encode(Perimeter(name, {'81060', '81004'}))}")
    expect(page.get_by_text(f"Périmètre « {shown(name)} » ouvert", exact=False)).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=artifacts_dir / "markdown_injection_toast.png")
    assert page.locator("img[src*='198.51.100.7']").count() == 0
    assert page.locator(LINKS).count() == 0
    assert page.blocked_urls == []
