"""Each finding kind has its own look, and the legends say it with HTML swatches, not emoji
(which render as empty boxes on a workshop PC without an emoji font)."""

import re

from geo.checks import check_perimeter
from geo.finding_kinds import FINDING_KINDS
from geo.perimeter import Perimeter
from ui.legend import builder_legend, coverage_legend
from ui.map import COVERAGE_STATUS, perimeter_group

EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B1B\u2B1C]")


def test_overlap_and_isolated_units_look_different():
    assert FINDING_KINDS["overlap"].colour != FINDING_KINDS["isolated"].colour
    colours = [k.colour for k in FINDING_KINDS.values() if k.drawn]
    assert len(set(colours)) == len(colours) - 1  # a geometric overlap is an overlap
    assert FINDING_KINDS["geometric_overlap"].colour == FINDING_KINDS["overlap"].colour
    # The coverage map of « Comparer les CPTS » speaks the same colours.
    assert COVERAGE_STATUS["isolated"][0] == FINDING_KINDS["isolated"].colour
    assert COVERAGE_STATUS["overlap"][0] == FINDING_KINDS["overlap"].colour


def test_the_map_draws_each_finding_in_its_kind_colour(catalog, carmausin):
    """Carmausin-Ségala with a hole (an inner commune left out) overlapping a neighbour:
    the hole (isolated) and the shared communes (overlap) are drawn in two colours."""
    inner = next(c for c in sorted(carmausin.codes) if catalog.adjacency[c] <= carmausin.codes)
    candidate = carmausin.with_codes(carmausin.codes - {inner})
    report = check_perimeter(catalog, candidate, [Perimeter("Voisine", {"81060", "81004"})])
    drawn = [f for f in report.findings if f.geometry is not None and FINDING_KINDS[f.kind].drawn]
    assert {"overlap", "isolated"} <= {f.kind for f in drawn}
    layers = list(perimeter_group(None, report.findings)._children.values())
    assert len(layers) == len(drawn)
    for finding, layer in zip(drawn, layers, strict=True):
        assert layer.style_function({})["color"] == FINDING_KINDS[finding.kind].colour


def test_builder_legend_names_neighbours_and_findings_without_emoji(catalog, carmausin):
    neighbour = Perimeter("CPTS <b>voisine</b>", {"81060", "81004"})
    report = check_perimeter(catalog, carmausin, [neighbour])
    html = builder_legend(report.findings, [neighbour.name])
    assert "Périmètre" in html and FINDING_KINDS["overlap"].label in html
    assert "CPTS &lt;b&gt;voisine&lt;/b&gt;" in html and "<b>voisine" not in html
    assert FINDING_KINDS["isolated"].label not in html  # only the kinds on the map
    assert not EMOJI.search(html)


def test_coverage_legend_has_a_swatch_per_state_and_no_emoji():
    html = coverage_legend()
    for colour, label in COVERAGE_STATUS.values():
        assert colour in html and label in html
    assert not EMOJI.search(html)
