"""Page « Comparer les scénarios »: two to four perimeters side by side (saved scenarios,
the builder's current one, ready examples), with what changes from the first."""

import streamlit as st

from ui import scenarios, state

st.set_page_config(page_title="Comparer les scénarios – Périmètres CPTS", page_icon="⚖️",
                   layout="wide")
state.init()
catalog = state.get_catalog()

st.title("Comparer les scénarios")
loaded = scenarios.load_list()
saved = loaded[1] if loaded else []
chosen = scenarios.pick(scenarios.candidates(catalog, saved))
if any(c.example for c in chosen) and not scenarios.ruscino_by_iris(catalog):
    st.info(scenarios.IRIS_ABSENT)
if len(chosen) < 2:
    st.info("Choisissez au moins deux scénarios à comparer.")
    st.stop()
with st.spinner("Vérification des périmètres…"):
    scenarios.compare_columns(catalog, chosen)
