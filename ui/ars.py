"""The sections of the page « Comparer les CPTS »: an ARS's view of a whole layer of CPTS
over a région or départements (geo.coverage), each function drawing one part of the screen.

The analysed layers live in the session (`state.ARS_LAYERS`: uploads and the example; the
builder's imported layers are offered too), so they survive reruns. The analysis and the
map's GeoJSON are cached per (catalog, layer content, scope): changing a widget reruns the
page without recomputing a région.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from formats.layers import MAX_FILE_MB, AmbiguousFileError, Layer
from formats.spreadsheets import to_xlsx
from geo.catalog import Catalog
from geo.coverage import (
    Coverage,
    Scope,
    ScopeError,
    analyse_layer,
    default_scope,
    scope_communes,
)
from geo.french import fmt_int, fmt_percent
from geo.mesh import Mesh
from ui import choices, file_names, layer_reading, legend, navigation, state, tables, territory
from ui import map as cmap
from ui.findings import show_finding
from ui.offline_assets import published_json
from ui.text import md

EXAMPLE_LAYER = Path(__file__).resolve().parents[2] / "shared" / "data" / "cpts_paca.geojson"
EXAMPLE_NAME = "Exemple : CPTS de Provence-Alpes-Côte d'Azur (ARS PACA, janvier 2026)"
FILE_TYPES = ["geojson", "json", "gpkg", "zip", "csv", "txt", "xlsx", "xls", "ods"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Shown in their own section, not among the findings.
LISTED_APART = ("unknown_codes", "remapped_codes")
TAILLES = [f"Taille {k}" for k in range(1, 5)]


# --- which layer --------------------------------------------------------------------------

def layer_picker(catalog: Catalog) -> None:
    """Sidebar: import a layer, choose the analysed one (this page's or the builder's)."""
    upload = st.file_uploader(
        "Importer une couche de CPTS", type=FILE_TYPES, key="ars_upload", max_upload_size=MAX_FILE_MB,
        help="GeoJSON (liste des codes INSEE de chaque CPTS, ou contours), GeoPackage, "
             "Shapefile zippé, ou tableau (CSV, XLSX, ODS) avec une colonne de codes et une colonne « cpts ».")
    if upload is not None and state.first_time("ars_upload", upload.file_id):
        raw = (upload.getvalue(), upload.name)
        _, error = layer_reading.read(catalog, *raw, key=f"ars_cols_{file_stem(upload.name)}")
        if error is not None and not isinstance(error, AmbiguousFileError):
            st.error(f"{md(error)} La couche déjà chargée est conservée.")
        else:  # read, or awaiting the user's answer about its columns (main area)
            state.ARS_RAW.get()[upload.name] = raw
            state.ARS_LAYERS.get().pop(upload.name, None)
            state.ARS_SOURCE.set(upload.name)
    choices = _choices()
    if state.ARS_SOURCE.get() not in choices:
        state.ARS_SOURCE.pop()
    if choices:
        own = {**state.ARS_RAW.get(), **state.ARS_LAYERS.get()}
        st.selectbox("Couche analysée", list(choices), key=state.ARS_SOURCE.key,
                     format_func=lambda n: n if n in own else f"{n} (constructeur)")


def _choices() -> dict[str, Layer | None]:
    """This page's files (None: not read yet, or awaiting a choice of columns), then the
    builder's layers (on a shared name, this page's wins)."""
    own = {**dict.fromkeys(state.ARS_RAW.get()), **state.ARS_LAYERS.get()}
    return {**own, **{n: layer for n, layer in state.layers().items() if n not in own}}


def _load_example() -> None:
    """Button callback (runs before the widgets, so it may choose the analysed layer)."""
    state.ARS_RAW.get()[EXAMPLE_NAME] = (EXAMPLE_LAYER.read_bytes(), EXAMPLE_LAYER.name)
    state.ARS_SOURCE.set(EXAMPLE_NAME)


def current_source() -> str | None:
    choices = _choices()
    name = state.ARS_SOURCE.get() or next(iter(choices), None)
    return name if name in choices else None


def reading(catalog: Catalog, source: str) -> Layer | None:
    """Before the analysis: how the file was read (code column, grouping, level, number of
    perimeters), with the columns to change; None while the file awaits an answer."""
    raw = state.ARS_RAW.get().get(source)
    if raw is None:  # a builder's layer, already read there
        return _choices()[source]
    data, name = raw
    layer, error = layer_reading.read(catalog, data, name, key=f"ars_cols_{file_stem(source)}")
    uncovered = layer is not None and layer.detection is not None and bool(layer.detection.uncovered)
    with st.expander("Lecture du fichier", expanded=layer is None or uncovered):
        layer_reading.panel(f"ars_cols_{file_stem(source)}", layer, error)
    if layer is not None:
        state.ARS_LAYERS.get()[source] = layer
    return layer


def empty_page() -> None:
    st.info(
        "Aucune couche de CPTS chargée. Importez-la dans la barre latérale : un **GeoJSON** où "
        "chaque CPTS porte la liste de ses codes INSEE (propriété « communes » ou « codes ») ou "
        "ses contours, un **GeoPackage**, un **Shapefile zippé**, ou un tableau (**CSV**, **XLSX**, "
        "**ODS**) avec une colonne « code » (INSEE de commune, d'arrondissement ou d'IRIS) et une colonne « cpts ». "
        "Les couches de CPTS voisines ajoutées dans le constructeur apparaissent aussi ici.")
    if EXAMPLE_LAYER.is_file():
        st.button("Charger l'exemple : les CPTS de Provence-Alpes-Côte d'Azur", on_click=_load_example)
        st.caption("Exemple dérivé du listing des CPTS de l'ARS PACA de janvier 2026 (70 CPTS) : "
                   "périmètres reconstitués à partir des communes listées, non officiels.")


def layer_digest(layer: Layer) -> str:
    """Identifies the layer's content (names, codes, metadata, what was not placed): the
    key of the cached analysis."""
    content = [[(p.name, p.sorted_codes(), p.metadata) for p in layer.perimeters],
               layer.unknown_codes, layer.remapped, layer.warnings]
    text = json.dumps(content, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# --- where -------------------------------------------------------------------------------

def scope_picker(catalog: Catalog, layer: Layer, digest: str) -> Scope | None:
    """Régions and départements analysed; by default the régions where the layer lies."""
    codes = {c for p in layer.perimeters for c in p.codes if c in catalog.units.index}
    try:
        default = default_scope(catalog, codes)
    except ScopeError as exc:
        st.error(str(exc))
        return None
    communes = catalog.units[catalog.units["level"] == "commune"]
    regions = communes.drop_duplicates("reg").set_index("reg")["reg_name"].sort_index()
    left, right = st.columns(2)
    chosen_regions = left.multiselect(
        "Région(s) analysée(s)", list(regions.index), default=list(default.regions),
        key=f"ars_regions_{digest}", format_func=lambda r: f"{r} – {regions[r]}",
        placeholder=choices.CHOOSE)
    chosen_deps = right.multiselect(
        "Département(s) analysé(s)", sorted(communes["dep"].unique()), placeholder="Aucun",
        default=list(default.departements), key=f"ars_deps_{digest}",
        format_func=territory.dep_label(catalog),
        help="Ajoutés aux régions choisies ; videz les régions pour n'analyser que ces départements.")
    if not chosen_regions and not chosen_deps:
        st.info("Choisissez une région ou au moins un département.")
        return None
    return Scope(tuple(sorted(chosen_regions)), tuple(sorted(chosen_deps)))


# --- the analysis -------------------------------------------------------------------------

def analyse(catalog: Catalog, layer: Layer, digest: str, scope: Scope):
    """(coverage, map data's URL, map bounds, each CPTS's units on the map), or None after
    showing why not."""
    try:
        return _analysis(_catalog_key(catalog), digest, scope.regions, scope.departements, layer)
    except ScopeError as exc:
        st.error(str(exc))
        return None


def _catalog_key(catalog: Catalog) -> tuple:
    """What changes the analysis when IRIS contours or populations are imported."""
    return len(catalog.units), catalog.iris_source, int(catalog.units["population"].sum())


@st.cache_data(show_spinner="Analyse de la couverture…", max_entries=16)
def _analysis(catalog_version: tuple, digest: str, regions: tuple, departements: tuple, _layer: Layer):
    catalog = _layer.catalog or state.get_catalog()
    coverage = analyse_layer(catalog, _layer, Scope(regions, departements))
    return (coverage, *_map_payload(catalog, _layer, coverage))


def _map_payload(catalog: Catalog, layer: Layer, coverage: Coverage) -> tuple[str, tuple, dict]:
    """The scope's units on the analysis's mesh (Marseille by arrondissement when the layer
    uses them), with the CPTS holding each and what needs attention, published for the map
    (fetched once by the browser); their bounds; each CPTS's units."""
    mesh = Mesh(catalog, [c for p in layer.perimeters for c in p.codes])
    leaves = mesh.expand(scope_communes(catalog, coverage.scope))
    owners: dict[str, list[str]] = defaultdict(list)
    for p in layer.perimeters:
        for leaf in mesh.expand(p.codes) & leaves:
            owners[leaf].append(p.name)
    white = coverage.white
    status = dict.fromkeys(white["code"], "white")
    status.update(dict.fromkeys(white.loc[white["isolated"], "code"], "isolated"))
    status.update({c: "shared" for o in coverage.overlaps for c in o.shared})
    status.update({c: "overlap" for o in coverage.overlaps for c in o.codes})
    colours = cmap.cpts_colours({r.name: r.neighbours for r in coverage.cpts})
    units = catalog.units.loc[sorted(leaves)]
    units = units[units.geometry.notna()]
    members: dict[str, list[str]] = defaultdict(list)
    for leaf, names in owners.items():
        for name in names:
            members[name].append(leaf)
    return (published_json(cmap.coverage_geojson(units, owners, status, colours)),
            tuple(units.total_bounds), dict(members))


# --- the sections -------------------------------------------------------------------------

def key_figures(coverage: Coverage) -> None:
    f = coverage.figures
    st.subheader(f"Couverture : {md(coverage.scope_label)}")
    cols = st.columns(4)
    cols[0].metric("Population couverte", fmt_percent(f.share_population))
    cols[0].caption(f"{f.population_covered.label()} sur {f.population.label()} "
                    f"({f.population.vintage_label()})")
    cols[1].metric("Communes couvertes", fmt_percent(f.share_communes))
    cols[1].caption(f"{fmt_int(f.communes_covered)} sur {fmt_int(f.communes)}"
                    + (f", dont {f.communes_partial} en partie" if f.communes_partial else ""))
    cols[2].metric("CPTS", f.cpts)
    cols[2].caption("de la couche, avec au moins une unité dans le territoire analysé")
    cols[3].metric("Communes en zone blanche", f.communes_white)
    cols[3].caption(_white_caption(coverage.white))
    _by_taille(f.by_taille)


def _white_caption(white: pd.DataFrame) -> str:
    """Uncovered units: parts of communes (an arrondissement, IRIS) count too."""
    population = [p for p in white["population"] if p is not None]
    parts = int((white["code"] != white["commune_code"]).sum())
    return (f"{fmt_int(len(white))} unité(s) sans CPTS" + (f" dont {parts} partie(s) de commune" if parts else "")
            + f", {fmt_int(sum(population))} hab."
            + (f" (population inconnue pour {fmt_int(len(white) - len(population))})"
               if len(population) < len(white) else "")
            + f", {fmt_int(white['isolated'].sum())} isolée(s) entre CPTS")


def _by_taille(by_taille: dict[str, int]) -> None:
    """CPTS by Taille; those whose population is a range (a shared commune, a population
    unknown) together, with the detail."""
    st.markdown("**CPTS par Taille**")
    uncertain = {t: n for t, n in by_taille.items() if t not in TAILLES}
    cols = st.columns(len(TAILLES) + 1)
    for col, taille in zip(cols[:-1], TAILLES, strict=True):  # the last column: « Taille incertaine »
        col.metric(taille, by_taille.get(taille, 0))
    cols[-1].metric("Taille incertaine", sum(uncertain.values()))
    if uncertain:
        detail = " · ".join(f"{t.removeprefix('Taille ').removesuffix(' (indéterminée)')} : {n}"
                            for t, n in uncertain.items())
        cols[-1].caption(f"{detail} (population en fourchette : commune partagée ou population inconnue)")


@st.fragment
def coverage_map(url: str, bounds, members: dict[str, list[str]]) -> None:
    """The coverage map, and a CPTS to outline on it: choosing one reruns only this part
    and sends only the outlined codes (the units were fetched once)."""
    chosen = st.selectbox("Mettre en évidence une CPTS", sorted(members), index=None,
                          placeholder="Aucune", key="ars_highlight")
    st_folium(cmap.coverage_map(url, bounds), key="ars_map", height=620,
              use_container_width=True, returned_objects=[],
              feature_group_to_add=cmap.highlight_group(tuple(members[chosen]) if chosen else ()))
    st.markdown(legend.coverage_legend(), unsafe_allow_html=True)
    st.caption("Chaque CPTS dans sa couleur (survolez une commune pour son nom).")


def findings(coverage: Coverage) -> None:
    shown = [f for f in coverage.findings if f.finding.kind not in LISTED_APART]
    st.subheader("Constats")
    if not shown:
        st.success("Aucun chevauchement, aucune unité isolée, aucune CPTS en plusieurs morceaux.")
    for item in shown:
        show_finding(item.finding)


def cpts_frame(coverage: Coverage) -> pd.DataFrame:
    """One row per CPTS, French headers, for display and export."""
    t = coverage.table()
    return pd.DataFrame({
        "CPTS": t["name"],
        "Population": pd.array(t["population"], dtype="Int64"),
        "Population (estimation)": t["population_label"],
        "Taille": t["taille"],
        "Communes": t["communes"],
        "Superficie (km²)": t["area_km2"].round(1),
        "Densité (hab./km²)": t["density"].round(1),
        "CPTS voisines": t["neighbours"].map(", ".join),
        "Nombre de voisines": t["neighbours"].map(len),
        "Constats": t["findings"],
    })


def cpts_table(coverage: Coverage, stem: str) -> None:
    st.subheader("Les CPTS")
    table = cpts_frame(coverage)
    tables.table(table, numbers=["Population", "Communes", "Nombre de voisines"],
                 decimals={"Superficie (km²)": 1, "Densité (hab./km²)": 1},
                 helps={"Population": f"« {tables.MISSING} » quand la population est une fourchette "
                                      "(commune partagée) : voir l'estimation."})
    st.caption("Cliquez un en-tête de colonne pour trier.")
    _xlsx_button(table, "Tableau des CPTS (XLSX)", f"{stem}_cpts", "CPTS")


def overlaps(catalog: Catalog, coverage: Coverage, stem: str) -> None:
    st.subheader("Chevauchements et communes partagées")
    matrix = coverage.overlap_matrix()
    if matrix.empty:
        st.success("Aucune unité revendiquée entière par deux CPTS.")
    else:
        st.caption("Nombre d'unités revendiquées entières par les deux CPTS :")
        tables.table(matrix, numbers=matrix.columns, hide_index=False)
        _xlsx_button(matrix.reset_index(names="CPTS"), "Matrice des chevauchements (XLSX)",
                     f"{stem}_matrice", "Chevauchements")
    if not coverage.overlaps:
        return
    name = catalog.column("name")
    pairs = pd.DataFrame([{
        "CPTS A": o.a, "CPTS B": o.b, "Unités en commun": len(o.codes),
        "Codes en commun": ", ".join(o.codes),
        "Population en commun": o.population.label() if o.codes else "",
        "Communes partagées (découpage inconnu)": ", ".join(f"{name.get(c, c)} ({c})" for c in o.shared),
    } for o in coverage.overlaps])
    tables.table(pairs, numbers=["Unités en commun"])
    _xlsx_button(pairs, "Paires de CPTS (XLSX)", f"{stem}_paires", "Paires")


def white_zones(coverage: Coverage, stem: str) -> None:
    st.subheader("Zones blanches")
    white = coverage.white
    if white.empty:
        st.success("Toutes les communes du territoire sont couvertes.")
        return
    table = pd.DataFrame({
        "Département": white["dep"], "Code INSEE": white["code"], "Nom": white["name"],
        "Commune": white["commune_name"],
        "Population": pd.array(white["population"], dtype="Int64"),
        "Isolée entre CPTS": white["isolated"].map({True: "oui", False: "non"}),
    })
    tables.table(table, numbers=["Population"])
    _xlsx_button(table, "Zones blanches (XLSX)", f"{stem}_zones_blanches", "Zones blanches")


def unplaced(catalog: Catalog, coverage: Coverage) -> None:
    st.subheader("Codes non placés et remplacés")
    if not (coverage.unplaced or coverage.remapped or coverage.warnings or coverage.uncovered):
        st.success("Tous les codes de la couche ont été placés.")
    for name, codes in coverage.unplaced.items():
        st.warning(md(f"« {name} » : {fmt_int(len(codes))} code(s) inconnu(s), non placé(s) : {', '.join(codes)}"))
    if coverage.remapped:
        names = catalog.column("name")
        tables.table(pd.DataFrame([
            {"Code dans la couche": old, "Code actuel": new, "Commune": names.get(new, "")}
            for old, new in sorted(coverage.remapped.items())]))
        st.caption("Communes fusionnées depuis la couche : leur code est remplacé par celui de la "
                   "commune nouvelle.")
    for warning in coverage.warnings:
        st.warning(md(warning))
    names = catalog.column("name")
    for value, codes in coverage.uncovered.items():
        st.info(md(f"Lignes « {value or 'vide'} » du fichier : {fmt_int(len(codes))} unité(s) sans CPTS, comptées en "
                   "zone blanche : " + ", ".join(f"{names.get(c, c)} ({c})" for c in codes[:30])
                   + (" …" if len(codes) > 30 else "") + "."))


@st.fragment
def open_in_builder(source: str, layer: Layer) -> None:
    """Choose a CPTS to rework in the builder, with the others of the layer as neighbours."""
    st.subheader("Retravailler une CPTS")
    names = [p.name for p in layer.perimeters]
    chosen = st.selectbox("CPTS", names, key="ars_open_choice")
    if st.button("Ouvrir dans le constructeur", on_click=_open, args=(source, layer, chosen)):
        st.switch_page(navigation.BUILDER.script)


def _open(source: str, layer: Layer, name: str) -> None:
    """Button callback (runs before the builder's widgets exist, so it may set them)."""
    state.open_in_builder(next(p for p in layer.perimeters if p.name == name))
    state.layers()[source] = Layer([p for p in layer.perimeters if p.name != name],
                                   geometries={n: g for n, g in layer.geometries.items() if n != name})


def file_stem(name: str) -> str:
    """The stem of the files made from the layer file `name` (its extension dropped)."""
    return file_names.file_stem(Path(name).stem, "couche")


def _xlsx_button(table: pd.DataFrame, label: str, stem: str, sheet: str) -> None:
    """The spreadsheet is written when clicked, and the click does not rerun the page."""
    st.download_button(label, lambda: to_xlsx(table, sheet), f"{stem}.xlsx", XLSX,
                       key=f"xlsx_{sheet}", on_click="ignore")
