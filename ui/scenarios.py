"""Scenarios in the interface: saving the builder's perimeter (store.scenarios), the fiche
downloads, the page « Scénarios » (list, open, rename, duplicate, delete, restore, history)
and the page « Comparer les scénarios » (2 to 4 perimeters side by side).

The session remembers which stored version the builder's perimeter came from
(`state.OPEN_SCENARIO`), so
a later save is a new version of that scenario and a concurrent edit is caught by the
store (ConflictError), never overwritten. The store is opened only when it is used: the
builder reruns on every click and must not wait for a database. Every StoreError is shown
with its French message and the page goes on; the builder's perimeter is never touched by
a failed save. Names come from users: they are shown as text, markdown-escaped where
Streamlit renders markdown, never as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from geo.catalog import Catalog
from geo.checks import Checker, Report, check_perimeter
from geo.examples import RUSCINO_CODES, ruscino, ruscino_whole_perpignan
from geo.french import fmt_int, fmt_km2
from geo.perimeter import Perimeter
from geo.population import PopulationEstimate
from reports.fiche import FicheError, fiche_pdf, map_png
from store.scenarios import (
    STATUTS,
    ConflictError,
    Scenario,
    Store,
    StoreError,
    open_store,
    paris_time,
)
from ui import choices, state
from ui.file_names import file_stem
from ui.findings import show_finding
from ui.text import md

PERPIGNAN = "66136"
MAX_COMPARED = 4
NAMES_SHOWN = 8
NOTICES = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
def author_input() -> None:
    st.text_input("Votre nom (auteur des enregistrements)", key=state.AUTHOR.key, max_chars=100,
                  placeholder="ex. Marie Durand, ARS Occitanie")


def _author() -> str:
    return (state.AUTHOR.get() or "").strip()


def _notify(kind: str, message: str) -> None:
    state.SCENARIO_NOTICE.set((kind, message))


def show_notice() -> None:
    if notice := state.SCENARIO_NOTICE.get():
        kind, message = notice
        state.SCENARIO_NOTICE.set(None)
        NOTICES[kind](message)


def _when(scenario: Scenario) -> str:
    return f"{paris_time(scenario.saved_at):%d/%m/%Y à %H:%M}"


def unknown_codes(catalog: Catalog, perimeter: Perimeter) -> list[str]:
    return sorted(c for c in perimeter.codes if c not in catalog.units.index)


def missing_data_message(codes: list[str]) -> str:
    iris = sum(len(c) == 9 for c in codes)
    hint = (" Ce sont des IRIS : importez les contours IRIS dans la page « Données »." if iris
            else "")
    return (f"{fmt_int(len(codes))} code(s) absent(s) des données chargées ({', '.join(codes[:5])}"
            f"{'…' if len(codes) > 5 else ''}).{hint}")


def open_scenario(scenario: Scenario) -> None:
    """Make a stored scenario the builder's perimeter (a button callback: it sets the
    territory picker). Undo in the builder brings back what was there."""
    state.open_in_builder(scenario.perimeter)
    state.OPEN_SCENARIO.set(scenario)
    state.SCENARIO_CONFLICT.set(None)


# --- the builder's panel -----------------------------------------------------------------

def save_panel() -> None:
    """Save the builder's perimeter (never empty: the page draws this panel only for a
    perimeter with units) as a scenario (porteur, statut, notes, author)."""
    st.subheader("Scénario")
    opened: Scenario | None = state.OPEN_SCENARIO.get()
    if opened:
        st.caption(f"Ouvert : « {md(opened.name)} », version {opened.version} enregistrée le "
                   f"{_when(opened)} par {md(opened.author or 'anonyme')}.")
    p = state.perimeter()
    meta = p.metadata
    statut = meta.get("statut") if meta.get("statut") in STATUTS else STATUTS[0]
    with st.form("scenario_form", border=False):
        author_input()
        # One per row: a statut such as « lettre d'intention déposée » is cut in half a column.
        porteur = st.text_input("Porteur", str(meta.get("porteur", "")), max_chars=200)
        statut = st.selectbox("Statut", STATUTS, index=STATUTS.index(statut))
        notes = st.text_area("Notes", str(meta.get("notes", "")), height=80)
        if opened:
            as_version = st.form_submit_button("Enregistrer une nouvelle version", type="primary")
            as_new = st.form_submit_button("Enregistrer comme nouveau scénario")
        else:
            as_version = False
            as_new = st.form_submit_button("Enregistrer le scénario", type="primary")
    if as_version or as_new:
        mine = Scenario(p.name, p.codes, porteur.strip(), statut, notes, _author())
        if opened:
            mine = replace(mine, id=opened.id, version=opened.version)
        if as_new and opened:  # a twin of the open scenario gets a distinct name
            _save(mine, lambda store: store.save_as_copy(mine, None if p.name == opened.name else p.name))
        else:
            _save(mine, lambda store: store.save(mine))
    if state.SCENARIO_CONFLICT.get():
        _conflict_box()


def _save(mine: Scenario, write) -> None:
    try:
        saved = write(open_store())
    except ConflictError as exc:
        state.SCENARIO_CONFLICT.set((mine, exc))
        return
    except StoreError as exc:
        st.error(f"{exc} Le périmètre en cours est conservé.")
        return
    _saved_as(saved)
    _notify("success", f"« {md(saved.name)} » enregistré (version {saved.version}).")
    st.rerun()  # the panel is drawn again for the scenario now open


def _saved_as(saved: Scenario) -> None:
    """The builder now holds `saved`: its perimeter carries the saved name and metadata
    (an undo step, like any change of the perimeter), and the next save is a version of it."""
    state.OPEN_SCENARIO.set(saved)
    state.SCENARIO_CONFLICT.set(None)
    state.set_perimeter(replace(state.perimeter(), name=saved.name, metadata=saved.perimeter.metadata))


def _conflict_box() -> None:
    conflict = state.SCENARIO_CONFLICT.get()
    if conflict is None:
        return
    _, error = conflict
    st.warning(md(str(error)))
    keep, reload = st.columns(2)
    keep.button("Garder les deux", on_click=_keep_both, width="stretch",
                help="Enregistre vos changements comme un nouveau scénario ; l'autre version reste.")
    reload.button("Recharger la version enregistrée", on_click=_reload, width="stretch",
                  help="Remplace le périmètre par la version enregistrée ; "
                       "« ↶ Annuler » ramène le vôtre.")


def _keep_both() -> None:
    conflict = state.SCENARIO_CONFLICT.get()
    if conflict is None:  # already answered (a second click before the page was redrawn)
        return
    mine, error = conflict
    try:
        copy = open_store().save_as_copy(mine)
    except StoreError as exc:
        _notify("error", f"{md(exc)} Le périmètre en cours est conservé.")
        return
    _saved_as(copy)
    _notify("success", f"Vos changements sont enregistrés dans « {md(copy.name)} » ; "
                       f"« {md(error.current.name)} » garde la version de "
                       f"{md(error.current.author or 'l autre utilisateur')}.")


def _reload() -> None:
    conflict = state.SCENARIO_CONFLICT.get()
    if conflict is None:  # already answered (a second click before the page was redrawn)
        return
    mine, _ = conflict
    try:
        current = open_store().load(mine.id)
    except StoreError as exc:
        _notify("error", f"{exc} Le périmètre en cours est conservé.")
        return
    open_scenario(current)
    deleted = (" Ce scénario est supprimé : restaurez-le dans la page « Scénarios » ou "
               "enregistrez comme nouveau scénario." if current.deleted else "")
    _notify("warning" if deleted else "info",
            f"Version {current.version} de « {md(current.name)} » rechargée ; « ↶ Annuler » "
            f"ramène votre périmètre.{deleted}")


def fiche_downloads(catalog: Catalog, report: Report) -> None:
    """The fiche PDF and the PNG map of the builder's perimeter, made on request (about a
    second) and kept until the perimeter, its neighbours or the loaded data change."""
    st.markdown("**Fiche périmètre**")
    p = report.perimeter
    neighbours = state.neighbours()
    signature = (p, p.metadata.get("porteur"), p.metadata.get("statut"), tuple(neighbours),
                 catalog.iris_source)
    ready = state.FICHE.get()
    if not ready or ready["signature"] != signature:
        slot = st.empty()
        if not slot.button("Préparer la fiche PDF et la carte PNG"):
            return
        slot.empty()  # the download buttons take its place
        with st.spinner("Génération…"):
            try:
                ready = {"signature": signature,
                         "pdf": fiche_pdf(catalog, p, neighbours, report),
                         "png": map_png(catalog, p, neighbours, report)}
            except FicheError as exc:
                st.error(f"Fiche non générée : {exc}")
                return
        state.FICHE.set(ready)
    stem = file_stem(p.name)
    pdf, png = st.columns(2)
    pdf.download_button("Fiche PDF", ready["pdf"], f"{stem}_fiche.pdf", "application/pdf",
                        on_click="ignore", width="stretch")
    png.download_button("Carte PNG", ready["png"], f"{stem}_carte.png", "image/png",
                        on_click="ignore", width="stretch")


# --- the page « Scénarios » --------------------------------------------------------------

def load_list() -> tuple[Store, list[Scenario]] | None:
    """The store and every scenario (deleted ones too), or None after showing why not."""
    try:
        store = open_store()
        return store, store.scenarios(include_deleted=True)
    except StoreError as exc:
        st.error(str(exc))
        st.info("Les autres pages restent utilisables et le périmètre en cours du constructeur "
                "est conservé ; seuls l'enregistrement et la liste des scénarios sont indisponibles.")
        return None


@st.cache_data(show_spinner=False, max_entries=512)
def _population(codes: tuple[str, ...], catalog_id: int) -> str:
    """Population label of a set of codes (cached: the list shows every scenario; an
    import of IRIS data replaces the catalog, hence its id in the key)."""
    catalog = state.get_catalog()
    known = [c for c in codes if c in catalog.units.index]
    if len(known) < len(codes):
        return f"inconnue ({fmt_int(len(codes) - len(known))} code(s) absent(s))"
    checker = Checker(catalog, [Perimeter("x", known)])
    return checker.population(checker.leaves["x"]).label()


def scenario_table(catalog: Catalog, scenarios: list[Scenario]) -> pd.DataFrame:
    return pd.DataFrame({
        "Nom": [s.name for s in scenarios],
        "Statut": [s.statut for s in scenarios],
        "Porteur": [s.porteur for s in scenarios],
        "Population": [_population(tuple(sorted(s.codes)), id(catalog)) for s in scenarios],
        "Unités": [len(s.codes) for s in scenarios],
        "Modifié le (heure de Paris)": [f"{paris_time(s.saved_at):%d/%m/%Y %H:%M}" for s in scenarios],
        "Par": [s.author or "anonyme" for s in scenarios],
        "Version": [s.version for s in scenarios],
    })


def scenario_actions(catalog: Catalog, scenario: Scenario) -> bool:
    """Open, rename, duplicate, delete the chosen scenario; True when it is to be opened
    in the builder (the page then switches)."""
    missing = unknown_codes(catalog, scenario.perimeter)
    if missing:
        st.warning("Ce scénario ne peut pas être ouvert ici : " + missing_data_message(missing))
    opened = st.button("Ouvrir dans le constructeur", type="primary", disabled=bool(missing),
                       on_click=open_scenario, args=(scenario,))
    name, rename, copy, delete = st.columns([4, 1, 1, 1], vertical_alignment="bottom")
    key = f"rename_{scenario.id}"
    name.text_input("Nouveau nom", scenario.name, key=key)
    rename.button("Renommer", on_click=_act, key=f"do_{key}", width="stretch",
                  args=("rename", scenario, lambda store: store.rename(
                      scenario.id, state.Slot(key).get(), scenario.version, _author())))
    copy.button("Dupliquer", width="stretch", on_click=_act,
                args=("duplicate", scenario, lambda store: store.duplicate(scenario.id, _author())))
    delete.button("Supprimer", width="stretch", on_click=_act,
                  args=("delete", scenario, lambda store: store.delete(
                      scenario.id, scenario.version, _author())))
    return opened


DONE = {
    "rename": "Scénario renommé en « {name} ».",
    "duplicate": "Copie créée : « {name} ».",
    "delete": "« {name} » est dans la corbeille (en bas de page) : il peut être restauré.",
    "restore": "« {name} » restauré (version {version}).",
}


def _act(action: str, scenario: Scenario, write) -> None:
    """Button callback: one store write, its outcome shown on the next run. A conflict
    (someone changed the scenario since the page was drawn) changes nothing."""
    try:
        done = write(open_store())
    except ConflictError as exc:
        _notify("warning", f"{md(str(exc))} La liste ci\\-dessous est à jour.")
        return
    except StoreError as exc:
        _notify("error", md(str(exc)))
        return
    opened = state.OPEN_SCENARIO.get()
    if opened and opened.id == done.id and action != "duplicate":  # the builder's scenario
        state.OPEN_SCENARIO.set(done)
        if state.perimeter().name == opened.name:  # else the next save would rename it back
            state.set_perimeter(replace(state.perimeter(), name=done.name))
    _notify("success", DONE[action].format(name=md(done.name), version=done.version))


def unit_label(catalog: Catalog):
    """Code → the name people know a unit by (« Carmaux », « Perpignan (IRIS Saint-Assiscle) »);
    a code the loaded data does not know stays a code."""
    name, commune, level = (catalog.column(c) for c in ("name", "commune_name", "level"))

    def label(code: str) -> str:
        if code not in name:
            return code
        return f"{commune[code]} (IRIS {name[code]})" if level[code] == "iris" else str(name[code])
    return label


def history(store: Store, scenario: Scenario, catalog: Catalog) -> None:
    """Every version, newest first (units by name), and a way back to any of them."""
    if scenario.id is None:  # never saved: no history yet
        return
    with st.expander(f"Historique ({scenario.version} version(s))"):
        try:
            changes = store.history(scenario.id)
        except StoreError as exc:
            st.error(str(exc))
            return
        for change in reversed(changes):
            st.text(change.summary(unit_label(catalog)))
        versions = [c.scenario.version for c in changes[:-1]]
        if not versions:
            return
        key = f"back_{scenario.id}"
        back, go = st.columns([3, 2], vertical_alignment="bottom")
        back.selectbox("Revenir à une version", versions[::-1], key=key,
                       format_func=lambda v: f"version {v}")
        go.button("Revenir à cette version", on_click=_act,
                  args=("restore", scenario, lambda store: store.restore(
                      scenario.id, scenario.version, _author(), version=state.Slot(key).get())),
                  help="Enregistre son contenu comme nouvelle version : rien n'est perdu.")


def bin_section(deleted: list[Scenario]) -> None:
    st.subheader("Corbeille")
    for scenario in deleted:
        label, button = st.columns([4, 1], vertical_alignment="center")
        label.text(f"{scenario.name} — supprimé le {_when(scenario)} par {scenario.author or 'anonyme'}")
        button.button("Restaurer", key=f"restore_{scenario.id}", on_click=_act,
                      args=("restore", scenario, lambda store, s=scenario: store.restore(
                          s.id, s.version, _author())))


# --- the page « Comparer les scénarios » -------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    key: str
    label: str         # in the picker
    origin: str        # under the name, in its column
    perimeter: Perimeter

    @property
    def example(self) -> bool:
        return self.key.startswith("example:")


def ruscino_by_iris(catalog: Catalog) -> bool:
    """Whether the loaded IRIS contours hold Ruscino's IRIS (the Pyrénées-Orientales')."""
    return catalog.has_iris and all(c in catalog.units.index for c in RUSCINO_CODES)


def example_pair(catalog: Catalog) -> list[Candidate]:
    """Ruscino as validated against the ARS's suggestion of all of Perpignan: by IRIS
    when contours are loaded, else the closest commune-level pair (Perpignan's part of
    Ruscino cannot be drawn without them)."""
    if ruscino_by_iris(catalog):
        pair = [ruscino(catalog), ruscino_whole_perpignan(catalog)]
        labels = ["Ruscino validée", "Ruscino élargie à Perpignan"]
        origin = "Exemple (IRIS)"
    else:
        whole = {c[:5] for c in RUSCINO_CODES} - {PERPIGNAN}
        pair = [Perimeter("Ruscino sans Perpignan (communes entières)", whole),
                Perimeter("Ruscino élargie à tout Perpignan", whole | {PERPIGNAN})]
        labels = [p.name for p in pair]
        origin = "Exemple au niveau communal"
    return [Candidate(f"example:{i}", f"Exemple : {label}", origin, p)
            for i, (label, p) in enumerate(zip(labels, pair, strict=True))]


IRIS_ABSENT = ("Contours IRIS des Pyrénées-Orientales absents : l'exemple Ruscino est comparé "
               "au niveau communal (Cabestany, Saint-Nazaire et Saleilles, puis avec tout "
               "Perpignan), car les quartiers de Perpignan de la CPTS validée ne peuvent pas être "
               "représentés. Pour comparer au niveau des quartiers, importez les contours IRIS de "
               "l'IGN (CONTOURS-IRIS) dans la page « Données ».")


def candidates(catalog: Catalog, saved: list[Scenario]) -> list[Candidate]:
    """What can be compared: the builder's perimeter, the saved scenarios, the examples."""
    found = []
    current = state.perimeter()
    saved = [s for s in saved if not s.deleted]
    if current.codes and not any(s.codes == current.codes for s in saved):  # else pick the saved one
        found.append(Candidate("builder", f"Constructeur : {current.name}", "Périmètre en cours "
                               "du constructeur (non enregistré)", current))
    found += [Candidate(f"saved:{s.id}", f"{s.name} (v{s.version})",  # statut in the column: a tag is cut
                        f"Scénario enregistré, version {s.version} du {_when(s)}, {s.statut}",
                        s.perimeter) for s in saved]
    return found + example_pair(catalog)


def pick(found: list[Candidate]) -> list[Candidate]:
    """The picker, 2 to 4 choices. It starts with the scenario open in the builder against
    the builder's unsaved changes, else the first two of the user's own perimeters, else
    the example pair."""
    by_key = {c.key: c for c in found}
    chosen = state.COMPARE_PICK.get()
    if chosen is None:
        own = [c.key for c in found if not c.example]
        opened = state.OPEN_SCENARIO.get() and f"saved:{state.OPEN_SCENARIO.get().id}"
        if opened in own and "builder" in own:
            chosen = [opened, "builder"]
        else:
            chosen = own[:2] if len(own) >= 2 else [c.key for c in found if c.example]
    state.COMPARE_PICK.set([k for k in chosen if k in by_key])
    st.multiselect("Scénarios à comparer (2 à 4)", list(by_key), key=state.COMPARE_PICK.key,
                   placeholder=choices.CHOOSE, format_func=lambda k: by_key[k].label,
                   on_change=choices.limit(state.COMPARE_PICK.key, MAX_COMPARED, "scénarios"))
    choices.limit_notice(state.COMPARE_PICK.key)
    return [by_key[k] for k in state.COMPARE_PICK.get() or []]


@st.cache_data(show_spinner=False, max_entries=64)
def _small_map(name: str, codes: tuple[str, ...], iris_source: str | None) -> bytes:
    return map_png(state.get_catalog(), Perimeter(name, codes), size_mm=(100, 70), dpi=110)


def compare_columns(catalog: Catalog, chosen: list[Candidate]) -> None:
    """One column each: population and Taille, differences with the first, map, findings
    (checked against the builder's neighbouring layers, as in the builder)."""
    others, geometries = state.neighbours(), state.neighbour_geometries() or None
    reports = []
    for candidate in chosen:
        p = candidate.perimeter
        reports.append(check_perimeter(catalog, p.with_codes(p.codes - set(unknown_codes(catalog, p))),
                                       others, geometries))
    for i, (column, candidate, report) in enumerate(zip(st.columns(len(chosen)), chosen, reports, strict=True)):
        with column:
            _column(catalog, candidate, report, reports[0] if i else None, chosen[0])


def _column(catalog: Catalog, candidate: Candidate, report: Report, first: Report | None,
            first_candidate: Candidate) -> None:
    p = candidate.perimeter
    st.subheader(md(p.name))
    st.caption(md(candidate.origin))
    missing = unknown_codes(catalog, p)
    if missing:
        st.warning("Comparé sans eux : " + missing_data_message(missing))
    pop, f = report.figures.population, report.figures
    st.metric("Population", pop.label(), delta=population_change(first.figures.population, pop) if first else None,
              delta_color="off")
    st.caption(pop.vintage_label())
    st.metric("Taille", pop.taille_label())
    st.caption(f"{f.communes} commune(s)" + (f" dont {f.iris} IRIS" if f.iris else "")
               + f" · {fmt_km2(f.area_km2)}")
    if first is None:
        st.caption("Référence des écarts des autres colonnes.")
    else:
        differences(catalog, first, report, first_candidate)
    try:
        st.image(_small_map(p.name, tuple(sorted(report.perimeter.codes)), catalog.iris_source),
                 width="stretch")
    except FicheError as exc:
        st.info(str(exc))
    for finding in report.findings:
        show_finding(finding)


def population_change(before: PopulationEstimate, after: PopulationEstimate) -> str | None:
    """Signed French difference; None when there is none or either population is a range."""
    old, new = before.value, after.value  # None for a range
    if old is None or new is None or old == new:
        return None
    gap = new - old
    return f"{'+' if gap > 0 else '-'}{fmt_int(abs(gap))} hab."


def differences(catalog: Catalog, first: Report, report: Report, first_candidate: Candidate) -> None:
    st.markdown(f"**Écarts avec « {md(first_candidate.perimeter.name)} »**")
    before, after = first.figures.population, report.figures.population
    if not (before.exact and after.exact):
        st.caption("Écart de population incertain : une des populations est une fourchette.")
    elif before.value == after.value:
        st.markdown("Même population.")
    old, new = before.taille_label(), after.taille_label()
    st.markdown(f"Taille : {old} → {new}" if old != new else f"Taille inchangée ({new})")
    a, b = first.perimeter.codes, report.perimeter.codes
    names = Checker(catalog, []).names
    if a == b:
        st.markdown("Mêmes unités.")
    for sign, codes in (("+", b - a), ("−", a - b)):
        if codes:
            st.markdown(f"**{sign}{fmt_int(len(codes))} unité(s)** : {md(names(codes, limit=NAMES_SHOWN))}")
