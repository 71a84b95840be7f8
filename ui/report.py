"""The checks of the builder's perimeter against the imported neighbouring layers, as every
page that shows the perimeter (builder, workshop, diagnosis) computes them."""

from __future__ import annotations

import streamlit as st

from geo.catalog import Catalog
from geo.checks import Report, check_perimeter
from ui import state
from ui.text import md


def current_report(catalog: Catalog) -> Report:
    return check_perimeter(catalog, state.perimeter(), state.neighbours(), state.neighbour_geometries() or None)


def unknown_codes_notice(catalog: Catalog) -> None:
    unknown = [c for c in state.perimeter().codes if c not in catalog.units.index]
    if unknown:
        st.warning("Codes absents des données chargées : " + md(", ".join(sorted(unknown))))
