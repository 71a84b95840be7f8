"""serve.py, the command `make run` uses: its warm-up must fill the caches without
importing streamlit-folium, whose map component would then never be registered with the
server (the map's frame gets a 404; tests/browser run the app through serve.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_preload_fills_the_caches_without_declaring_the_map_component():
    script = (
        "import sys, serve\n"
        "serve.preload()\n"
        "from ui import state\n"
        "assert state.get_catalog().units.shape[0] > 34000\n"
        "units, payload, bounds = state.shown_territory(tuple(state.DEFAULT_DEPS), ())\n"
        "print(len(payload['features']), 'streamlit_folium' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                         check=True)
    # The Tarn's 314 communes, and streamlit-folium left for the sessions to import.
    assert out.stdout.split()[-2:] == ["314", "False"]


def test_preload_prepares_the_first_perimeters_figures():
    """The first click on a freshly started server costs no more than the next: the
    builder's health panel finds its aggregators (département, région, France references
    of the embedded APL and 75+ share) already built, still without streamlit-folium."""
    script = (
        "import sys, serve\n"
        "serve.preload()\n"
        "from ui import data_imports, health, state\n"
        "def built_again(*args):\n"
        "    raise AssertionError('aggregator built after the warm-up')\n"
        "data_imports.Aggregator = built_again\n"
        "catalog = state.get_catalog()\n"
        "for dataset_id, indicator_id in health.SHOWN:\n"
        "    aggregator = data_imports.aggregator(catalog, data_imports.embedded_meta(dataset_id))\n"
        "    print(aggregator.compare(indicator_id, ['81060'], 'Carmaux').perimeter.value is not None)\n"
        "print('streamlit_folium' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-3:] == ["True", "True", "False"]


# Run in a fresh interpreter: `serve.configure_streamlit()` (or not, with "plain"), then the
# socket Streamlit's server listens on, a connection accepted from it by asyncio as uvicorn
# accepts them, and whether that connection has Nagle's algorithm off (TCP_NODELAY).
NODELAY_OF_AN_ACCEPTED_CONNECTION = """
import asyncio, socket, sys
import serve
from streamlit.web.server.starlette import starlette_server
if sys.argv[1] == "served":
    serve.configure_streamlit()

async def main():
    accepted = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    listening = starlette_server._bind_socket("127.0.0.1", 0, 8)
    server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
    reader, writer = await asyncio.open_connection(*listening.getsockname())
    print(await accepted)
    writer.close()
    server.close()

asyncio.run(main())
"""


def _nodelay(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", NODELAY_OF_AN_ACCEPTED_CONNECTION, mode], cwd=REPO,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()[-1]


def test_served_connections_send_each_response_at_once():
    """Through serve.py, every connection the server accepts has Nagle's algorithm off:
    a response's last bytes are not held back for the browser's delayed acknowledgement
    (~40 ms per file, after the first, on a kept-alive connection)."""
    assert _nodelay("served") == "1"


def test_streamlit_alone_leaves_nagle_on():
    """Why serve.py sets TCP_NODELAY: Streamlit's own listening socket leaves it off on the
    connections asyncio accepts from it. When this fails, Streamlit sets it itself and
    serve.without_nagle can go."""
    assert _nodelay("plain") == "0"
