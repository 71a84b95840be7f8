"""The sections of the page « Diagnostic territorial »: the builder's perimeter described
by the embedded data (population, area, density and its spread, composition), then by
each imported indicator against its départements, régions and France, on a map, and in a
table to paste into a lettre d'intention.

Every value comes with its coverage (the share of the perimeter's population living in
units with data), and a missing value is written « pas de donnée », never 0.

The map colours the perimeter's units by class of the chosen indicator. Its legend is
plain HTML built here from numbers and fixed labels: branca's colour scales need d3 from
a CDN, and the app works offline.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from itertools import pairwise

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from formats import statlocales
from formats.spreadsheets import to_xlsx
from geo.catalog import Catalog
from geo.checks import Report
from geo.french import fmt_dec, fmt_density, fmt_int, fmt_km2, fmt_number
from geo.perimeter import Perimeter
from geo.units import vintage_label
from indicators.aggregate import Comparison
from indicators.basics import epci_shares, summary
from indicators.definitions import SHARE_65, Dataset
from ui import data_imports, legend, navigation, state, tables
from ui.file_names import file_stem
from ui.indicator_figures import (
    PER_10K,
    age_structure_figure,
    comparison_figure,
    fmt_share,
    summary_table,
)
from ui.map import filled_units_map, territory_geojson
from ui.text import md

# Sequential blues, light to dark; units without data in white (the map's background is
# Leaflet's grey).
PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA_COLOUR = "#ffffff"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLOTLY_CONFIG = {"displayModeBar": False}


@dataclass(frozen=True)
class Result:
    """One dataset's indicators over the perimeter (and its references)."""

    meta: dict
    dataset: Dataset
    comparisons: dict[str, Comparison]


# --- without a perimeter, without a dataset ----------------------------------------------------

def empty_page() -> None:
    st.info("Aucun périmètre à décrire pour l'instant. Construisez-le dans la page « Construire un "
            "périmètre » : cliquez des communes sur la carte, cherchez-les par nom ou code, ajoutez "
            "un EPCI entier, ou ouvrez un exemple dans la barre latérale (« CPTS du Carmausin-Ségala "
            "(Tarn) »). Revenez ici : le diagnostic porte sur le périmètre en cours.")
    st.page_link(navigation.BUILDER.script, label=navigation.BUILDER.title)


def no_dataset() -> None:
    st.info("Aucun jeu d'indicateurs chargé depuis un fichier : ce diagnostic présente les indicateurs intégrés "
            "(APL, part des 75 ans et plus, F-EDI, familles monoparentales). Importez la population "
            "par âge (INSEE), un autre millésime de l'APL (DREES) ou un export par commune "
            "(Rézone CPTS, CartoSanté…) dans la page « Données » pour en ajouter.")
    st.page_link(navigation.DATA.script, label="Importer des indicateurs (page Données)")


# --- embedded data ---------------------------------------------------------------------------

def key_figures(catalog: Catalog, report: Report) -> None:
    """Population, area, density and its spread, composition, the main commune's share."""
    figures = summary(catalog.units, report)
    st.subheader("Chiffres clés")
    cols = st.columns(5)
    cols[0].metric("Population", figures["population_label"])
    cols[0].caption(f"{figures['taille']} · {vintage_label(figures['population_vintages'])}")
    cols[1].metric("Superficie", fmt_km2(figures["area_km2"]))
    density = figures["density"]
    cols[2].metric("Densité", fmt_density(density))
    if figures["density_min"] is not None:
        cols[2].caption(f"de {fmt_dec(figures['density_min'])} à {fmt_dec(figures['density_max'])} "
                        "hab./km² selon la commune")
    cols[3].metric("Communes", fmt_int(figures["communes"]))
    if figures["iris"]:
        cols[3].caption(f"dont {fmt_int(figures['iris'])} IRIS (quartiers)")
    share = figures["main_unit_share_pct"]
    main_label = "Unité la plus peuplée" if figures["iris"] else "Commune principale"
    if share is None:
        cols[4].metric(main_label, "indéterminée")
        cols[4].caption("population de certaines unités inconnue (IRIS : importez la population "
                        "par IRIS dans la page « Données »)")
    else:
        cols[4].metric(main_label, figures["main_unit"])
        cols[4].caption(f"{fmt_dec(share)} % de la population du périmètre")
    shares = epci_shares(catalog.units, report)
    if not shares.empty:
        st.markdown("**EPCI concernés**")
        hidden = ["epci_code"] + ([] if shares["partial"].any() else ["partial"])
        shown = shares.assign(share_pct=shares["share_pct"].round(1)).drop(columns=hidden).rename(columns={
            "epci_name": "EPCI", "communes_epci": "Communes de l'EPCI", "communes_in": "dans le périmètre",
            "partial": "en partie (IRIS)", "share_pct": "Part des communes (%)"})
        tables.table(shown, numbers=shown.columns.drop(["EPCI", "Part des communes (%)"]),
                     decimals={"Part des communes (%)": 1})


def departement_context(catalog: Catalog, report: Report) -> None:
    """The perimeter's départements from INSEE Statistiques locales (embedded): professionals,
    emergency departments, life expectancy, mortality; each column's vintage in its name."""
    dep = catalog.column("dep")
    codes = sorted({dep[c] for c in report.leaves if dep.get(c)})
    table = statlocales.departements().reindex(codes)
    if table.empty:
        return
    st.subheader("Contexte départemental")
    values = statlocales.departements().drop(columns="Libellé")
    decimals = {c: 0 if (values[c].dropna() % 1 == 0).all() else 1 for c in values.columns}
    shown = table.drop(columns="Libellé").apply(lambda column: column.map(
        lambda v: "pas de donnée" if pd.isna(v) else fmt_number(v, decimals[column.name])))
    shown.index = [f"{code} – {name}" for code, name in zip(table.index, table["Libellé"], strict=True)]
    st.table(shown)
    st.caption("INSEE, « Statistiques locales », export par département (fichier "
               "insee_statlocales_departements_sante_2024.csv) : millésime de chaque colonne dans son "
               "intitulé ; valeurs telles que publiées (nombres, années, taux de mortalité). "
               "Chiffres du département entier, pas du périmètre.")


# --- indicators --------------------------------------------------------------------------------

def other_picker() -> tuple[str, tuple[str, ...]] | None:
    """A neighbouring CPTS (from the builder's imported layers) to compare with."""
    neighbours = {p.name: p for p in state.neighbours()}
    with st.sidebar:
        if not neighbours:
            st.caption("Pour comparer avec une CPTS voisine, ajoutez sa couche dans la page "
                       "« Construire un périmètre » (barre latérale, « Fichiers »).")
            return None
        name = st.selectbox("Comparer avec une CPTS voisine", [None, *sorted(neighbours)],
                            format_func=lambda n: "— aucune —" if n is None else n, key="diagnosis_other")
    return None if name is None else (name, tuple(neighbours[name].sorted_codes()))


def compare(catalog: Catalog, metas: list[dict], perimeter: Perimeter, other) -> list[Result]:
    codes = perimeter.sorted_codes()
    return [Result(meta, data_imports.dataset(meta),
                   data_imports.aggregator(catalog, meta).compare_all(codes, perimeter.name, other))
            for meta in metas]


def _value_text(comparison: Comparison) -> str:
    aggregate, indicator = comparison.perimeter, comparison.indicator
    if aggregate.value is None:
        return "pas de donnée"
    return f"{fmt_number(aggregate.value, indicator.decimals)} {indicator.unit}".strip()


def coverage_text(comparison: Comparison) -> str:
    aggregate = comparison.perimeter
    if aggregate.coverage is None:
        return "Population du périmètre inconnue : couverture non calculable."
    return (f"Calculé sur {fmt_share(aggregate.coverage)} de la population du périmètre "
            f"({aggregate.n_with_data} unités sur {aggregate.n_units} avec une donnée).")


def age_structure(results: list[Result]) -> None:
    """The age structure in bands, when an INSEE population-by-age dataset is loaded (its
    headline shares and the indice de vieillissement also have their own panels below)."""
    for result in results:
        figure = age_structure_figure(result.comparisons)
        if figure is None:
            continue
        st.subheader("Structure par âge")
        st.caption(coverage_text(result.comparisons[SHARE_65]))
        st.plotly_chart(figure, width="stretch", config=PLOTLY_CONFIG, key=f"age_{result.dataset.id}")
        return


def indicator_panels(results: list[Result]) -> None:
    """Each headline indicator: the perimeter's value and its coverage beside the bars
    against the references."""
    st.subheader("Indicateurs : le périmètre et ses références")
    for result in results:
        provenance = result.dataset.provenance
        st.markdown(f"**{md(result.dataset.title)}**")
        origin = ("données intégrées à l'application (voir data/README.md)" if result.meta.get("embedded")
                  else f"importé le {data_imports.imported_on(result.meta)}")
        st.caption(md(f"{provenance.publisher or 'Producteur non renseigné'} · fichier "
                         f"« {provenance.file_name} » · {origin}"))
        for comparison in result.comparisons.values():
            if comparison.indicator.headline:
                _panel(comparison, f"fig_{result.dataset.id}_{comparison.indicator.id}")


def _panel(comparison: Comparison, key: str) -> None:
    indicator, aggregate = comparison.indicator, comparison.perimeter
    with st.container(border=True):
        text, figure = st.columns([1, 2], gap="medium")
        text.metric(indicator.label, _value_text(comparison))
        if aggregate.per_10k is not None:
            text.caption(f"soit {fmt_number(aggregate.per_10k, 1)} {PER_10K} (population des unités "
                         "avec donnée)")
        text.caption(coverage_text(comparison))
        if aggregate.value is None:
            text.warning("Aucune unité du périmètre n'a de valeur pour cet indicateur : rien n'est "
                         "affiché pour le périmètre (ce n'est pas un zéro).")
        for note in aggregate.notes:
            text.caption(md(note))
        figure.plotly_chart(comparison_figure(comparison), width="stretch", config=PLOTLY_CONFIG,
                            key=key)


# --- the map -----------------------------------------------------------------------------------

def colour_classes(values: list[float], n: int = len(PALETTE)) -> list[tuple[float, float]]:
    """Up to `n` classes of equal counts (quantiles); one class per value when there are
    few distinct values."""
    distinct = sorted(set(values))
    if len(distinct) <= n:
        return [(v, v) for v in distinct]
    bounds = sorted(set(pd.Series(values).quantile([i / n for i in range(n + 1)]).tolist()))
    return list(pairwise(bounds))


def class_colours(count: int) -> list[str]:
    if count <= 1:
        return list(PALETTE[-2:-1] * count)
    return [PALETTE[round(i * (len(PALETTE) - 1) / (count - 1))] for i in range(count)]


def class_of(value: float, classes: list[tuple[float, float]]) -> int:
    return next((i for i, (_, high) in enumerate(classes) if value <= high), len(classes) - 1)


def legend_html(classes: list[tuple[float, float]], decimals: int, with_no_data: bool) -> str:
    """The legend: a swatch per class with its bounds, and « pas de donnée » in white."""
    def label(low: float, high: float) -> str:
        if low == high:
            return fmt_number(low, decimals)
        return f"de {fmt_number(low, decimals)} à {fmt_number(high, decimals)}"

    items = list(zip(class_colours(len(classes)), (label(*c) for c in classes), strict=True))
    if with_no_data:
        items.append((NO_DATA_COLOUR, "pas de donnée"))
    return legend.legend_html([(legend.swatch(colour), text) for colour, text in items])


def indicator_map(catalog: Catalog, results: list[Result], report: Report) -> None:
    choices = {f"{r.dataset.id}/{c.indicator.id}": (r, c)
               for r in results for c in r.comparisons.values() if c.indicator.headline}
    if not choices:
        return
    st.subheader("Carte d'un indicateur")
    chosen = st.selectbox("Indicateur", list(choices), key="diagnosis_map_indicator",
                          format_func=lambda k: f"{choices[k][1].indicator.label} ({choices[k][0].dataset.title})")
    result, comparison = choices[chosen]
    indicator = comparison.indicator
    per_10k = indicator.rule == "sum" and indicator.per_10k
    unit = PER_10K if per_10k else indicator.unit
    decimals = 1 if per_10k else indicator.decimals
    values = data_imports.unit_values(catalog, result.meta, indicator.id, report.leaves)
    units = catalog.units.loc[sorted(report.leaves)]
    units = units[units.geometry.notna()]
    classes = colour_classes([v for v in values.values() if v is not None])
    colours = class_colours(len(classes))
    payload = territory_geojson(units)
    for feature in payload["features"]:
        props = feature["properties"]
        value = values.get(props["code"])
        props["valeur"] = ("pas de donnée" if value is None
                           else html.escape(f"{fmt_number(value, decimals)} {unit}".strip()))
        props["fill"] = NO_DATA_COLOUR if value is None else colours[class_of(value, classes)]
    st_folium(_choropleth(payload, tuple(units.total_bounds)), key="diagnosis_map", height=520,
              use_container_width=True, returned_objects=[])
    st.markdown(legend_html(classes, decimals, any(v is None for v in values.values())),
                unsafe_allow_html=True)
    st.caption(md(f"{indicator.label}, {unit or 'sans unité'} · {indicator.source}"
                     + (f", {indicator.vintage}" if indicator.vintage else "")
                     + " · classes d'effectifs égaux (quantiles) · survolez une unité pour sa valeur"))


def _choropleth(payload: dict, bounds) -> folium.Map:
    # No wheel zoom: scrolling the page over this read-only map must scroll the page.
    return filled_units_map(payload, bounds, "Indicateur", ["nom", "code", "valeur"],
                            ["", "INSEE", "Valeur"], line_colour="#4d4d4d", wheel_zoom=False)


# --- the table for the lettre d'intention ------------------------------------------------------

def summary_section(results: list[Result], catalog: Catalog, report: Report) -> None:
    st.subheader("Tableau pour la lettre d'intention")
    table = summary_table([c for r in results for c in r.comparisons.values()])
    if table.empty:
        return
    numbers = table.columns.drop(["Indicateur", "Unité", "Source"])
    tables.table(table, numbers=numbers)
    figures = summary(catalog.units, report)
    notes = [
        f"{figures['name']} : {figures['population_label']} ({figures['taille']}), "
        f"{fmt_km2(figures['area_km2'])}, {fmt_int(figures['communes'])} communes.",
        "Couverture : part de la population du périmètre vivant dans une unité avec donnée "
        "(population municipale INSEE du référentiel).",
        f"Un effectif est aussi rapporté à 10 000 habitants des unités avec donnée ({PER_10K}).",
    ]
    stem = file_stem(report.perimeter.name)
    st.download_button("Télécharger le tableau (XLSX)", to_xlsx(table, "Indicateurs", notes),
                       f"{stem}_diagnostic.xlsx", XLSX_MIME, type="primary")
