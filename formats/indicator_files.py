"""Indicator files read as their publishers distribute them, into datasets.

- INSEE population by age, `base-ic-evol-struct-pop-YYYY` (per IRIS) and
  `base-cc-evol-struct-pop-YYYY` (per commune): CSV `;` in UTF-8 or Latin-1, or XLSX with
  title rows above the header; the census year is read from the `PXX_` prefix.
- DREES APL (`Indicateur d'accessibilité potentielle localisée (APL) aux …`): XLSX with
  one sheet per year (`APL 2023`), title rows, a header holding `Code commune INSEE`, the
  `APL aux …` columns and the standardised population used as their weight.
- Any table of values by commune or IRIS, described by the caller's indicators.

Codes keep their leading zeros (`01001`, Corsica `2A004`), even when a spreadsheet stored
them as numbers; obsolete commune codes become their current commune (values merged by
each indicator's rule); codes naming no unit are listed, not guessed. Anything unreadable
raises IndicatorImportError with a French message the interface can show as it is.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from formats import statlocales
from geo.catalog import normalise_code
from geo.french import fmt_int
from geo.units import load_communes, load_successors
from indicators.definitions import (
    AGE_BANDS,
    AGE_EXTRA,
    PARENT_COLUMN,
    Dataset,
    Indicator,
    Provenance,
    age_column,
    age_indicators,
    apl_unit,
    slug,
)

MAX_FILE_BYTES = 200 * 1024 * 1024
HEADER_SCAN_ROWS = 30
# Cells meaning "no value" in published tables (INSEE writes `s` for statistical secrecy;
# Statistiques locales and CartoSanté exports write it out).
MISSING_TOKENS = frozenset({"", "nan", "na", "n/a", "nd", "n.d.", "s", "-",
                            "n/a - secret statistique", "n/a - résultat non disponible"})
CODE_RE = re.compile(r"(?:\d{5}|2[AB]\d{3})(?:\d{4})?")
POP_RE = re.compile(r"P(\d\d)_POP")
APL_CODE_COLUMN = "Code commune INSEE"
APL_SHEET_RE = re.compile(r"APL\s*(\d{4})", re.IGNORECASE)
APL_WEIGHT = "population_standardisee"

Progress = Callable[[float, str], None]


class IndicatorImportError(ValueError):
    """A file that cannot become a dataset; the message is French, for the user."""


# --- reading bytes into a table of text ----------------------------------------------

def _load(source, filename: str | None, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and name, refusing big files before reading them. `source` is a
    path, bytes, or an uploaded file object (with `.name`, and `.size` or `seek`)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = filename or path.name
        _check_size(path.stat().st_size, name, max_bytes)
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray)):
        name, data = filename or "fichier", bytes(source)
        _check_size(len(data), name, max_bytes)
    else:
        name = filename or Path(getattr(source, "name", "fichier")).name
        size = getattr(source, "size", None)
        if size is None:
            size = source.seek(0, io.SEEK_END)
            source.seek(0)
        _check_size(size, name, max_bytes)
        data = source.read()
    if not data or data.isspace():
        raise IndicatorImportError(f"Le fichier « {name} » est vide.")
    if name.lower().endswith(".zip"):
        return _from_zip(data, name, max_bytes)
    return data, name


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise IndicatorImportError(
            f"Le fichier « {name} » fait {fmt_int(size / 1024 ** 2)} Mo : la limite est de "
            f"{fmt_int(max_bytes / 1024 ** 2)} Mo. Importez un extrait (vos départements).")


def _from_zip(data: bytes, name: str, max_bytes: int) -> tuple[bytes, str]:
    """INSEE distributes its tables zipped: the largest CSV or XLSX inside."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise IndicatorImportError(f"L'archive « {name} » est illisible.") from None
    members = [m for m in archive.infolist() if m.filename.lower().endswith((".csv", ".txt", ".xlsx"))]
    if not members:
        raise IndicatorImportError(f"L'archive « {name} » ne contient ni CSV ni XLSX.")
    member = max(members, key=lambda m: m.file_size)
    _check_size(member.file_size, member.filename, max_bytes)
    return archive.read(member), Path(member.filename).name


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows Latin-1 as INSEE's older files."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _cells(values) -> list[str]:
    return ["" if pd.isna(v) else str(v).strip().strip('"').strip() for v in values]


def _header_index(rows: list[list[str]], header_ok: Callable[[set[str]], bool]) -> int | None:
    return next((i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if header_ok(set(row))), None)


def _read_csv(data: bytes, name: str, header_ok, what: str, keep) -> pd.DataFrame:
    text = _decode(data)
    lines = text[:1_000_000].splitlines()[:HEADER_SCAN_ROWS]
    sep = max((";", ",", "\t"), key=lambda s: sum(line.count(s) for line in lines))
    index = _header_index([_cells(line.split(sep)) for line in lines], header_ok)
    if index is None:
        raise IndicatorImportError(
            f"« {name} » : en-tête introuvable ({what}). Colonnes lues : "
            + ", ".join(_cells(lines[0].split(sep))[:15]))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, skiprows=index, dtype=str, keep_default_na=False,
                            skip_blank_lines=True, usecols=lambda c: keep(str(c).strip()))
    except (pd.errors.ParserError, ValueError) as error:
        raise IndicatorImportError(f"« {name} » : tableau CSV illisible ({error}).") from None
    frame.columns = _cells(frame.columns)
    return frame


def _workbook(data: bytes, name: str) -> pd.ExcelFile:
    if name.lower().endswith(".xls"):
        raise IndicatorImportError(
            f"« {name} » : l'ancien format Excel .xls n'est pas lu ; enregistrez-le en .xlsx ou en CSV.")
    try:
        return pd.ExcelFile(io.BytesIO(data), engine="calamine")  # the project's one XLSX reader
    except Exception:  # calamine raises its own types for damaged or encrypted files
        raise IndicatorImportError(f"« {name} » n'est pas un classeur Excel (.xlsx) lisible.") from None


def _read_sheet(book: pd.ExcelFile, sheet: str, header_ok, keep) -> pd.DataFrame | None:
    """A sheet with its header row found below the title rows, or None without one."""
    grid = pd.read_excel(book, sheet_name=sheet, header=None, dtype=str)
    index = _header_index([_cells(row) for row in grid.head(HEADER_SCAN_ROWS).to_numpy()], header_ok)
    if index is None:
        return None
    frame = grid.iloc[index + 1:].reset_index(drop=True)
    frame.columns = _cells(grid.iloc[index])
    return frame.loc[:, [c != "" and keep(c) for c in frame.columns]]


def _check_sheet(book: pd.ExcelFile, sheet: str | None, name: str) -> None:
    if sheet is not None and sheet not in book.sheet_names:
        raise IndicatorImportError(
            f"« {name} » n'a pas de feuille « {sheet} ». Feuilles disponibles : "
            + ", ".join(book.sheet_names) + ".")


def _read_tables(data: bytes, name: str, header_ok, what: str, sheet: str | None = None,
                 every_sheet: bool = False, keep=lambda column: True) -> pd.DataFrame:
    """The table of a CSV, or of the XLSX sheets whose header passes `header_ok` (the
    first one, or all of them with `every_sheet`, e.g. INSEE's communes and
    arrondissements sheets), with the columns `keep` accepts (INSEE files have ~100)."""
    if not name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return _read_csv(data, name, header_ok, what, keep)
    book = _workbook(data, name)
    _check_sheet(book, sheet, name)
    frames = []
    for candidate in [sheet] if sheet else book.sheet_names:
        frame = _read_sheet(book, candidate, header_ok, keep)
        if frame is not None:
            frames.append(frame)
            if not every_sheet:
                break
    if not frames:
        where = f"la feuille « {sheet} »" if sheet else "aucune feuille"
        raise IndicatorImportError(
            f"« {name} » : en-tête introuvable dans {where} ({what}). Feuilles disponibles : "
            + ", ".join(book.sheet_names) + ".")
    return pd.concat(frames, ignore_index=True)


def _column(frame: pd.DataFrame, wanted: str, name: str) -> str:
    """The frame's column named `wanted`, ignoring case and spaces around it."""
    key = wanted.strip().lower()
    for column in frame.columns:
        if str(column).strip().lower() == key:
            return column
    raise IndicatorImportError(
        f"« {name} » : colonne « {wanted} » introuvable. Colonnes du fichier : "
        + ", ".join(map(str, frame.columns[:20])) + (" …" if len(frame.columns) > 20 else "."))


# --- from text to values ---------------------------------------------------------------

def _numeric(cells: pd.Series, column: str, codes: pd.Series) -> pd.Series:
    """Numbers written the French or the English way (`1 234,5`, `1234.5`); the
    publishers' "no value" marks become missing, never 0; other text is an error."""
    text = cells.astype("string").str.strip()
    missing = text.isna() | text.str.lower().isin(MISSING_TOKENS)
    values = pd.to_numeric(text.where(~missing), errors="coerce").astype(float)
    redo = values.isna() & ~missing
    if redo.any():
        cleaned = text[redo].str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
        values[redo] = pd.to_numeric(cleaned, errors="coerce").astype(float)
    bad = values.isna() & ~missing
    if bad.any():
        first = bad.to_numpy().nonzero()[0][0]
        raise IndicatorImportError(
            f"La colonne « {column} » contient du texte là où un nombre est attendu "
            f"(« {text.iloc[first]} » pour le code {codes.iloc[first]}, {int(bad.sum())} cellules).")
    return values


def _values(frame: pd.DataFrame, code_column: str, columns: dict[str, str], name: str,
            warnings: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The numeric values of the data rows, indexed by normalised code (`columns` maps
    file column -> table column), and those rows of `frame`. Title, note and blank rows
    (no code-like cell) are dropped."""
    codes = frame[code_column].map(lambda v: "" if pd.isna(v) else normalise_code(v))
    filled = pd.DataFrame({c: ~frame[c].astype("string").str.strip().str.lower()
                           .fillna("").isin(MISSING_TOKENS) for c in columns})
    looks_like_code = codes.str.fullmatch(CODE_RE.pattern)
    codeish = codes.str.fullmatch(r"[0-9AB]{1,12}") & ~looks_like_code
    keep = looks_like_code | codeish
    dropped = (~keep & filled.any(axis=1)).sum()
    if dropped:
        warnings.append(f"{dropped} lignes sans code INSEE ignorées (titres ou notes).")
    frame, codes = frame[keep.to_numpy()], codes[keep.to_numpy()]
    if frame.empty:
        raise IndicatorImportError(f"« {name} » ne contient aucune ligne de données.")
    values = pd.DataFrame({target: _numeric(frame[source], source, codes)
                           for source, target in columns.items()})
    values.index = codes.to_numpy()
    return values, frame


def _level(codes: pd.Index, name: str) -> str:
    lengths = {len(c) for c in codes if CODE_RE.fullmatch(c)}
    if lengths == {9}:
        return "iris"
    if lengths == {5}:
        return "commune"
    if not lengths:
        raise IndicatorImportError(f"« {name} » : aucun code de commune ou d'IRIS valide.")
    raise IndicatorImportError(
        f"« {name} » mélange des codes de communes (5 caractères) et d'IRIS (9 caractères) : "
        "importez-les séparément.")


def _place(values: pd.DataFrame, level: str, parents: pd.Series | None) -> tuple[pd.DataFrame, list[str], dict]:
    """Current codes: obsolete communes -> their successor; unknown codes set aside. An
    IRIS is placed through its commune (`parents`, else the code's first 5 characters)."""
    units, successors = load_communes(), load_successors()
    if level == "iris":
        raw = parents.tolist() if parents is not None else [code[:5] for code in values.index]
    else:
        raw = values.index.tolist()
    keys = pd.Series([normalise_code(k) for k in raw], index=values.index)
    current = keys.map(lambda c: c if c in units.index else successors.get(c))
    remapped = {k: c for k, c in zip(keys, current, strict=True) if isinstance(c, str) and c != k}
    known = current.notna().to_numpy()
    unknown = sorted(set(values.index[~known]))
    placed = values[known].copy()
    if level == "iris":
        placed[PARENT_COLUMN] = current[known].to_numpy()
    else:
        placed.index = current[known].to_numpy()
    return placed, unknown, remapped


def _merge_duplicates(table: pd.DataFrame, indicators: Sequence[Indicator], warnings: list[str]) -> pd.DataFrame:
    """Rows sharing a code (old communes merged into one) combined by each indicator's
    rule: counts, numerators and weights add up; a mean is re-weighted (or plain when
    the file gives no weight, said in the warnings)."""
    if table.index.is_unique:
        return table
    table.index.name = "code"
    grouped = table.groupby(level=0, sort=False)
    means = {i.column: i.denominator for i in indicators if i.rule == "weighted_mean"}
    merged = grouped.sum(numeric_only=True, min_count=1)
    for column, weight in means.items():
        if weight:
            w = table[weight].where(table[column].notna())
            merged[column] = ((table[column] * w).groupby(level=0).sum(min_count=1)
                              / w.groupby(level=0).sum(min_count=1))
        else:
            merged[column] = grouped[column].mean()
            warnings.append(f"« {column} » : moyenne simple des anciennes communes regroupées "
                            "(le fichier ne donne pas de pondération).")
    if PARENT_COLUMN in table:
        merged[PARENT_COLUMN] = grouped[PARENT_COLUMN].first()
    doubles = table.index[table.index.duplicated()].unique()
    warnings.append(f"{fmt_int(len(doubles))} codes sur plusieurs lignes (communes fusionnées depuis le "
                    "fichier, ou lignes répétées) : valeurs regroupées pour "
                    + ", ".join(doubles[:10]) + (" …" if len(doubles) > 10 else "."))
    return merged


def _drop_plm_duplicates(table: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Paris, Lyon or Marseille given both whole and by arrondissement: keep the
    arrondissements, so the city is not counted twice."""
    units = load_communes()
    arrondissements = units[units["level"] == "arrondissement"]
    present = arrondissements[arrondissements.index.isin(table.index)]
    doubled = sorted(set(present["parent_code"]) & set(table.index))
    if doubled:
        warnings.append("Communes données entières et par arrondissement : seuls les "
                        "arrondissements sont gardés pour " + ", ".join(doubled) + ".")
    return table.drop(index=doubled)


def _fill_absent_with_zero(table: pd.DataFrame, indicators: Sequence[Indicator],
                           warnings: list[str]) -> pd.DataFrame:
    """For an exhaustive count file (a commune without establishment is left out): the
    absent communes of the départements the file covers count 0 in the columns of counts
    and ratios (0 over 0 adds nothing to a ratio of sums); a weighted mean's value or
    weight is never invented. Other départements stay without data."""
    units = load_communes()
    deps = set(units["dep"].reindex(table.index).dropna())
    scope = units[units["dep"].isin(deps)]
    # Paris, Lyon, Marseille: one row, whole or by arrondissement, as the file does.
    split = scope.index.isin(table.index) & (scope["level"] == "arrondissement")
    cities_split = set(scope.loc[split, "parent_code"])
    leaves = scope[((scope["level"] == "commune") & ~scope.index.isin(cities_split))
                   | ((scope["level"] == "arrondissement") & scope["parent_code"].isin(cities_split))]
    absent = leaves.index[~leaves.index.isin(table.index)]
    means = {c for i in indicators if i.rule == "weighted_mean" for c in i.columns}
    counts = [c for c in dict.fromkeys(c for i in indicators for c in i.columns) if c not in means]
    if not counts or not len(absent):
        return table
    warnings.append(f"{fmt_int(len(absent))} communes absentes du fichier dans ses départements "
                    f"({', '.join(sorted(deps))}) comptées à 0.")
    return pd.concat([table, pd.DataFrame({c: 0.0 for c in counts}, index=absent)])


def _dataset(values: pd.DataFrame, level: str, parents: pd.Series | None,
             indicators: Sequence[Indicator], *, dataset_id: str, title: str, publisher: str,
             file_name: str, vintage: int | None, warnings: list[str],
             absent_as_zero: bool = False) -> Dataset:
    table, unknown, remapped = _place(values, level, parents)
    if unknown:
        warnings.append(f"{fmt_int(len(unknown))} codes inconnus ignorés : " + ", ".join(unknown[:10])
                        + (" …" if len(unknown) > 10 else "."))
    if remapped:
        warnings.append(f"{fmt_int(len(remapped))} codes anciens rattachés à leur commune actuelle : "
                        + ", ".join(f"{a} → {b}" for a, b in list(remapped.items())[:10]) + ".")
    table = _merge_duplicates(table, indicators, warnings)
    if level == "commune":
        table = _drop_plm_duplicates(table, warnings)
        if absent_as_zero:
            table = _fill_absent_with_zero(table, indicators, warnings)
    table.index.name = "code"
    provenance = Provenance(publisher, file_name, vintage,
                            datetime.now().isoformat(timespec="seconds"), tuple(warnings))
    return Dataset(dataset_id, title, level, table, tuple(indicators), provenance,
                   tuple(unknown), remapped)


def _progress(callback: Progress | None) -> Progress:
    return callback or (lambda fraction, message: None)


# --- INSEE population by age ------------------------------------------------------------

def _insee_header(cells: set[str]) -> bool:
    return bool({"IRIS", "CODGEO"} & cells) and any(POP_RE.match(c) for c in cells)


@dataclass(frozen=True)
class InseeAges:
    """INSEE's population by age as read from the file, before any use of it: the one
    reading behind both the catalog's IRIS population and the age indicators."""

    name: str                  # the file's name (inside its zip archive, if any)
    level: str                 # `iris` (base-ic, IRIS column) or `commune` (base-cc, CODGEO)
    year: int                  # census year, from the `PXX_` prefix
    values: pd.DataFrame       # by normalised code: `pop` and the age columns the file has
    parents: pd.Series | None  # IRIS -> commune (the file's COM column), when given
    warnings: tuple[str, ...]

    def missing(self) -> list[str]:
        """INSEE columns the age indicators need that the file lacks."""
        yy = str(self.year)[2:]
        return [f"P{yy}_POP{s}" for s in INSEE_SUFFIXES if age_column(s) not in self.values]


INSEE_SUFFIXES = ("",) + tuple(s for s, _ in AGE_BANDS) + AGE_EXTRA


def read_insee_ages(source, filename: str | None = None, *, sheet: str | None = None,
                    max_bytes: int = MAX_FILE_BYTES) -> InseeAges:
    """INSEE `base-ic-evol-struct-pop-YYYY` (IRIS) or `base-cc-evol-struct-pop-YYYY`
    (communes), CSV, XLSX (title rows, one sheet per level) or zipped: the population and
    the age counts present, numbers checked (`s` of statistical secrecy is no value, never
    0). An extract without the total `PXX_POP` but with the six age bands gets their sum
    (they partition the population), said in the warnings."""
    data, name = _load(source, filename, max_bytes)
    frame = _read_tables(data, name, _insee_header, "colonnes IRIS ou CODGEO et PXX_POP",
                         sheet, every_sheet=True,
                         keep=lambda c: c in ("IRIS", "CODGEO", "COM") or bool(POP_RE.match(c)))
    code_column = "IRIS" if "IRIS" in frame.columns else "CODGEO"
    yy = max(m.group(1) for c in frame.columns if (m := POP_RE.match(str(c))))
    present = {f"P{yy}_POP{s}": age_column(s) for s in INSEE_SUFFIXES if f"P{yy}_POP{s}" in frame.columns}
    warnings: list[str] = []
    values, rows = _values(frame, code_column, present, name, warnings)
    bands = [age_column(s) for s, _ in AGE_BANDS]
    total = age_column("")
    if total not in values and set(bands) <= set(values.columns):
        values[total] = values[bands].sum(axis=1, skipna=False)
        warnings.append(f"Pas de colonne P{yy}_POP : population = somme des six tranches d'âge.")
    if total not in values:
        raise IndicatorImportError(f"« {name} » : colonne INSEE P{yy}_POP (population) absente.")
    level = "iris" if code_column == "IRIS" else "commune"
    parents = rows["COM"] if level == "iris" and "COM" in rows.columns else None
    return InseeAges(name, level, 2000 + int(yy), values, parents, tuple(warnings))


def read_insee_population(source, filename: str | None = None, *, sheet: str | None = None,
                          progress: Progress | None = None,
                          max_bytes: int = MAX_FILE_BYTES) -> Dataset:
    """INSEE population by age (`read_insee_ages`) as a dataset: population, shares of 65+
    and 75+, indice de vieillissement, age bands."""
    report = _progress(progress)
    report(0.0, "Lecture du fichier…")
    ages = read_insee_ages(source, filename, sheet=sheet, max_bytes=max_bytes)
    if missing := ages.missing():
        raise IndicatorImportError(f"« {ages.name} » : colonnes INSEE absentes : " + ", ".join(missing) + ".")
    report(0.7, "Rattachement des codes INSEE…")
    year = ages.year
    source_label = f"INSEE, recensement de la population {year}"
    dataset = _dataset(ages.values, ages.level, ages.parents, age_indicators(year, source_label),
                       dataset_id=f"insee-population-age-{year}-{ages.level}",
                       title=f"Population par âge (INSEE, recensement {year}, "
                             + ("IRIS)" if ages.level == "iris" else "communes)"),
                       publisher="INSEE", file_name=ages.name, vintage=year, warnings=list(ages.warnings))
    report(1.0, f"Import terminé : {fmt_int(len(dataset.table))} unités.")
    return dataset


# --- DREES APL -----------------------------------------------------------------------

def _apl_header(cells: set[str]) -> bool:
    return APL_CODE_COLUMN.lower() in {c.lower() for c in cells}


def _apl_sheet(data: bytes, name: str, sheet: str | None) -> tuple[str | None, int | None]:
    """The sheet to read (the latest `APL YYYY` unless one is named) and its year."""
    if not name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        found = re.search(r"(20\d\d)", name)
        return None, int(found.group(1)) if found else None
    book = _workbook(data, name)
    _check_sheet(book, sheet, name)
    if sheet is not None:
        found = APL_SHEET_RE.search(sheet)
        return sheet, int(found.group(1)) if found else None
    years = {int(m.group(1)): s for s in book.sheet_names if (m := APL_SHEET_RE.fullmatch(s.strip()))}
    if not years:
        raise IndicatorImportError(
            f"« {name} » n'a pas de feuille « APL AAAA ». Feuilles disponibles : "
            + ", ".join(book.sheet_names) + ".")
    latest = max(years)
    return years[latest], latest


def read_apl(source, filename: str | None = None, *, sheet: str | None = None,
             progress: Progress | None = None, max_bytes: int = MAX_FILE_BYTES) -> Dataset:
    """DREES APL per commune: every `APL aux …` column becomes an indicator averaged with
    the file's standardised population as weight (the catalog's population without it)."""
    report = _progress(progress)
    report(0.0, "Lecture du fichier…")
    data, name = _load(source, filename, max_bytes)
    sheet, year = _apl_sheet(data, name, sheet)
    frame = _read_tables(data, name, _apl_header, f"colonne « {APL_CODE_COLUMN} »", sheet)
    code_column = _column(frame, APL_CODE_COLUMN, name)
    apl_columns = [c for c in frame.columns if str(c).lower().startswith("apl aux")]
    if not apl_columns:
        raise IndicatorImportError(f"« {name} » : aucune colonne « APL aux … ».")
    weight = next((c for c in frame.columns if str(c).lower().startswith("population standardisée")), None)
    columns = {c: slug(c) for c in apl_columns} | ({weight: APL_WEIGHT} if weight else {})
    report(0.4, "Contrôle des valeurs…")
    warnings: list[str] = [] if weight else [
        "Pas de colonne « Population standardisée » : l'APL est pondérée par la population "
        "municipale du référentiel des communes."]
    values, _ = _values(frame, code_column, columns, name, warnings)
    source_label = f"DREES, APL {year}" if year else "DREES, APL"
    indicators = [Indicator(slug(c), c, apl_unit(c), source_label, year, "weighted_mean", slug(c),
                            APL_WEIGHT if weight else None, decimals=2) for c in apl_columns]
    report(0.7, "Rattachement des codes INSEE…")
    dataset = _dataset(values, "commune", None, indicators,
                       dataset_id=slug(f"drees-{apl_columns[0]}-{year or ''}"),
                       title=f"{apl_columns[0]} (DREES{', ' + str(year) if year else ''})",
                       publisher="DREES", file_name=name, vintage=year, warnings=warnings)
    report(1.0, f"Import terminé : {fmt_int(len(dataset.table))} communes.")
    return dataset


# --- any table of values by code --------------------------------------------------------

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class TablePreview:
    """What a user needs to describe a table before `read_table`: its sheets (XLSX), the
    sheet read, its columns (header found below any title rows), the column that looks
    like INSEE codes and the columns whose first rows are numbers."""

    file_name: str
    sheets: tuple[str, ...]
    sheet: str | None
    columns: tuple[str, ...]
    code_column: str | None
    numeric_columns: tuple[str, ...]


def _preview_rows(data: bytes, book: pd.ExcelFile | None, sheet: str | None) -> list[list[str]]:
    """The first rows of a CSV or of one sheet, as text cells."""
    if book is None:
        lines = _decode(data[:2_000_000]).splitlines()[:HEADER_SCAN_ROWS + PREVIEW_ROWS]
        sep = max((";", ",", "\t"), key=lambda s: sum(line.count(s) for line in lines[:HEADER_SCAN_ROWS]))
        return [_cells(row) for row in csv.reader(lines, delimiter=sep)]
    grid = pd.read_excel(book, sheet_name=sheet, header=None, dtype=str,
                         nrows=HEADER_SCAN_ROWS + PREVIEW_ROWS)
    return [_cells(row) for row in grid.to_numpy()]


def _describe(rows: list[list[str]]) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """Columns (the first row nearly as wide as the widest: title rows above a header fill
    one cell, a header may leave one blank), the code-like column and the numeric ones,
    judged on the rows below the header."""
    filled = [sum(bool(c) for c in row) for row in rows[:HEADER_SCAN_ROWS]]
    if not filled or max(filled) < 2:
        return (), None, ()
    index = next(i for i, n in enumerate(filled) if n >= max(2.0, 0.8 * max(filled)))
    header = rows[index]
    body = [row + [""] * (len(header) - len(row)) for row in rows[index + 1:]]
    columns, code_column, numeric = [], None, []
    for position, column in enumerate(header):
        if not column or column in columns:
            continue
        columns.append(column)
        cells = pd.Series([row[position] for row in body], dtype="string")
        cells = cells[~cells.str.lower().isin(MISSING_TOKENS)]
        if cells.empty:
            continue
        if code_column is None and cells.map(normalise_code).str.fullmatch(CODE_RE.pattern).all():
            code_column = column
            continue
        try:
            _numeric(cells, column, cells)
        except IndicatorImportError:
            continue
        numeric.append(column)
    return tuple(columns), code_column, tuple(numeric)


def _check_export(data: bytes, name: str) -> None:
    """A Statistiques locales / CartoSanté export (recognised by its two title lines) is read
    whole first: a truncated download is refused, and so is a table of another level than
    the commune, said in French with why (its codes look like commune codes)."""
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return
    text = _decode(data)
    if not statlocales.is_export(text):
        return
    try:
        export = statlocales.read_export(text, name)
    except statlocales.StatLocalesError as error:
        raise IndicatorImportError(str(error)) from None
    if export.by_commune:
        return
    level = export.level.removeprefix("France par ").strip()
    example = ", ".join(f"{c} {n}" for c, n in export.table["Libellé"].head(2).items())
    reason = (
        "Ses codes (par exemple {ex}) désignent des bassins de vie, nommés d'après leur commune-"
        "centre : une valeur de bassin de vie vaut pour toutes ses communes ensemble et ne peut "
        "être ni attribuée à la commune-centre ni additionnée sur les communes d'un périmètre "
        "sans la table de correspondance commune → bassin de vie (INSEE, « Base des bassins de vie "
        "2022 ») et les effectifs sous-jacents."
        if "bassin" in level else
        "Ses codes (par exemple {ex}) ne sont pas des communes : ces valeurs ne peuvent pas être "
        "réparties sur les communes d'un périmètre.")
    raise IndicatorImportError(
        f"« {name} » est un export {export.publisher} par {level} (« {export.level} »), pas par "
        f"commune. " + reason.format(ex=example) + " Téléchargez l'export « France par commune » "
        "du même site pour l'importer ici.")


def preview_table(source, filename: str | None = None, *, sheet: str | None = None,
                  max_bytes: int = MAX_FILE_BYTES) -> TablePreview:
    """The columns of a CSV or XLSX table (of `sheet`, else of the first sheet holding a
    table), to choose the code and value columns that `read_table` then reads."""
    data, name = _load(source, filename, max_bytes)
    _check_export(data, name)
    if not name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return TablePreview(name, (), None, *_describe(_preview_rows(data, None, None)))
    book = _workbook(data, name)
    _check_sheet(book, sheet, name)
    sheets = tuple(book.sheet_names)
    described: tuple[tuple[str, ...], str | None, tuple[str, ...]] = ((), None, ())
    for candidate in [sheet] if sheet else sheets:
        described = _describe(_preview_rows(data, book, candidate))
        if described[0]:
            return TablePreview(name, sheets, candidate, *described)
    return TablePreview(name, sheets, sheet or sheets[0], *described)


def read_table(source, code_column: str, indicators: Sequence[Indicator], *,
               filename: str | None = None, sheet: str | None = None, title: str | None = None,
               publisher: str = "", vintage: int | None = None, absent_as_zero: bool = False,
               progress: Progress | None = None, max_bytes: int = MAX_FILE_BYTES) -> Dataset:
    """A CSV or XLSX table with one row per commune or IRIS (`code_column`) and the
    columns the `indicators` name. With `absent_as_zero`, the file is taken as exhaustive
    for counts: communes it leaves out, in the départements it covers, count 0."""
    if not indicators:
        raise IndicatorImportError("Choisissez au moins une colonne de valeurs.")
    report = _progress(progress)
    report(0.0, "Lecture du fichier…")
    data, name = _load(source, filename, max_bytes)
    _check_export(data, name)
    key = code_column.strip().lower()
    frame = _read_tables(data, name, lambda cells: key in {c.lower() for c in cells},
                         f"colonne de codes « {code_column} »", sheet)
    found = _column(frame, code_column, name)
    wanted = dict.fromkeys(c for i in indicators for c in i.columns)
    columns = {_column(frame, c, name): c for c in wanted}
    report(0.4, "Contrôle des valeurs…")
    warnings: list[str] = []
    values, _ = _values(frame, found, columns, name, warnings)
    level = _level(values.index, name)
    report(0.7, "Rattachement des codes INSEE…")
    title = title or Path(name).stem
    dataset = _dataset(values, level, None, indicators, dataset_id=slug(title), title=title,
                       publisher=publisher, file_name=name, vintage=vintage, warnings=warnings,
                       absent_as_zero=absent_as_zero)
    report(1.0, f"Import terminé : {fmt_int(len(dataset.table))} unités.")
    return dataset


# --- FINESS --------------------------------------------------------------------------------

FINESS_ID = "numero finess etablissement"
FINESS_CATEGORY = "categetab"
FINESS_COMMUNE = "code_insee"
# Indicator id -> (label, FINESS category codes `categetab`).
FINESS_GROUPS = {
    "pharmacies": ("Pharmacies d'officine", {"620"}),
    "maisons_de_sante": ("Maisons de santé pluriprofessionnelles", {"603"}),
    "centres_de_sante": ("Centres de santé", {"124"}),
    "ehpad": ("EHPAD", {"500"}),
    "hopitaux": ("Hôpitaux et cliniques (CHR, CH, soins pluridisciplinaires, chirurgicaux, "
                 "médicaux, psychiatriques)", {"101", "106", "355", "365", "128", "129", "292"}),
}


def read_finess(source, filename: str | None = None, *, progress: Progress | None = None,
                max_bytes: int = MAX_FILE_BYTES) -> Dataset:
    """A FINESS extract of establishments (one row per establishment and activity, with its
    category `categetab` and commune `code_insee`): the number of distinct establishments
    per commune for each group of FINESS_GROUPS. The extract is exhaustive for its
    départements: a commune of them without a row counts 0 (others stay without data)."""
    report = _progress(progress)
    report(0.0, "Lecture du fichier…")
    data, name = _load(source, filename, max_bytes)
    frame = _read_tables(data, name, lambda cells: {FINESS_ID, FINESS_CATEGORY, FINESS_COMMUNE} <= cells,
                         f"colonnes « {FINESS_ID} », « {FINESS_CATEGORY} », « {FINESS_COMMUNE} »")
    frame = frame.drop_duplicates(FINESS_ID)
    codes = frame[FINESS_COMMUNE].map(normalise_code)
    counts = pd.DataFrame({
        ident: frame[FINESS_CATEGORY].isin(categories).groupby(codes.to_numpy()).sum().astype(float)
        for ident, (_, categories) in FINESS_GROUPS.items()})
    indicators = [Indicator(ident, label, "établissements", f"FINESS, catégories {', '.join(sorted(cats))}",
                            None, "sum", ident, decimals=0)
                  for ident, (label, cats) in FINESS_GROUPS.items()]
    report(0.7, "Rattachement des codes INSEE…")
    dataset = _dataset(counts, "commune", None, indicators, dataset_id="finess-etablissements",
                       title="Établissements FINESS (pharmacies, maisons et centres de santé, EHPAD, hôpitaux)",
                       publisher="FINESS (Réexposition des données FINESS)", file_name=name, vintage=None,
                       warnings=[f"{fmt_int(len(frame))} établissements distincts (une ligne par établissement "
                                 "et activité dans le fichier)."], absent_as_zero=True)
    report(1.0, f"Import terminé : {fmt_int(len(dataset.table))} communes.")
    return dataset
