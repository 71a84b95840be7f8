"""Command line for ARS staff: check a perimeter file against a layer of neighbouring CPTS.

    python -m geo.check PERIMETER [--against LAYER] [--iris IRIS_CONTOURS] [--millesime 2023] [--json]

Prints the figures (population, Taille, area, communes, parts) and the findings, in French,
or as JSON with --json. Exit status: 0 without blocking finding, 1 with one, 2 when a file
cannot be read or the vintage of the populations is unknown (the reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo.catalog import Catalog
from geo.checks import check_perimeter
from geo.files import PerimeterFileError, read_layer
from geo.iris import IrisFileError, read_iris_contours
from geo.units import UnknownVintageError, load_communes, load_successors, vintage_label
from indicators.basics import summary

SEVERITY_LABEL = {"blocking": "BLOQUANT", "warning": "ATTENTION", "info": "INFO"}


def load_catalog(iris_path: str | None, vintage: str | None = None) -> Catalog:
    """The catalog (with IRIS contours when given), populations of `vintage` (default: in force)."""
    if not iris_path:
        catalog = Catalog()
    else:
        iris = read_iris_contours(iris_path, load_communes(), load_successors())
        catalog = Catalog(iris, Path(iris_path).name)
    return catalog if vintage is None else catalog.with_vintage(vintage)


def run(args: argparse.Namespace) -> tuple[dict, int]:
    catalog = load_catalog(args.iris, args.millesime)
    path = Path(args.perimeter)
    layer = read_layer(catalog, path.read_bytes(), path.name)
    candidate = layer.perimeters[0]
    others, geometries, warnings = [], dict(layer.geometries), list(layer.warnings)
    unknown = dict(layer.unknown_codes)
    if args.against:
        against = Path(args.against)
        neighbours = read_layer(catalog, against.read_bytes(), against.name)
        others = neighbours.perimeters
        geometries.update(neighbours.geometries)
        warnings += neighbours.warnings
        unknown.update(neighbours.unknown_codes)
    report = check_perimeter(catalog, candidate, others, geometries)
    result = {
        "figures": summary(catalog.units, report),
        "findings": [f.as_dict() for f in report.findings],
        "unknown_codes": unknown,
        "remapped_codes": {**layer.remapped},
        "warnings": warnings,
        "iris_level": catalog.has_iris,
    }
    return result, 1 if report.blocking else 0


def render(result: dict) -> str:
    f = result["figures"]
    lines = [
        f"Périmètre : {f['name']}",
        f"  Population : {f['population_label']} ({vintage_label(f['population_vintages'])})",
        f"  {f['taille']}",
        f"  Superficie : {f['area_km2']:.1f} km²".replace(".", ","),
        f"  Communes : {f['communes']}" + (f", dont IRIS : {f['iris']}" if f["iris"] else ""),
        f"  Morceaux : {f['parts']}",
    ]
    if not result["iris_level"]:
        lines.append("  (niveau communal : aucun contour IRIS chargé, option --iris)")
    for name, codes in result["unknown_codes"].items():
        lines.append(f"  Codes inconnus dans « {name} » : {', '.join(codes)}")
    for old, new in result["remapped_codes"].items():
        lines.append(f"  Code {old} remplacé par {new} (fusion de communes)")
    lines += [f"  {w}" for w in result["warnings"]]
    lines.append("Constats :")
    for finding in result["findings"]:
        lines.append(f"  [{SEVERITY_LABEL[finding['severity']]}] {finding['message']}")
    return "\n".join(lines)


def add_vintage_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--millesime", help="millésime des populations légales (par défaut celui "
                        "en vigueur ; un millésime antérieur pour retrouver le chiffre d'une lettre)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.check", description=__doc__.split("\n")[0])
    parser.add_argument("perimeter", help="GeoJSON, GeoPackage, Shapefile zippé ou CSV de codes")
    parser.add_argument("--against", help="couche des CPTS voisines (mêmes formats)")
    parser.add_argument("--iris", help="contours IRIS (CONTOURS-IRIS de l'IGN, .shp/.gpkg/.zip/.7z/.parquet)")
    add_vintage_option(parser)
    parser.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    args = parser.parse_args(argv)
    try:
        result, status = run(args)
    except (PerimeterFileError, IrisFileError, UnknownVintageError, OSError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else render(result))
    return status


if __name__ == "__main__":
    sys.exit(main())
