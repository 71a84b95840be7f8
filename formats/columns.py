"""Which column of a table or layer holds the codes, and which groups rows into perimeters.

Users' files name their columns every way (`code`, `Code INSEE`, `cd_cmmn` shortened by
QGIS, `CODE_IRIS`…), so the content decides: a code column is one whose values are INSEE
codes this catalog knows (5 characters for a commune or arrondissement, `2A`/`2B` included,
9 for an IRIS; a spreadsheet's lost leading zero is restored, and said). A commune column
beside an IRIS column whose codes start with the row's commune is one reading: the IRIS
where given, else the commune (the lettre d'intention table).

A column whose values describe each row's own unit (the commune's name, its département)
is a label. A column whose values repeat across rows (`cpts`, `nm_cpts`, `libelle_cpts`…)
groups the rows into perimeters; a name column whose values never repeat, on a table of
one code per row, is a label too (a `code,nom` list is one perimeter, not one per row).
Values meaning « no CPTS » (« HORS CPTS », « Aucune », empty) are uncovered and listed.
When two readings are plausible, the detection does not guess: AmbiguousColumnsError names
the candidates, and the caller asks (interface) or stops (command line, exit 2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd

from geo.catalog import Catalog, fold, normalise_code

CODE_PATTERN = re.compile(r"\d{5}|2[AB]\d{3}|\d{9}|2[AB]\d{7}")
# Words of a header saying the column holds something else than unit codes.
NOT_CODE_WORDS = {"postal", "cp", "pop", "population", "annee", "year", "an", "surface", "superficie",
                  "densite", "area", "nb", "nombre", "siren", "siret", "epci", "dep", "reg"}
CODE_WORDS = {"code", "codes", "insee", "codgeo", "depcom", "iris", "com", "commune", "communes",
              "cd", "cod", "code_iris", "code_insee"}
# Headers naming a perimeter: `cpts` anywhere is the strongest sign.
GROUP_WORDS = {"nom", "name", "libelle", "lib", "perimetre", "territoire", "nm", "projet", "cpts"}
# Headers of attributes of a row, never a grouping unless the user says so (the lettre
# d'intention's « Méthode » repeats « recensement » on every row).
NOT_GROUP_WORDS = {"methode", "method", "statut", "status", "type", "typ", "source", "annee", "commentaire",
                   "commentaires", "remarque", "remarques", "note", "notes", "observation", "observations",
                   "date", "version", "millesime", "unite", "categorie"}
# Group values meaning the row's unit is in no CPTS (folded).
NO_CPTS = {"", "hors cpts", "hors", "aucune", "aucun", "aucune cpts", "sans cpts", "sans", "non couvert",
           "non couverte", "zone blanche", "pas de cpts", "none", "nan", "null", "na", "n a"}
MIN_SHARE = 0.8


class AmbiguousColumnsError(ValueError):
    """Two readings of the file are plausible; `kind` is `code` or `group` (`candidates`: the
    columns to choose from) or `same_name` (`candidates`: the names several features carry,
    one CPTS in pieces or distinct CPTS). The message is French, for the user."""

    def __init__(self, kind: str, candidates: list[str], columns: list[str]):
        self.kind, self.candidates, self.columns = kind, candidates, columns
        names = ", ".join(f"« {c} »" for c in candidates)
        if kind == "code":
            text = (f"Plusieurs colonnes contiennent des codes INSEE différents : {names}. "
                    "Indiquez laquelle utiliser (option --code-column en ligne de commande).")
        elif kind == "same_name":
            text = (f"Plusieurs entités portent le même nom : {names}. Chacun de ces noms est-il une "
                    "seule CPTS en plusieurs morceaux, ou des CPTS distinctes ? Indiquez-le (option "
                    f"--meme-nom {SAME_NAME_OPTIONS['merge']} ou --meme-nom {SAME_NAME_OPTIONS['separate']} "
                    "en ligne de commande).")
        else:
            text = (f"Plusieurs colonnes peuvent regrouper les lignes en périmètres : {names}. "
                    "Indiquez laquelle porte le nom de la CPTS (option --name-column ; "
                    "--name-column '' pour un seul périmètre).")
        super().__init__(text)


class ColumnNotFoundError(ValueError):
    """A column named by the user that the file does not have."""


@dataclass(frozen=True)
class ColumnChoice:
    """What the user imposes: a code column, a grouping column ('' = none, one perimeter),
    and what features carrying the same name are (`merge`: one CPTS in pieces; `separate`:
    distinct CPTS, renamed « (2) »)."""

    code: str | None = None
    group: str | None = None
    same_name: str | None = None


# The command line's words for ColumnChoice.same_name (--meme-nom).
SAME_NAME_OPTIONS = {"merge": "fusionner", "separate": "separer"}


@dataclass
class Detection:
    """How the file is read, to show before the analysis and to change."""

    code_columns: tuple[str, ...]
    group_column: str | None
    level: str
    labels: tuple[str, ...] = ()
    zeros_restored: int = 0
    zero_example: str = ""
    uncovered: dict[str, int] = field(default_factory=dict)
    code_candidates: tuple[str, ...] = ()
    group_candidates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    same_names: tuple[str, ...] = ()  # names carried by several features, as the file has them
    same_name: str | None = None  # what they were taken for (ColumnChoice.same_name)
    perimeters: int = 0
    imposed_code: bool = False
    imposed_group: bool = False

    def describe(self) -> list[str]:
        """French lines saying what was chosen (printed by the command line, shown by the app)."""
        if self.code_columns:
            how = "imposée" if self.imposed_code else "détectée"
            codes = f"Colonne des codes ({how}) : « {self.code_columns[-1]} »"
            if len(self.code_columns) > 1:
                codes += f", sinon « {self.code_columns[0]} »"
            lines = [codes + f" — niveau : {self.level}."]
        else:
            lines = ["Aucune colonne de codes : périmètres placés d'après leurs contours."]
        if self.group_column:
            how = "imposé" if self.imposed_group else "détecté"
            lines.append(f"Regroupement ({how}) : colonne « {self.group_column} » → "
                         f"{self.perimeters} périmètre(s).")
        else:
            lines.append(f"Aucune colonne de regroupement : {self.perimeters} périmètre(s).")
        if self.labels:
            lines.append("Colonne(s) de libellés, pas de regroupement : "
                         + ", ".join(f"« {c} »" for c in self.labels) + ".")
        if self.zeros_restored:
            lines.append(f"Zéro initial rétabli sur {self.zeros_restored} code(s) (par exemple "
                         f"{self.zero_example}) : le tableur l'avait supprimé.")
        if self.uncovered:
            lines.append("Lignes sans CPTS (comptées en zone blanche) : " + ", ".join(
                f"« {v or '(vide)'} » ({n})" for v, n in self.uncovered.items()) + ".")
        if self.same_names:
            names = ", ".join(f"« {n} »" for n in self.same_names)
            lines.append(f"Entités de même nom ({names}) : " + (
                "une seule CPTS en plusieurs morceaux pour chaque nom." if self.same_name == "merge"
                else "des CPTS distinctes, la seconde renommée « (2) »."))
        return lines


def cell_codes(value) -> list[str]:
    """The codes in one cell: a list (GeoJSON array), its JSON text, or text separated by
    commas, semicolons or spaces."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [str(int(value))] if float(value).is_integer() else []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                items = re.split(r"[\[\]\"',;\s]+", text)
            return [str(v) for v in (items if isinstance(items, list) else [items]) if str(v).strip()]
        return [v for v in re.split(r"[,;\s|]+", text) if v]
    if pd.api.types.is_list_like(value) and not isinstance(value, dict):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return []


def header_words(name: str) -> set[str]:
    folded = fold(name)
    return set(folded.split()) | {folded.replace(" ", "_")}


def _placeable(catalog: Catalog, code: str, iris_from_layer: bool) -> bool:
    units, successors = catalog.units.index, catalog.successors
    if code in units or code in successors:
        return True
    # An IRIS the catalog lacks: placeable when its commune is known and the layer brings
    # the IRIS's contour.
    return iris_from_layer and len(code) == 9 and (code[:5] in units or code[:5] in successors)


@dataclass
class _CodeColumn:
    name: str
    codes: list[list[str]]  # normalised codes per row
    share: float
    shaped: float  # share of values shaped like a code, known or not
    multi: bool
    restored: int
    example: str


def _code_column(catalog: Catalog, name: str, values: pd.Series, iris_from_layer: bool) -> _CodeColumn | None:
    per_row, total, good, shaped, restored, example, listed = [], 0, 0, 0, 0, "", False
    for value in values:
        raw = cell_codes(value)
        # A list (GeoJSON array, `[...]` text, `a;b`) says the row is a whole perimeter.
        listed = listed or len(raw) > 1 or pd.api.types.is_list_like(value) or (
            isinstance(value, str) and value.strip().startswith("["))
        codes = [normalise_code(c) for c in raw]
        for r, c in zip(raw, codes, strict=True):
            total += 1
            shaped += bool(CODE_PATTERN.fullmatch(c))
            if CODE_PATTERN.fullmatch(c) and _placeable(catalog, c, iris_from_layer):
                good += 1
                if len(c) != len(r.strip().removesuffix(".0")):
                    restored += 1
                    example = example or f"{r.strip()} → {c}"
        per_row.append(codes)
    if not total:
        return None
    return _CodeColumn(name, per_row, good / total, shaped / total, listed, restored, example)


def _refines(coarse: _CodeColumn, fine: _CodeColumn, successors: dict) -> bool:
    """Whether `fine` holds IRIS of the row's commune in `coarse` wherever it is filled."""
    pairs = [(c[0], f[0]) for c, f in zip(coarse.codes, fine.codes, strict=True) if len(c) == 1 and len(f) == 1]
    if not pairs or coarse.multi or fine.multi:
        return False
    ok = sum(len(f) == 9 and (f[:5] == c or successors.get(f[:5]) == c) for c, f in pairs)
    return ok / len(pairs) >= 0.95


def level_label(catalog: Catalog, codes) -> str:
    level = catalog.column("level")
    found = {level.get(c) or ("iris" if len(c) == 9 else "commune") for c in codes}
    found.discard(None)
    names = {"commune": "communes", "arrondissement": "arrondissements", "iris": "IRIS"}
    return " et ".join(names[x] for x in ("commune", "arrondissement", "iris") if x in found) or "inconnu"


def _find(columns, wanted: str) -> str:
    for c in columns:
        if c == wanted or fold(c) == fold(wanted):
            return c
    raise ColumnNotFoundError(
        f"Colonne « {wanted} » absente du fichier. Colonnes lues : {', '.join(map(str, columns))}.")


def detect_codes(catalog: Catalog, table: pd.DataFrame, choice: ColumnChoice, iris_from_layer: bool,
                 exclude=()) -> tuple[list[_CodeColumn], list[str]]:
    """The code column(s) chosen (coarse first) and every plausible candidate."""
    columns = [c for c in table.columns if c not in exclude]
    if choice.code:
        name = _find(columns, choice.code)
        found = _code_column(catalog, name, table[name], iris_from_layer)
        if found is None or found.share < 0.5:
            raise ColumnNotFoundError(f"La colonne « {name} » ne contient pas de codes INSEE connus.")
        return [found], [name]
    candidates = []
    for name in columns:
        words = header_words(str(name))
        if words & NOT_CODE_WORDS and not words & {"insee", "iris"}:
            continue
        found = _code_column(catalog, name, table[name], iris_from_layer)
        # A header saying « code » may hold typos and codes unknown here (IRIS without their
        # contours: listed later, with the reason); without it, the values must be codes
        # this catalog knows.
        if found is not None and (found.share >= MIN_SHARE or (words & CODE_WORDS and found.shaped >= MIN_SHARE)):
            candidates.append(found)
    names = [c.name for c in candidates]
    if len(candidates) <= 1:
        return candidates, names
    # An IRIS column refining a commune column: one reading.
    for coarse in candidates:
        for fine in candidates:
            if coarse is not fine and _refines(coarse, fine, catalog.successors):
                rest = [c for c in candidates if c not in (coarse, fine)]
                if all(c.codes == coarse.codes or c.codes == fine.codes for c in rest):
                    return [coarse, fine], names
    distinct = {tuple(map(tuple, c.codes)): c for c in candidates}
    if len(distinct) == 1:
        return [_best_named(candidates)], names
    hinted = [c for c in candidates if header_words(str(c.name)) & CODE_WORDS]
    if len({tuple(map(tuple, c.codes)) for c in hinted}) == 1:
        return [_best_named(hinted)], names
    raise AmbiguousColumnsError("code", names, list(map(str, table.columns)))


def _best_named(candidates: list[_CodeColumn]) -> _CodeColumn:
    return max(candidates, key=lambda c: (bool(header_words(str(c.name)) & CODE_WORDS), c.share))


def describes_unit(catalog: Catalog, values: pd.Series, row_codes: list[list[str]]) -> bool:
    """Whether the column's values name (or code) each row's own unit: a label."""
    columns = {k: catalog.column(k) for k in ("name", "commune_name", "dep", "dep_name", "reg_name",
                                              "epci_name", "epci_code", "commune_code")}
    tested = matched = 0
    for value, codes in zip(values, row_codes, strict=True):
        if len(codes) != 1 or not isinstance(value, str) or not value.strip():
            continue
        code = codes[0]
        key = code if code in columns["name"] else catalog.successors.get(code, code[:5])
        if key not in columns["name"]:
            continue
        tested += 1
        text = fold(value)
        own = {fold(str(columns[k].get(key) or "")) for k in columns}
        own.add(fold(f"{columns['name'][key]} {columns['commune_name'].get(key) or ''}"))
        matched += text in own or fold(code) == text
    return tested > 0 and matched / tested >= MIN_SHARE


def is_no_cpts(value) -> bool:
    text = fold(value) if isinstance(value, str) else ("" if value is None or pd.isna(value) else fold(str(value)))
    return text in NO_CPTS or text.startswith(("hors cpts", "sans cpts", "aucune cpts", "pas de cpts"))


def _text_values(values: pd.Series) -> pd.Series | None:
    if any(isinstance(v, (list, tuple, dict)) for v in values):
        return None
    text = values.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip())
    filled = text[text != ""]
    if filled.empty or filled.str.fullmatch(r"-?[\d.,\s]+").mean() > 0.5:
        return None
    return text


def _same_partition(a: pd.Series, b: pd.Series) -> bool:
    frame = pd.DataFrame({"a": a, "b": b})
    return frame.groupby("a")["b"].nunique().max() == 1 and frame.groupby("b")["a"].nunique().max() == 1


def detect_group(catalog: Catalog, table: pd.DataFrame, choice: ColumnChoice, row_codes: list[list[str]],
                 one_code_rows: bool, exclude=()) -> tuple[str | None, list[str], list[str]]:
    """(grouping column or None, label columns, grouping candidates). `one_code_rows`: each
    row is one unit (a table of codes, an IRIS layer), not a perimeter of its own."""
    columns = [c for c in table.columns if c not in exclude]
    if choice.group is not None:
        return (_find(columns, choice.group) if choice.group else None), [], []
    tiers: dict[int, list[str]] = {0: [], 1: [], 2: []}
    labels = []
    for name in columns:
        text = _text_values(table[name])
        if text is None:
            continue
        words = header_words(str(name))
        hinted = bool(words & GROUP_WORDS) or "cpts" in fold(name)
        covered = text[~text.map(is_no_cpts)]
        repeats = covered.nunique() < len(covered)
        if one_code_rows and describes_unit(catalog, table[name], row_codes):
            labels.append(name)
            continue
        # Values that never repeat name each row, unless the column says it holds CPTS (its
        # header, or a « HORS CPTS » row): then each row is a CPTS of one unit.
        marks_uncovered = any(v and is_no_cpts(v) for v in text)
        if one_code_rows and len(covered) > 1 and not repeats and not (
                "cpts" in fold(name) or marks_uncovered):
            if hinted:
                labels.append(name)
            continue
        if "cpts" in fold(name):
            tiers[0].append(name)
        elif hinted:
            tiers[1].append(name)
        elif (one_code_rows and repeats and not words & NOT_GROUP_WORDS and covered.str.len().mean() >= 3
              and covered.nunique() <= max(1, len(covered) // 2)):
            tiers[2].append(name)
    candidates = tiers[0] + tiers[1] + tiers[2]
    for tier in (0, 1, 2):
        found = tiers[tier]
        if not found:
            continue
        text = {c: _text_values(table[c]) for c in found}
        if all(_same_partition(text[found[0]], text[c]) for c in found[1:]):
            return found[0], labels, candidates
        raise AmbiguousColumnsError("group", found, list(map(str, table.columns)))
    return None, labels, candidates
