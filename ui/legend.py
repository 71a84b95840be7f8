"""Map legends drawn with HTML and CSS swatches (no emoji: a workshop PC without an emoji
font shows them as empty boxes). Labels are escaped: CPTS names come from files."""

from __future__ import annotations

import html

from geo.finding_kinds import FINDING_KINDS, kind_of
from ui import map as cmap

_SWATCH = ("<span style='display:inline-block;width:1.6em;height:1.1em;background:{fill};"
           "border:{border};vertical-align:middle;margin-right:.4em;box-sizing:border-box'></span>")


def swatch(fill: str, outline: str = "#555", dashed: bool = False) -> str:
    """One colour square (`fill` may be a CSS colour with transparency)."""
    style = "dashed" if dashed else "solid"
    return _SWATCH.format(fill=fill, border=f"2px {style} {outline}" if dashed else f"1px solid {outline}")


def legend_html(items: list[tuple[str, str]]) -> str:
    """A legend line: (swatch HTML, plain label) pairs; labels are escaped here."""
    return "<div class='cpts-legend' style='font-size:1rem;line-height:2'>" + "".join(
        f"<span style='margin-right:1.4em;white-space:nowrap'>{mark}{html.escape(label)}</span>"
        for mark, label in items) + "</div>"


def builder_legend(findings, neighbour_names: list[str]) -> str:
    """The builder map's legend: the perimeter, the kinds of findings on the map now (once
    each, in FINDING_KINDS order), and each neighbouring CPTS in its colour, by name."""
    items = [(swatch(cmap.PERIMETER_COLOUR, cmap.PERIMETER_COLOUR), "Périmètre")]
    shown = {f.kind for f in findings if f.geometry is not None and kind_of(f.kind).drawn}
    seen_labels = set()
    for kind, look in FINDING_KINDS.items():
        if kind in shown and look.label not in seen_labels:
            seen_labels.add(look.label)
            items.append((swatch(look.colour, look.colour), look.label))
    for i, name in enumerate(neighbour_names):
        colour = cmap.neighbour_colour(i)
        items.append((swatch(colour + "33", colour, dashed=True), f"CPTS voisine : {name}"))
    return legend_html(items)


def coverage_legend() -> str:
    """The legend of the coverage map of « Comparer les CPTS »."""
    return legend_html([(swatch(colour), label) for colour, label in cmap.COVERAGE_STATUS.values()])
