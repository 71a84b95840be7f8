"""Getting a perimeter into the builder from elsewhere, and out of it for a projected screen.

In: `open_shared_link`, which app.py calls on load so that `?p=...` opens the perimeter the
link carries, without touching any saved scenario. Out: the workshop page's large figures
and the shareable link as a QR code, so people in the room open the same perimeter on
their phone or laptop.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
import streamlit as st

from geo.checks import Report
from geo.perimeter import Perimeter
from geo.population import fmt_int
from geo.share import QUERY_PARAM, ShareLinkError, decode, encode
from ui import state
from ui.text import md

DEFAULT_BASE_URL = "http://localhost:8501"
WORKSHOP_PATH = "Atelier"  # the URL path of pages/5_Atelier.py
QR_WIDTH_PX = 260  # scannable across a room, and the figures above it stay on screen
# Font sizes only (no user text ever goes into this HTML): readable from the back of a room.
# Scoped to the workshop's own containers (Streamlit gives a keyed container the class
# st-key-<key>), so the rest of the app keeps its sizes.
LARGE_TYPE_CSS = """<style>
.st-key-workshop_figures [data-testid="stMetricLabel"] p { font-size: clamp(1.1rem, 1.6vw, 2rem); }
.st-key-workshop_figures [data-testid="stMetricValue"] { font-size: clamp(2rem, 3.4vw, 4.5rem); line-height: 1.15; }
.st-key-workshop_undo button p { font-size: clamp(1.4rem, 2vw, 2.4rem); }
.st-key-workshop_findings p { font-size: clamp(1rem, 1.2vw, 1.4rem); }
</style>"""


# --- into the builder ------------------------------------------------------------------

def open_shared_link() -> None:
    """Open the perimeter of a `?p=...` link, once: the parameter is then taken off the
    address, so a reload or a copied address shows the builder's current work, not the
    link's. A damaged link is refused with a French message; the current perimeter stays."""
    text = st.query_params.get(QUERY_PARAM)
    if not text:
        return
    del st.query_params[QUERY_PARAM]
    try:
        perimeter = decode(text)
    except ShareLinkError as exc:
        st.error(f"{md(exc)} Le périmètre en cours est conservé.")
        return
    known = state.get_catalog().units.index
    unknown = sorted(c for c in perimeter.codes if c not in known)
    if unknown:
        iris = [c for c in unknown if len(c) == 9]
        st.warning(md(
            f"{len(unknown)} code(s) du lien inconnu(s) de cette installation, non ouvert(s) : "
            f"{', '.join(unknown)}." + (" Ce sont des IRIS : importez les contours IRIS dans la page "
                                        "« Données », puis rouvrez le lien." if iris else "")))
        perimeter = perimeter.with_codes(perimeter.codes - set(unknown))
        if not perimeter.codes:
            st.error("Aucun code du lien n'est connu ici : le périmètre en cours est conservé.")
            return
    state.open_in_builder(perimeter)
    st.toast(md(f"Périmètre « {perimeter.name} » ouvert depuis le lien partagé."))


# --- out of it: the link -----------------------------------------------------------------

def app_base_url() -> str:
    """The address of the app's main page as the browser sees it (this page's path taken off)."""
    url = (getattr(st.context, "url", None) or DEFAULT_BASE_URL).rstrip("/")
    return url.removesuffix(f"/{WORKSHOP_PATH}")


def share_link(perimeter: Perimeter, base_url: str) -> str:
    """The builder's address with the perimeter in `?p=`; ShareLinkError when it cannot fit."""
    return f"{base_url}/?{urlencode({QUERY_PARAM: encode(perimeter)})}"


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(link: str) -> bytes | None:
    """The link as a QR code (PNG), or None when it is too long for one."""
    try:
        code = segno.make(link, error="m", micro=False)
    except segno.DataOverflowError:
        return None
    out = io.BytesIO()
    code.save(out, kind="png", scale=8, border=3, dark="#000000", light="#ffffff")
    return out.getvalue()


# --- the workshop screen -------------------------------------------------------------------

def large_type() -> None:
    st.markdown(LARGE_TYPE_CSS, unsafe_allow_html=True)


def figures(report: Report) -> None:
    """Population, Taille, communes and blocking findings, one below the other, in large type."""
    f = report.figures
    pop = f.population
    with st.container(key="workshop_figures"):
        st.metric("Population", pop.label())
        st.caption(pop.vintage_label())
        st.metric("Taille", pop.taille_label())
        st.metric("Communes", fmt_int(f.communes))
        st.metric("Constats bloquants", len(report.blocking))
    if report.blocking:
        with st.container(key="workshop_findings"):
            for finding in report.blocking:
                st.error(md(finding.message))


def undo_button() -> None:
    with st.container(key="workshop_undo"):
        if st.button("↶ Annuler", width="stretch", type="primary",
                     disabled=not st.session_state["history"]):
            state.undo()
            st.rerun()


def share_panel(perimeter: Perimeter) -> None:
    """The QR code of the link to this perimeter, and the link itself to copy."""
    if not perimeter.codes:
        st.caption("Le QR code du lien de partage apparaîtra dès que le périmètre contiendra une commune.")
        return
    try:
        link = share_link(perimeter, app_base_url())
    except ShareLinkError as exc:
        st.warning(md(exc))
        return
    png = qr_png(link)
    if png is None:
        st.info("Lien trop long pour un QR code : copiez-le ci-dessous.")
    else:
        st.image(png, caption="Scannez pour ouvrir ce périmètre", width=QR_WIDTH_PX)
    st.code(link, language=None, wrap_lines=True)
