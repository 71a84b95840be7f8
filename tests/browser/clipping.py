"""What a reader would see cut: a metric value shortened with « … », a plotly bar label
running past the edge of its figure, a select box showing a cut option."""

from __future__ import annotations

CLIPPED_JS = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricValue"] *')) {
    if (el.scrollWidth > el.clientWidth + 1) cut.push('metric: ' + el.innerText);
  }
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const box = plot.getBoundingClientRect();
    for (const text of plot.querySelectorAll('text.bartext, .bars text')) {
      const r = text.getBoundingClientRect();
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1)) cut.push('bar: ' + text.textContent);
    }
  }
  const selects = '[data-testid="stSelectbox"] [value], [data-testid="stSelectbox"] div[class*="ValueContainer"] div';
  for (const el of document.querySelectorAll(selects)) {
    if (el.scrollWidth > el.clientWidth + 1 && el.children.length === 0) cut.push('select: ' + el.innerText);
  }
  return cut;
}"""


def clipped(page) -> list[str]:
    """The texts on the page that do not fit their box."""
    return page.evaluate(CLIPPED_JS)
