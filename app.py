"""Entry point: the pages of the app, in the order a porteur or an ARS officer uses them.
`streamlit run app.py` opens « Construire un périmètre »."""

import streamlit as st

from ui.state import BUILDER_PAGE

PAGES = [
    st.Page(BUILDER_PAGE, title="Construire un périmètre", icon="🗺️", default=True),
    st.Page("pages/0_Diagnostic_territorial.py", title="Diagnostic territorial", icon="📊"),
    st.Page("pages/1_Scénarios.py", title="Scénarios", icon="🗃️"),
    st.Page("pages/2_Comparer_les_scénarios.py", title="Comparer les scénarios", icon="⚖️"),
    st.Page("pages/3_Comparer_les_CPTS.py", title="Comparer les CPTS", icon="🧭"),
    st.Page("pages/4_Données.py", title="Données", icon="🗂️"),
    st.Page("pages/5_Atelier.py", title="Atelier", icon="📽️"),
]
st.navigation(PAGES).run()
