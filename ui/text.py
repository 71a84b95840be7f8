"""One escaper for text from users and files (CPTS and perimeter names, column headers,
file names, messages quoting them) shown by Streamlit's Markdown elements.

`st.markdown`, `st.caption`, `st.toast`, `st.warning`… render Markdown: a CPTS named
`![x](http://198.51.100.7/x.png)` would make every viewer's browser fetch that address
(breaking the offline promise and telling a stranger who looks), `**` or `[lien](…)`
would change what the room reads. Every Markdown or HTML character is backslash-escaped,
so the text shows exactly as written.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'])")


def md(value: object) -> str:
    """`value` as literal text inside Markdown."""
    return _MARKDOWN.sub(r"\\\1", str(value))
