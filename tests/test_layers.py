"""The layout draws the architecture (DESIGN.md, Layers): data flows one way, and no package
imports one above it. Read from the source with `ast`, so a lazy import inside a function
counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Bottom up; each layer may import those before it, never those after.
LAYERS = [("geo", "indicators"), ("formats",), ("store",), ("reports",), ("cli",), ("ui",)]
# What the domain core knows nothing of: the interface, SQL, users' file formats.
DOMAIN_FORBIDDEN = {"streamlit", "streamlit_folium", "folium", "plotly", "sqlite3", "psycopg", "pyogrio",
                    "python_calamine", "xlsxwriter", "openpyxl", "fpdf", "matplotlib"}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module `path` imports, anywhere in the file."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def layer_of(package: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if package in names)


MODULES = [(package, path) for names in LAYERS for package in names
           for path in sorted((ROOT / package).glob("*.py"))]


@pytest.mark.parametrize(("package", "path"), MODULES, ids=[f"{p}/{f.name}" for p, f in MODULES])
def test_no_module_imports_a_layer_above_its_own(package, path):
    level = layer_of(package)
    above = {name for names in LAYERS[level + 1:] for name in names}
    assert not imported_roots(path) & above, f"{package}/{path.name} imports a higher layer"


@pytest.mark.parametrize("path", [p for package, p in MODULES if package in LAYERS[0]],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_domain_knows_nothing_of_the_interface_sql_or_file_formats(path):
    assert not imported_roots(path) & DOMAIN_FORBIDDEN


def test_only_the_app_imports_streamlit():
    for package, path in MODULES:
        if package != "ui":
            assert "streamlit" not in imported_roots(path), f"{package}/{path.name}"


def test_openpyxl_is_for_tests_only():
    """XLSX is written by xlsxwriter and read by calamine everywhere; openpyxl, a dev extra
    since then, writes the tests' fixtures. No installed or app module may need it, by import
    or as a pandas engine."""
    app = [ROOT / "app.py", ROOT / "serve.py", *sorted((ROOT / "pages").glob("*.py"))]
    for path in [p for _, p in MODULES] + app:
        assert "openpyxl" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)
