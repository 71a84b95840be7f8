"""Entry point: the pages of the app, in the order a porteur or an ARS officer uses them.
`streamlit run app.py` opens « Construire un périmètre ». No page icons: emoji need a
font a workshop PC may lack, and Material icons are fetched from the internet."""

import streamlit as st

from ui import style
from ui.errors import run_page
from ui.state import BUILDER_PAGE

PAGES = [
    st.Page(BUILDER_PAGE, title="Construire un périmètre", default=True),
    st.Page("pages/0_Diagnostic_territorial.py", title="Diagnostic territorial"),
    st.Page("pages/1_Scénarios.py", title="Scénarios"),
    st.Page("pages/2_Comparer_les_scénarios.py", title="Comparer les scénarios"),
    st.Page("pages/3_Comparer_les_CPTS.py", title="Comparer les CPTS"),
    st.Page("pages/4_Données.py", title="Données"),
    st.Page("pages/5_Atelier.py", title="Atelier"),
]
style.apply()
run_page(st.navigation(PAGES).run)
