"""The names of downloaded files (ui/file_names.py): whatever a porteur types as a perimeter's
name, the file lands where the browser puts downloads, under a name every system accepts."""

import unicodedata

import pytest

from ui.file_names import MAX_STEM, file_stem

HOSTILE = [
    "../../etc/passwd",
    "..\\..\\Windows\\win.ini",
    "C:/CPTS/Pays d'Autan",
    "CPTS du Sud 🩺🏥 (version 2)",
    "Ségala-Carmausin : Œuvre à venir",
    "A" * 200,
    "nom\u202ecod.exe",          # right-to-left override, to disguise an extension
    "ligne\nsuivante\ttab\x00",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_any_name_gives_a_safe_stem(name):
    stem = file_stem(name)
    assert 0 < len(stem) <= MAX_STEM
    assert all(ch.isalnum() or ch == "_" for ch in stem)
    assert not ({"/", "\\", ".", ":", "\n", "\x00", "\u202e"} & set(stem))
    assert stem.isascii() or name.startswith("Ségala")


def test_accents_are_kept_on_their_letter():
    typed = "Ségala Œuvre"
    decomposed = unicodedata.normalize("NFD", typed)  # as a Mac may paste it
    assert file_stem(typed) == file_stem(decomposed) == "Ségala_Œuvre"


def test_a_name_of_symbols_only_falls_back():
    assert file_stem("🩺🏥") == "perimetre" and file_stem("...", "couche") == "couche"
    assert file_stem("") == "perimetre"


def test_long_names_are_cut():
    assert file_stem("É" * 200) == "É" * MAX_STEM
