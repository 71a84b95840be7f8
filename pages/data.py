"""Page « Données »: what is loaded, and the imports of official files (IRIS contours and
population by IRIS here; indicator datasets in ui.data_imports)."""

import tempfile
from pathlib import Path

import streamlit as st

from formats import indicator_files
from formats.iris import IrisFileError, read_iris_contours, read_iris_population
from geo.french import fmt_int
from geo.units import embedded_metadata, load_communes, load_successors
from store.workspace import (
    load_iris_contours,
    load_iris_population,
    remove_iris_contours,
    remove_iris_population,
    save_iris_contours,
    save_iris_population,
)
from ui import data_imports, state
from ui.text import md

st.set_page_config(page_title="Données – Périmètres CPTS", page_icon="🗂️", layout="wide")
state.init()
st.title("Données")

meta = embedded_metadata()
st.subheader("Données intégrées")
vintages = meta["population_vintages"]
earlier = ", ".join(y for y in vintages if int(y) != meta["population_vintage"])
st.markdown(
    f"- **Communes** : {fmt_int(meta['communes'])} communes et {meta['arrondissements']} "
    f"arrondissements municipaux (Paris, Lyon, Marseille), Code officiel géographique "
    f"{meta['cog_vintage']} ; contours IGN simplifiés (COG {meta['contours_cog']}), paquet "
    f"{meta['source']} {meta['source_version']}.\n"
    f"- **Populations légales** (INSEE) : population municipale {meta['population_vintage']} en "
    f"vigueur, et {earlier} au choix dans la page « Construire un périmètre » ; paquet npm "
    f"@etalab/decoupage-administratif "
    + ", ".join(f"{v['package_version']} ({y})" for y, v in vintages.items()) + ".\n"
    "- **Indicateurs de chaque commune** : APL aux médecins généralistes 2022 et 2023 (DREES), "
    "part des 75 ans et plus 2022 (INSEE), indice F-EDI 2021 (Santé publique France), part des "
    "familles monoparentales 2022 (INSEE) ; contexte des départements 2024 (INSEE, Statistiques "
    "locales) ; population 2016 des IRIS d'habitat (INSEE), base de l'estimation de la population "
    "des IRIS. Détail : data/README.md.")
st.caption("Sans contour dans la source : " + ", ".join(meta["without_contour"])
           + " · sans population en vigueur : " + (", ".join(meta["without_population"]) or "aucune"))


def _saved(upload) -> Path:
    """An upload as a file on disk (the readers need a path, archives need a name)."""
    folder = Path(tempfile.mkdtemp(prefix="cpts-import-"))
    path = folder / Path(upload.name).name
    path.write_bytes(upload.getvalue())
    return path


def _catalog_changed() -> None:
    """IRIS contours or populations changed: rebuild the catalog and the aggregators on it."""
    state.shared_catalog.clear()
    data_imports.forget()


def _loaded(text: str, button: str, *removers) -> None:
    """What an import left in the workspace, with a button to remove it."""
    st.success(text)
    if st.button(button):
        for remove in removers:
            remove()
        _catalog_changed()
        st.rerun()


st.subheader("Contours IRIS (IGN CONTOURS-IRIS)")

iris = load_iris_contours()
if iris:
    _loaded(f"{fmt_int(iris[1]['units'])} IRIS chargés depuis « {iris[1]['source']} » "
            f"(importés le {iris[1].get('imported', '?')[:10]}).",
            "Retirer les contours IRIS", remove_iris_contours, remove_iris_population)
else:
    st.info("Aucun contour IRIS : tout fonctionne au niveau communal. Pour travailler par quartiers, "
            "téléchargez CONTOURS-IRIS sur le site de l'IGN (géoservices, archive .7z ou .zip, "
            "Lambert-93 ou WGS84) et importez-la ici.")
upload_mb = indicator_files.MAX_FILE_BYTES // 2**20  # Streamlit's limit too (.streamlit/config.toml)
upload = st.file_uploader("Importer des contours IRIS", key="iris_upload",
                          type=["7z", "zip", "gpkg", "parquet", "geojson", "json"],
                          help=f"{upload_mb} Mo au plus. Une archive plus lourde (la France entière) : "
                               "ouvrez-la dans QGIS, gardez les départements utiles et enregistrez-les en "
                               "GeoPackage (.gpkg), puis importez ce fichier.")
if upload is not None and state.first_time("iris_upload", upload.file_id):
    with st.spinner("Lecture des contours IRIS…"):
        try:
            units = read_iris_contours(_saved(upload), load_communes(), load_successors())
        except (IrisFileError, ValueError, OSError) as exc:
            st.error(f"Contours IRIS non importés : {md(exc)} Les données déjà chargées sont conservées.")
        else:
            try:
                save_iris_contours(units, upload.name)
            except OSError as exc:
                st.error(f"Contours IRIS lus mais non enregistrés : le dossier de travail n'accepte pas "
                         f"l'écriture ({md(exc.strerror)}). Vérifiez ses droits ou la variable CPTS_WORKSPACE.")
                st.stop()
            _catalog_changed()
            st.success(f"{fmt_int(len(units))} IRIS importés.")
            st.rerun()

st.subheader("Population par IRIS (INSEE)")
population = load_iris_population()
if population:
    _loaded(f"Population {population[1]['year']} de {fmt_int(population[1]['units'])} IRIS "
            f"(« {population[1]['source']} »).", "Retirer la population par IRIS",
            remove_iris_population)
else:
    st.info("Sans ce fichier, la population d'un IRIS d'habitat est une estimation (sa part de la "
            "commune au recensement 2016 appliquée à la population municipale du millésime choisi) "
            "et celle des IRIS d'activité ou divers est inconnue (jamais comptée zéro). Pour les "
            "chiffres exacts, téléchargez « Population en historique depuis 1968 / Recensement : "
            "base infracommunale (IRIS) » (base-ic-evol-struct-pop) sur insee.fr et importez-le ici.")
pop_upload = st.file_uploader("Importer base-ic-evol-struct-pop (CSV, XLSX ou le ZIP de l’INSEE)",
                              key="iris_pop_upload", type=["csv", "xlsx", "zip"], disabled=not iris)
if pop_upload is not None and state.first_time("iris_pop_upload", pop_upload.file_id):
    try:
        values, year = read_iris_population(_saved(pop_upload))
    except (IrisFileError, ValueError, OSError) as exc:
        st.error(f"Population non importée : {md(exc)} Les données déjà chargées sont conservées.")
    else:
        try:
            save_iris_population(values, year, pop_upload.name)
        except OSError as exc:
            st.error(f"Population lue mais non enregistrée : le dossier de travail n'accepte pas "
                     f"l'écriture ({md(exc.strerror)}). Vérifiez ses droits ou la variable CPTS_WORKSPACE.")
            st.stop()
        _catalog_changed()
        st.success(f"Population {year} importée pour {fmt_int(len(values))} IRIS.")

catalog = state.get_catalog()
data_imports.datasets_section(catalog)
data_imports.imports_section()
