"""Page « Comparer les CPTS »: how a layer of CPTS covers a région or départements, for an
ARS: key figures, the coverage map, the table of CPTS, overlaps, white zones."""

import streamlit as st

from ui import ars, state

st.set_page_config(page_title="Comparer les CPTS – Périmètres CPTS", page_icon="🧭", layout="wide")
state.init()
catalog = state.get_catalog()

with st.sidebar:
    ars.layer_picker(catalog)

st.title("Comparer les CPTS d'un territoire")
source = ars.current_source()
if source is None:
    ars.empty_page()
    st.stop()
layer = ars.reading(catalog, source)
if layer is None:
    st.stop()
catalog = layer.catalog or catalog  # a layer cut by IRIS may bring its own IRIS contours
digest = ars.layer_digest(layer)
scope = ars.scope_picker(catalog, layer, digest)
analysed = scope and ars.analyse(catalog, layer, digest, scope)
if not analysed:
    st.stop()
coverage, map_url, bounds, members = analysed
stem = ars.file_stem(source)

ars.key_figures(coverage)
ars.coverage_map(map_url, bounds, members)
ars.findings(coverage)
ars.cpts_table(coverage, stem)
ars.open_in_builder(source, layer)
ars.overlaps(catalog, coverage, stem)
ars.white_zones(coverage, stem)
ars.unplaced(catalog, coverage)
