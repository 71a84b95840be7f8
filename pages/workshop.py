"""Page « Atelier »: the builder's perimeter for a projected screen. The map fills the
screen and still takes clicks; the figures are large; the QR code opens the same
perimeter on a phone. Map, figures and QR code are one fragment: a click reruns only them."""

import streamlit as st

from ui import perimeter_map, shared_view, state, territory, vintage, workshop
from ui.report import current_report

st.set_page_config(page_title="Atelier – Périmètres CPTS", page_icon="📽️", layout="wide",
                   initial_sidebar_state="collapsed")
state.init()
vintage.apply_link_vintage()  # before any population is read
workshop.large_type()
catalog = state.get_catalog()


@st.fragment
def workshop_view() -> None:
    report = current_report(catalog)
    workshop.title(state.perimeter())
    map_column, side_column = st.columns([3, 1], gap="medium")
    with map_column:
        workshop.frame_map(catalog, state.perimeter(), territory.territory_bounds())
        perimeter_map.map_section(catalog, report, height=workshop.MAP_HEIGHT)
        perimeter_map.map_legend(report)
    with side_column:
        workshop.figures(report)
        workshop.undo_button()
        workshop.share_panel(state.perimeter())
        shared_view.live_panel(workshop.room_address()[0])
        workshop.address_field()
    shared_view.publish(state.perimeter())


workshop_view()
