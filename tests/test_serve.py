"""serve.py, the command `make run` uses: its warm-up must fill the caches without
importing streamlit-folium, whose map component would then never be registered with the
server (the map's frame gets a 404; tests/browser run the app through serve.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_preload_fills_the_caches_without_declaring_the_map_component():
    script = (
        "import sys, serve\n"
        "serve.preload()\n"
        "from ui import state\n"
        "assert state.get_catalog().units.shape[0] > 34000\n"
        "units, payload, bounds = state.shown_territory(tuple(state.DEFAULT_DEPS), ())\n"
        "print(len(payload['features']), 'streamlit_folium' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                         check=True)
    # The Tarn's 314 communes, and streamlit-folium left for the sessions to import.
    assert out.stdout.split()[-2:] == ["314", "False"]
