"""What the builder remembers across reruns (st.session_state), and the cached catalog.

The catalog is loaded once per server process (st.cache_resource): every session shares
it. The perimeter being built, its undo history, the shown territory and the imported
neighbouring layers are per session.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from formats.layers import Layer
from geo.catalog import Catalog
from geo.perimeter import Perimeter
from geo.units import vintage_in_force
from store.workspace import load_iris_contours, load_iris_population
from ui.map import territory_geojson, territory_units
from ui.offline_assets import published_json

BUILDER_PAGE = "pages/Construire.py"  # the home page, for st.switch_page and st.page_link
DEFAULT_DEPS = ["81"]
HISTORY_DEPTH = 50
MAX_SHOWN_DEPS = 6  # a perimeter opened from elsewhere shows its six main départements
MAX_PICKED_DEPS = 13  # the territory picker: a whole région (Occitanie has 13)
# Widgets drawn on one page whose value the other pages must not lose: Streamlit forgets a
# widget's value at the end of a run of a page that does not draw it.
AUTHOR = "scenario_author"  # widget key of the author of saved scenarios
VINTAGE = "millesime"  # widget key of the vintage of the populations légales shown
PUBLIC_URL = "public_url"  # widget key of the app's address for the room (page « Atelier »)
SHARED_WIDGETS = ("deps", AUTHOR, VINTAGE, PUBLIC_URL)


def get_catalog() -> Catalog:
    """The shared catalog, with the populations of the vintage this session chose (the one
    in force outside a session: serve.py's warm-up)."""
    in_session = get_script_run_ctx(suppress_warning=True) is not None
    vintage = st.session_state.get(VINTAGE, vintage_in_force()) if in_session else vintage_in_force()
    return shared_catalog().with_vintage(vintage)


@st.cache_resource(show_spinner="Chargement des communes de France…")
def shared_catalog() -> Catalog:
    loaded = load_iris_contours()
    catalog = Catalog(loaded[0], loaded[1]["source"]) if loaded else Catalog()
    population = load_iris_population() if loaded else None
    if population:
        catalog.set_iris_population(population[0], population[1]["year"])
    catalog.adjacency  # noqa: B018 - build the graph once, at start, not on the first click
    return catalog


def shown_territory(deps: tuple[str, ...], opened: tuple[str, ...]):
    """The builder map's units for départements `deps` (communes in `opened` as IRIS),
    their GeoJSON payload and bounds: built once per territory and vintage for every session."""
    return _shown_territory(deps, opened, get_catalog().vintage)


# cache_resource, not cache_data: these are read-only and large; no copy on every rerun.
@st.cache_resource(show_spinner=False, max_entries=32)
def _shown_territory(deps: tuple[str, ...], opened: tuple[str, ...], vintage: int):
    units = territory_units(shared_catalog().with_vintage(vintage), deps, opened)
    return units, territory_geojson(units), tuple(units.total_bounds)


def territory_url(deps: tuple[str, ...], opened: tuple[str, ...]) -> str:
    """Where the browser fetches the builder map's units for this territory (published
    once per territory and vintage: never re-sent on a rerun)."""
    return _territory_url(deps, opened, get_catalog().vintage)


@st.cache_resource(show_spinner=False, max_entries=32)
def _territory_url(deps: tuple[str, ...], opened: tuple[str, ...], vintage: int) -> str:
    return published_json(_shown_territory(deps, opened, vintage)[1])


def init() -> None:
    defaults = {"deps": list(DEFAULT_DEPS), "perimeter": Perimeter("Mon projet de CPTS", ()),
                "history": [], "layers": {}, "opened": (), "handled": {}, "focus": None,
                "map_ack": {}, VINTAGE: vintage_in_force()}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    for key in SHARED_WIDGETS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def perimeter() -> Perimeter:
    return st.session_state["perimeter"]


def set_perimeter(new: Perimeter) -> None:
    """Replace the perimeter, keeping the previous one for undo."""
    old = perimeter()
    if new == old and new.metadata == old.metadata:
        return
    st.session_state["history"] = (st.session_state["history"] + [old])[-HISTORY_DEPTH:]
    st.session_state["perimeter"] = new


def open_in_builder(new: Perimeter) -> None:
    """Make `new` the builder's perimeter (undo brings the previous one back) and show its
    départements and IRIS. Call it before the builder's widgets are drawn (a button
    callback, or the top of a page): it sets the territory picker's value. Codes the
    catalog does not know are kept in the perimeter and reported by the builder."""
    catalog = get_catalog()
    dep, level, parent = (catalog.column(c) for c in ("dep", "level", "parent_code"))
    known = [c for c in new.codes if c in dep]
    set_perimeter(new)
    deps = Counter(dep[c] for c in known).most_common(MAX_SHOWN_DEPS)
    if deps:
        st.session_state["deps"] = sorted(d for d, _ in deps)
    st.session_state["opened"] = tuple(sorted({parent[c] for c in known if level[c] == "iris"}))


def undo() -> None:
    if st.session_state["history"]:
        st.session_state["perimeter"] = st.session_state["history"].pop()


def layers() -> dict[str, Layer]:
    return st.session_state["layers"]


def neighbours() -> list[Perimeter]:
    """Every perimeter of the imported layers except the one being built."""
    current = perimeter().name
    return [p for layer in layers().values() for p in layer.perimeters if p.name != current]


def neighbour_geometries() -> dict:
    return {name: g for layer in layers().values() for name, g in layer.geometries.items()}


def first_time(key: str, value) -> bool:
    """True the first time `value` is seen for `key` (an uploaded file): the uploader
    sends the same value again on every rerun. (Map events carry their own sequence
    numbers: see ui.builder._apply_map_event.)"""
    handled = st.session_state["handled"]
    if handled.get(key) == value:
        return False
    handled[key] = value
    return True
