"""The finest partition a set of perimeters needs: communes, opened where some perimeter
names a part of them (an arrondissement, an IRIS) into those parts.

Perimeters are compared on the leaves of this mesh: a whole commune claims all of its
IRIS, so a commune and one of its IRIS overlap, and a commune cut by IRIS shows which of
its IRIS nobody claims.
"""

from __future__ import annotations

from functools import cached_property

from geo.catalog import Catalog


class Mesh:
    def __init__(self, catalog: Catalog, codes_in_use):
        self.catalog = catalog
        level = catalog.column("level")
        opened: set[str] = set()
        for code in codes_in_use:
            if level.get(code) in ("iris", "arrondissement"):
                opened.update(catalog.ancestors(code))
        self.opened = frozenset(opened)

    def is_leaf(self, code: str) -> bool:
        if code in self.opened:
            return False
        if not self.opened:
            return self._level.get(code) == "commune"
        return all(up in self.opened for up in self.catalog.ancestors(code))

    def leaves(self, code: str) -> list[str]:
        """The leaves covering unit `code` (itself when not opened)."""
        if code not in self.opened:
            return [code]
        out: list[str] = []
        for child in self.catalog.children.get(code, []):
            out.extend(self.leaves(child))
        return out

    def expand(self, codes) -> frozenset[str]:
        return frozenset(leaf for code in codes for leaf in self.leaves(code))

    def neighbours(self, leaf: str) -> set[str]:
        """Leaves sharing a land border with `leaf` (memoised: the mesh never changes)."""
        found = self._neighbours.get(leaf)
        if found is None:
            adjacent = self.catalog.adjacency.get(leaf, ())
            found = self._neighbours[leaf] = {c for c in adjacent if self.is_leaf(c)}
        return found

    @cached_property
    def _neighbours(self) -> dict[str, set[str]]:
        return {}

    @cached_property
    def _level(self) -> dict[str, str]:
        return self.catalog.column("level")
