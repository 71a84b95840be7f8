"""Page « Diagnostic territorial »: the perimeter being built, described by the embedded data
and by the imported indicators, against its départements, régions and France."""

import streamlit as st

from ui import data_imports, diagnosis, state
from ui.report import current_report, unknown_codes_notice
from ui.text import md

st.set_page_config(page_title="Diagnostic territorial – Périmètres CPTS", page_icon="📊", layout="wide")
state.init()
catalog = state.get_catalog()
perimeter = state.perimeter()

st.title("Diagnostic territorial")
if not perimeter.codes:
    diagnosis.empty_page()
    st.stop()
st.caption(f"Périmètre en cours : **{md(perimeter.name)}** (modifiable dans la page "
           "« Construire un périmètre »).")
unknown_codes_notice(catalog)
report = current_report(catalog)
diagnosis.key_figures(catalog, report)
diagnosis.departement_context(catalog, report)

saved = data_imports.saved()
if not saved:
    diagnosis.no_dataset()
results = diagnosis.compare(catalog, saved + data_imports.embedded(), perimeter, diagnosis.other_picker())
diagnosis.age_structure(results)
diagnosis.indicator_panels(results)
diagnosis.indicator_map(catalog, results, report)
diagnosis.summary_section(results, catalog, report)
