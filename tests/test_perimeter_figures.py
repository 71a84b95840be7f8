"""The builder's figures say what is known: a population range is drawn and written as a
range, never as one midpoint number that reads as the population."""

from geo.french import fmt_int
from geo.population import PopulationEstimate
from ui.perimeter_figures import taille_gauge, taille_scale


def test_a_range_is_shown_as_a_range_not_a_midpoint():
    pop = PopulationEstimate(18_076, 138_234, ("661360801",), (2021,))
    figure = taille_gauge(pop)
    gauge = figure.data[0]
    assert "number" not in gauge.mode  # no single figure on the arc
    shown = " ".join(a.text for a in figure.layout.annotations)
    assert "milieu" not in figure.to_json()
    assert fmt_int(18_076) in shown and fmt_int(138_234) in shown
    band = [s.range for s in gauge.gauge.steps if tuple(s.range) == (18_076, 138_234)]
    assert band  # the range is drawn on the arc


def test_an_exact_population_is_the_number_on_the_gauge():
    figure = taille_gauge(PopulationEstimate(29_281, 29_281, (), (2017,)))
    assert figure.data[0].mode == "gauge+number" and figure.data[0].value == 29_281


def test_an_unbounded_population_says_at_least():
    pop = PopulationEstimate(12_000, -1, ("661360801",), ())
    shown = " ".join(a.text for a in taille_gauge(pop).layout.annotations)
    assert f"au moins {fmt_int(12_000)}" in shown


def test_population_bars_have_french_thousands_on_the_axis():
    import pandas as pd

    from ui.perimeter_figures import population_by_commune

    figure = population_by_commune(pd.DataFrame({"label": ["Carmaux"], "population": [9500]}))
    assert figure.layout.xaxis.tickformat == ",d" and figure.layout.separators == ", "


def test_the_taille_scale_shows_the_thresholds_and_no_population():
    """What the builder shows before any commune is chosen: the four bands, no value (unknown
    is never zero), no needle, no Taille claimed."""
    figure = taille_scale()
    gauge = figure.data[0]
    assert gauge.mode == "gauge" and gauge.value is None and gauge.gauge.threshold.value is None
    assert [tuple(s.range) for s in gauge.gauge.steps][:3] == [(0, 40_000), (40_000, 80_000), (80_000, 175_000)]
    assert list(gauge.gauge.axis.ticktext) == [fmt_int(t) for t in (40_000, 80_000, 175_000)]
    assert "Taille 1" not in (gauge.title.text or "")
