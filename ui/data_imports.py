"""Indicator datasets on the screens: the cached datasets and aggregators every page reads,
and the sections of the page « Données » that list, import and remove them.

A dataset is read from the workspace once per import: `dataset()`, `aggregator()` and
`unit_values()` are cached (shared by the sessions of one server) under the workspace, the
dataset's id and its import date, so a re-import under the same id is a new entry;
`forget()` empties the caches after an import or a removal. The aggregator's key also
holds the catalog's identity: importing IRIS contours makes a new catalog.

An import reads the upload (the importers refuse files over indicator_files.MAX_FILE_BYTES, read
at each call: Streamlit's own upload limit is set above it so the user gets the importers'
French message), saves the dataset and only then reruns; what it reported (codes it could
not place, obsolete codes remapped, or the error) stays on screen until the next import.
A failed import touches nothing saved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import streamlit as st

from formats import indicator_files
from formats.indicator_files import (
    IndicatorImportError,
    TablePreview,
    preview_table,
    read_apl,
    read_finess,
    read_insee_population,
    read_table,
)
from geo.catalog import Catalog
from geo.french import fmt_int
from indicators.aggregate import Aggregator
from indicators.definitions import Dataset, Indicator, slug
from indicators.embedded import embedded_dataset, embedded_ids
from store.datasets import list_datasets, load_dataset, remove_dataset, save_dataset
from store.workspace import workspace_dir
from ui import choices, state
from ui.indicator_figures import fmt_share, shown
from ui.territory import dep_label
from ui.text import md

RULE_LABELS = {"sum": "effectif (somme)", "ratio": "taux (rapport de sommes)",
               "weighted_mean": "moyenne pondérée"}
SCALES = {1.0: "tel quel (× 1)", 100.0: "en % (× 100)", 1_000.0: "pour 1 000",
          10_000.0: "pour 10 000", 100_000.0: "pour 100 000"}
SCALE_UNITS = {1.0: "", 100.0: "%", 1_000.0: "pour 1 000", 10_000.0: "pour 10 000",
               100_000.0: "pour 100 000"}
DECIMALS = {"sum": 0, "ratio": 1, "weighted_mean": 2}
LEVEL_WORDS = {"commune": "communes", "iris": "IRIS"}


# --- cached access to the workspace's datasets ---------------------------------------------

def saved() -> list[dict]:
    """The saved datasets' descriptions (store.datasets), by title."""
    return list_datasets()


def embedded() -> list[dict]:
    """The embedded datasets (indicators.embedded), described like saved ones."""
    return [embedded_meta(dataset_id) for dataset_id in embedded_ids()]


def embedded_meta(dataset_id: str) -> dict:
    data = embedded_dataset(dataset_id)
    return {"id": dataset_id, "title": data.title, "level": data.level, "embedded": True,
            "provenance": {"imported_at": data.provenance.imported_at,
                           "file_name": data.provenance.file_name}}


@st.cache_resource(show_spinner="Lecture du jeu d'indicateurs…", max_entries=32)
def _dataset(workspace: str, dataset_id: str, imported_at: str) -> Dataset:
    if dataset_id in embedded_ids():
        return embedded_dataset(dataset_id)
    return load_dataset(dataset_id, Path(workspace))


@st.cache_resource(show_spinner="Préparation des indicateurs (département, région, France)…",
                   max_entries=32)
def _aggregator(workspace: str, dataset_id: str, imported_at: str, catalog_id: int,
                _catalog: Catalog) -> Aggregator:
    return Aggregator(_catalog, _dataset(workspace, dataset_id, imported_at))


def dataset(meta: dict) -> Dataset:
    return _dataset(str(workspace_dir()), meta["id"], meta["provenance"]["imported_at"])


def aggregator(catalog: Catalog, meta: dict) -> Aggregator:
    return _aggregator(str(workspace_dir()), meta["id"], meta["provenance"]["imported_at"],
                       id(catalog), catalog)


@st.cache_data(show_spinner="Valeurs par unité…", max_entries=64)
def _unit_values(workspace: str, dataset_id: str, imported_at: str, catalog_id: int,
                 indicator_id: str, codes: tuple[str, ...]) -> dict[str, float | None]:
    agg = _aggregator(workspace, dataset_id, imported_at, catalog_id, state.get_catalog())
    return {code: shown(agg.aggregate(indicator_id, [code], code)) for code in codes}


def unit_values(catalog: Catalog, meta: dict, indicator_id: str, codes) -> dict[str, float | None]:
    """What a map shows for each unit: the indicator over that unit alone, by its rule (a
    count per 10,000 inhabitants), None without data."""
    return _unit_values(str(workspace_dir()), meta["id"], meta["provenance"]["imported_at"],
                        id(catalog), indicator_id, tuple(sorted(codes)))


def forget() -> None:
    """After an import or a removal: the next read goes back to the workspace."""
    _dataset.clear()
    _aggregator.clear()
    _unit_values.clear()


def imported_on(meta: dict) -> str:
    stamp = meta["provenance"].get("imported_at", "")
    try:
        return datetime.fromisoformat(stamp).strftime("%d/%m/%Y à %H:%M")
    except ValueError:
        return stamp or "?"


# --- the list of loaded datasets ------------------------------------------------------------

def datasets_section(catalog: Catalog) -> None:
    st.subheader("Jeux d'indicateurs")
    metas = saved()
    if not metas:
        st.info("Aucun jeu d'indicateurs : le diagnostic territorial se limite à la population, la "
                "superficie et la densité. Importez ci-dessous la population par âge (INSEE), l'APL "
                "(DREES) ou tout tableau par commune ou IRIS (export Rézone CPTS, CartoSanté…).")
    deps = list(state.DEPS.get() or state.DEFAULT_DEPS)
    for meta in metas:
        _dataset_card(catalog, meta, deps)


def _dataset_card(catalog: Catalog, meta: dict, deps: list[str]) -> None:
    data = dataset(meta)
    provenance = data.provenance
    with st.container(border=True):
        text, button = st.columns([6, 1])
        text.markdown(f"**{md(data.title)}**")
        facts = [f"Producteur : {provenance.publisher or 'non renseigné'}",
                 f"millésime : {provenance.vintage or 'non renseigné'}",
                 f"fichier « {provenance.file_name} »",
                 f"{fmt_int(len(data.table))} {LEVEL_WORDS[data.level]}",
                 f"importé le {imported_on(meta)}"]
        text.caption(md(" · ".join(facts)))
        shown_deps = ", ".join(map(dep_label(catalog), deps))
        text.markdown(f"Couverture du territoire affiché ({md(shown_deps)}) : "
                      f"**{_territory_coverage(aggregator(catalog, meta), deps)}** de la population")
        if button.button("Retirer", key=f"remove_dataset_{data.id}",
                         help="Supprimer ce jeu du poste (le fichier d'origine n'est pas touché)."):
            remove_dataset(data.id)
            forget()
            state.IMPORT_REPORT.pop()
            st.rerun()
        count = len(data.indicators)
        with st.expander(f"{count} indicateur{'s' if count > 1 else ''} et remarques de l'import"):
            for indicator in data.indicators:
                denominator = f" / {indicator.denominator}" if indicator.denominator else ""
                st.markdown("- " + md(f"{indicator.label} ({indicator.unit or 'sans unité'}) — "
                                         f"{RULE_LABELS[indicator.rule]} de « {indicator.column}"
                                         f"{denominator} » — {indicator.source}"))
            _import_remarks(provenance.warnings)
            _code_lists(data.unknown_codes, data.remapped)


def _territory_coverage(agg: Aggregator, deps: list[str]) -> str:
    """Share of the shown départements' population living in units with data (the lowest
    and highest over the dataset's indicators when they differ)."""
    shares = set()
    for indicator in agg.dataset.indicators:
        refs = [agg.reference(indicator.id, "departement", dep) for dep in deps]
        population = sum(r.population for r in refs)
        shares.add(round(sum(r.population_covered for r in refs) / population, 2) if population else None)
    known = sorted(s for s in shares if s is not None)
    if not known:
        return fmt_share(None)
    if known[0] == known[-1]:
        return fmt_share(known[0])
    return f"de {fmt_share(known[0])} à {fmt_share(known[-1])} selon l'indicateur"


def _import_remarks(warnings) -> None:
    for warning in warnings:
        st.warning(md(warning))


def _code_lists(unknown_codes, remapped) -> None:
    """Every code set aside and every obsolete code remapped (the warnings name ten)."""
    if unknown_codes:
        st.markdown(f"**{fmt_int(len(unknown_codes))} codes non placés** (absents du référentiel des communes) :")
        st.code(" ".join(unknown_codes), language=None, wrap_lines=True)
    if remapped:
        st.markdown(f"**{fmt_int(len(remapped))} codes anciens rattachés** à leur commune actuelle :")
        st.code(" ; ".join(f"{old} → {new}" for old, new in remapped.items()), language=None,
                wrap_lines=True)


# --- imports ---------------------------------------------------------------------------------

def imports_section() -> None:
    st.subheader("Importer des indicateurs")
    st.caption("Fichiers de 200 Mo au plus (importez un extrait de vos départements au-delà). "
               "Un import du même nom remplace le précédent ; un import refusé ne change rien.")
    _last_report()
    age, apl, finess, table = st.tabs(["Population par âge (INSEE)", "APL (DREES)",
                                       "Établissements (FINESS)", "Autre tableau d'indicateurs"])
    with age:
        _insee_import()
    with apl:
        _apl_import()
    with finess:
        _official_import(
            "finess_upload",
            "Extraction FINESS des établissements (« Réexposition des données FINESS », "
            "data.gouv.fr) : une ligne par établissement (et activité), avec sa catégorie "
            "(`categetab`) et sa commune (`code_insee`). Donne le nombre d'établissements par "
            "commune : pharmacies, maisons et centres de santé, EHPAD, hôpitaux.",
            "Extraction FINESS (CSV)", ["csv", "zip"], read_finess, "FINESS")
    with table:
        _table_import()


def _last_report() -> None:
    report = state.IMPORT_REPORT.get()
    if not report:
        return
    if "error" in report:
        st.error(report["error"])
        return
    st.success(f"« {md(report['title'])} » importé : {fmt_int(report['units'])} "
               f"{LEVEL_WORDS[report['level']]}" + (" (remplace le jeu du même nom)." if report["replaced"] else "."))
    _import_remarks(report["warnings"])
    if report["unknown"] or report["remapped"]:
        with st.expander("Liste complète des codes non placés ou rattachés"):
            _code_lists(report["unknown"], report["remapped"])


def _run(read, what: str, on_success=None) -> None:
    """Import with a progress bar; save, then rerun so every list shows the new dataset.
    `read(progress)` returns a Dataset or raises IndicatorImportError."""
    bar = st.progress(0.0, text=f"{what} : lecture…")
    try:
        data = read(lambda fraction, message: bar.progress(min(max(float(fraction), 0.0), 1.0), text=message))
        replaced = any(meta["id"] == data.id for meta in saved())
        save_dataset(data)
    except (IndicatorImportError, ValueError, OSError) as exc:
        bar.empty()
        state.IMPORT_REPORT.set({
            "error": f"{what} non importé : {exc} Les jeux déjà chargés sont conservés."})
        st.rerun()
    forget()
    if on_success:
        on_success()
    state.IMPORT_REPORT.set({
        "title": data.title, "level": data.level, "units": len(data.table), "replaced": replaced,
        "warnings": data.provenance.warnings, "unknown": data.unknown_codes, "remapped": dict(data.remapped)})
    st.rerun()


def _official_import(key: str, caption: str, label: str, types: list[str], reader, title: str) -> None:
    """An official file read by its own importer as soon as it is uploaded."""
    st.caption(caption)
    upload = st.file_uploader(label, type=types, key=key)
    if upload is not None and state.first_time(key, upload.file_id):
        _run(lambda progress: reader(upload.getvalue(), upload.name, progress=progress,
                                     max_bytes=indicator_files.MAX_FILE_BYTES), title)


def _insee_import() -> None:
    _official_import(
        "insee_age_upload",
        "Sur insee.fr : « Population en historique depuis 1968 », base infracommunale (IRIS) "
        "`base-ic-evol-struct-pop-AAAA` ou communale `base-cc-evol-struct-pop-AAAA` "
        "(CSV `;`, XLSX ou l'archive .zip). Donne la population, les parts des 65 et 75 ans "
        "et plus, l'indice de vieillissement et la structure par âge.",
        "Fichier INSEE de population par âge", ["csv", "xlsx", "zip"], read_insee_population,
        "Population par âge")


def _apl_import() -> None:
    _official_import(
        "apl_upload",
        "Sur data.drees.solidarites-sante.gouv.fr : « L'accessibilité potentielle localisée "
        "(APL) », fichier XLSX par profession (une feuille par année : la plus récente est lue). "
        "Chaque colonne « APL aux … » devient un indicateur, moyenne pondérée par la "
        "population standardisée du fichier.",
        "Fichier APL de la DREES (XLSX)", ["xlsx", "csv", "zip"], read_apl, "APL")


@st.cache_data(show_spinner="Lecture des colonnes…", max_entries=16)
def _preview(file_id: str, sheet: str | None, _upload) -> TablePreview:
    return preview_table(_upload.getvalue(), _upload.name, sheet=sheet, max_bytes=indicator_files.MAX_FILE_BYTES)


def _table_import() -> None:
    st.caption("Un tableau avec une ligne par commune ou par IRIS (code INSEE) et des colonnes de "
               "valeurs : export Rézone CPTS ou CartoSanté, extraction SIRENE, tableau maison… "
               "Après l'envoi, choisissez la colonne des codes et les valeurs, et dites comment "
               "chacune s'additionne sur un territoire.")
    count = state.TABLE_UPLOAD_COUNT.get()
    upload = st.file_uploader("Tableau d'indicateurs (CSV ou XLSX)", type=["csv", "txt", "xlsx", "zip"],
                              key=f"table_upload_{count}")
    if upload is None:
        return
    key = f"tbl:{upload.file_id}:"
    try:
        preview = _preview(upload.file_id, None, upload)
        sheet = None
        if preview.sheets:
            sheet = st.selectbox("Feuille", preview.sheets, index=preview.sheets.index(preview.sheet),
                                 key=key + "sheet")
            if sheet != preview.sheet:
                preview = _preview(upload.file_id, sheet, upload)
    except IndicatorImportError as exc:
        st.error(f"{exc} Les jeux déjà chargés sont conservés.")
        return
    if not preview.columns:
        st.warning("Aucun tableau lisible ici (il faut une ligne d'en-tête puis une ligne par code) : "
                   "choisissez une autre feuille ou un autre fichier.")
        return
    columns = list(preview.columns)
    code = st.selectbox("Colonne des codes INSEE (commune ou IRIS)", columns,
                        index=columns.index(preview.code_column) if preview.code_column else 0,
                        key=key + "code")
    others = [c for c in columns if c != code]
    numeric = set(preview.numeric_columns)
    values = st.multiselect("Colonnes de valeurs à importer", others, key=key + "values",
                            placeholder=choices.CHOOSE,
                            format_func=lambda c: c if c in numeric else f"{c} (texte ?)",
                            help="Les colonnes dont les premières lignes ne sont pas des nombres "
                                 "sont marquées « texte ? ».")
    title_col, source_col, year_col = st.columns([3, 3, 1])
    title = title_col.text_input("Nom du jeu de données", Path(preview.file_name).stem, key=key + "title")
    publisher = source_col.text_input("Producteur (source)", key=key + "publisher",
                                      placeholder="ex. Assurance Maladie (Rézone), INSEE SIRENE")
    year = year_col.number_input("Année", min_value=1900, max_value=2100, value=None, step=1,
                                 key=key + "year")
    exhaustive = st.checkbox(
        "Fichier exhaustif : une commune absente (dans les départements du fichier) compte 0",
        key=key + "exhaustive",
        help="Pour les effectifs et les taux : par exemple une extraction SIRENE ne liste que les "
             "communes qui ont au moins un établissement. Une moyenne n'est jamais inventée.")
    specs = [_value_form(key + f"v:{column}:", column, [c for c in others if c != column],
                         publisher, year) for column in values]
    if any(slug(title) == meta["id"] for meta in saved()):
        st.caption(f"Un jeu « {md(title)} » existe déjà : l'importer le remplacera.")
    if not st.button("Importer", type="primary", key=key + "import"):
        return
    problems = [s for s in specs if isinstance(s, str)]
    indicators = [s for s in specs if isinstance(s, Indicator)]
    if not values or problems:
        st.error(" ".join(problems) or "Choisissez au moins une colonne de valeurs.")
        return
    _run(lambda progress: read_table(
        upload.getvalue(), code, _unique_ids(indicators), filename=upload.name, sheet=sheet,
        title=title.strip() or None, publisher=publisher.strip(),
        vintage=None if year is None else int(year), absent_as_zero=exhaustive, progress=progress,
        max_bytes=indicator_files.MAX_FILE_BYTES),
        "Tableau", on_success=lambda: state.TABLE_UPLOAD_COUNT.set(count + 1))


def _value_form(key: str, column: str, others: list[str], publisher: str, year) -> Indicator | str:
    """How one value column aggregates, and its label: an Indicator, or what is missing."""
    with st.container(border=True):
        st.markdown(f"**Colonne « {md(column)} »**")
        rule_col, base_col, scale_col = st.columns([2, 3, 2])
        rule = rule_col.selectbox("Agrégation", list(RULE_LABELS), format_func=RULE_LABELS.__getitem__,
                                  key=key + "rule")
        denominator: str | None = None
        scale = 1.0
        if rule == "sum":
            base_col.caption("Somme sur les communes ; comparée aussi pour 10 000 habitants.")
        elif rule == "ratio":
            denominator = base_col.selectbox("Dénominateur", [None, *others], key=key + "den",
                                             format_func=lambda c: "— choisir —" if c is None else c)
            scale = scale_col.selectbox("Exprimé", list(SCALES), format_func=SCALES.__getitem__, index=1,
                                        key=key + "scale")
        else:
            denominator = base_col.selectbox(
                "Poids", [None, *others], key=key + "weight",
                format_func=lambda c: "population municipale (référentiel INSEE)" if c is None else c)
        label_col, unit_col, source_col, year_col = st.columns([3, 2, 3, 1])
        label = label_col.text_input("Libellé", column, key=key + "label").strip() or column
        unit = unit_col.text_input("Unité", SCALE_UNITS[scale], key=key + f"unit:{scale}",
                                   placeholder="ex. établissements, %")
        source = source_col.text_input("Source", key=key + "source", placeholder="comme le fichier")
        vintage = year_col.number_input("Année", min_value=1900, max_value=2100, value=None, step=1,
                                        key=key + "year", placeholder="idem")
    if rule == "ratio" and denominator is None:
        return f"« {label} » : choisissez la colonne dénominateur du taux."
    vintage = vintage if vintage is not None else year
    return Indicator(slug(column), label, unit.strip(), source.strip() or publisher.strip() or "source non renseignée",
                     None if vintage is None else int(vintage), rule, column, denominator, scale,
                     DECIMALS[rule])


def _unique_ids(indicators: list[Indicator]) -> list[Indicator]:
    """Two columns may give one slug (`Taux 1` and `taux-1`): number the later ones."""
    seen: dict[str, int] = {}
    unique = []
    for indicator in indicators:
        n = seen.get(indicator.id, 0)
        seen[indicator.id] = n + 1
        unique.append(replace(indicator, id=f"{indicator.id}-{n + 1}") if n else indicator)
    return unique
