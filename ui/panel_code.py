"""The browser code of the panels beside the map, loaded into the page before the first click.

Streamlit's page fetches the code of each kind of element the first time one is shown. The
panels a first click on the map brings (the figures, the health table, the composition
table, the save form, the share link, the downloads) waited for about 3.5 MB of it: the
table ~1.3 MB, the share link's code block ~1.6 MB. That first click showed its figures in
0.6-1.1 s, the next ones in 0.2 s (bench/browser_bench.py); the Atelier's first click
fetched the QR code's image element. So the map, once its units are
painted, imports these files into the page (static/cpts_map.js, `panelCode`): when the
panels come, Streamlit's loader finds them there.

tests/browser/test_map_clicks.py checks that a first click fetches no element code; a panel
that starts using another kind of element fails it until the element is named here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit

# Streamlit's names for the elements the panels use that nothing on the empty page shows:
# st.metric, st.dataframe, st.table, st.text_area, st.code, st.download_button, st.image.
PANEL_ELEMENTS = ("Metric", "DataFrame", "Table", "TextArea", "StreamlitSyntaxHighlighter", "DownloadButton",
                  "ImageList")
STREAMLIT_SCRIPTS = Path(streamlit.__file__).parent / "static" / "static" / "js"


@cache
def panel_scripts() -> tuple[str, ...]:
    """The file name of each element's script in the installed Streamlit (named with the
    hash of its content, which changes with every Streamlit release); an element whose file
    is not found is left out (the page then loads it on the first click, as before)."""
    found = [sorted(STREAMLIT_SCRIPTS.glob(f"{element}.*.js")) for element in PANEL_ELEMENTS]
    return tuple(files[0].name for files in found if len(files) == 1)
