"""The perimeter's access to GPs (APL) and share of people aged 75 or more next to its
département(s), région(s) and France, from the embedded indicators (no import needed)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.catalog import Catalog
from geo.checks import Report
from geo.french import fmt_number
from indicators.aggregate import Aggregate
from indicators.embedded import AGE_75, APL_2023, APL_INDICATOR, SHARE_75_INDICATOR
from ui import data_imports
from ui.indicator_figures import PARTIAL_BELOW
from ui.text import md

SHOWN = ((APL_2023, APL_INDICATOR), (AGE_75, SHARE_75_INDICATOR))


def _cell(aggregate: Aggregate, decimals: int, unit: str) -> str:
    if aggregate.value is None:
        return "pas de donnée"
    text = fmt_number(aggregate.value, decimals) + (" %" if unit == "%" else "")
    if aggregate.coverage is not None and aggregate.coverage < 1:
        text += f" (sur {fmt_number(100 * aggregate.coverage, 1)} % de la pop.)"
        if aggregate.coverage < PARTIAL_BELOW:
            text = "partiel : " + text
    return text


def health_references(catalog: Catalog, report: Report) -> None:
    """A small table: one column per indicator, the perimeter then its references."""
    codes, name = report.perimeter.sorted_codes(), report.perimeter.name
    columns, rows, sources = {}, None, []
    for dataset_id, indicator_id in SHOWN:
        aggregator = data_imports.aggregator(catalog, data_imports.embedded_meta(dataset_id))
        comparison = aggregator.compare(indicator_id, codes, name)
        indicator = comparison.indicator
        places = (comparison.perimeter,) + comparison.references
        rows = rows or [md(p.name) for p in places]  # st.table renders Markdown: names as text
        columns[f"{indicator.label} ({indicator.vintage})"] = [
            _cell(p, indicator.decimals, indicator.unit) for p in places]
        sources.append(f"{indicator.label} : {indicator.source}")
    st.markdown("**Santé et âge** (données intégrées, sans import)")
    st.table(pd.DataFrame(columns, index=rows))  # static HTML: small, and readable as text
    st.caption(" · ".join(sources) + ". Détail dans la page « Diagnostic territorial ».")
