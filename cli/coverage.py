"""`cpts-coverage`: a whole layer of CPTS over a région or départements, for ARS staff.

French output for people, or JSON for scripts; what was read goes to stderr; exit status of
cli.common (0 nothing blocking, 1 a blocking finding, 2 unreadable input or bad usage):

    cpts-coverage LAYER [--region 93] [--departement 06] [--code-column C]
                        [--name-column C] [--iris CONTOURS] [--json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cli.common import (
    EXIT_BLOCKING,
    EXIT_OK,
    load_catalog,
    parser,
    read_file,
    run_safely,
)
from geo.coverage import Coverage, Scope, analyse_layer
from geo.finding_kinds import severity_of
from geo.french import fmt_int, fmt_percent
from geo.units import vintage_label


def render(coverage: Coverage, source: str = "") -> str:
    """The analysis in French, for people: figures first, then what needs action."""
    f = coverage.figures
    white_pop = [p for p in coverage.white["population"] if p is not None]
    lines = [
        f"Couverture CPTS : {coverage.scope_label}" + (f" — couche « {source} »" if source else ""),
        f"  CPTS : {f.cpts} (" + ", ".join(f"{k} : {v}" for k, v in f.by_taille.items()) + ")",
        f"  Communes couvertes : {fmt_int(f.communes_covered)} sur {fmt_int(f.communes)} "
        f"({fmt_percent(f.share_communes)})" + (f", dont {f.communes_partial} en partie" if f.communes_partial else ""),
        f"  Population couverte : {f.population_covered.label()} sur {f.population.label()} "
        f"({fmt_percent(f.share_population)}) — {vintage_label(f.population.vintages)}",
    ]
    white = coverage.white
    parts = int((white["code"] != white["commune_code"]).sum())
    lines.append(f"Zones blanches : {f.communes_white} commune(s) sans CPTS"
                 + (f" et {parts} partie(s) de commune (arrondissement, IRIS)" if parts else "")
                 + f", {fmt_int(sum(white_pop))} hab.")
    for row in white.itertuples():
        where = row.name if row.code == row.commune_code else f"{row.commune_name} — {row.name}"
        pop = "population inconnue" if row.population is None else f"{fmt_int(row.population)} hab."
        lines.append(f"  {row.dep} {where} ({row.code}) : {pop}" + (" — isolée" if row.isolated else ""))
    for title, kinds in (("Unités isolées entre CPTS", ("isolated",)),
                         ("Chevauchements", ("overlap", "geometric_overlap")),
                         ("Communes partagées (découpage infra-communal inconnu)", ("shared_commune",)),
                         ("Autres constats", ("parts", "unknown_population"))):
        found = coverage.of_kind(*kinds)
        lines.append(f"{title} : {len(found) or 'aucun(e)'}")
        lines += [f"  [{severity_of(x.finding.severity).tag}] {x.finding.message}" for x in found]
    lines.append("Codes non placés : " + ("aucun" if not coverage.unplaced else ""))
    lines += [f"  « {name} » : {', '.join(codes)}" for name, codes in coverage.unplaced.items()]
    lines += [x.finding.message for x in coverage.of_kind("remapped_codes")]
    lines += [f"Lecture : {w}" for w in coverage.warnings]
    lines += [f"Sans CPTS dans le fichier (« {value or 'vide'} ») : {len(codes)} unité(s) : {', '.join(codes[:20])}"
              + (" …" if len(codes) > 20 else "") for value, codes in coverage.uncovered.items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = parser("cpts-coverage", "Couverture d'une région par une couche de CPTS.")
    p.add_argument("layer", help="couche de CPTS : GeoJSON, GeoPackage, Shapefile zippé, CSV, XLSX ou ODS")
    p.add_argument("--region", action="append", default=[], help="code INSEE de région (répétable)")
    p.add_argument("--departement", action="append", default=[], help="code de département (répétable)")
    args = p.parse_args(argv)

    def body() -> int:
        catalog = load_catalog(args.iris, args.millesime)
        layer = read_file(catalog, args.layer, args)
        scope = None
        if args.region or args.departement:
            scope = Scope(tuple(r.strip() for r in args.region),
                          tuple(d.strip().upper().zfill(2) for d in args.departement))
        coverage = analyse_layer(layer.catalog or catalog, layer, scope)
        print(json.dumps(coverage.as_dict(), ensure_ascii=False, indent=1) if args.json
              else render(coverage, Path(args.layer).name))
        blocking = any(f.finding.severity == "blocking" for f in coverage.findings)
        return EXIT_BLOCKING if blocking else EXIT_OK

    return run_safely(body)


if __name__ == "__main__":
    sys.exit(main())
