"""Page « Construire un périmètre »: the map in the centre, the checks and figures beside it.

Everything that depends on the perimeter (toolbar, map, figures, findings, composition)
is one fragment: a click on the map reruns it alone, not the sidebar. The map is sent
first (the toolbar above it is drawn after it; files dropped in the sidebar are applied
before it), and an empty perimeter gets one instruction instead of empty figures and
forms: the browser then has little else to render and the map comes up sooner
(bench/browser_bench.py measures it). The Taille scale of the empty perimeter (Plotly)
comes once the map says it is drawn."""

import streamlit as st

from ui import (
    builder,
    health,
    manual_entry,
    perimeter_map,
    scenarios,
    shared_view,
    state,
    territory,
    vintage,
    workshop,
)
from ui.report import current_report, unknown_codes_notice

st.set_page_config(page_title="Construire un périmètre – Périmètres CPTS", page_icon="🗺️", layout="wide")
state.init()
vintage.apply_link_vintage()  # before any population is read
catalog = state.get_catalog()
if shared_view.show(catalog):  # a share link on a phone, or a live link: compact, read-only
    st.stop()
workshop.open_shared_link()
upload_messages = builder.apply_uploads(catalog)
st.title("Construire un périmètre de CPTS")


@st.fragment
def perimeter_view() -> None:
    territory.rerun_app_if_territory_changed()
    shared_view.publish(state.perimeter())  # in the fragment: a click is followed live too
    toolbar = st.container()
    report = current_report(catalog)
    map_column, panel_column = st.columns([3, 2], gap="medium")
    with map_column:
        perimeter_map.map_section(catalog, report)
        perimeter_map.map_legend(report)
    with toolbar:
        builder.toolbar(catalog)
        unknown_codes_notice(catalog)
    with panel_column:
        scenarios.show_notice()
        if report.perimeter.codes:
            builder.figures_panel(catalog, report)
            manual_entry.figures_note(catalog, report)
            health.health_references(catalog, report)
            builder.findings_panel(report)
            manual_entry.panel(catalog, report)
            scenarios.save_panel()
            scenarios.fiche_downloads(catalog, report)
            workshop.share_section(report.perimeter)
        else:
            builder.empty_panel()
    if report.perimeter.codes:
        builder.composition_panel(catalog, report)


territory.note_territory()
perimeter_view()
with st.sidebar:
    territory.territory_picker(catalog)
    vintage.vintage_picker()
    builder.examples(catalog)
    builder.uploads(upload_messages)
