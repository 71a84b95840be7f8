"""The page boundary: an error nobody foresaw is logged with its details on the server and
shown to the user as a French message, never as a traceback (which would show server
paths and code to a room). `client.showErrorDetails = "none"` in .streamlit/config.toml
covers what runs outside this boundary (a fragment's rerun)."""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

LOG = logging.getLogger("cpts.pages")

MESSAGE = ("Une erreur inattendue a interrompu l'affichage de cette page ({when}). Rien de ce qui "
           "était enregistré n'est perdu. Rechargez la page ; si l'erreur revient, signalez-la avec "
           "cette heure : le détail est dans le journal du serveur.")


def run_page(run) -> None:
    """Run a page (`st.navigation(...).run`) inside the boundary. Streamlit's own control
    flow (rerun, stop, switch_page) derives from BaseException and passes through."""
    try:
        run()
    except Exception:
        when = dt.datetime.now().strftime("%H:%M:%S")
        LOG.exception("Unhandled error in a page (shown to the user at %s)", when)
        st.error(MESSAGE.format(when=when))
