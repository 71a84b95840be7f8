"""A finding as the app shows it: its severity's label (geo.finding_kinds) in the Streamlit
box of its severity, and its message escaped (CPTS and commune names are user-supplied)."""

from __future__ import annotations

import streamlit as st

from geo.checks import Finding
from geo.finding_kinds import severity_of
from ui.text import md

_BOX = {"blocking": st.error, "warning": st.warning, "info": st.info}


def show_finding(finding: Finding) -> None:
    _BOX[finding.severity](f"**{severity_of(finding.severity).label}** — {md(finding.message)}")
