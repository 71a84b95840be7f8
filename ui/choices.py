"""Select boxes in French: the placeholder text and the « N au plus » limit.

Streamlit's own limit (`max_selections`) answers in English (« You can only select up to
6 options. Remove an option first. ») and cannot be translated: the limit is kept here
instead, with a French message. Streamlit's « No results » (a search with no match)
cannot be set; the README says so."""

from __future__ import annotations

import streamlit as st

from ui import state

CHOOSE = "Choisir dans la liste ou taper pour chercher"
_NOTICE = "{}_limit_notice"


def limit(key: str, most: int, what: str):
    """An on_change callback for the multiselect `key`: beyond `most` choices, the last
    ones are taken back and `limit_notice(key)` says why."""
    def trim() -> None:
        widget: state.Slot[list] = state.Slot(key)
        chosen = widget.get()
        if len(chosen) > most:
            widget.set(chosen[:most])
            notice: state.Slot[str] = state.Slot(_NOTICE.format(key))
            notice.set(
                f"{most} {what} au plus : retirez-en un avant d'en ajouter un autre.")
    return trim


def limit_notice(key: str) -> None:
    """Where the multiselect `key` is drawn: the message left by its limit, once."""
    if text := state.Slot(_NOTICE.format(key)).pop():
        st.warning(text)
