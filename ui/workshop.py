"""Getting a perimeter into the builder from elsewhere, and out of it for a projected screen.

In: `open_shared_link`, which app.py calls on load so that `?p=...` opens the perimeter the
link carries, without touching any saved scenario. Out: the workshop page's large figures
and the shareable link as a QR code, so people in the room open the same perimeter on
their phone or laptop.
"""

from __future__ import annotations

import io
import math
import os
from urllib.parse import urlencode

import segno
import streamlit as st
from streamlit import config, net_util

from geo import manual_population
from geo.checks import Report
from geo.french import fmt_int
from geo.perimeter import Perimeter
from store.share_links import (
    QUERY_PARAM,
    ShareLinkError,
    check_base_url,
    decode,
    encode,
    network_url,
    room_base_url,
)
from ui import navigation, state, vintage
from ui.text import md

DEFAULT_BASE_URL = "http://localhost:8501"
PUBLIC_URL_ENV = "CPTS_PUBLIC_URL"  # the address the room reaches, set by whoever starts the app
LOOPBACK_WARNING = (
    "Ce lien porte l'adresse locale de cet ordinateur : les téléphones de la salle ne pourront "
    "pas l'ouvrir. Indiquez l'adresse réseau de l'application dans la page « Atelier » (champ "
    "« Adresse de l'application pour la salle ») ou démarrez l'application avec la variable "
    f"d'environnement {PUBLIC_URL_ENV} (par exemple http://192.168.1.20:8501).")
EMPTY_WORKSHOP = ("Périmètre vide : cliquez les communes sur la carte pour les ajouter "
                  "(un second clic retire), ou ouvrez un exemple dans « Construire un périmètre ».")
MAP_HEIGHT = 480  # with the title, the button, the caption and the legend: one 1366×768 screen
MAP_WIDTH_GUESS = 950  # the map column on a 1366-pixel screen, to fit the perimeter in it
QR_WIDTH_PX = 260  # scannable across a room, and the figures above it stay on screen
# Font sizes only (no user text ever goes into this HTML): readable from the back of a room.
# Scoped to the workshop's own containers (Streamlit gives a keyed container the class
# st-key-<key>), so the rest of the app keeps its sizes.
LARGE_TYPE_CSS = """<style>
.stMainBlockContainer { padding-top: 3.8rem; }  /* just under the header */
.st-key-workshop_title h2 { padding: 0; }
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
            f"{fmt_int(len(unknown))} code(s) du lien inconnu(s) de cette installation, non ouvert(s) : "
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
    return url.removesuffix(f"/{navigation.WORKSHOP.url_path}")


def _configured_url() -> tuple[str | None, str | None]:
    """The address the facilitator gave (the workshop field, else CPTS_PUBLIC_URL), and the
    French message when it cannot be used."""
    text = state.PUBLIC_URL.get() or os.environ.get(PUBLIC_URL_ENV, "")
    if not text.strip():
        return None, None
    try:
        return check_base_url(text), None
    except ShareLinkError as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False, ttl=60)
def _server_network_url() -> str | None:
    """The server's own address on the local network (None when it listens on loopback)."""
    return network_url(config.get_option("server.address"), net_util.get_internal_ip(),
                       config.get_option("server.port"), config.get_option("server.baseUrlPath") or "")


def room_address() -> tuple[str, bool, str | None]:
    """(base address for links, True when a room can reach it, French message about the
    typed address or None): the facilitator's address first, then the one this browser
    used, then the server's network address."""
    configured, problem = _configured_url()
    url, reachable = room_base_url(configured, app_base_url(), _server_network_url())
    return url, reachable, problem


def share_link(perimeter: Perimeter, base_url: str) -> str:
    """The builder's address with the perimeter in `?p=` (and the vintage of its populations
    when not the one in force); ShareLinkError when it cannot fit."""
    return f"{base_url}/?{urlencode({QUERY_PARAM: encode(perimeter)} | vintage.link_params())}"


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


def title(perimeter: Perimeter) -> None:
    """The perimeter's name, one line high: the map and the figures need the screen."""
    with st.container(key="workshop_title"):
        st.header(md(perimeter.name), anchor=False)


def figures(report: Report) -> None:
    """Population, Taille, communes and blocking findings, one below the other, in large
    type; for an empty perimeter, what to do (not « 0 hab. » and a Taille)."""
    f = report.figures
    pop = f.population
    if not report.perimeter.codes:
        st.info(EMPTY_WORKSHOP)
        return
    with st.container(key="workshop_figures"):
        st.metric("Population", pop.label())
        st.caption(pop.vintage_label())
        st.metric("Taille", pop.taille_label())
        st.metric("Communes", fmt_int(f.communes))
        st.metric("Constats bloquants", len(report.blocking))
    if entered := manual_population.summary(report.perimeter.metadata, report.leaves):
        st.caption(md(entered))
    if report.blocking:
        with st.container(key="workshop_findings"):
            for finding in report.blocking:
                st.error(md(finding.message))


def undo_button() -> None:
    with st.container(key="workshop_undo"):
        if st.button("↶ Annuler", width="stretch", type="primary",
                     disabled=not state.can_undo()):
            state.undo()
            st.rerun()


def address_field() -> None:
    """Where the facilitator types the address phones in the room reach the app at."""
    st.text_input("Adresse de l'application pour la salle", key=state.PUBLIC_URL.key,
                  placeholder="ex. http://192.168.1.20:8501",
                  help="L'adresse de cet ordinateur sur le réseau de la salle (Wi-Fi), avec le port "
                       f"de l'application. Par défaut : la variable {PUBLIC_URL_ENV}, sinon l'adresse "
                       "réseau du serveur.")


def share_panel(perimeter: Perimeter, qr: bool = True) -> None:
    """The link to this perimeter to copy (and its QR code), with a warning when the only
    address known is this computer's own."""
    if not perimeter.codes:
        st.caption("Le lien de partage apparaîtra dès que le périmètre contiendra une commune.")
        return
    base, reachable, problem = room_address()
    if problem:
        st.error(problem)
    try:
        link = share_link(perimeter, base)
    except ShareLinkError as exc:
        st.warning(md(exc))
        return
    if qr:
        png = qr_png(link)
        if png is None:
            st.info("Lien trop long pour un QR code : copiez-le ci-dessous.")
        else:
            st.image(png, caption="Scannez pour ouvrir ce périmètre", width=QR_WIDTH_PX)
    st.code(link, language=None, wrap_lines=True)
    if not reachable:
        st.warning(LOOPBACK_WARNING)


def share_section(perimeter: Perimeter) -> None:
    """The builder's share link (the QR code is on the workshop page)."""
    st.markdown("**Lien de partage**")
    share_panel(perimeter, qr=False)


# --- the workshop map's frame ----------------------------------------------------------------

def fit_view(bounds, width_px: int = MAP_WIDTH_GUESS, height_px: int = MAP_HEIGHT) -> dict:
    """Centre and zoom (Web Mercator, quarter steps) that frame `bounds` (minx, miny,
    maxx, maxy in degrees) in a map of the given size, with a margin."""
    x0, y0, x1, y1 = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    world = 256 / 0.85  # one world width in pixels at zoom 0, with a 15 % margin
    zoom_x = math.log2(width_px * 360 / (world * max(x1 - x0, 1e-4)))
    zoom_y = math.log2(height_px * 2 * math.pi / (world * max(merc(y1) - merc(y0), 1e-6)))
    zoom = max(5.0, min(14.0, math.floor(min(zoom_x, zoom_y) * 4) / 4))
    return {"center": [(y0 + y1) / 2, (x0 + x1) / 2], "zoom": zoom}


def frame_map(catalog, perimeter: Perimeter, territory_bounds) -> None:
    """Frame the workshop map on the perimeter (default) or the whole shown territory, with
    a button to switch; the choice holds while units are clicked."""
    known = [c for c in perimeter.codes if c in catalog.units.index]
    view = state.WORKSHOP_VIEW.get()
    if view == "perimeter" and known:
        st.button("Voir tout le territoire", key="workshop_to_territory",
                  on_click=state.WORKSHOP_VIEW.set, args=("territory",))
        bounds = catalog.units.loc[known].geometry.total_bounds
    else:
        st.button("Zoomer sur le périmètre", key="workshop_to_perimeter", disabled=not known,
                  on_click=state.WORKSHOP_VIEW.set, args=("perimeter",))
        bounds = territory_bounds
    state.FOCUS.set(fit_view(bounds))
