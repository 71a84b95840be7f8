"""The sections of the page « Construire un périmètre »: each function draws one part of
the screen and turns what the user did there into a new perimeter (ui.state). The map is
ui.perimeter_map, the territory picker ui.territory (the workshop draws them too)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from formats.layers import (
    MAX_FILE_MB,
    AmbiguousFileError,
    Layer,
    PerimeterFileError,
    to_csv,
    to_geojson,
)
from formats.spreadsheets import to_xlsx
from geo.catalog import Catalog
from geo.checks import Report
from geo.examples import carmausin_segala, ruscino
from geo.french import fmt_density, fmt_int, fmt_km2
from geo.perimeter import Perimeter, from_epci
from geo.population import TAILLE_THRESHOLDS
from reports.lettre import lettre_csv, lettre_table, with_total
from ui import choices, layer_reading, perimeter_map, state, tables
from ui.file_names import file_stem
from ui.findings import show_finding
from ui.perimeter_figures import population_by_commune, taille_gauge, taille_scale
from ui.text import md

# What an upload has to say: the widget that shows it (st.warning…) and its text.
Message = tuple[Callable[[str], object], str]

# What the panels show instead of empty figures and forms (the page draws them only for a
# perimeter with units).
_T1, _T2, _T3 = map(fmt_int, TAILLE_THRESHOLDS)
EMPTY_PERIMETER = (
    "Le périmètre est vide : cliquez des communes sur la carte, cherchez-les, dessinez une "
    f"zone ou ouvrez un exemple. Taille 1 : moins de {_T1} habitants · Taille 2 : {_T1} à "
    f"{_T2} · Taille 3 : {_T2} à {_T3} · Taille 4 : plus de {_T3}.")
EMPTY_SCALE_CAPTION = (
    "Aucune commune choisie pour l'instant : la jauge montre les seuils des Tailles ; elle "
    "indiquera la population du périmètre dès la première commune.")


# --- sidebar -------------------------------------------------------------------------

def examples(catalog: Catalog) -> None:
    st.markdown("**Exemples**")
    st.button("CPTS du Carmausin-Ségala (Tarn)", width="stretch", on_click=_open_example,
              args=(carmausin_segala,))
    if catalog.has_iris:
        st.button("CPTS Ruscino (IRIS, Perpignan)", width="stretch", on_click=_open_example,
                  args=(ruscino,))
    else:
        st.caption("Ruscino (quartiers IRIS de Perpignan) : importez les contours IRIS "
                   "dans la page « Données » pour l'ouvrir.")


def _open_example(build) -> None:
    """Button callback (runs before the widgets, so it may set the territory)."""
    state.open_in_builder(build(state.get_catalog()))


UPLOAD_KINDS = ["geojson", "json", "gpkg", "zip", "csv", "txt", "xlsx", "xls", "ods"]


def apply_uploads(catalog: Catalog) -> list[Message]:
    """Apply the files just dropped in the sidebar's uploaders (their values are in the
    session state from the start of the run), before the map is drawn so that it shows
    them; the uploaders themselves are drawn later (`uploads`). Returns the messages to
    show under the uploaders, as (st.error/st.warning/st.info, text)."""
    messages: list[Message] = []
    opened = state.UPLOAD_PERIMETER.get()
    if opened is not None:
        # Read as the neighbours' layer is: a file with two readings (two code columns,
        # features of the same name) asks under the uploader, and opens once answered.
        key = "open_cols"
        layer, error = layer_reading.read(catalog, opened.getvalue(), opened.name, key)
        asking = isinstance(error, AmbiguousFileError)
        if asking or (layer is not None and layer.detection is not None and layer.detection.same_names):
            messages.append((lambda _: layer_reading.panel(key, layer, error), ""))
        if not asking and state.first_time(state.UPLOAD_PERIMETER.key, (opened.file_id, layer_reading.choice(key))):
            layer = _said(layer, error, messages)
        else:
            layer = None
        if layer:
            first, *others = layer.perimeters
            state.set_perimeter(first)
            state.layers().pop(opened.name, None)  # read again with another answer: its old neighbours go
            if others:  # never silently the first: the others become its neighbours, and said
                state.layers()[opened.name] = Layer(others, geometries=layer.geometries)
                count = fmt_int(len(layer.perimeters))
                messages.append((st.info, md(f"« {opened.name} » contient {count} périmètres : « {first.name} » "
                                             f"est ouvert, les {fmt_int(len(others))} autres sont ajoutés comme "
                                             "CPTS voisines.")))
    neighbours = state.UPLOAD_LAYER.get()
    if neighbours is not None:
        # Read with the columns chosen under the uploader (cached per file and choice); what
        # was detected, or the question when ambiguous, is shown there before it is used.
        key = "neighbour_cols"
        layer, error = layer_reading.read(catalog, neighbours.getvalue(), neighbours.name, key)
        messages.append((lambda _: layer_reading.panel(key, layer, error), ""))
        if layer and state.first_time(state.UPLOAD_LAYER.key, (neighbours.file_id, layer_reading.choice(key))):
            state.layers()[neighbours.name] = layer
            if layer.catalog is not None:
                messages.append((st.warning, "Cette couche est découpée par IRIS sans contours IRIS "
                                 "importés : importez-les dans « Données » pour la comparer au périmètre."))
    return messages


def uploads(messages: list[Message]) -> None:
    st.markdown("**Fichiers**")
    kinds = "GeoJSON, GeoPackage, Shapefile zippé, ou tableau (CSV, XLSX, ODS) de codes INSEE"
    st.file_uploader("Ouvrir un périmètre", help=kinds, key=state.UPLOAD_PERIMETER.key, type=UPLOAD_KINDS,
                     max_upload_size=MAX_FILE_MB)
    st.file_uploader("Ajouter une couche de CPTS voisines", help=kinds, key=state.UPLOAD_LAYER.key,
                     type=UPLOAD_KINDS, max_upload_size=MAX_FILE_MB)
    for show, text in messages:
        show(text)
    for name in list(state.layers()):
        cols = st.columns([4, 1])
        cols[0].caption(f"Couche « {md(name)} » : {fmt_int(len(state.layers()[name].perimeters))} CPTS")
        if cols[1].button("✕", key=f"drop_{name}", help="Retirer cette couche"):
            del state.layers()[name]
            st.rerun()


def _said(layer: Layer | None, error: PerimeterFileError | None, messages: list[Message]) -> Layer | None:
    """The layer just read, with what its reading has to say in `messages`; None, and why
    (`error`), when it could not be read."""
    if layer is None:
        messages.append((st.error, f"{md(error)} Le périmètre en cours est conservé."))
        return None
    for name, codes in layer.unknown_codes.items():
        messages.append((st.warning, md(f"Codes non reconnus dans « {name} » : {', '.join(codes)}")))
    for old, new in layer.remapped.items():
        messages.append((st.info, md(f"Code {old} remplacé par {new} (commune fusionnée).")))
    messages.extend((st.warning, md(warning)) for warning in layer.warnings)
    return layer


# --- toolbar above the map ------------------------------------------------------------

def toolbar(catalog: Catalog) -> None:
    p = state.perimeter()
    name = st.text_input("Nom du périmètre", p.name, max_chars=200).strip()
    if name and name != p.name:
        state.set_perimeter(Perimeter(name, p.codes, p.metadata))
        st.rerun()  # the panels, drawn before or after this, all show the new name
    search, epci, actions = st.columns([3, 3, 2])
    with search:
        _search_box(catalog)
    with epci:
        _epci_box(catalog)
    with actions:
        st.write("")
        undo, clear = st.columns(2)
        if undo.button("↶ Annuler", width="stretch", disabled=not state.can_undo()):
            state.undo()
            st.rerun()
        if clear.button("Vider", width="stretch", disabled=not p.codes):
            state.set_perimeter(p.with_codes(()))
            st.rerun()
    if catalog.has_iris:
        _iris_opener(catalog)


def _search_box(catalog: Catalog) -> None:
    text = st.text_input("Rechercher une commune, un IRIS, un code INSEE ou postal",
                         placeholder="ex. Carmaux, 81060, 81400")
    if not text.strip():
        return
    found = catalog.search(text, limit=15)
    if found.empty:
        st.caption("Aucune unité trouvée.")
        return
    labels = {c: _label(r) for c, r in found.iterrows()}
    choice = st.selectbox("Résultats", list(labels), format_func=labels.__getitem__, key="search_results",
                          label_visibility="collapsed")
    p = state.perimeter()
    verb = "Retirer" if choice in p.codes else "Ajouter"
    st.button(f"{verb} {labels[choice]}", key="search_toggle", on_click=_toggle_and_show, args=(choice,))


def _toggle_and_show(code: str) -> None:
    """Button callback: toggle a unit and make sure its département is shown."""
    state.set_perimeter(state.perimeter().toggled(code))
    state.show_dep(state.get_catalog().column("dep")[code])


def _label(row) -> str:
    place = row["name"] if row["level"] != "iris" else f"{row['commune_name']} – IRIS {row['name']}"
    return f"{place} ({row['code']}, {row['dep']})"


def _epci_box(catalog: Catalog) -> None:
    units = catalog.units
    shown = units[units["dep"].isin(state.DEPS.get()) & (units["level"] == "commune")]
    epcis = shown.dropna(subset=["epci_code"]).drop_duplicates("epci_code").sort_values("epci_name")
    names = dict(zip(epcis["epci_code"], epcis["epci_name"], strict=True))
    code = st.selectbox("Ajouter un EPCI entier", [""] + list(names),
                        format_func=lambda c: names.get(c, "—"))
    if code and st.button("Ajouter l'EPCI", key="add_epci"):
        p = state.perimeter()
        state.set_perimeter(p.with_codes(p.codes | from_epci(catalog, p.name, code).codes))
        st.rerun()


def _iris_opener(catalog: Catalog) -> None:
    units = catalog.units
    irised = units[(units["level"] == "iris") & units["dep"].isin(state.DEPS.get())]
    counts = irised.groupby("parent_code").size()
    irised_communes = sorted(counts[counts > 1].index, key=lambda c: units.at[c, "name"])
    opened = st.multiselect("Communes ouvertes en IRIS (quartiers)", irised_communes,
                            default=[c for c in state.OPENED.get() if c in irised_communes],
                            placeholder=choices.CHOOSE,
                            format_func=lambda c: f"{units.at[c, 'name']} ({counts[c]} IRIS)")
    if tuple(sorted(opened)) != state.OPENED.get():
        p = state.perimeter()
        # A whole commune opened into IRIS stays whole: it becomes all of its IRIS.
        newly = set(opened) - set(state.OPENED.get())
        codes = set(p.codes)
        for commune in newly & codes:
            codes = (codes - {commune}) | set(catalog.children.get(commune, []))
        state.set_perimeter(p.with_codes(codes))
        state.OPENED.set(tuple(sorted(opened)))
        st.rerun()


# --- panels ---------------------------------------------------------------------------

def empty_panel() -> None:
    """Beside the map while the perimeter is empty: what to do, and, once the map is drawn,
    the Taille scale with no population on it. So the chart's code (Plotly, ~4.7 MB of
    JavaScript) is in the page before the first click, without slowing the map's first
    paint (loaded with it, it delayed the map by ~0.7 s; bench/browser_bench.py)."""
    st.info(EMPTY_PERIMETER)
    if state.MAP_DRAWN.get():
        st.plotly_chart(taille_scale(), width="stretch", config={"displayModeBar": False})
        st.caption(EMPTY_SCALE_CAPTION)


def figures_panel(catalog: Catalog, report: Report) -> None:
    f = report.figures
    pop = f.population
    st.plotly_chart(taille_gauge(pop), width="stretch", config={"displayModeBar": False})
    # Population on its own row: its value (a range when IRIS populations are unknown) must
    # not be cut on a 1366-pixel projector.
    st.metric("Population", pop.label())
    communes, area = st.columns(2)
    communes.metric("Communes", f.communes, help=f"dont {f.iris} IRIS" if f.iris else None)
    area.metric("Superficie", fmt_km2(f.area_km2))
    notes = [pop.vintage_label()] + ([] if f.density is None else [f"Densité {fmt_density(f.density)}"])
    if not catalog.has_iris:
        notes.append("niveau communal (pas de contours IRIS chargés)")
    st.caption(" · ".join(notes))


def findings_panel(report: Report) -> None:
    perimeter_map.scroll_to_map()
    st.subheader("Constats")
    if not report.findings:
        st.success("Aucun constat.")
    for i, finding in enumerate(report.findings):
        show_finding(finding)
        if finding.geometry is not None:
            if st.button("Voir sur la carte", key=f"focus_{i}_{finding.kind}"):
                perimeter_map.focus_on(finding.geometry)
                st.rerun()


def composition_panel(catalog: Catalog, report: Report) -> None:
    p = report.perimeter
    table = lettre_table(catalog, p)
    if table.empty:  # only codes unknown to the loaded data: unknown_codes_notice says so
        return
    rows = table.rename(columns={"Commune / quartier": "label", "Population": "population"})
    st.plotly_chart(population_by_commune(rows[["label", "population"]]), width="stretch",
                    config={"displayModeBar": False})
    st.subheader("Composition (lettre d'intention)")
    table = with_total(table)
    tables.table(table, numbers=["Population"])
    remove = st.multiselect("Retirer des unités", p.sorted_codes(), placeholder=choices.CHOOSE,
                            format_func=lambda c: f"{catalog.column('name').get(c, '?')} ({c})")
    if remove and st.button("Retirer la sélection"):
        state.set_perimeter(p.with_codes(p.codes - set(remove)))
        st.rerun()
    safe = file_stem(p.name)
    # Each file is built when its button is pressed (a callable), not on every click on the map.
    cols = st.columns(4)
    cols[0].download_button("GeoJSON", lambda: to_geojson(catalog, [p]), f"{safe}.geojson",
                            "application/geo+json", on_click="ignore")
    cols[1].download_button("CSV des codes", lambda: to_csv(p), f"{safe}.csv", "text/csv", on_click="ignore")
    cols[2].download_button("Tableau CSV", lambda: lettre_csv(table), f"{safe}_lettre.csv", "text/csv",
                            on_click="ignore")
    cols[3].download_button("Tableau XLSX", lambda: to_xlsx(table), f"{safe}_lettre.xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            on_click="ignore")
