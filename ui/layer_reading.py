"""How an uploaded layer or table was read, shown before anything is computed from it, with
the columns to change; and the question when the file has two plausible readings (two code
or grouping columns, or features carrying the same name: one CPTS in pieces, or several).

Used by « Comparer les CPTS » and the builder's uploads. The reading is cached per (file,
choice), so changing a column rereads only once.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from formats.columns import ColumnChoice
from formats.layers import AmbiguousFileError, Layer, PerimeterFileError, read_layer
from geo.catalog import Catalog
from ui import state
from ui.text import md

AUTO = "(détection automatique)"
NO_GROUP = "(aucune : un seul périmètre)"
SAME_NAME = {"merge": "une seule CPTS en plusieurs morceaux", "separate": "des CPTS distinctes"}


def choice(key: str) -> ColumnChoice:
    code = state.Slot(f"{key}_code", AUTO).get()
    group = state.Slot(f"{key}_group", AUTO).get()
    return ColumnChoice(None if code == AUTO else code,
                        None if group == AUTO else ("" if group == NO_GROUP else group),
                        state.Slot(f"{key}_same", None).get())


@st.cache_resource(show_spinner="Lecture du fichier…", max_entries=8)
def _read(catalog_version: tuple, digest: str, name: str, picked: ColumnChoice, _catalog: Catalog,
          _data: bytes) -> Layer:
    return read_layer(_catalog, _data, name, picked)


def read(catalog: Catalog, data: bytes, name: str, key: str) -> tuple[Layer | None, PerimeterFileError | None]:
    """The layer read with the choice made in `key`'s widgets, or the reason it is not."""
    digest = hashlib.sha256(data).hexdigest()
    version = (len(catalog.units), catalog.iris_source)
    try:
        return _read(version, digest, name, choice(key), catalog, data), None
    except PerimeterFileError as exc:
        return None, exc


def panel(key: str, layer: Layer | None, error: PerimeterFileError | None) -> None:
    """What was detected (code column, grouping, level, perimeters) and the selectors to
    change it; for an ambiguous file, the question and its candidates first."""
    columns = list(layer.detection.columns) if layer is not None and layer.detection else list(
        getattr(error, "columns", []) or [])
    if isinstance(error, AmbiguousFileError):
        st.warning("**Question avant l'analyse** — " + md(str(error).split(" Indiquez")[0])
                   + (" Répondez ci-dessous." if error.kind == "same_name"
                      else " Choisissez ci-dessous la colonne à utiliser."))
    elif error is not None:
        st.error(md(str(error)))
    elif layer is not None and layer.detection is not None:
        st.markdown("\n".join(f"- {md(line)}" for line in layer.detection.describe()))
    if (isinstance(error, AmbiguousFileError) and error.kind == "same_name") or (
            layer is not None and layer.detection is not None and layer.detection.same_names):
        st.radio("Les entités qui portent le même nom sont", list(SAME_NAME), format_func=SAME_NAME.__getitem__,
                 index=None, key=f"{key}_same", horizontal=True,
                 help="Une CPTS exportée en plusieurs morceaux (une entité par morceau) porte le même "
                      "nom sur chacun : réunis, ils font une CPTS. Des CPTS distinctes de même nom "
                      "sont gardées séparées, la seconde renommée « (2) ».")
    if not columns:
        return
    left, right = st.columns(2)
    left.selectbox("Colonne des codes INSEE", [AUTO, *columns], key=f"{key}_code",
                   help="Codes de commune (5 caractères, 2A/2B compris) ou d'IRIS (9).")
    right.selectbox("Colonne qui regroupe les lignes en CPTS", [AUTO, NO_GROUP, *columns], key=f"{key}_group",
                    help="Le nom de la CPTS de chaque ligne. Une colonne de noms de communes est un "
                         "libellé, pas un regroupement.")
