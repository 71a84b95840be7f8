"""Start the app with its data already in memory: `python serve.py [streamlit options]`.

It is `streamlit run app.py`, after a warm-up: it imports the pages' libraries
(geopandas, folium, plotly, the PDF fiche: about 2 s), loads the catalog of communes and
builds the default territory's map payload into Streamlit's shared caches, and only then
starts the server (with that data out of the garbage collector's way). So the first person
to open the app, often a facilitator in front of a room, gets the map as fast as everyone
after them.

It also tells Streamlit from the start that app.py declares the pages (st.navigation),
through one of the app's two private settings. Otherwise Streamlit treats the `pages/` folder
beside app.py the old way until some session has run app.py: a link to a page (say
/Données, or a printed QR code) opened first after a start would get Streamlit's « Page not
found » (tests/browser/test_pages.py shows it, and fails the day Streamlit stops doing so).

And it turns off Nagle's algorithm on the server's connections (TCP_NODELAY), which
Streamlit's server leaves on: it binds its socket without naming TCP, so asyncio does not
set the option on the connections it accepts. Each response after the first on a kept-alive
connection (a page loads some 50 scripts over 6) then waited ~40 ms for the browser's
delayed acknowledgement: the map came up ~0.4 s later than it could, and each message of a
rerun could wait as long (tests/test_serve.py shows both, and fails the day Streamlit sets
the option itself).
"""

import gc
import logging
import socket
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_server

APP = Path(__file__).resolve().parent / "app.py"


def preload() -> None:
    """Fill what the builder's first session needs (cache_resource is process-wide:
    every session of the server then finds these values).

    That includes what the first perimeter with a commune needs (the health panel's
    aggregators of the embedded APL and 75+ share, ~0.2 s to build): the first click
    on a fresh server then costs no more than the next.

    streamlit-folium (imported by ui.perimeter_map, ui.ars, ui.diagnosis and what imports
    them) is left to the sessions: it declares its map component when imported, and a
    component declared outside a script run is not registered: the map's frame would
    get a 404. tests/test_serve.py checks that this stays so."""
    # Streamlit warns that its caches are used outside a script run: expected here.
    no_context = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = no_context.level
    no_context.setLevel(logging.ERROR)
    try:
        import segno  # noqa: F401 - the workshop's QR code

        from reports import fiche  # noqa: F401 - matplotlib and fpdf2, for the fiche
        from ui import (
            data_imports,
            health,
            perimeter_figures,  # noqa: F401 - plotly
            state,  # folium, geopandas
        )

        catalog = state.get_catalog()
        state.territory_url(tuple(state.DEFAULT_DEPS), ())
        for dataset_id, _ in health.SHOWN:
            data_imports.aggregator(catalog, data_imports.embedded_meta(dataset_id))
    finally:
        no_context.setLevel(level)


def without_nagle(bind):
    """`bind`, Streamlit's function that makes the listening socket, with TCP_NODELAY set
    on it: Linux hands the option on to every connection accepted from that socket."""
    def bind_without_nagle(*args, **kwargs) -> socket.socket:
        sock = bind(*args, **kwargs)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    return bind_without_nagle


def configure_streamlit() -> None:
    """The two settings Streamlit offers no option for (see the module's docstring)."""
    PagesManager.uses_pages_directory = False  # what st.navigation sets on its first call
    starlette_server._bind_socket = without_nagle(starlette_server._bind_socket)


if __name__ == "__main__":
    print("Chargement des communes et de la carte par défaut…", flush=True)
    preload()
    # The catalog and the caches live as long as the server: move them out of the garbage
    # collector's sight. Streamlit collects garbage after every script run, and a full
    # collection over them took about 200 ms, on each click, holding the server meanwhile.
    gc.freeze()
    configure_streamlit()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())
