"""Page « Construire un périmètre »: the map in the centre, the checks and figures beside it."""

import streamlit as st

from ui import builder, scenarios, state, workshop

st.set_page_config(page_title="Construire un périmètre – Périmètres CPTS", page_icon="🗺️", layout="wide")
state.init()
scenarios.init()
workshop.open_shared_link()
catalog = state.get_catalog()

with st.sidebar:
    builder.territory_picker(catalog)
    builder.examples(catalog)
    builder.uploads(catalog)

st.title("Construire un périmètre de CPTS")
builder.toolbar(catalog)
builder.unknown_codes_notice(catalog)
report = builder.current_report(catalog)

map_column, panel_column = st.columns([3, 2], gap="medium")
with map_column:
    builder.map_section(catalog, report)
with panel_column:
    builder.figures_panel(catalog, report)
    builder.findings_panel(report)
    scenarios.save_panel()
    scenarios.fiche_downloads(catalog, report)
builder.composition_panel(catalog, report)
