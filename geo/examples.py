"""The seeds' perimeters, ready to open: what a workshop starts from.

Carmausin-Ségala (Tarn, lettre d'intention 2023): the Communauté de communes
Carmausin-Ségala without Villeneuve-sur-Vère and Milhavet (gone to CPTS Grand Gaillacois),
plus Lacapelle-Pinet, Laparrouquial and Salles: 32 communes, 29,367 inhabitants (2020).
Ruscino (Pyrénées-Orientales, lettre d'intention 2023, validated 2025): 14 IRIS of
Cabestany and Perpignan plus the whole communes of Saint-Nazaire and Saleilles (their IRIS
`XXXXX0000`); 47,617 inhabitants (2017) per the letter.
"""

from __future__ import annotations

from geo.catalog import Catalog
from geo.perimeter import Perimeter, from_names

CARMAUSIN_EPCI = "Communauté de communes Carmausin-Ségala"
RUSCINO_CODES = (
    "660280101 660280102 660280103 660280104 661360801 661360901 661360902 661361001 "
    "661361101 661361202 661361203 661361901 661361902 661361903 661860000 661890000"
).split()


def carmausin_segala(catalog: Catalog) -> Perimeter:
    units = catalog.units
    epci = set(units.index[(units["level"] == "commune") & (units["epci_name"] == CARMAUSIN_EPCI)])
    gone, _ = from_names(catalog, "x", ["Villeneuve-sur-Vère", "Milhavet"], deps=["81"])
    added, _ = from_names(catalog, "x", ["Lacapelle-Pinet", "Laparrouquial", "Salles"], deps=["81"])
    return Perimeter("CPTS du Carmausin-Ségala", (epci - gone.codes) | added.codes,
                     {"porteur": "Didier Doubax", "statut": "lettre d'intention déposée"})


def ruscino(catalog: Catalog) -> Perimeter:
    """Needs IRIS contours in the catalog (raises UnknownCodesError otherwise)."""
    from geo.perimeter import from_codes

    perimeter, _ = from_codes(catalog, "CPTS Ruscino", RUSCINO_CODES,
                              metadata={"statut": "projet de santé validé"})
    return perimeter


def ruscino_whole_perpignan(catalog: Catalog) -> Perimeter:
    """The ARS's suggestion (letter of 14/03/2025): extend to the whole of Perpignan."""
    base = ruscino(catalog)
    codes = {c for c in base.codes if not c.startswith("66136")} | {"66136"}
    return Perimeter("CPTS Ruscino élargie à Perpignan", codes, {"statut": "projet"})
