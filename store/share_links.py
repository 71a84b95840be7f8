"""A perimeter in a link: its name and codes packed into a short URL-safe string, for a
query parameter, so a colleague opens the same perimeter without any shared base.

Codes are grouped by shape (the letters of Corsica's `2A`/`2B`, the digit count) and each
group is written as sorted numbers, the first whole and the others as differences from the
previous one: a département's communes or a commune's IRIS become runs of small numbers
that zlib squeezes well (the 314 communes of the Tarn fit in about 60 characters). A
version byte comes first and a checksum last, so a link damaged or altered by hand is
refused with a French message rather than opened as another perimeter. The checksum is
not a signature: a link only carries public codes, and decoding never touches the store.

A link is only as good as its address: `room_base_url` picks one a phone in the room can
reach (the facilitator's, the browser's, the server's network address) and says when only
a loopback address (this computer's own) is known.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
import zlib
from collections import defaultdict
from urllib.parse import urlsplit

from geo.perimeter import Perimeter

QUERY_PARAM = "p"
# The vintage of the populations légales the sender read, when not the one in force.
VINTAGE_PARAM = "millesime"
FORMAT_VERSION = 1
MAX_LINK_CHARS = 8_000
MAX_PAYLOAD_BYTES = 1_000_000  # decompressed; a real perimeter is a few kB
CHECKSUM_BYTES = 8
# INSEE code shapes: commune or arrondissement (5), IRIS (9); Corsica has 2A/2B.
CODE_SHAPE = re.compile(r"(\d\d|2[AB])\d{3}(\d{4})?")
_TAIL = re.compile(r"^(.*?)(\d+)$")


class ShareLinkError(ValueError):
    """A link that cannot be read back as a perimeter; the message is French, for the user."""


def encode(perimeter: Perimeter) -> str:
    """The URL-safe string of the perimeter's name and codes."""
    odd = sorted(c for c in perimeter.codes if not CODE_SHAPE.fullmatch(c))
    if odd:
        raise ShareLinkError("Codes impossibles à partager (ni commune ni IRIS) : " + ", ".join(odd[:10]))
    payload = json.dumps([perimeter.name, _pack(perimeter.codes)], ensure_ascii=False,
                         separators=(",", ":")).encode()
    body = bytes([FORMAT_VERSION]) + zlib.compress(payload, 9)
    link = _b64(body + _checksum(body))
    if len(link) > MAX_LINK_CHARS:
        raise ShareLinkError(f"Trop de codes pour un lien ({len(link)} caractères, {MAX_LINK_CHARS} au "
                             "plus) : partagez plutôt un fichier (GeoJSON ou CSV des codes).")
    return link


def decode(text: str) -> Perimeter:
    """The perimeter of a link made by `encode`, or ShareLinkError saying what is wrong."""
    text = (text or "").strip()
    if len(text) > MAX_LINK_CHARS:
        raise ShareLinkError(f"Lien de partage trop long ({len(text)} caractères, "
                             f"{MAX_LINK_CHARS} au plus) : "
                             "partagez plutôt un fichier (GeoJSON ou CSV des codes).")
    broken = ShareLinkError("Lien de partage incomplet ou modifié : demandez à son auteur de le "
                            "renvoyer, en copiant le lien en entier.")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise broken
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise broken from exc
    if _b64(raw) != text or len(raw) <= 1 + CHECKSUM_BYTES:
        raise broken  # a changed last character can leave the bytes alone: not ours then
    if raw[0] != FORMAT_VERSION:
        raise ShareLinkError(f"Lien de partage d'un format inconnu ({raw[0]}) : il vient peut-être d'une "
                             "version plus récente de l'application.")
    body, checksum = raw[:-CHECKSUM_BYTES], raw[-CHECKSUM_BYTES:]
    if _checksum(body) != checksum:
        raise broken
    try:
        inflater = zlib.decompressobj()
        payload = inflater.decompress(body[1:], MAX_PAYLOAD_BYTES)
        if not inflater.eof or inflater.unconsumed_tail:
            raise ValueError("payload too large or cut")
        name, groups = json.loads(payload)
        codes = _unpack(groups)
        return Perimeter(str(name), codes)
    except (zlib.error, ValueError, TypeError) as exc:
        raise broken from exc


def _pack(codes) -> list:
    """[[letters, digits, first, delta, delta, ...], ...]: sorted runs per code shape."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for code in codes:
        head, tail = _TAIL.match(code).groups()
        groups[(head, len(tail))].append(int(tail))
    out = []
    for (head, width), numbers in sorted(groups.items()):
        numbers.sort()
        out.append([head, width, numbers[0]] + [b - a for a, b in zip(numbers, numbers[1:])])
    return out


def _unpack(groups) -> frozenset[str]:
    codes = set()
    for head, width, first, *deltas in groups:
        if not isinstance(head, str) or not 0 < width <= 9 or min([first, *deltas]) < 0 \
                or 0 in deltas:
            raise ValueError("malformed group")
        number = first
        for step in [0, *deltas]:
            number += step
            codes.add(f"{head}{number:0{width}d}")
    if not all(CODE_SHAPE.fullmatch(c) for c in codes):
        raise ValueError("not an INSEE code")
    return frozenset(codes)


def _checksum(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=CHECKSUM_BYTES, person=b"cpts-share").digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- the address a link carries ------------------------------------------------------------

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
WILDCARD_ADDRESSES = {"", "0.0.0.0", "::"}


def is_loopback(url: str) -> bool:
    """True when `url` names this machine only (localhost, 127.x, ::1): a phone in the
    room that opens it reaches itself, not the app."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(text: str) -> str:
    """A typed application address, normalised (no trailing slash); ShareLinkError (French)
    when it is not an http(s) address with a host."""
    url = (text or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ShareLinkError(f"Adresse non reconnue : « {text.strip()} ». Indiquez une adresse "
                             "complète, par exemple http://192.168.1.20:8501")
    return url


def network_url(listen_address: str | None, lan_ip: str | None, port: int, path: str = "") -> str | None:
    """The server's address on the local network, when it listens there: a server bound to
    one address answers on that address only; one bound to every address (the default)
    answers on the machine's network address `lan_ip`."""
    host = listen_address or ""
    if host in WILDCARD_ADDRESSES:
        host = lan_ip or ""
    if not host:
        return None
    host = f"[{host}]" if ":" in host else host
    path = f"/{path.strip('/')}" if path.strip("/") else ""
    return f"http://{host}:{port}{path}"


def room_base_url(*candidates: str | None) -> tuple[str, bool]:
    """The first candidate address a room can reach, and True; or, when every known
    address is a loopback one, the first known address and False (the caller warns)."""
    known = [c for c in candidates if c]
    for url in known:
        if not is_loopback(url):
            return url, True
    return (known[0] if known else ""), False
