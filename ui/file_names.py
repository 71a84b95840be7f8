"""What the app names the files it offers for download: from a perimeter's or a layer's
name typed by a porteur, a stem safe on every system (no `/`, `..`, `:`, emoji or control
character; letters with accents kept, as French names need them), at most 60 characters."""

from __future__ import annotations

import unicodedata

MAX_STEM = 60


def file_stem(name: str, fallback: str = "perimetre") -> str:
    """Letters and digits of `name` kept (composed: an accent typed as a separate mark stays
    on its letter), anything else `_`; `fallback` when nothing is left.

    >>> file_stem("CPTS Carmausin-Ségala")
    'CPTS_Carmausin_Ségala'
    >>> file_stem("../../etc/passwd")
    '______etc_passwd'
    >>> file_stem("🩺", "couche")
    'couche'
    """
    composed = unicodedata.normalize("NFC", str(name))
    stem = "".join(ch if ch.isalnum() else "_" for ch in composed)[:MAX_STEM]
    return stem if stem.strip("_") else fallback
