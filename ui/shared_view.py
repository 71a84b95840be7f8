"""What a link opens on a phone, and the « suivre en direct » view: a compact, read-only
page (population, Taille and findings first, then the map; nothing to edit).

- A share link (`?p=…`) opened on a phone shows the compact view, with a button to open
  the perimeter in the full builder; on a computer it opens the builder as before
  (ui.workshop.open_shared_link). Phones are told apart by their browser's User-Agent
  (« Mobi », as every mobile browser writes it): the server cannot see the screen size.
- A live link (`?suivre=<id>`) follows the facilitator's perimeter: the view reads the
  scenario store every LIVE_REFRESH_S seconds (so it works whichever server process serves
  the follower) and says when the facilitator has ended the session.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlencode

import streamlit as st
from streamlit_folium import st_folium

from geo import manual_population
from geo.catalog import Catalog
from geo.checks import check_perimeter
from geo.finding_kinds import kind_of
from geo.perimeter import Perimeter, units_of
from store.scenarios import StoreError, open_store, paris_time
from store.share_links import QUERY_PARAM, ShareLinkError, decode
from ui import legend, state, vintage
from ui import map as cmap
from ui.findings import show_finding
from ui.text import md

LIVE_PARAM = "suivre"
LIVE_REFRESH_S = 2
COMPACT_CSS = """<style>
.stMainBlockContainer { padding-top: 3.5rem; padding-left: 1rem; padding-right: 1rem; }
</style>"""


def is_phone() -> bool:
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


def show(catalog: Catalog) -> bool:
    """Draw the compact view when the address asks for it; True when drawn (the caller
    then stops: the builder is not drawn under it)."""
    if live_id := st.query_params.get(LIVE_PARAM):
        _live_view(catalog, live_id)
        return True
    if st.query_params.get(QUERY_PARAM) and is_phone():
        try:
            state.PHONE_PERIMETER.set(decode(st.query_params[QUERY_PARAM]))
        except ShareLinkError:
            return False  # the builder says what is wrong with the link
    perimeter = state.PHONE_PERIMETER.get()
    if perimeter is None:
        return False
    _compact(catalog, perimeter)
    st.button("Ouvrir dans le constructeur complet", on_click=_to_builder, args=(perimeter,))
    return True


def _to_builder(perimeter: Perimeter) -> None:
    state.PHONE_PERIMETER.pop()
    st.query_params.pop(QUERY_PARAM, None)
    state.open_in_builder(perimeter)


def _compact(catalog: Catalog, perimeter: Perimeter, key: str = "compact_map") -> None:
    """The perimeter's name, population, Taille and findings, then a read-only map."""
    st.html(COMPACT_CSS)
    st.subheader(md(perimeter.name), anchor=False)
    report = check_perimeter(catalog, perimeter)
    if not perimeter.codes:
        st.info("Le périmètre est vide pour l'instant.")
        return
    population, size = st.columns(2)
    population.metric("Population", report.figures.population.label())
    size.metric("Taille", report.figures.population.taille_label())
    st.caption(f"{report.figures.communes} commune(s) · {report.figures.population.vintage_label()}")
    if entered := manual_population.summary(perimeter.metadata, report.leaves):
        st.caption(md(entered))
    for finding in report.findings:
        show_finding(finding)
    units = units_of(catalog, perimeter)
    units = units[units.geometry.notna()]
    if units.empty:
        return
    # Read-only: the perimeter's units filled, those of a finding in its kind's colour.
    fills = {c: kind_of(f.kind).colour for f in report.findings if kind_of(f.kind).drawn
             for c in f.codes}
    payload = cmap.territory_geojson(units)
    for feature in payload["features"]:
        feature["properties"]["fill"] = fills.get(feature["properties"]["code"], cmap.PERIMETER_COLOUR)
    st_folium(cmap.filled_units_map(payload, tuple(units.total_bounds), perimeter.name, ["nom", "pop"],
                                    ["", "Population"], wheel_zoom=False),
              key=key, height=360, use_container_width=True, returned_objects=[])
    st.markdown(legend.builder_legend(report.findings, []), unsafe_allow_html=True)


# --- « suivre en direct » -------------------------------------------------------------------

def _live_view(catalog: Catalog, live_id: str) -> None:
    @st.fragment(run_every=timedelta(seconds=LIVE_REFRESH_S))
    def follow() -> None:
        try:
            session = open_store().live(live_id)
        except StoreError as exc:
            st.error(f"{exc} Nouvel essai dans quelques secondes.")
            return
        if session is None:
            st.warning("Aucune session en direct à cette adresse : demandez le lien à l'animateur.")
            return
        if session.ended:
            st.info(f"La session en direct est terminée ({paris_time(session.updated_at):%H:%M}). "
                    "Voici le dernier périmètre montré.")
        else:
            st.caption(f"En direct : suit le périmètre de l'animateur (mis à jour à "
                       f"{paris_time(session.updated_at):%H:%M:%S}).")
        _compact(catalog, session.perimeter, key="live_map")
    follow()


def live_panel(base_url: str) -> None:
    """On « Atelier »: start or stop broadcasting, and the link to follow it."""
    if error := state.LIVE_ERROR.pop():
        st.error(error)
    live_id = state.LIVE_ID.get()
    if live_id is None:
        st.button("Diffuser en direct", on_click=_start_live,
                  help="Un lien « suivre en direct » : les téléphones de la salle suivent le "
                       "périmètre à mesure que vous le modifiez, sans pouvoir le changer.")
        return
    st.markdown("**Suivre en direct**")
    st.code(live_link(live_id, base_url), language=None, wrap_lines=True)
    st.button("Arrêter la diffusion", on_click=_stop_live)


def live_link(live_id: str, base_url: str) -> str:
    """The address that follows broadcast `live_id`, with the vintage of the populations the
    facilitator reads when it is not the one in force (as a share link carries it)."""
    return f"{base_url}/?{urlencode({LIVE_PARAM: live_id} | vintage.link_params())}"


def publish(perimeter: Perimeter) -> None:
    """While broadcasting, write the perimeter to the store when it has changed."""
    live_id = state.LIVE_ID.get()
    if live_id is None or state.LIVE_SENT.get() == perimeter:
        return
    try:
        open_store().publish_live(live_id, perimeter)
    except StoreError as exc:
        st.error(f"Diffusion en direct interrompue : {exc}")
        return
    state.LIVE_SENT.set(perimeter)


def _start_live() -> None:
    state.LIVE_ID.set(secrets.token_urlsafe(9))
    state.LIVE_SENT.pop()


def _stop_live() -> None:
    live_id = state.LIVE_ID.pop()
    state.LIVE_SENT.pop()
    if live_id:
        try:
            open_store().end_live(live_id)
        except StoreError as exc:
            state.LIVE_ERROR.set(str(exc))

