"""The vintage of the populations légales a session reads: the one in force by default,
an earlier one to reproduce the figure written in a lettre d'intention."""

from __future__ import annotations

import streamlit as st

from geo.units import UnknownVintageError, checked_vintage, population_vintages, vintage_in_force
from store.share_links import VINTAGE_PARAM
from ui import state
from ui.text import md


def vintage_name(vintage: int) -> str:
    return f"{vintage} (en vigueur)" if vintage == vintage_in_force() else str(vintage)


def vintage_picker() -> None:
    """The selectbox; every page then reads the populations of that vintage (ui.state)."""
    st.selectbox(
        "Millésime des populations", sorted(population_vintages(), reverse=True), key=state.VINTAGE.key,
        format_func=vintage_name,
        help="Populations légales (population municipale, INSEE). L'ARS lit le millésime en "
             "vigueur ; un millésime antérieur redonne le chiffre écrit dans une lettre "
             "d'intention plus ancienne.")


def link_params() -> dict[str, int]:
    """What a share link adds so that its receiver reads the sender's populations: the
    vintage, when it is not the one in force (a link to the figure of an older lettre)."""
    chosen = state.VINTAGE.get()
    return {VINTAGE_PARAM: chosen} if chosen and chosen != vintage_in_force() else {}


def apply_link_vintage() -> None:
    """Take the vintage a share link carries (`?millesime=2021`), once, before the page reads
    any population; an unknown one is said in French and the one in force kept."""
    text = st.query_params.get(VINTAGE_PARAM)
    if text is None:
        return
    del st.query_params[VINTAGE_PARAM]
    try:
        state.VINTAGE.set(checked_vintage(text))
    except UnknownVintageError:
        st.warning(f"Millésime des populations « {md(text)} » inconnu dans ce lien : le millésime en "
                   f"vigueur ({vintage_in_force()}) est affiché.")
