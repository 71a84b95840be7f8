"""Indicators declared once, and the datasets that carry their unit values.

An indicator says what it measures (French label, unit), where it comes from (source,
vintage) and how unit values add up over a set of units, so that a perimeter and its
references (département, région, France) are computed by the same rule and compare:

- `sum`: counts (establishments, inhabitants): the sum of `column`.
- `ratio`: sum of `column` over sum of `denominator`, times `scale` (100 for a
  percentage). Never the mean of unit ratios: a commune of 50 inhabitants would weigh
  as much as a city.
- `weighted_mean`: a rate known per unit (APL) averaged with weights: sum(value x
  weight) / sum(weight); the weight is the `denominator` column, or the catalog's
  population when `denominator` is None.

A dataset is a table of unit values keyed by INSEE code (communes and arrondissements
municipaux, or IRIS), the indicators read from it, and where it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

RULES = ("sum", "ratio", "weighted_mean")
LEVELS = ("commune", "iris")
# In an IRIS dataset, the commune or arrondissement holding each IRIS (current code).
PARENT_COLUMN = "parent_code"


@dataclass(frozen=True)
class Indicator:
    """One indicator: `column` (and `denominator`, the ratio's denominator or the mean's
    weight) name columns of its dataset's table. `headline` indicators make the summary;
    the others (age bands) feed a detailed figure. A count is also compared per 10,000
    inhabitants unless `per_10k` is off (a count of inhabitants)."""

    id: str
    label: str
    unit: str
    source: str
    vintage: int | None
    rule: str
    column: str
    denominator: str | None = None
    scale: float = 1.0
    decimals: int = 1
    headline: bool = True
    per_10k: bool = True

    def __post_init__(self):
        if self.rule not in RULES:
            raise ValueError(f"unknown aggregation rule {self.rule!r} (expected one of {RULES})")
        if self.rule == "ratio" and not self.denominator:
            raise ValueError(f"ratio indicator {self.id!r} needs a denominator column")
        if self.rule == "sum" and self.denominator:
            raise ValueError(f"sum indicator {self.id!r} takes no denominator")

    @property
    def columns(self) -> tuple[str, ...]:
        """The table columns this indicator reads."""
        return (self.column,) + ((self.denominator,) if self.denominator else ())

    @property
    def is_percentage(self) -> bool:
        return self.unit.strip() == "%"


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from; `warnings` are the importer's French remarks."""

    publisher: str
    file_name: str
    vintage: int | None
    imported_at: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Dataset:
    """Unit values (`table`, indexed by INSEE code, numeric columns; IRIS tables also
    carry PARENT_COLUMN) with their indicators. `unknown_codes` are the file's codes that
    name no unit (left out of `table`); `remapped` maps obsolete codes to the current
    commune their values were added to."""

    id: str
    title: str
    level: str
    table: pd.DataFrame
    indicators: tuple[Indicator, ...]
    provenance: Provenance
    unknown_codes: tuple[str, ...] = ()
    remapped: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"unknown dataset level {self.level!r}")
        missing = {c for i in self.indicators for c in i.columns} - set(self.table.columns)
        if missing:
            raise ValueError(f"dataset {self.id!r} lacks columns {sorted(missing)}")

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)


def slug(text: str) -> str:
    """An identifier from a French label: `Part des 65 ans et +` -> `part-des-65-ans-et`."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "indicateur"


# --- INSEE population by age --------------------------------------------------------

# Age bands partitioning the population in INSEE's base-ic/base-cc files (column suffix).
AGE_BANDS = (
    ("0014", "0–14 ans"), ("1529", "15–29 ans"), ("3044", "30–44 ans"),
    ("4559", "45–59 ans"), ("6074", "60–74 ans"), ("75P", "75 ans et +"),
)
# Columns the age indicators need, beyond the bands (suffix of PXX_POP).
AGE_EXTRA = ("65P", "0019")
SHARE_65, SHARE_75, AGEING_INDEX = "part_65p", "part_75p", "indice_vieillissement"


def age_column(suffix: str) -> str:
    """Table column of an INSEE age count: `pop` for PXX_POP, `pop_65p` for PXX_POP65P."""
    return "pop" + (f"_{suffix.lower()}" if suffix else "")


def band_id(suffix: str) -> str:
    return SHARE_75 if suffix == "75P" else f"part_{suffix.lower()}"


def age_indicators(year: int, source: str) -> tuple[Indicator, ...]:
    """Population, shares of 65+ and 75+, indice de vieillissement, then the band shares."""
    share = lambda ident, label, column, headline: Indicator(  # noqa: E731
        ident, label, "%", source, year, "ratio", column, "pop", 100.0, 1, headline)
    headline = (
        Indicator("population", "Population", "hab.", source, year, "sum", "pop", decimals=0,
                  per_10k=False),
        share(SHARE_65, "Part des 65 ans et plus", age_column("65P"), True),
        share(SHARE_75, "Part des 75 ans et plus", age_column("75P"), True),
        Indicator(AGEING_INDEX, "Indice de vieillissement (65 ans et + pour 100 moins de 20 ans)",
                  "pour 100", source, year, "ratio", age_column("65P"), age_column("0019"),
                  100.0, 0),
    )
    bands = tuple(share(band_id(s), f"Part des {label}", age_column(s), False)
                  for s, label in AGE_BANDS if s != "75P")
    return headline + bands


# --- DREES APL -----------------------------------------------------------------------

def apl_unit(column: str) -> str:
    """DREES expresses APL to GPs in consultations per standardised inhabitant and year,
    and APL to the other professions in full-time equivalents per 100,000."""
    if "médecin" in column.lower():
        return "consultations/an/hab."
    return "ETP pour 100 000 hab."
