"""Everything a session remembers across reruns (st.session_state), and the cached catalog.

This module is the only code that touches st.session_state: the rest of the app reads and
writes it through the accessors below, grouped by concern, so every key and its meaning is
listed here once. A widget that owns its value gets its key from here (`DEPS.key`) when
other code reads or sets that value; the keys are plain strings, which tests use too
(`at.session_state["perimeter"]`).

The catalog is loaded once per server process (st.cache_resource): every session shares
it. The perimeter being built, its undo history, the shown territory and the imported
neighbouring layers are per session.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Generic, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from formats.layers import Layer
from geo.catalog import Catalog
from geo.perimeter import Perimeter
from geo.units import vintage_in_force
from store.workspace import load_iris_contours, load_iris_population
from ui.map import territory_geojson, territory_units
from ui.offline_assets import published_json

T = TypeVar("T")


class Slot(Generic[T]):
    """One value of the session under one key, `default` when absent (the lists and dicts
    filled in place get theirs from `init`, at the top of every page)."""

    def __init__(self, key: str, default: T | None = None):
        self.key, self.default = key, default

    def get(self) -> T:
        return st.session_state.get(self.key, self.default)

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def pop(self) -> T | None:
        """The value, removed (the default when there was none)."""
        return st.session_state.pop(self.key, self.default)


DEFAULT_DEPS = ["81"]
HISTORY_DEPTH = 50
MAX_SHOWN_DEPS = 6  # a perimeter opened from elsewhere shows its six main départements
MAX_PICKED_DEPS = 13  # the territory picker: a whole région (Occitanie has 13)

# --- the perimeter being built and its undo history ----------------------------------------
PERIMETER: Slot[Perimeter] = Slot("perimeter")
HISTORY: Slot[list[Perimeter]] = Slot("history")  # older perimeters, newest last

# --- the builder's territory ------------------------------------------------------------
DEPS: Slot[list[str]] = Slot("deps")  # widget: the départements shown
REGION_PICKER: Slot[str | None] = Slot("region_picker")  # widget: « Ou une région entière »
OPENED: Slot[tuple[str, ...]] = Slot("opened", ())  # communes shown as their IRIS
SHOWN_DEPS: Slot[list[str]] = Slot("deps_shown")  # the départements of the page's last full run

# --- imported neighbouring layers and uploaded files ----------------------------------------
LAYERS: Slot[dict[str, Layer]] = Slot("layers")  # the builder's CPTS voisines, by file
HANDLED: Slot[dict] = Slot("handled")  # uploader key -> the file last applied
UPLOAD_PERIMETER: Slot[Any] = Slot("upload_perimeter")  # widget: « Ouvrir un périmètre »
UPLOAD_LAYER: Slot[Any] = Slot("upload_layer")  # widget: « Ajouter une couche de CPTS voisines »

# --- the builder's map --------------------------------------------------------------------
MAP: Slot[dict] = Slot("map")  # widget (st_folium): the events static/cpts_map.js sends
MAP_ACK: Slot[dict] = Slot("map_ack")  # {"client", "seq"}: the last event applied
FOCUS: Slot[dict | None] = Slot("focus")  # {"center", "zoom"} the map is moved to, or None
MAP_NOTICE: Slot[tuple] = Slot("map_notice")  # (st.error or st.warning, text) left by a drawing
FOCUS_COUNT: Slot[int] = Slot("focus_count", 0)  # « Voir sur la carte » clicks so far
SCROLL_TO_MAP: Slot[bool] = Slot("scroll_to_map", False)  # True until a run has scrolled to the map
MAP_DRAWN: Slot[bool] = Slot("map_drawn", False)  # the map has said its units are painted

# --- scenarios ----------------------------------------------------------------------------
OPEN_SCENARIO: Slot[Any] = Slot("scenario_open")  # the stored Scenario the perimeter was opened or saved as
SCENARIO_CONFLICT: Slot[tuple | None] = Slot("scenario_conflict")  # (my unsaved Scenario, the ConflictError)
SCENARIO_NOTICE: Slot[tuple | None] = Slot("scenario_notice")  # (kind, text) set by a callback, shown once
FICHE: Slot[dict | None] = Slot("scenario_fiche")  # the last generated fiche: {"signature", "pdf", "png"}
AUTHOR: Slot[str] = Slot("scenario_author", "")  # widget: the author of saved scenarios
COMPARE_PICK: Slot[list[str] | None] = Slot("compare_choice")  # widget: the compared scenarios

# --- populations, workshop, share links ------------------------------------------------------
VINTAGE: Slot[int] = Slot("millesime")  # widget: the vintage of the populations légales shown
PUBLIC_URL: Slot[str] = Slot("public_url", "")  # widget: the app's address for the room (« Atelier »)
WORKSHOP_VIEW: Slot[str] = Slot("workshop_view", "perimeter")  # "perimeter" or "territory": what the workshop frames
PHONE_PERIMETER: Slot[Perimeter] = Slot("phone_perimeter")  # a share link's perimeter, on a phone
LIVE_ID: Slot[str] = Slot("live_id")  # the facilitator's live session, once « Diffuser en direct » is on
LIVE_SENT: Slot[Perimeter] = Slot("live_sent")  # the perimeter last published: a rerun writes changes only
LIVE_ERROR: Slot[str] = Slot("live_error")  # a failure to end the live session, shown once

# --- « Comparer les CPTS » --------------------------------------------------------------------
ARS_LAYERS: Slot[dict[str, Layer]] = Slot("ars_layers")  # read layers, by file name
ARS_RAW: Slot[dict[str, tuple[bytes, str]]] = Slot("ars_raw")  # files as sent, to reread
ARS_SOURCE: Slot[str] = Slot("ars_source")  # widget: the analysed layer

# --- « Données » ------------------------------------------------------------------------------
IMPORT_REPORT: Slot[dict] = Slot("indicator_import_report")  # the last indicator import's outcome
TABLE_UPLOAD_COUNT: Slot[int] = Slot("table_upload_count", 0)  # a new uploader after each import

# Widgets drawn on one page whose value the other pages must not lose: Streamlit forgets a
# widget's value at the end of a run of a page that does not draw it.
SHARED_WIDGETS = (DEPS, AUTHOR, VINTAGE, PUBLIC_URL)


def get_catalog() -> Catalog:
    """The shared catalog, with the populations of the vintage this session chose (the one
    in force outside a session: serve.py's warm-up)."""
    in_session = get_script_run_ctx(suppress_warning=True) is not None
    vintage = VINTAGE.get() or vintage_in_force() if in_session else vintage_in_force()
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
    """Call at the top of every page: the session's defaults, and the values of the widgets
    of other pages claimed back (SHARED_WIDGETS)."""
    defaults: dict[Slot, Any] = {
        DEPS: list(DEFAULT_DEPS), PERIMETER: Perimeter("Mon projet de CPTS", frozenset()), HISTORY: [],
        LAYERS: {}, OPENED: (), HANDLED: {}, FOCUS: None, MAP_ACK: {}, VINTAGE: vintage_in_force(),
        OPEN_SCENARIO: None, SCENARIO_CONFLICT: None, SCENARIO_NOTICE: None, FICHE: None, AUTHOR: "",
        ARS_LAYERS: {}, ARS_RAW: {}}
    for slot, value in defaults.items():
        st.session_state.setdefault(slot.key, value)
    for slot in SHARED_WIDGETS:
        if slot.key in st.session_state:
            st.session_state[slot.key] = st.session_state[slot.key]


# --- the perimeter and undo -------------------------------------------------------------------

def perimeter() -> Perimeter:
    return PERIMETER.get()


def set_perimeter(new: Perimeter) -> None:
    """Replace the perimeter, keeping the previous one for undo: the one way the perimeter
    changes (a click, a search, a file, an opened scenario or link, a save's new name)."""
    old = perimeter()
    if new == old and new.metadata == old.metadata:
        return
    HISTORY.set((HISTORY.get() + [old])[-HISTORY_DEPTH:])
    PERIMETER.set(new)


def can_undo() -> bool:
    return bool(HISTORY.get())


def undo() -> None:
    if history := HISTORY.get():
        PERIMETER.set(history.pop())


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
        DEPS.set(sorted(d for d, _ in deps))
    OPENED.set(tuple(sorted({parent[c] for c in known if level[c] == "iris"})))


# --- the territory -------------------------------------------------------------------------

def territory() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The shown territory: (départements, communes opened into IRIS)."""
    return tuple(sorted(DEPS.get() or DEFAULT_DEPS)), OPENED.get()


def show_dep(dep: str) -> None:
    """Add a département to the shown territory (a search result from elsewhere)."""
    if dep not in DEPS.get():
        DEPS.set(DEPS.get() + [dep])


# --- neighbouring layers and uploads ----------------------------------------------------------

def layers() -> dict[str, Layer]:
    return LAYERS.get()


def neighbours() -> list[Perimeter]:
    """Every perimeter of the imported layers except the one being built."""
    current = perimeter().name
    return [p for layer in layers().values() for p in layer.perimeters if p.name != current]


def neighbour_geometries() -> dict:
    return {name: g for layer in layers().values() for name, g in layer.geometries.items()}


def first_time(key: str, value) -> bool:
    """True the first time `value` is seen for `key` (an uploaded file): the uploader
    sends the same value again on every rerun. (Map events carry their own sequence
    numbers: see ui.perimeter_map.)"""
    handled = HANDLED.get()
    if handled.get(key) == value:
        return False
    handled[key] = value
    return True
