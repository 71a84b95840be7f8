"""Command line for ARS staff: check a perimeter file against a layer of neighbouring CPTS.

    cpts-check PERIMETER [--against LAYER] [--name NAME] [--code-column C]
                      [--name-column C] [--iris IRIS_CONTOURS] [--millesime 2023] [--json]

Prints what was read (code and grouping columns, on stderr), then the figures (population
with its vintage, Taille, area, communes, parts) and the findings, in French, or as JSON
with --json. A file holding several perimeters is checked whole (each against the others
and the layer), or only the one chosen with --name; never silently the first. Exit status
(cli.common): 0 nothing blocking, 1 a blocking finding, 2 unreadable input, unknown vintage or
bad usage.
"""

from __future__ import annotations

import json
import sys

from cli.common import (
    EXIT_BLOCKING,
    EXIT_OK,
    InputError,
    load_catalog,
    parser,
    read_file,
    run_safely,
)
from geo.checks import Checker
from geo.finding_kinds import severity_of
from geo.french import fmt_km2
from geo.units import vintage_label
from indicators.basics import summary


def run(args) -> tuple[dict, int]:
    catalog = load_catalog(args.iris, args.millesime)
    layer = read_file(catalog, args.perimeter, args)
    catalog = layer.catalog or catalog
    candidates = layer.perimeters
    if args.name is not None:
        candidates = [p for p in layer.perimeters if p.name == args.name]
        if not candidates:
            names = ", ".join(f"« {p.name} »" for p in layer.perimeters[:20])
            raise InputError(f"Aucun périmètre « {args.name} » dans le fichier. Périmètres lus : {names}.")
    others, geometries, warnings = [], dict(layer.geometries), list(layer.warnings)
    unknown = dict(layer.unknown_codes)
    if args.against:
        neighbours = read_file(catalog, args.against, args, main=False)
        catalog = neighbours.catalog or catalog
        others = neighbours.perimeters
        geometries.update(neighbours.geometries)
        warnings += neighbours.warnings
        unknown.update(neighbours.unknown_codes)
    # The file's own perimeters are neighbours of each other; on a shared name the file wins.
    mine = {p.name for p in layer.perimeters}
    checker = Checker(catalog, layer.perimeters + [o for o in others if o.name not in mine])
    reports = [checker.check(p, geometries) for p in candidates]
    results = [{
        "figures": summary(catalog.units, report),
        "findings": [f.as_dict() for f in report.findings],
    } for report in reports]
    result = {
        **(results[0] if len(results) == 1 else {"perimeters": results}),
        "unknown_codes": unknown,
        "remapped_codes": {**layer.remapped},
        "uncovered": layer.uncovered,
        "warnings": warnings,
        "iris_level": catalog.has_iris,
    }
    return result, EXIT_BLOCKING if any(r.blocking for r in reports) else EXIT_OK


def _render_one(result: dict) -> list[str]:
    f = result["figures"]
    lines = [
        f"Périmètre : {f['name']}",
        f"  Population : {f['population_label']} ({vintage_label(f['population_vintages'])})",
        f"  {f['taille']}",
        f"  Superficie : {fmt_km2(f['area_km2'])}",
        f"  Communes : {f['communes']}" + (f", dont IRIS : {f['iris']}" if f["iris"] else ""),
        f"  Morceaux : {f['parts']}",
        "  Constats :",
    ]
    return lines + [f"    [{severity_of(x['severity']).tag}] {x['message']}" for x in result["findings"]]


def render(result: dict) -> str:
    lines = []
    for one in result.get("perimeters") or [result]:
        lines += _render_one(one)
    if not result["iris_level"]:
        lines.append("(niveau communal : aucun contour IRIS chargé, option --iris)")
    for name, codes in result["unknown_codes"].items():
        lines.append(f"Codes inconnus dans « {name} » : {', '.join(codes)}")
    for old, new in result["remapped_codes"].items():
        lines.append(f"Code {old} remplacé par {new} (fusion de communes)")
    for value, codes in result["uncovered"].items():
        lines.append(f"Sans CPTS (« {value or 'vide'} ») : {len(codes)} unité(s) non comptée(s)")
    lines += [f"Lecture : {w}" for w in result["warnings"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = parser("cpts-check", __doc__.split("\n")[0])
    p.add_argument("perimeter", help="périmètre(s) : GeoJSON, GeoPackage, Shapefile zippé, CSV, XLSX ou ODS")
    p.add_argument("--against", help="couche des CPTS voisines (mêmes formats)")
    p.add_argument("--name", help="le périmètre du fichier à vérifier (sinon tous, chacun contre les autres)")
    args = p.parse_args(argv)

    def body() -> int:
        result, status = run(args)
        print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else render(result))
        return status

    return run_safely(body)


if __name__ == "__main__":
    sys.exit(main())
