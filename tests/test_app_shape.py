"""The app's own shape (issue 10): one module owns the session state, one draws the tables,
and the builder's screen module is nobody's library. Read from the source with `ast`, like
test_layers.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_FILES = sorted([ROOT / "app.py", ROOT / "serve.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")])
IDS = [str(p.relative_to(ROOT)) for p in APP_FILES]


def names_used(path: Path) -> set[str]:
    """Every name and attribute `path` mentions (`st.session_state` gives session_state)."""
    nodes = list(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
    return ({n.attr for n in nodes if isinstance(n, ast.Attribute)}
            | {n.id for n in nodes if isinstance(n, ast.Name)})


# Streamlit names one module of the app owns: (its path, what the others do instead).
OWNED = {
    "session_state": ("ui/state.py", "go through ui.state's accessors"),
    # st.dataframe straight writes 29824, 62.04 and « None ».
    "dataframe": ("ui/tables.py", "draw tables with ui.tables.table"),
}


@pytest.mark.parametrize("name", OWNED)
@pytest.mark.parametrize("path", APP_FILES, ids=IDS)
def test_one_module_owns_each_of_these_streamlit_names(path, name):
    owner, instead = OWNED[name]
    if path == ROOT / owner:
        assert name in names_used(path)
        return
    assert name not in names_used(path), f"{path.name}: {instead}"


def builder_names_used(path: Path) -> set[str]:
    """What `path` takes from ui.builder: `from ui.builder import X`, or `builder.X` after
    `from ui import builder`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    taken, module_imported = set(), False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "ui.builder":
            taken |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "ui":
            module_imported |= any(alias.name == "builder" for alias in node.names)
    if module_imported:
        taken |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                  and isinstance(node.value, ast.Name) and node.value.id == "builder"}
    return taken


@pytest.mark.parametrize("path", APP_FILES, ids=IDS)
def test_only_the_builder_page_uses_the_builder_screen(path):
    if path == ROOT / "pages" / "builder.py":
        assert builder_names_used(path) >= {"toolbar", "figures_panel", "composition_panel"}
        return
    assert builder_names_used(path) == set(), path.name  # a finding is shown by ui.findings
