"""One escaper for text from users and files (CPTS and perimeter names, column headers,
file names, messages quoting them) shown by Streamlit's Markdown elements.

`st.markdown`, `st.caption`, `st.toast`, `st.warning`… render Markdown: a CPTS named
`![x](http://198.51.100.7/x.png)` would make every viewer's browser fetch that address
(breaking the offline promise and telling a stranger who looks), `**` or `[lien](…)`
would change what the room reads. Every Markdown or HTML character is backslash-escaped,
so the text shows exactly as written.

Escaping does not stop Streamlit's Markdown (GitHub's flavour) from turning an address
written in the text (`https://…`, `www.…`, `nom@domaine.fr`) into a link: a file could put
a clickable link in front of ARS staff. An invisible word joiner (U+2060) after `https:`,
`www` and `@` breaks those patterns; the text reads the same.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'])")
_AUTOLINK = re.compile(r"(?i)(?:https?:|www)(?=[/.])|@")
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    r"""`value` as literal text inside Markdown, no address in it made a link.

    >>> print(md("**Sud** [lien](x)"))
    \*\*Sud\*\* \[lien\]\(x\)
    >>> md("www.sud.fr") == "www" + WORD_JOINER + r"\.sud\.fr"
    True
    """
    text = _AUTOLINK.sub(lambda found: found.group(0) + WORD_JOINER, str(value))
    return _MARKDOWN.sub(r"\\\1", text)
