"""Browser-test harness: real Streamlit servers driven by Debian's Chromium, offline.

- `streamlit_server(script_relpath)` starts `streamlit run` on a free port (once
  per script and session) and returns its base URL.
- `page` is a Playwright page whose context aborts every request to a host other
  than localhost/127.0.0.1, so a passing test proves the app needs no internet.
  Aborted URLs are listed in `page.blocked_urls`. A screenshot (and the browser
  console) is saved to tests/artifacts/ when a test fails.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
STARTUP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory, artifacts_dir):
    """Factory: streamlit_server("app.py") -> "http://127.0.0.1:<port>"."""
    urls: dict[str, str] = {}
    procs: list[subprocess.Popen] = []

    def start(script_relpath: str, instance: str = "") -> str:
        """`instance` names a separate server (with its own workspace) for tests that
        import files, so they don't change what other tests see."""
        key = f"{script_relpath}#{instance}"
        if key in urls:
            return urls[key]
        script = REPO / script_relpath
        if script.parent != REPO:
            # Streamlit serves the static/ folder beside the main script, so a
            # script from a sub-folder runs as a copy next to a link to the
            # repo's static/. PYTHONPATH below keeps the repo importable.
            root = tmp_path_factory.mktemp("app")
            (root / "static").symlink_to(REPO / "static")
            script = Path(shutil.copy(script, root / script.name))
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = artifacts_dir / f"streamlit-{Path(script_relpath).stem}{instance}.log"
        pythonpath = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
        # A fresh workspace: the app under test sees no file imported by a developer.
        workspace = tmp_path_factory.mktemp("workspace")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath),
               "CPTS_WORKSPACE": str(workspace)}
        # The app starts as `make run` starts it (serve.py: data loaded first); a page
        # script from a sub-folder runs with plain `streamlit run`.
        command = [str(REPO / "serve.py")] if script_relpath == "app.py" else ["-m", "streamlit", "run", str(script)]
        with open(log_path, "w") as log:
            # cwd=REPO so .streamlit/config.toml (static serving) applies.
            proc = subprocess.Popen(
                [sys.executable, *command,
                 "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        procs.append(proc)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Streamlit did not start for {script_relpath}; "
                            f"log:\n{log_path.read_text()}")
            time.sleep(0.3)
        urls[key] = url
        return url

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (`make browser`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item so fixtures can see failures.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def offline_page(browser, **options):
    """A page in a new browser context (`options`: viewport, locale, user agent…) that aborts
    every request to another machine and lists it in `page.blocked_urls`."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.blocked_urls = []

    def offline_only(route):
        host = urlsplit(route.request.url).hostname
        if host is None or host in LOCAL_HOSTS:  # None: data: and blob: URLs
            route.continue_()
        else:
            page.blocked_urls.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline_only)
    return page


@pytest.fixture
def page(browser, request, artifacts_dir):
    page = offline_page(browser, viewport={"width": 1280, "height": 900})
    context = page.context
    console = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=artifacts_dir / f"{request.node.name}-failure.png",
                        full_page=True)
        (artifacts_dir / f"{request.node.name}-console.txt").write_text(
            "\n".join(console + ["blocked: " + u for u in page.blocked_urls]))
    context.close()
    # Every browser test proves offline use: nothing may even try to leave the machine.
    assert page.blocked_urls == [], f"requests to the internet: {page.blocked_urls}"
