"""Spreadsheets as users send them: CSV in any usual encoding and separator, XLSX, XLS, ODS.

Every cell is read as text (a code `01001` keeps its zero when the file kept it; a
spreadsheet that ate it is repaired later, and said). The content decides the format as
much as the name: an XLSX renamed `.csv` is still read as XLSX. Every problem becomes a
TableError whose message, in French, can be shown as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", *SPREADSHEET_SUFFIXES)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


class TableError(ValueError):
    """A table that cannot be read; the message is French, for the user."""


def is_spreadsheet(data: bytes, filename: str) -> bool:
    """XLSX/ODS are zip files, XLS an OLE file: trust the bytes over the extension."""
    suffix = Path(filename).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return True
    if data.startswith(OLE_MAGIC):
        return True
    return data.startswith(ZIP_MAGIC) and (b"xl/" in data[:4096] or b"opendocument.spreadsheet" in data[:4096]
                                           or b"[Content_Types].xml" in data[:4096])


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The first sheet (or the CSV) as text cells, header on the first row, empty cells ''."""
    table = _read_spreadsheet(data, filename) if is_spreadsheet(data, filename) else _read_csv(data, filename)
    table.columns = [str(c).strip() for c in table.columns]
    table = table.dropna(how="all")
    table = table.fillna("").astype(str).apply(lambda col: col.str.strip())
    table = table[(table != "").any(axis=1)]
    # This app writes `'=…` for a text starting like a formula (`inert` below).
    table = table.apply(lambda col: col.str.replace(r"^'(?=[=+\-@])", "", regex=True))
    table = table.loc[:, [not (c.startswith(("Unnamed:", "colonne_")) and not (table[c] != "").any())
                          for c in table.columns]]
    if table.empty or not len(table.columns):
        raise TableError(f"Le tableau « {filename} » ne contient aucune ligne de données.")
    return table.reset_index(drop=True)


def _read_spreadsheet(data: bytes, filename: str) -> pd.DataFrame:
    """The first sheet; its header is the first row as wide as the data (a title and a
    blank row above the table, as porteurs' sheets often have, are skipped)."""
    try:
        raw = pd.read_excel(io.BytesIO(data), engine="calamine", dtype=str, header=None)
    except Exception as exc:  # calamine raises its own types for damaged or encrypted files
        raise TableError(
            f"Classeur illisible « {filename} » (XLSX, XLS ou ODS attendu, fichier endommagé "
            "ou protégé par mot de passe ?).") from exc
    # calamine gives numbers as text "1001.0" when the cell was numeric: keep the integer.
    raw = raw.apply(lambda col: col.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True))
    filled = raw.notna() & (raw.apply(lambda col: col.str.strip()) != "")
    if not filled.any().any():
        raise TableError(f"Le classeur « {filename} » est vide.")
    wide = filled.sum(axis=1)
    header = int(next((i for i, n in enumerate(wide) if n >= max(1, 0.6 * wide.max())), 0))
    table = raw.iloc[header + 1:].copy()
    names = [str(v).strip() if pd.notna(v) and str(v).strip() else f"colonne_{k + 1}"
             for k, v in enumerate(raw.iloc[header])]
    table.columns = _unique(names)
    return table


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(f"Encodage de « {filename} » non reconnu : enregistrez-le en CSV UTF-8.")


def _read_csv(data: bytes, filename: str) -> pd.DataFrame:
    text = _decode(data, filename)
    if "\x00" in text:
        raise TableError(f"« {filename} » n'est pas un fichier texte (CSV) : contenu binaire.")
    try:
        sep = csv.Sniffer().sniff(text[:8192], delimiters=";,\t|").delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise TableError(f"CSV illisible « {filename} » : lignes de longueurs différentes "
                         f"ou guillemets non fermés ({str(exc).splitlines()[0][:120]}).") from exc


# --- writing -----------------------------------------------------------------------
# XLSX is written by xlsxwriter and read by calamine, nothing else: one engine each way.

# A cell starting with one of these is run as a formula by spreadsheets (CSV) or written as
# one by an XLSX writer: a CPTS named `=HYPERLINK("http://…"&B3,"Voir")` would call out.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_xlsx(table: pd.DataFrame, sheet: str = "Périmètre", notes: Iterable[str] = ()) -> bytes:
    """The table as XLSX bytes, with notes (coverage, sources) below it. Every text cell is
    written as text, never as a formula, a link or a number (names come from users and files)."""
    out = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    sheet = sheet[:31]  # Excel's limit for a sheet name
    with pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        table.to_excel(writer, sheet_name=sheet, index=False)
        book, page = writer.book, writer.sheets[sheet]
        header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#dde6f0"})
        for position, column in enumerate(table.columns):
            page.write(0, position, column, header)
            width = max([len(str(column))] + [len(str(v)) for v in table[column]]) + 2
            page.set_column(position, position, min(width, 60))
        page.freeze_panes(1, 1)
        for offset, note in enumerate(notes):
            page.write(len(table) + 2 + offset, 0, note)
    return out.getvalue()


def inert(value):
    """Text that a spreadsheet opening a CSV would run as a formula, prefixed with `'`."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv_text(table: pd.DataFrame, sep: str = ";") -> str:
    """The table as CSV with every text cell inert (see `inert`)."""
    return table.map(inert).to_csv(index=False, sep=sep)
