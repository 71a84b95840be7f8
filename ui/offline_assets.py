"""Make the folium map load its JavaScript and CSS from this app, not from CDNs.

folium and its Draw plugin tell the browser to fetch Leaflet, jQuery, Bootstrap,
Font Awesome, Leaflet.draw... from public CDNs. Without internet these never
arrive, and streamlit-folium waits for every script before drawing the map, so
the map stays blank (its iframe keeps height 0).

`use_local_assets()` points folium at the npm copies in static/node_modules
(installed by `make assets` from static/package-lock.json). Streamlit serves
them at /app/static/... because `server.enableStaticServing` is on in
.streamlit/config.toml; it sends them with their real content types
(text/javascript, text/css), so the browser runs them. Streamlit serves the
`static/` folder that sits beside the main script, i.e. app.py at the repo root.

Only Leaflet and Leaflet.draw are loaded: folium's markers and icons (jQuery,
Bootstrap, Font Awesome, awesome-markers) are not used by this app's maps.

`published_json` puts data the maps fetch (a territory's units, the neighbouring CPTS)
in static/maps/, named by the hash of their content: the browser fetches each once and
keeps it, and Streamlit never re-sends it on a rerun. One file per territory, vintage and
set of neighbours: at each new file the folder keeps the MAX_PUBLISHED most recent (by
modification time; publishing the same content again touches it) and removes the others,
except any file this server process has handed out, which a map of one of its sessions
may still fetch (the caches that hold their addresses live as long as the process).
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import folium
import folium.plugins
import streamlit as st

STATIC = Path(__file__).resolve().parent.parent / "static"
NODE_MODULES = STATIC / "node_modules"
PUBLISHED = STATIC / "maps"  # generated, not in git
MAX_PUBLISHED = 64  # files kept in PUBLISHED besides those this process handed out
_handed_out: set[str] = set()  # names of the files this process has published

# (folium's name for the resource, file under static/node_modules). Keeping
# folium's names means later `add_js_link`/`add_css_link` calls still override.
# Only Leaflet: our map has no markers, popups or icons, so folium's other defaults
# (jQuery, Bootstrap, Font Awesome, awesome-markers: ~600 KB) would only slow the
# first paint of a projected workshop map.
_MAP_JS = [("leaflet", "leaflet/dist/leaflet.js")]
_MAP_CSS = [("leaflet_css", "leaflet/dist/leaflet.css")]
# leaflet-draw is pinned to 1.0.2 like folium's CDN link: 1.0.3 and 1.0.4 throw
# "type is not defined" while drawing a rectangle.
_DRAW_JS = [("leaflet_draw_js", "leaflet-draw/dist/leaflet.draw.js")]
_DRAW_CSS = [("leaflet_draw_css", "leaflet-draw/dist/leaflet.draw.css")]


def use_local_assets() -> None:
    """Point folium.Map and folium.plugins.Draw at the local copies (idempotent).

    Call it before building maps. Raises RuntimeError if a file is missing.
    """
    files = [path for _, path in _MAP_JS + _MAP_CSS + _DRAW_JS + _DRAW_CSS]
    missing = [path for path in files if not (NODE_MODULES / path).is_file()]
    if missing:
        raise RuntimeError(
            f"{NODE_MODULES} is missing or incomplete (no {missing[0]}): "
            "run `make assets` to install the map's JavaScript and CSS."
        )

    def urls(entries):
        return [(name, static_url(f"node_modules/{path}")) for name, path in entries]

    # Assign new lists: folium's own module-level lists stay untouched.
    folium.Map.default_js = urls(_MAP_JS)
    folium.Map.default_css = urls(_MAP_CSS)
    folium.plugins.Draw.default_js = urls(_DRAW_JS)
    folium.plugins.Draw.default_css = urls(_DRAW_CSS)


def draw_assets() -> dict[str, str]:
    """The local addresses of Leaflet.draw's script and styles, for a map that loads them
    itself (static/cpts_map.js, once its units are painted)."""
    (_, js), (_, css) = _DRAW_JS[0], _DRAW_CSS[0]
    return {"js": static_url(f"node_modules/{js}"), "css": static_url(f"node_modules/{css}")}


def static_url(path: str) -> str:
    """The URL of a file under static/. Absolute: the maps run inside streamlit-folium's
    iframe, which is served by the same Streamlit server under /component/..."""
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/app/static/{path}" if base else f"/app/static/{path}"


def published_json(payload) -> str:
    """Write `payload` as JSON under static/maps/ (once per content) and return its URL."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    name = f"{hashlib.sha256(text).hexdigest()[:24]}.json"
    path = PUBLISHED / name
    _handed_out.add(name)
    if path.exists():
        path.touch()  # in use again: among the most recent for every process's clean-up
    else:
        PUBLISHED.mkdir(exist_ok=True)
        # Written aside then renamed: another server process may serve it meanwhile.
        fd, tmp = tempfile.mkstemp(dir=PUBLISHED, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _remove_old_published()
    return static_url(f"maps/{name}")


def _remove_old_published() -> None:
    """Keep the MAX_PUBLISHED most recent files of PUBLISHED, and every file this process
    handed out; remove the others."""
    files = []
    for path in PUBLISHED.glob("*.json"):
        try:
            files.append((path.stat().st_mtime, path))
        except FileNotFoundError:  # removed by another process meanwhile
            pass
    files.sort(reverse=True)
    for _, path in files[MAX_PUBLISHED:]:
        if path.name not in _handed_out:
            path.unlink(missing_ok=True)
