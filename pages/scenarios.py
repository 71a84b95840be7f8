"""Page « Scénarios »: the saved scenarios, to open in the builder, rename, duplicate,
delete (to the bin) or restore, each with its history of versions."""

import streamlit as st

from geo.units import vintage_label
from ui import navigation, scenarios, state, tables

st.set_page_config(page_title="Scénarios – Périmètres CPTS", page_icon="🗃️", layout="wide")
state.init()
catalog = state.get_catalog()

st.title("Scénarios enregistrés")
scenarios.show_notice()
loaded = scenarios.load_list()
if loaded is None:
    st.stop()
store, saved = loaded
st.caption(f"{store.description} Chaque enregistrement garde toutes les versions "
           "précédentes.")
scenarios.author_input()
live = [s for s in saved if not s.deleted]
if not live:
    st.info("Aucun scénario enregistré. Construisez un périmètre dans la page « Construire un "
            "périmètre », puis « Enregistrer le scénario » dans le panneau Scénario.")
else:
    tables.table(scenarios.scenario_table(catalog, live), numbers=["Unités"])
    st.caption(f"Populations : {vintage_label(catalog.vintage)}.")
    by_id = {s.id: s for s in live}
    chosen = by_id[st.selectbox("Scénario", list(by_id), key="scenario_choice",
                                format_func=lambda i: f"{by_id[i].name} (v{by_id[i].version})")]
    if scenarios.scenario_actions(catalog, chosen):
        st.switch_page(navigation.BUILDER.script)
    scenarios.history(store, chosen, catalog)
deleted = [s for s in saved if s.deleted]
if deleted:
    scenarios.bin_section(deleted)
