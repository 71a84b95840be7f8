"""The builder's map, drawn by the builder and the workshop: the shown territory's units,
the perimeter and its findings over them, the neighbouring CPTS, and what a click or a
drawing on it does to the perimeter (applied before the script runs, so the next run
already shows it); « Voir sur la carte » moves it onto a finding."""

from __future__ import annotations

import math

import streamlit as st
from shapely.geometry import shape
from streamlit_folium import st_folium

from geo.areas import mostly_inside
from geo.catalog import Catalog
from geo.checks import Report
from geo.perimeter import Perimeter, geometry_of
from ui import legend, state, territory
from ui import map as cmap
from ui.offline_assets import published_json


# cache_resource, not cache_data: these are read-only and large; no copy on every rerun.
@st.cache_resource(show_spinner=False, max_entries=256)
def _dissolved(codes: tuple[str, ...]):
    return geometry_of(state.get_catalog(), Perimeter("x", codes))


def _neighbour_shapes() -> list[tuple[str, object]]:
    """The neighbouring CPTS drawn on the map, in the order of their colours."""
    shapes = [(p.name, _dissolved(tuple(p.sorted_codes()))) for p in state.neighbours()]
    return [(name, shape) for name, shape in shapes if not shape.is_empty]


def map_legend(report: Report) -> None:
    """Under the map: what its colours mean (perimeter, findings, neighbours by name)."""
    names = [name for name, _ in _neighbour_shapes()]
    st.markdown(legend.builder_legend(report.findings, names), unsafe_allow_html=True)


def map_section(catalog: Catalog, report: Report, height: int = 640) -> None:
    deps, opened = state.territory()
    _, _, bounds = state.shown_territory(deps, opened)
    m = cmap.base_map(state.territory_url(deps, opened), bounds)
    group = cmap.perimeter_group(_dissolved(tuple(report.perimeter.sorted_codes())), report.findings, {
        "selected": report.perimeter.sorted_codes(), "ack": state.MAP_ACK.get(),
        "neighbours": _neighbours_url(tuple((p.name, tuple(p.sorted_codes())) for p in state.neighbours())),
    })
    focus = state.FOCUS.get()
    st_folium(
        m, key=state.MAP.key, height=height, use_container_width=True,
        # Nothing of streamlit-folium's own: static/cpts_map.js sends the clicks and drawings.
        returned_objects=[],
        feature_group_to_add=group, on_change=_apply_map_event,
        center=focus["center"] if focus else None, zoom=focus["zoom"] if focus else None,
    )
    if notice := state.MAP_NOTICE.pop():
        show, text = notice
        show(text)
    st.caption("Cliquez une commune pour l'ajouter ou la retirer ; dessinez un polygone ou un "
               "rectangle (outils à gauche) pour ajouter les communes majoritairement à l'intérieur.")


@st.cache_resource(show_spinner=False, max_entries=64)
def _neighbours_url(neighbours: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The neighbouring CPTS published for the map (once per set of neighbours)."""
    shapes = [(name, _dissolved(codes), codes) for name, codes in neighbours]
    shapes = [s for s in shapes if not s[1].is_empty]
    return published_json(cmap.neighbours_payload(shapes)) if shapes else None


def _apply_map_event() -> None:
    """The map's on_change callback (streamlit-folium has just put the value sent by
    static/cpts_map.js in the session: state.MAP). It runs before the script, so the run
    that follows a click or a drawing already shows the new perimeter.

    The value lists every event (toggle of a unit, drawing) the map has not seen
    acknowledged, each with a sequence number: those above the last one applied for this
    map are applied, in order, once; the map hears back which was last (`MAP_ACK`). The
    value also says once the map's units are painted (`MAP_DRAWN`): what waited for the
    map (the empty builder's Taille scale) then comes."""
    out = state.MAP.get() or {}
    client = out.get("client")
    ack = state.MAP_ACK.get()
    done = ack.get("seq", 0) if ack.get("client") == client else 0
    units = territory.shown()[0]
    for event in out.get("events") or []:
        try:
            seq, kind, data = event
        except (TypeError, ValueError):
            continue
        if not isinstance(seq, int) or seq <= done:
            continue
        done = seq
        if kind == "toggle" and isinstance(data, str) and data in units.index:
            state.set_perimeter(state.perimeter().toggled(data))
        elif kind == "drawing":
            _apply_drawing(units, data)
    state.MAP_ACK.set({"client": client, "seq": done})
    if out.get("drawn"):
        state.MAP_DRAWN.set(True)


def _apply_drawing(units, geometry) -> None:
    try:
        polygon = shape(geometry)
    except (KeyError, ValueError, TypeError, AttributeError):
        state.MAP_NOTICE.set((st.error, "Dessin illisible : tracez un polygone ou un rectangle."))
        return
    inside = mostly_inside(units, polygon)
    if inside:
        p = state.perimeter()
        state.set_perimeter(p.with_codes(p.codes | set(inside)))
    else:
        state.MAP_NOTICE.set((st.warning, "Aucune commune n'a la majorité de sa surface dans le dessin."))


def focus_on(geometry) -> None:
    """Centre the map on a finding (no full redraw: streamlit-folium's center/zoom), and
    have the next run scroll the map into view (`scroll_to_map`)."""
    x0, y0, x1, y1 = geometry.bounds
    extent = max(x1 - x0, (y1 - y0) * 1.4, 0.01)
    zoom = max(6, min(14, int(math.log2(360 / extent)) - 1))
    state.FOCUS.set({"center": [(y0 + y1) / 2, (x0 + x1) / 2], "zoom": zoom})
    state.FOCUS_COUNT.set(state.FOCUS_COUNT.get() + 1)
    state.SCROLL_TO_MAP.set(True)


# Runs in the page (st.html); the counter makes each request a new element, which runs again.
_SCROLL_SCRIPT = ("<script>/* {n} */ const map = window.parent.document.querySelector("
                  "'iframe[title=\"streamlit_folium.st_folium\"]') || document.querySelector("
                  "'iframe[title=\"streamlit_folium.st_folium\"]'); "
                  "if (map) {{ map.style.scrollMarginTop = '4.5rem'; "  # below Streamlit's header
                  "map.scrollIntoView({{behavior: 'instant', block: 'start'}}); }}</script>")


def scroll_to_map() -> None:
    """Bring the builder's map into the viewport once after « Voir sur la carte »: the
    findings sit below the figures, far from the map on a laptop screen."""
    if state.SCROLL_TO_MAP.pop():
        st.html(_SCROLL_SCRIPT.format(n=state.FOCUS_COUNT.get()), unsafe_allow_javascript=True)
