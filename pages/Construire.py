"""Page « Construire un périmètre »: the map in the centre, the checks and figures beside it.

The map is sent first (the toolbar and the sidebar are placed above and beside it but
drawn after it; files dropped in the sidebar are applied before it), and an empty perimeter gets one instruction instead of empty figures and
forms: the browser then has little else to render and the map comes up sooner
(bench/browser_bench.py measures it)."""

import streamlit as st

from ui import builder, health, manual_entry, scenarios, shared_view, state, vintage, workshop

st.set_page_config(page_title="Construire un périmètre – Périmètres CPTS", page_icon="🗺️", layout="wide")
state.init()
scenarios.init()
catalog = state.get_catalog()
if shared_view.show(catalog):  # a share link on a phone, or a live link: compact, read-only
    st.stop()
workshop.open_shared_link()
shared_view.publish(state.perimeter())

upload_messages = builder.apply_uploads(catalog)
st.title("Construire un périmètre de CPTS")
toolbar = st.container()
report = builder.current_report(catalog)
map_column, panel_column = st.columns([3, 2], gap="medium")
with map_column:
    builder.map_section(catalog, report)
    builder.map_legend(report)
with toolbar:
    builder.toolbar(catalog)
    builder.unknown_codes_notice(catalog)
with st.sidebar:
    builder.territory_picker(catalog)
    vintage.vintage_picker()
    builder.examples(catalog)
    builder.uploads(upload_messages)
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
        st.info(builder.EMPTY_PERIMETER)
if report.perimeter.codes:
    builder.composition_panel(catalog, report)
