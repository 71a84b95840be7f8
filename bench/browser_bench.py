"""Time from opening the app to a drawn map, in a real browser, offline.

Starts the app as `make run` does (`python serve.py`: embedded data, here a fresh workspace), opens it in Debian's
headless Chromium with every non-local request aborted, and measures, for several page
loads: the page's load event, and when the map frame shows the département's communes
(the issue's target is « a map within 2 s of the page loading »); then the time from a
click on a commune to the figures showing it, as a user sees it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOADS = 8


def _serve(workspace: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "serve.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=REPO, env={**os.environ, "CPTS_WORKSPACE": workspace},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("Streamlit did not start")


def _offline(route) -> None:
    if urlsplit(route.request.url).hostname in (None, "127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort("internetdisconnected")


def _open(page, url: str) -> tuple[float, float]:
    """Seconds from navigation start to the load event, and from the load event to the
    map showing units (the 100th commune path attached in the map frame)."""
    page.goto(url, wait_until="load")
    page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").nth(100) \
        .wait_for(state="attached", timeout=60_000)
    drawn = page.evaluate("performance.now()")
    loaded = page.evaluate("performance.timing.loadEventEnd - performance.timing.navigationStart")
    return loaded / 1000, (drawn - loaded) / 1000


def _click_to_panels(page, dx: int, communes: int) -> float:
    """Seconds from a click on a commune (`dx` pixels right of the map's centre) to the
    figures showing `communes` communes."""
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    box = container.bounding_box()
    start = time.perf_counter()
    container.click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2})
    page.get_by_test_id("stMetric").filter(has_text="Communes") \
        .get_by_text(str(communes), exact=True).wait_for(timeout=60_000)
    return time.perf_counter() - start


def _time_to_map(browser, url: str):
    """A first visit (empty browser cache), then the same browser opening the app again
    (Streamlit's scripts cached, as for a facilitator who opened it before), then a click."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", _offline)
    page = context.new_page()
    first = _open(page, url)
    again = _open(page, url)
    # The first click also loads the code of the figures (Plotly, tables) into the page.
    clicks = (_click_to_panels(page, 0, 1), _click_to_panels(page, 60, 2))
    context.close()
    return first, again, clicks


def main() -> None:
    if not CHROMIUM.exists():
        print(f"skipped: {CHROMIUM} is absent (`make test` installs it)")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as workspace, sync_playwright() as pw:
        proc, url = _serve(workspace)
        try:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            cold = _time_to_map(browser, url)[0]
            runs = [_time_to_map(browser, url) for _ in range(LOADS)]
            browser.close()
        finally:
            proc.terminate()
            proc.wait()
    print(f"first session (cold server): load event {cold[0]:.2f} s, map drawn {cold[1]:.2f} s later")
    for label, times in [("first visit, empty browser cache", [r[0] for r in runs]),
                         ("visit again, browser cache warm", [r[1] for r in runs])]:
        after = sorted(t[1] for t in times)
        print(f"next {LOADS} sessions, {label}: load event median "
              f"{sorted(t[0] for t in times)[LOADS // 2]:.2f} s; map drawn after it: median "
              f"{after[LOADS // 2]:.2f} s, max {after[-1]:.2f} s (target 2 s)")
    for label, i in [("first click", 0), ("next click", 1)]:
        clicks = sorted(r[2][i] for r in runs)
        print(f"{label} on a commune -> figures updated in the browser: median "
              f"{clicks[LOADS // 2]:.2f} s, max {clicks[-1]:.2f} s")


if __name__ == "__main__":
    main()
