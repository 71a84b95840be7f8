"""The docstring examples of the small pure helpers run as tests (as shapely's do): codes,
names, Taille, French numbers, severities, the CRS of a place, download names, the Markdown
escaper. The list is explicit, so a module is not imported for its examples by accident, and
a listed module whose examples were all deleted fails instead of passing with nothing
checked."""

import doctest
import importlib

import pytest

MODULES = [
    "geo.french",
    "geo.catalog",
    "geo.population",
    "geo.finding_kinds",
    "geo.areas",
    "ui.file_names",
    "ui.text",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed"
