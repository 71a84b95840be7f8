"""Plotly figures of the builder's panels: the Taille gauge and population by commune.
Large type: they are read on projected screens."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from geo.french import fmt_int
from geo.population import TAILLE_THRESHOLDS, PopulationEstimate

TAILLE_COLOURS = ["#e8f1fa", "#c6dbef", "#9ecae1", "#6baed6"]
RANGE_COLOUR = "#fdae61"  # where the population may lie, when it is a range
FONT = dict(size=18)


def taille_gauge(pop: PopulationEstimate) -> go.Figure:
    """Population on a gauge whose bands are the four Tailles. An exact population is the
    needle and the number; a range is an orange band on the arc and is written as a range
    under it (a midpoint would read as the population)."""
    gauge = _taille_bands(max(250_000, int(max(pop.low, pop.high) * 1.1)))
    top, steps = gauge["axis"]["range"][1], gauge["steps"]
    if pop.exact:
        gauge |= {"bar": {"color": "#0050a0"},
                  "threshold": {"line": {"color": "#d7191c", "width": 3}, "value": pop.low}}
    else:
        high = top if pop.unknown_bounds else max(pop.high, pop.low)
        gauge |= {"bar": {"color": "rgba(0,0,0,0)"},
                  "steps": steps + [{"range": [pop.low, high], "color": RANGE_COLOUR}]}
    fig = go.Figure(go.Indicator(
        mode="gauge+number" if pop.exact else "gauge", value=pop.low,
        number={"valueformat": ",.0f", "suffix": " hab.", "font": {"size": 34}},
        title={"text": pop.taille_label(), "font": {"size": 22}}, gauge=gauge,
    ))
    if not pop.exact:
        fig.add_annotation(text=pop.label(), x=0.5, y=0.02, xref="paper", yref="paper",
                           showarrow=False, font={"size": 18})
    return _gauge_layout(fig)


def taille_scale() -> go.Figure:
    """The gauge before any commune is chosen: the four Tailles and their thresholds, with
    no value on it (a population of 0 would be a figure; unknown is never zero). Shown on an
    empty perimeter, it also brings Plotly's code into the page before the first click."""
    fig = go.Figure(go.Indicator(mode="gauge", gauge=_taille_bands(250_000) | {"bar": {"thickness": 0}},
                                 title={"text": "Échelle des Tailles", "font": {"size": 22}}))
    return _gauge_layout(fig)


def _taille_bands(top: int) -> dict:
    """A gauge's axis from 0 to `top` with the four Tailles as coloured bands."""
    bounds = [0, *TAILLE_THRESHOLDS, top]
    return {"axis": {"range": [0, top], "tickvals": list(TAILLE_THRESHOLDS),
                     "ticktext": [fmt_int(t) for t in TAILLE_THRESHOLDS]},
            "steps": [{"range": [bounds[i], bounds[i + 1]], "color": TAILLE_COLOURS[i]} for i in range(4)]}


def _gauge_layout(fig: go.Figure) -> go.Figure:
    # Side margins wide enough for the « 40 000 » and « 175 000 » tick labels.
    fig.update_layout(height=260, margin=dict(l=55, r=55, t=60, b=10), font=FONT,
                      separators=", ")
    return fig


def population_by_commune(rows: pd.DataFrame) -> go.Figure:
    """Horizontal bars, largest first; `rows` has `label` and `population` (NA = unknown)."""
    rows = rows.sort_values("population", ascending=True, na_position="first")
    known = rows["population"].notna()
    fig = go.Figure(go.Bar(
        x=rows["population"].fillna(0).astype(float), y=rows["label"], orientation="h",
        marker_color=["#0050a0" if k else "#cccccc" for k in known],
        text=[fmt_int(v) if k else "inconnue" for v, k in zip(rows["population"], known, strict=True)],
        textposition="outside", cliponaxis=False,
    ))
    fig.update_xaxes(tickformat=",d")  # « 10 000 », not « 10k »
    fig.update_layout(height=max(260, 26 * len(rows) + 60), margin=dict(l=10, r=60, t=30, b=10),
                      font=dict(size=15), xaxis_title="habitants", title="Population par unité",
                      separators=", ")
    return fig
