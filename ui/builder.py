"""The sections of the page « Construire un périmètre »: each function draws one part of
the screen and turns what the user did there into a new perimeter (ui.state)."""

from __future__ import annotations

import math

import streamlit as st
from shapely.geometry import shape

from formats.layers import (
    MAX_FILE_BYTES,
    Layer,
    PerimeterFileError,
    read_layer,
    to_csv,
    to_geojson,
)
from formats.spreadsheets import to_xlsx
from geo.areas import mostly_inside
from geo.catalog import Catalog
from geo.checks import Report, check_perimeter
from geo.examples import carmausin_segala, ruscino
from geo.french import fmt_dec, fmt_int
from geo.perimeter import Perimeter, from_epci, geometry_of
from geo.population import TAILLE_THRESHOLDS
from reports.lettre import lettre_csv, lettre_table, with_total
from ui import choices, layer_reading, legend, state
from ui import map as cmap
from ui.offline_assets import published_json
from ui.perimeter_figures import population_by_commune, taille_gauge, taille_scale
from ui.text import md

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
SHOWN_DEPS = "deps_shown"  # the départements shown by the page's last full run
MAP_DRAWN = "map_drawn"  # True once the session's map has said its units are painted
SEVERITY = {"blocking": ("Bloquant", st.error), "warning": ("Attention", st.warning),
            "info": ("Info", st.info)}


# cache_resource, not cache_data: these are read-only and large; no copy on every rerun.
@st.cache_resource(show_spinner=False, max_entries=256)
def _dissolved(codes: tuple[str, ...]):
    return geometry_of(state.get_catalog(), Perimeter("x", codes))


def dep_label(catalog: Catalog):
    names = catalog.units.drop_duplicates("dep").set_index("dep")["dep_name"]
    return lambda dep: f"{dep} – {names.get(dep, '')}"


# --- sidebar -------------------------------------------------------------------------

def territory_picker(catalog: Catalog) -> None:
    units = catalog.units
    deps = sorted(units["dep"].dropna().unique())
    st.multiselect("Territoire affiché (départements)", deps, key="deps",
                   format_func=dep_label(catalog), placeholder=choices.CHOOSE,
                   on_change=choices.limit("deps", state.MAX_PICKED_DEPS, "départements"),
                   help="La carte montre les communes de ces départements.")
    choices.limit_notice("deps")
    regions = units.drop_duplicates("reg").dropna(subset=["reg"]).set_index("reg")["reg_name"].sort_values()
    st.selectbox("Ou une région entière", list(regions.index), index=None, key="region_picker",
                 format_func=regions.get, placeholder="Choisir une région", on_change=_show_region)


def _show_region() -> None:
    """Select box callback: show every département of the chosen région."""
    reg = st.session_state["region_picker"]
    if reg:
        units = state.get_catalog().units
        st.session_state["deps"] = sorted(units.loc[units["reg"] == reg, "dep"].dropna().unique())
    st.session_state["region_picker"] = None


def note_territory() -> None:
    """On a run of the whole page (before its fragment): the départements the sidebar's
    picker shows."""
    st.session_state[SHOWN_DEPS] = list(st.session_state["deps"])


def rerun_app_if_territory_changed() -> None:
    """Inside the page's fragment: when a toolbar action (a search result from another
    département) changed the shown territory, rerun the whole page so that the sidebar's
    picker shows it too."""
    if st.session_state.get(SHOWN_DEPS, st.session_state["deps"]) != st.session_state["deps"]:
        st.rerun(scope="app")


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
MAX_UPLOAD_MB = MAX_FILE_BYTES // 2**20  # the uploader states formats.layers' own limit


def apply_uploads(catalog: Catalog) -> list[tuple[object, str]]:
    """Apply the files just dropped in the sidebar's uploaders (their values are in the
    session state from the start of the run), before the map is drawn so that it shows
    them; the uploaders themselves are drawn later (`uploads`). Returns the messages to
    show under the uploaders, as (st.error/st.warning/st.info, text)."""
    messages: list[tuple[object, str]] = []
    opened = st.session_state.get("upload_perimeter")
    if opened is not None and state.first_time("upload_perimeter", opened.file_id):
        layer = _read(catalog, opened, messages)
        if layer:
            first, *others = layer.perimeters
            state.set_perimeter(first)
            if others:  # never silently the first: the others become its neighbours, and said
                state.layers()[opened.name] = Layer(others, geometries=layer.geometries)
                messages.append((st.info, md(f"« {opened.name} » contient {len(layer.perimeters)} périmètres : "
                                             f"« {first.name} » est ouvert, les {len(others)} autres sont "
                                             "ajoutés comme CPTS voisines.")))
    neighbours = st.session_state.get("upload_layer")
    if neighbours is not None:
        # Read with the columns chosen under the uploader (cached per file and choice); what
        # was detected, or the question when ambiguous, is shown there before it is used.
        key = "neighbour_cols"
        layer, error = layer_reading.read(catalog, neighbours.getvalue(), neighbours.name, key)
        messages.append((lambda _: layer_reading.panel(key, layer, error), ""))
        if layer and state.first_time("upload_layer", (neighbours.file_id, layer_reading.choice(key))):
            state.layers()[neighbours.name] = layer
            if layer.catalog is not None:
                messages.append((st.warning, "Cette couche est découpée par IRIS sans contours IRIS "
                                 "importés : importez-les dans « Données » pour la comparer au périmètre."))
    return messages


def uploads(messages: list[tuple[object, str]]) -> None:
    st.markdown("**Fichiers**")
    kinds = "GeoJSON, GeoPackage, Shapefile zippé, ou tableau (CSV, XLSX, ODS) de codes INSEE"
    st.file_uploader("Ouvrir un périmètre", help=kinds, key="upload_perimeter", type=UPLOAD_KINDS,
                     max_upload_size=MAX_UPLOAD_MB)
    st.file_uploader("Ajouter une couche de CPTS voisines", help=kinds, key="upload_layer",
                     type=UPLOAD_KINDS, max_upload_size=MAX_UPLOAD_MB)
    for show, text in messages:
        show(text)
    for name in list(state.layers()):
        cols = st.columns([4, 1])
        cols[0].caption(f"Couche « {md(name)} » : {len(state.layers()[name].perimeters)} CPTS")
        if cols[1].button("✕", key=f"drop_{name}", help="Retirer cette couche"):
            del state.layers()[name]
            st.rerun()


def _read(catalog: Catalog, upload, messages: list[tuple[object, str]]):
    try:
        layer = read_layer(catalog, upload.getvalue(), upload.name)
    except PerimeterFileError as exc:
        messages.append((st.error, f"{md(exc)} Le périmètre en cours est conservé."))
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
        if undo.button("↶ Annuler", width="stretch", disabled=not st.session_state["history"]):
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
    choice = st.selectbox("Résultats", list(labels), format_func=labels.get, key="search_results",
                          label_visibility="collapsed")
    p = state.perimeter()
    verb = "Retirer" if choice in p.codes else "Ajouter"
    st.button(f"{verb} {labels[choice]}", key="search_toggle", on_click=_toggle_and_show, args=(choice,))


def _toggle_and_show(code: str) -> None:
    """Button callback: toggle a unit and make sure its département is shown."""
    state.set_perimeter(state.perimeter().toggled(code))
    dep = state.get_catalog().column("dep")[code]
    if dep not in st.session_state["deps"]:
        st.session_state["deps"] = st.session_state["deps"] + [dep]


def _label(row) -> str:
    place = row["name"] if row["level"] != "iris" else f"{row['commune_name']} – IRIS {row['name']}"
    return f"{place} ({row['code']}, {row['dep']})"


def _epci_box(catalog: Catalog) -> None:
    units = catalog.units
    shown = units[units["dep"].isin(st.session_state["deps"]) & (units["level"] == "commune")]
    epcis = shown.dropna(subset=["epci_code"]).drop_duplicates("epci_code").sort_values("epci_name")
    names = dict(zip(epcis["epci_code"], epcis["epci_name"]))
    code = st.selectbox("Ajouter un EPCI entier", [""] + list(names),
                        format_func=lambda c: names.get(c, "—"))
    if code and st.button("Ajouter l'EPCI", key="add_epci"):
        p = state.perimeter()
        state.set_perimeter(p.with_codes(p.codes | from_epci(catalog, p.name, code).codes))
        st.rerun()


def _iris_opener(catalog: Catalog) -> None:
    units = catalog.units
    irised = units[(units["level"] == "iris") & units["dep"].isin(st.session_state["deps"])]
    counts = irised.groupby("parent_code").size()
    irised_communes = sorted(counts[counts > 1].index, key=lambda c: units.at[c, "name"])
    opened = st.multiselect("Communes ouvertes en IRIS (quartiers)", irised_communes,
                            default=[c for c in st.session_state["opened"] if c in irised_communes],
                            placeholder=choices.CHOOSE,
                            format_func=lambda c: f"{units.at[c, 'name']} ({counts[c]} IRIS)")
    if tuple(sorted(opened)) != st.session_state["opened"]:
        p = state.perimeter()
        # A whole commune opened into IRIS stays whole: it becomes all of its IRIS.
        newly = set(opened) - set(st.session_state["opened"])
        codes = set(p.codes)
        for commune in newly & codes:
            codes = (codes - {commune}) | set(catalog.children.get(commune, []))
        state.set_perimeter(p.with_codes(codes))
        st.session_state["opened"] = tuple(sorted(opened))
        st.rerun()


# --- the map --------------------------------------------------------------------------

MAP_NOTICE = "map_notice"  # (st.error or st.warning, text) left by a drawing for the next run


def _territory() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The shown territory: (départements, communes opened into IRIS)."""
    return tuple(sorted(st.session_state["deps"] or state.DEFAULT_DEPS)), st.session_state["opened"]


def _shown():
    """The shown territory's units, payload and bounds (cached per territory)."""
    return state.shown_territory(*_territory())


def territory_bounds() -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of the shown territory."""
    return _shown()[2]


def _neighbour_shapes() -> list[tuple[str, object]]:
    """The neighbouring CPTS drawn on the map, in the order of their colours."""
    shapes = [(p.name, _dissolved(tuple(p.sorted_codes()))) for p in state.neighbours()]
    return [(name, shape) for name, shape in shapes if not shape.is_empty]


def map_legend(report: Report) -> None:
    """Under the map: what its colours mean (perimeter, findings, neighbours by name)."""
    names = [name for name, _ in _neighbour_shapes()]
    st.markdown(legend.builder_legend(report.findings, names), unsafe_allow_html=True)


def map_section(catalog: Catalog, report: Report, height: int = 640) -> None:
    deps, opened = _territory()
    _, _, bounds = state.shown_territory(deps, opened)
    m = cmap.base_map(state.territory_url(deps, opened), bounds)
    group = cmap.perimeter_group(_dissolved(tuple(report.perimeter.sorted_codes())), report.findings, {
        "selected": report.perimeter.sorted_codes(), "ack": st.session_state["map_ack"],
        "neighbours": _neighbours_url(tuple((p.name, tuple(p.sorted_codes())) for p in state.neighbours())),
    })
    # Imported here, in a script run: streamlit-folium registers its map component only when
    # imported inside one, and serve.py's warm-up imports this module before any run.
    from streamlit_folium import st_folium

    focus = st.session_state["focus"]
    st_folium(
        m, key="map", height=height, use_container_width=True,
        # Nothing of streamlit-folium's own: static/cpts_map.js sends the clicks and drawings.
        returned_objects=[],
        feature_group_to_add=group, on_change=_apply_map_event,
        center=focus["center"] if focus else None, zoom=focus["zoom"] if focus else None,
    )
    if notice := st.session_state.pop(MAP_NOTICE, None):
        show, text = notice
        show(text)
    st.caption("Cliquez une commune pour l'ajouter ou la retirer ; dessinez un polygone ou un "
               "rectangle (outils à gauche) pour ajouter les communes majoritairement à l'intérieur.")


@st.cache_resource(show_spinner=False, max_entries=64)
def _neighbours_url(neighbours: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The neighbouring CPTS published for the map (once per set of neighbours)."""
    shapes = [(name, _dissolved(codes), codes) for name, codes in neighbours]
    shapes = [s for s in shapes if not s[1].is_empty]
    return published_json(cmap.neighbours_payload(shapes)) if shapes else None


def _apply_map_event() -> None:
    """The map's on_change callback (streamlit-folium has just put the value sent by
    static/cpts_map.js in st.session_state["map"]). It runs before the script, so the run
    that follows a click or a drawing already shows the new perimeter.

    The value lists every event (toggle of a unit, drawing) the map has not seen
    acknowledged, each with a sequence number: those above the last one applied for this
    map are applied, in order, once; the map hears back which was last (`map_ack`)."""
    out = st.session_state.get("map") or {}
    client = out.get("client")
    ack = st.session_state["map_ack"]
    done = ack.get("seq", 0) if ack.get("client") == client else 0
    units = _shown()[0]
    for event in out.get("events") or []:
        try:
            seq, kind, data = event
        except (TypeError, ValueError):
            continue
        if not isinstance(seq, int) or seq <= done:
            continue
        done = seq
        if kind == "toggle" and isinstance(data, str) and data in units.index:
            state.set_perimeter(state.perimeter().toggled(data))
        elif kind == "drawing":
            _apply_drawing(units, data)
    st.session_state["map_ack"] = {"client": client, "seq": done}
    if out.get("drawn"):
        st.session_state[MAP_DRAWN] = True


def _apply_drawing(units, geometry) -> None:
    try:
        polygon = shape(geometry)
    except (KeyError, ValueError, TypeError, AttributeError):
        st.session_state[MAP_NOTICE] = (st.error, "Dessin illisible : tracez un polygone ou un rectangle.")
        return
    inside = mostly_inside(units, polygon)
    if inside:
        p = state.perimeter()
        state.set_perimeter(p.with_codes(p.codes | set(inside)))
    else:
        st.session_state[MAP_NOTICE] = (
            st.warning, "Aucune commune n'a la majorité de sa surface dans le dessin.")


def focus_on(geometry) -> None:
    """Centre the map on a finding (no full redraw: streamlit-folium's center/zoom), and
    have the next run scroll the map into view (`scroll_to_map`)."""
    x0, y0, x1, y1 = geometry.bounds
    extent = max(x1 - x0, (y1 - y0) * 1.4, 0.01)
    zoom = max(6, min(14, int(math.log2(360 / extent)) - 1))
    st.session_state["focus"] = {"center": [(y0 + y1) / 2, (x0 + x1) / 2], "zoom": zoom}
    st.session_state[FOCUS_COUNT] = st.session_state.get(FOCUS_COUNT, 0) + 1
    st.session_state[SCROLL_TO_MAP] = True


FOCUS_COUNT = "focus_count"  # « Voir sur la carte » clicks so far in this session
SCROLL_TO_MAP = "scroll_to_map"  # True until the next run has scrolled to the map
# Runs in the page (st.html); the counter makes each request a new element, which runs again.
_SCROLL_SCRIPT = ("<script>/* {n} */ const map = window.parent.document.querySelector("
                  "'iframe[title=\"streamlit_folium.st_folium\"]') || document.querySelector("
                  "'iframe[title=\"streamlit_folium.st_folium\"]'); "
                  "if (map) {{ map.style.scrollMarginTop = '4.5rem'; "  # below Streamlit's header
                  "map.scrollIntoView({{behavior: 'instant', block: 'start'}}); }}</script>")


def scroll_to_map() -> None:
    """Bring the builder's map into the viewport once after « Voir sur la carte »: the
    findings sit below the figures, far from the map on a laptop screen."""
    if st.session_state.pop(SCROLL_TO_MAP, False):
        st.html(_SCROLL_SCRIPT.format(n=st.session_state[FOCUS_COUNT]), unsafe_allow_javascript=True)


# --- panels ---------------------------------------------------------------------------

def current_report(catalog: Catalog) -> Report:
    return check_perimeter(catalog, state.perimeter(), state.neighbours(), state.neighbour_geometries() or None)


def empty_panel() -> None:
    """Beside the map while the perimeter is empty: what to do, and, once the map is drawn,
    the Taille scale with no population on it. So the chart's code (Plotly, ~4.7 MB of
    JavaScript) is in the page before the first click, without slowing the map's first
    paint (loaded with it, it delayed the map by ~0.7 s; bench/browser_bench.py)."""
    st.info(EMPTY_PERIMETER)
    if st.session_state.get(MAP_DRAWN):
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
    area.metric("Superficie", f"{fmt_dec(f.area_km2, 0)} km²")
    notes = [pop.vintage_label()] + ([] if f.density is None else [f"Densité {fmt_dec(f.density)} hab./km²"])
    if not catalog.has_iris:
        notes.append("niveau communal (pas de contours IRIS chargés)")
    st.caption(" · ".join(notes))


def findings_panel(report: Report) -> None:
    scroll_to_map()
    st.subheader("Constats")
    if not report.findings:
        st.success("Aucun constat.")
    for i, finding in enumerate(report.findings):
        label, show = SEVERITY[finding.severity]
        show(f"**{label}** — {md(finding.message)}")
        if finding.geometry is not None:
            if st.button("Voir sur la carte", key=f"focus_{i}_{finding.kind}"):
                focus_on(finding.geometry)
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
    st.dataframe(table, hide_index=True, width="stretch")
    remove = st.multiselect("Retirer des unités", p.sorted_codes(), placeholder=choices.CHOOSE,
                            format_func=lambda c: f"{catalog.column('name').get(c, '?')} ({c})")
    if remove and st.button("Retirer la sélection"):
        state.set_perimeter(p.with_codes(p.codes - set(remove)))
        st.rerun()
    safe = "".join(ch if ch.isalnum() else "_" for ch in p.name)[:60] or "perimetre"
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


def unknown_codes_notice(catalog: Catalog) -> None:
    unknown = [c for c in state.perimeter().codes if c not in catalog.units.index]
    if unknown:
        st.warning("Codes absents des données chargées : " + md(", ".join(sorted(unknown))))

