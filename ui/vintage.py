"""The vintage of the populations légales a session reads: the one in force by default,
an earlier one to reproduce the figure written in a lettre d'intention."""

from __future__ import annotations

import streamlit as st

from geo.units import population_vintages, vintage_in_force
from ui import state


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
