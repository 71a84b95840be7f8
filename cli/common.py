"""What the two command-line tools (`cpts-check` in cli.check, `cpts-coverage` in cli.coverage) share: reading a
file the way the user says, one exit-code convention, and French errors instead of tracebacks.

Exit status of both tools:
  0  nothing blocking (warnings may be printed);
  1  at least one blocking finding (overlap, isolated unit…);
  2  unreadable input, unknown vintage (--millesime) or bad usage (the reason on stderr,
     in French).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formats.columns import SAME_NAME_OPTIONS, ColumnChoice
from formats.iris import IrisFileError, read_iris_contours
from formats.layers import Layer, PerimeterFileError, read_layer
from geo.catalog import Catalog
from geo.units import load_communes, load_successors

EXIT_OK, EXIT_BLOCKING, EXIT_INPUT = 0, 1, 2
EXIT_CODES_HELP = ("Code de sortie : 0 = rien de bloquant ; 1 = au moins un constat bloquant "
                   "(chevauchement, unité isolée…) ; 2 = fichier illisible, millésime inconnu ou usage incorrect "
                   "(raison sur la sortie d'erreur).")


class InputError(ValueError):
    """A file or an option the tool cannot use; the message is French."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 2 with its message in French context."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"Erreur d'usage : {message}", file=sys.stderr)
        sys.exit(EXIT_INPUT)


def parser(prog: str, description: str) -> Parser:
    p = Parser(prog=prog, description=description, epilog=EXIT_CODES_HELP)
    p.add_argument("--code-column", metavar="COLONNE",
                   help="colonne des codes INSEE (sinon détectée d'après son contenu)")
    p.add_argument("--name-column", metavar="COLONNE",
                   help="colonne qui regroupe les lignes en périmètres (nom de la CPTS) ; "
                        "'' pour lire tout le fichier comme un seul périmètre")
    p.add_argument("--meme-nom", choices=list(SAME_NAME_OPTIONS.values()), dest="same_name",
                   help="entités portant le même nom : « fusionner » (une CPTS en plusieurs morceaux) "
                        "ou « separer » (des CPTS distinctes) ; demandé quand un fichier en a")
    p.add_argument("--iris", help="contours IRIS (CONTOURS-IRIS de l'IGN, .shp/.gpkg/.zip/.7z/.parquet)")
    p.add_argument("--millesime", help="millésime des populations légales (par défaut celui "
                   "en vigueur ; un millésime antérieur pour retrouver le chiffre d'une lettre)")
    p.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    return p


def load_catalog(iris_path: str | None, vintage: str | None = None) -> Catalog:
    """The catalog (with IRIS contours when given), populations of `vintage` (default: in force;
    UnknownVintageError, a ValueError, for one not embedded)."""
    if not iris_path:
        catalog = Catalog()
    else:
        iris = read_iris_contours(read_path(iris_path), load_communes(), load_successors())
        catalog = Catalog(iris, Path(iris_path).name)
    return catalog if vintage is None else catalog.with_vintage(vintage)


def read_path(name: str) -> Path:
    """The path if it is a readable file, else InputError saying why in French."""
    path = Path(name)
    if not path.exists():
        raise InputError(f"Fichier introuvable : « {name} ».")
    if path.is_dir():
        raise InputError(f"« {name} » est un dossier : donnez un fichier.")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"Lecture impossible de « {name} » (droits d'accès ?) : {exc.strerror}.") from exc
    return path


def read_file(catalog: Catalog, name: str, args: argparse.Namespace | None = None, main: bool = True) -> Layer:
    """A layer read with what the user imposed, printing on stderr what was chosen: the
    column options apply to the `main` file only (another file has other columns),
    --meme-nom to every file."""
    path = read_path(name)
    word = getattr(args, "same_name", None)
    same_name = next((key for key, option in SAME_NAME_OPTIONS.items() if option == word), None)
    choice = ColumnChoice(getattr(args, "code_column", None) if main else None,
                          getattr(args, "name_column", None) if main else None, same_name)
    layer = read_layer(catalog, path.read_bytes(), path.name, choice)
    if layer.detection is not None:
        print(f"Lecture de « {path.name} » :", file=sys.stderr)
        for line in layer.detection.describe():
            print(f"  {line}", file=sys.stderr)
    return layer


def run_safely(main) -> int:
    """Run a tool's body, turning every input problem into exit 2 and a French message."""
    try:
        return main()
    except (InputError, PerimeterFileError, IrisFileError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"Erreur : lecture impossible de « {exc.filename or ''} » ({exc.strerror}).", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("Erreur : mémoire insuffisante pour ce fichier : réduisez-le au territoire utile.",
              file=sys.stderr)
        return EXIT_INPUT
