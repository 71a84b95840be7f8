"""The app's few style rules, on every page (app.py draws them once per run).

Streamlit cuts a metric value that is wider than its column with « … »: a population range
(« entre 18 076 et 138 234 hab. ») or a density in a narrow column then loses its end. Here
values wrap onto a second line instead; a word (a number with its narrow no-break spaces)
is never split. No user text goes into this HTML."""

import streamlit as st

APP_CSS = """<style>
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word; line-height: 1.2;
}
</style>"""


def apply() -> None:
    st.html(APP_CSS)
