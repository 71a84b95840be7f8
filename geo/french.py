"""Numbers written the French way, everywhere the project shows one (screen, exports, fiche,
command line): one home, so `29 367` and `3,5` read the same on every page.

Thousands are separated by a narrow no-break space (U+202F, as CLDR's fr locale and Babel
write them), decimals by a comma; a missing value is a dash, never 0.

>>> fmt_int(29367).replace("\\u202f", " ")
'29 367'
>>> fmt_dec(1234.56).replace("\\u202f", " ")
'1 234,6'
>>> fmt_number(None)
'–'
>>> fmt_percent(0.1514)
'15,1 %'
>>> fmt_percent(None)
'—'
>>> fmt_km2(4149.2).replace("\u202f", " ")
'4 149 km²'
>>> fmt_density(29.37)
'29,4 hab./km²'
"""

from __future__ import annotations

THIN_SPACE = "\u202f"


def fmt_int(value: float) -> str:
    """An integer with French thousands: 29 367."""
    return f"{int(round(value)):,}".replace(",", THIN_SPACE)


def fmt_dec(value: float, digits: int = 1) -> str:
    """A decimal with French thousands and comma: 1 234,5."""
    return f"{value:,.{digits}f}".replace(",", THIN_SPACE).replace(".", ",")


def fmt_number(value: float | None, decimals: int = 1) -> str:
    """`fmt_dec`, with `–` for no value."""
    return "–" if value is None else fmt_dec(value, decimals)


def fmt_percent(share: float | None, decimals: int = 1) -> str:
    """A share (0.151) as a French percentage (15,1 %), `—` when unknown."""
    return "—" if share is None else f"{fmt_dec(100 * share, decimals)} %"


def fmt_km2(area: float | None, digits: int = 0) -> str:
    """An area: whole km² for a perimeter or a unit (`4 149 km²`: contours are generalised,
    a decimal would be false precision), `digits` for a small one (an overlap: `0,42 km²`);
    `—` when unknown.

    >>> fmt_km2(0.4237, 2)
    '0,42 km²'
    >>> fmt_km2(None)
    '—'
    """
    return "—" if area is None else f"{fmt_dec(area, digits)} km²"


def fmt_density(density: float | None) -> str:
    """Inhabitants per km², one decimal (`52,3 hab./km²`); `—` when unknown (no area).

    >>> fmt_density(None)
    '—'
    """
    return "—" if density is None else f"{fmt_dec(density)} hab./km²"
