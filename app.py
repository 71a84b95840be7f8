"""Entry point: the pages of the app, in the order a porteur or an ARS officer uses them
(ui.navigation: scripts, titles, URL paths). `streamlit run app.py` opens « Construire un
périmètre ». No page icons: emoji need a font a workshop PC may lack, and Material icons
are fetched from the internet."""

import streamlit as st

from ui import navigation, style
from ui.errors import run_page

PAGES = [st.Page(page.script, title=page.title, url_path=page.url_path or None,
                 default=page is navigation.BUILDER) for page in navigation.PAGES]
style.apply()
run_page(st.navigation(PAGES).run)
