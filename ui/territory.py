"""The territory the builder shows: the sidebar's picker (départements, or a whole région),
the labels of départements, and the shown territory's units and bounds (cached per
territory in ui.state). Used by the builder, the workshop, « Comparer les CPTS » and
« Données »."""

from __future__ import annotations

import streamlit as st

from geo.catalog import Catalog
from ui import choices, state


def dep_label(catalog: Catalog):
    names = catalog.units.drop_duplicates("dep").set_index("dep")["dep_name"]
    return lambda dep: f"{dep} – {names.get(dep, '')}"


def territory_picker(catalog: Catalog) -> None:
    units = catalog.units
    deps = sorted(units["dep"].dropna().unique())
    st.multiselect("Territoire affiché (départements)", deps, key=state.DEPS.key,
                   format_func=dep_label(catalog), placeholder=choices.CHOOSE,
                   on_change=choices.limit(state.DEPS.key, state.MAX_PICKED_DEPS, "départements"),
                   help="La carte montre les communes de ces départements.")
    choices.limit_notice(state.DEPS.key)
    regions = units.drop_duplicates("reg").dropna(subset=["reg"]).set_index("reg")["reg_name"].sort_values()
    st.selectbox("Ou une région entière", list(regions.index), index=None, key=state.REGION_PICKER.key,
                 format_func=regions.get, placeholder="Choisir une région", on_change=_show_region)


def _show_region() -> None:
    """Select box callback: show every département of the chosen région."""
    reg = state.REGION_PICKER.get()
    if reg:
        units = state.get_catalog().units
        state.DEPS.set(sorted(units.loc[units["reg"] == reg, "dep"].dropna().unique()))
    state.REGION_PICKER.set(None)


def note_territory() -> None:
    """On a run of the whole page (before its fragment): the départements the sidebar's
    picker shows."""
    state.SHOWN_DEPS.set(list(state.DEPS.get()))


def rerun_app_if_territory_changed() -> None:
    """Inside the page's fragment: when a toolbar action (a search result from another
    département) changed the shown territory, rerun the whole page so that the sidebar's
    picker shows it too."""
    noted = state.SHOWN_DEPS.get()
    if noted is not None and noted != state.DEPS.get():
        st.rerun(scope="app")


def shown():
    """The shown territory's units, payload and bounds (cached per territory)."""
    return state.shown_territory(*state.territory())


def territory_bounds() -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of the shown territory."""
    return shown()[2]
