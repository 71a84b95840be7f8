"""Extracting the zip and 7z archives users send, safely.

An archive's index says how large each member becomes and where it goes: a 2 MB zip can
hold a 2 GiB `.shp`, and a member named `../x` would land outside the temporary folder.
Both are refused from the index, before anything is written.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from geo.french import fmt_int

# Beyond this once extracted, an archive is not a CPTS layer nor one région's IRIS contours.
MAX_EXTRACTED_BYTES = 1024 * 2**20


class ArchiveError(ValueError):
    """An archive that cannot or must not be extracted; the message is French, for the user."""


def _check_members(names_sizes: list[tuple[str, int]], archive: str) -> None:
    for name, _ in names_sizes:
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise ArchiveError(f"L'archive « {archive} » contient un chemin dangereux (« {name} ») : refusée.")
    total = sum(size for _, size in names_sizes)
    if total > MAX_EXTRACTED_BYTES:
        raise ArchiveError(
            f"L'archive « {archive} » ferait {fmt_int(total / 2**20)} Mo une fois décompressée "
            f"(limite {fmt_int(MAX_EXTRACTED_BYTES // 2**20)} Mo) : refusée. Envoyez seulement la couche "
            "ou le département utile.")


def extract(path: Path, workdir: Path) -> None:
    """Extract a .zip or .7z archive into `workdir`, after checking its index."""
    name = path.name
    if path.suffix.lower() == ".7z":
        import py7zr

        try:
            with py7zr.SevenZipFile(path) as z:
                _check_members([(i.filename, i.uncompressed or 0) for i in z.list()], name)
                z.extractall(workdir)
        except (py7zr.exceptions.ArchiveError, EOFError, OSError, ValueError, KeyError) as exc:
            if isinstance(exc, ArchiveError):
                raise
            raise ArchiveError(f"Archive 7z illisible ou endommagée : « {name} ».") from exc
        return
    try:
        with zipfile.ZipFile(path) as z:
            _check_members([(i.filename, i.file_size) for i in z.infolist()], name)
            if not z.infolist():
                raise ArchiveError(f"L'archive zip « {name} » est vide.")
            z.extractall(workdir)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError(f"Archive zip illisible ou endommagée : « {name} ».") from exc
