"""Plotly figures and tables of a perimeter's indicators against its references.

Built for workshop screens: large fonts, French labels and numbers (`3,5`, `29 281`),
the perimeter in colour and the references in grey, the coverage always written beside
each value. A count (`sum`) is compared per 10,000 inhabitants of the units with data,
since a perimeter's count and its département's do not compare.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from geo.french import fmt_number
from indicators.aggregate import Aggregate, Comparison
from indicators.definitions import AGE_BANDS, AGEING_INDEX, SHARE_65, Indicator, band_id

FONT_SIZE = 20
TEXT_WIDTH_EM = 0.55  # mean width of a character of FONT, in font sizes (digits, spaces, letters)
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=FONT_SIZE, color="#1f2933")
PERIMETER_COLOUR = "#1b5e9e"
OTHER_COLOUR = "#e08a1e"
REFERENCE_COLOUR = "#9aa7b4"
HIGHLIGHT_COLOUR = "#c0392b"
SCOPE_COLOURS = {"perimetre": PERIMETER_COLOUR, "autre": OTHER_COLOUR}
SCOPE_LABELS = {"perimetre": "périmètre", "autre": "autre périmètre", "departement": "département",
                "region": "région", "france": "pays"}
PER_10K = "pour 10 000 hab."


def fmt_share(share: float | None) -> str:
    return "population inconnue" if share is None else f"{fmt_number(share * 100, 0)} %"


def _per_10k(indicator: Indicator) -> bool:
    return indicator.rule == "sum" and indicator.per_10k


def shown(aggregate: Aggregate) -> float | None:
    """What a figure plots: the value, or a count per 10,000 inhabitants."""
    return aggregate.per_10k if _per_10k(aggregate.indicator) else aggregate.value


def _shown_unit_and_decimals(comparison: Comparison) -> tuple[str, int]:
    indicator = comparison.indicator
    if _per_10k(indicator):
        return PER_10K, 1
    return indicator.unit, indicator.decimals


def _gap(value: float, reference: float, in_points: bool, decimals: int) -> str:
    gap = value - reference
    sign = "+" if gap > 0 else ("−" if gap < 0 else "±")
    return f"périmètre {sign}{fmt_number(abs(gap), decimals)}" + (" pt" if in_points else "")


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=FONT_SIZE + 4)),
        font=FONT, height=height, margin=dict(l=20, r=40, t=110, b=40),
        plot_bgcolor="white", paper_bgcolor="white", showlegend=False, separators=", ",
    )
    return figure


PARTIAL_BELOW = 0.5  # a reference computed on less than half its population is « partiel »


def reference_label(aggregate: Aggregate) -> str:
    """A reference's name as shown everywhere (screen, XLSX): with its coverage when it is
    computed from part of its population, and « partiel » below half: never the bare
    « France » for a file covering 16 départements. The perimeter keeps its name (its
    coverage has its own column and caption)."""
    if aggregate.scope in ("perimetre", "autre") or aggregate.coverage is None:
        return aggregate.name
    share = fmt_number(100 * aggregate.coverage, 1)
    if share == fmt_number(100.0, 1):
        return aggregate.name
    if aggregate.coverage < PARTIAL_BELOW:
        return f"{aggregate.name} — partiel ({share} % de sa population)"
    return f"{aggregate.name} ({share} % de sa population)"


def source_label(indicator) -> str:
    """« Insee, RP 2020 »: the source with its year, unless the source already says it."""
    year = str(indicator.vintage or "")
    return indicator.source + (f", {year}" if year and year not in indicator.source else "")


def comparison_figure(comparison: Comparison) -> go.Figure:
    """Horizontal bars: the perimeter, then its references with the gap to the perimeter
    in their label (points for a percentage); coverage under every name."""
    indicator = comparison.indicator
    unit, decimals = _shown_unit_and_decimals(comparison)
    rows = (comparison.perimeter,) + comparison.references
    base = shown(comparison.perimeter)
    names, values, texts, colours = [], [], [], []
    for row in rows:
        value = shown(row)
        names.append(f"<b>{escape(reference_label(row))}</b><br><span style='font-size:{FONT_SIZE - 4}px'>"
                     f"{SCOPE_LABELS[row.scope]} · couverture {fmt_share(row.coverage)}</span>")
        values.append(value if value is not None else 0)
        text = fmt_number(value, decimals) if value is not None else "pas de donnée"
        if row is not comparison.perimeter and value is not None and base is not None:
            text += f"  ({_gap(base, value, indicator.is_percentage and not _per_10k(indicator), decimals)})"
        texts.append(text)
        colours.append(SCOPE_COLOURS.get(row.scope, REFERENCE_COLOUR))
    figure = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker_color=colours, text=texts,
        textposition="outside", cliponaxis=False, textfont=dict(size=FONT_SIZE),
        hovertemplate="%{y}<br>%{text}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", automargin=True)
    top = max(values + [0])
    figure.update_xaxes(title=unit, range=[0, top * 1.02 or 1], showgrid=True, gridcolor="#e4e7eb")
    label = escape(indicator.label) + (f" {PER_10K}" if _per_10k(indicator) else "")
    subtitle = escape(source_label(indicator))
    if _per_10k(indicator) and comparison.perimeter.value is not None:
        subtitle += f" · nombre dans le périmètre : {fmt_number(comparison.perimeter.value, 0)}"
    figure = _layout(figure, f"{label}<br><sup>{subtitle}</sup>", 170 + 95 * len(rows))
    # The labels run past the bars into the right margin (cliponaxis=False): make it as wide
    # as the longest label, so none is cut at the figure's edge whatever its width.
    figure.update_layout(margin_r=int(max(map(len, texts)) * FONT_SIZE * TEXT_WIDTH_EM) + 30)
    return figure


def age_structure_figure(comparisons: Mapping[str, Comparison]) -> go.Figure | None:
    """Shares of the age bands in the perimeter (75+ and 65+ highlighted) with the main
    département and France as markers; the indice de vieillissement in the title. None
    when no age dataset is loaded."""
    ids = [band_id(s) for s, _ in AGE_BANDS] + [SHARE_65]
    if not all(i in comparisons for i in ids + [AGEING_INDEX]):
        return None
    labels = [label for _, label in AGE_BANDS] + ["65 ans et +"]
    first = comparisons[ids[0]]
    colours = [HIGHLIGHT_COLOUR if i in (band_id("75P"), SHARE_65) else PERIMETER_COLOUR for i in ids]
    values = [comparisons[i].perimeter.value for i in ids]
    figure = go.Figure(go.Bar(
        x=labels, y=values, marker_color=colours, name=escape(first.perimeter.name),
        text=[fmt_number(v, 1) + " %" if v is not None else "–" for v in values],
        textposition="inside", insidetextanchor="start", textfont=dict(size=FONT_SIZE, color="white")))
    main_departement = lambda c: c.departements[0] if c.departements else None  # noqa: E731
    for pick, symbol in ((main_departement, "diamond"), (lambda c: c.france, "line-ew-open")):
        references = [pick(comparisons[i]) for i in ids]
        if references[0] is None:
            continue
        figure.add_trace(go.Scatter(
            x=labels, y=[r.value for r in references], mode="markers", name=escape(reference_label(references[0])),
            marker=dict(symbol=symbol, size=22, color="#1f2933", line=dict(width=3, color="#1f2933"))))
    index = comparisons[AGEING_INDEX]
    refs = " ; ".join(f"{escape(reference_label(a))} : {fmt_number(a.value, 0)}" for a in index.departements[:1] + (index.france,))
    title = (f"Structure par âge — indice de vieillissement : {fmt_number(index.perimeter.value, 0)}"
             f"<br><sup>65 ans et + pour 100 moins de 20 ans ({refs}) · {escape(index.indicator.source)}</sup>")
    figure.update_yaxes(title="% de la population", rangemode="tozero", gridcolor="#e4e7eb")
    _layout(figure, title, 560)
    figure.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.15))
    return figure


def summary_table(comparisons: Iterable[Comparison], headline_only: bool = True) -> pd.DataFrame:
    """One row per indicator (a count gets a second row per 10,000 inhabitants):
    Indicateur | Unité | perimeter | [other] | départements | régions | France |
    Couverture du périmètre (%) | Source. Values rounded to each indicator's decimals."""
    rows = []
    for comparison in comparisons:
        indicator = comparison.indicator
        if headline_only and not indicator.headline:
            continue
        places = (comparison.perimeter,) + comparison.references
        source = source_label(indicator)
        coverage = comparison.perimeter.coverage
        common = {"Couverture du périmètre (%)": None if coverage is None else round(coverage * 100, 1),
                  "Source": source}
        variants = [(indicator.label, indicator.unit, lambda a: a.value, indicator.decimals)]
        if _per_10k(indicator):
            variants.append((f"{indicator.label} {PER_10K}", PER_10K, lambda a: a.per_10k, 1))
        for label, unit, pick, decimals in variants:
            row = {"Indicateur": label, "Unité": unit}
            for place in places:
                value = pick(place)
                row[reference_label(place)] = None if value is None else round(value, decimals)
            rows.append(row | common)
    return pd.DataFrame(rows)

