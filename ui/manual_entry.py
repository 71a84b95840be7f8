"""The builder's form to enter by hand the population of a unit whose official population
is unknown or only estimated (an IRIS before the INSEE file is imported), with its source; and the note that
goes under every figure using such an entry (geo.manual_population holds the rules)."""

from __future__ import annotations

import streamlit as st

from geo import manual_population as manual
from geo.catalog import Catalog
from geo.checks import Report
from geo.french import fmt_int
from geo.perimeter import Perimeter
from ui import state
from ui.scenarios import unit_label
from ui.text import md


def figures_note(catalog: Catalog, report: Report) -> None:
    """Under the figures: « dont 2 345 hab. en saisie manuelle, non officiels (…, source …) »."""
    if entered := manual.summary(report.perimeter.metadata, report.leaves, unit_label(catalog)):
        st.caption(md(entered))


def panel(catalog: Catalog, report: Report) -> None:
    """Shown when a unit of the perimeter has no official population, or an entry exists."""
    perimeter = report.perimeter
    population = catalog.column("population")
    estimated: frozenset[str] = getattr(catalog, "estimated", frozenset())
    official = {c: None if c in estimated else population.get(c) for c in report.leaves}
    missing = sorted(c for c in report.leaves if official[c] is None)
    used = manual.in_use(perimeter.metadata, report.leaves)
    if not missing and not used:
        return
    label = unit_label(catalog)
    with st.expander(f"Population saisie à la main ({fmt_int(len(used))} sur {fmt_int(len(missing))} unités sans "
                     "population officielle)", expanded=bool(used)):
        st.caption("Pour une unité dont la population officielle n'est pas chargée (un IRIS sans le "
                   "fichier INSEE), saisissez le chiffre que vous tenez d'une source, avec cette "
                   "source : il compte dans les chiffres, marqué « saisie manuelle », jamais comme "
                   "un chiffre officiel.")
        for code, entry in sorted(used.items()):
            text, remove = st.columns([5, 1])
            text.markdown(f"{md(label(code))} : **{fmt_int(entry.value)} hab.** — {md(entry.note())}")
            remove.button("Retirer", key=f"manual_remove_{code}", on_click=_remove, args=(code,))
        if not missing:
            return
        with st.form("manual_population_form", border=False):
            code = st.selectbox("Unité", missing, format_func=label)
            value = st.number_input("Population (habitants)", min_value=0, max_value=manual.MAX_VALUE,
                                    step=1, value=None, placeholder="ex. 2 345")
            source = st.text_input("Source du chiffre", max_chars=manual.MAX_SOURCE_CHARS,
                                   placeholder="ex. INSEE, recensement 2020, base infracommunale IRIS")
            if st.form_submit_button("Enregistrer la saisie"):
                try:
                    meta = manual.entered(perimeter.metadata, code, value, source, official[code])
                except manual.ManualPopulationError as exc:
                    st.error(str(exc))
                else:
                    state.set_perimeter(Perimeter(perimeter.name, perimeter.codes, meta))
                    st.rerun()


def _remove(code: str) -> None:
    p = state.perimeter()
    state.set_perimeter(Perimeter(p.name, p.codes, manual.removed(p.metadata, code)))
