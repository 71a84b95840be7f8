"""Entry point: the pages of the app, in the order a porteur or an ARS officer uses them.
`streamlit run app.py` opens « Construire un périmètre ». Icons are Material Symbols,
which Streamlit ships (emoji need a font a workshop PC may lack)."""

import streamlit as st

from ui.state import BUILDER_PAGE

PAGES = [
    st.Page(BUILDER_PAGE, title="Construire un périmètre", icon=":material/map:", default=True),
    st.Page("pages/0_Diagnostic_territorial.py", title="Diagnostic territorial", icon=":material/monitoring:"),
    st.Page("pages/1_Scénarios.py", title="Scénarios", icon=":material/inventory_2:"),
    st.Page("pages/2_Comparer_les_scénarios.py", title="Comparer les scénarios", icon=":material/compare:"),
    st.Page("pages/3_Comparer_les_CPTS.py", title="Comparer les CPTS", icon=":material/travel_explore:"),
    st.Page("pages/4_Données.py", title="Données", icon=":material/database:"),
    st.Page("pages/5_Atelier.py", title="Atelier", icon=":material/co_present:"),
]
st.navigation(PAGES).run()
