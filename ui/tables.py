"""Tables (st.dataframe) written as a French reader expects them.

By default Streamlit writes 29824 and 62.04 in a table, and « None » for a missing value.
Its `localized` number format writes numbers in the browser's language (« 29 824 »,
« 62,0 » in a French browser) and keeps the column numeric, so a click on its header still
sorts by value; a missing value shows as a dash, never as 0. Which columns are numbers is
said by the caller: a year (« Année ») is a number that must not read « 2 023 ».
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

MISSING = "—"


def table(frame: pd.DataFrame, numbers: Iterable[str] = (), decimals: Mapping[str, int] | None = None,
          helps: Mapping[str, str] | None = None, hide_index: bool = True) -> None:
    """`frame` as a table: the `numbers` columns in the reader's number format (as many
    decimals as each value has), the `decimals` columns with that many decimals each (« 602,0 »
    beside « 3 294,9 »), `helps` as the tooltips of their columns' headers."""
    helps, decimals = helps or {}, decimals or {}
    numbers = [*numbers, *decimals]
    config = {name: st.column_config.NumberColumn(format="localized", help=helps.get(name),
                                                  step=10.0 ** -decimals[name] if name in decimals else None)
              for name in numbers}
    config |= {name: st.column_config.Column(help=text) for name, text in helps.items() if name not in numbers}
    st.dataframe(frame, hide_index=hide_index, width="stretch", column_config=config, placeholder=MISSING)
