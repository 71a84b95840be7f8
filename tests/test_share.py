"""Share links: exact round trips of real perimeters, and every damaged link refused.

Expected code sets come straight from the data files with pandas (the embedded communes,
the IGN IRIS contours in shared/data), not from the code under test.
"""

from __future__ import annotations

import json
import string
import zlib
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

import store.share_links as share
from geo.examples import RUSCINO_CODES
from geo.perimeter import Perimeter
from geo.units import load_communes
from store.share_links import MAX_LINK_CHARS, ShareLinkError, decode, encode

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IRIS_FILE = DATA / "iris_contours_2020_16dep.parquet"
ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture(scope="module")
def iris_codes() -> pd.Series:
    if not IRIS_FILE.exists():
        pytest.skip(f"real IRIS contours absent: {IRIS_FILE}")
    return pd.read_parquet(IRIS_FILE, columns=["code_iris", "dep"])


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    return pd.DataFrame(load_communes().drop(columns="geometry"))


@pytest.fixture(scope="module")
def ruscino(iris_codes) -> Perimeter:
    assert set(RUSCINO_CODES) <= set(iris_codes["code_iris"])  # the lettre d'intention's units exist
    return Perimeter("CPTS Ruscino", RUSCINO_CODES)


def assert_round_trip(perimeter: Perimeter) -> str:
    link = encode(perimeter)
    back = decode(link)
    assert back.name == perimeter.name
    assert back.codes == perimeter.codes
    assert quote(link, safe="") == link  # goes in a query parameter as it is
    return link


def test_ruscino_mixed_iris_and_whole_communes(ruscino):
    assert_round_trip(ruscino)


def test_all_communes_of_the_tarn_in_a_short_link(communes):
    tarn = communes[(communes["dep"] == "81") & (communes["level"] == "commune")]["code"]
    assert len(tarn) > 300
    link = assert_round_trip(Perimeter("Tarn", tarn))
    assert len(link) < len(tarn)  # fewer characters than codes


def test_epci_carmausin_segala(communes):
    codes = communes.loc[communes["epci_code"] == "200040905", "code"]
    assert len(codes) == 31
    assert_round_trip(Perimeter("CC Carmausin-Ségala", codes))


def test_every_shape_of_code_and_an_unusual_name(communes, iris_codes):
    corsica = communes[communes["dep"].isin(["2A", "2B"])].groupby("dep")["code"].head(20)
    marseille = communes.loc[communes["level"] == "arrondissement", "code"]
    ain = communes.loc[communes["code"].str.startswith("01"), "code"].head(20)  # leading zero
    iris = iris_codes["code_iris"].sample(300, random_state=1)
    codes = set(corsica) | set(marseille) | set(ain) | set(iris)
    assert any(c.startswith("2A") for c in codes) and any(c.startswith("2B") for c in codes)
    assert_round_trip(Perimeter('<b>CPTS</b> « Têt & Réart » 47\u202f617 hab. "x"\n🙂', codes))


def test_sixteen_departements_of_iris(iris_codes):
    assert_round_trip(Perimeter("IRIS", iris_codes["code_iris"]))


def test_every_single_character_flip_is_refused(ruscino):
    link = encode(ruscino)
    for i, char in enumerate(link):
        for other in {ALPHABET[(ALPHABET.index(char) + 1) % 64], ALPHABET[(ALPHABET.index(char) + 17) % 64]}:
            with pytest.raises(ShareLinkError):
                decode(link[:i] + other + link[i + 1:])


def test_every_truncation_is_refused(ruscino):
    link = encode(ruscino)
    for end in range(len(link)):
        with pytest.raises(ShareLinkError, match="incomplet"):
            decode(link[:end])


@pytest.mark.parametrize("garbage", [
    "", "   ", "bonjour", "p=AXja", "AXja%3D%3D", "https://exemple.fr/?p=abc", "éèà",
    "A" * 40, "_" * 7, "\x00\x01",
])
def test_garbage_is_refused(garbage):
    with pytest.raises(ShareLinkError):
        decode(garbage)


def _signed(body: bytes) -> str:
    """A link with a valid checksum around arbitrary content (a deliberate forgery)."""
    return share._b64(body + share._checksum(body))


@pytest.mark.parametrize("content", [
    b"pas du zlib",
    zlib.compress(b"pas du json"),
    zlib.compress(json.dumps(["x", [["", 5, -3]]]).encode()),          # negative code
    zlib.compress(json.dumps(["x", [["", 5, 81004, 0]]]).encode()),    # zero step: duplicate
    zlib.compress(json.dumps(["x", [["", 99, 1]]]).encode()),          # absurd width
    zlib.compress(json.dumps(["x", [["ZZ", 3, 4]]]).encode()),         # not an INSEE code
    zlib.compress(json.dumps(["", [["", 5, 81004]]]).encode()),        # no name
    zlib.compress(json.dumps({"name": "x"}).encode()),
    zlib.compress(b"0" * (share.MAX_PAYLOAD_BYTES + 1)),               # decompression bomb
])
def test_forged_content_with_a_valid_checksum_is_refused(content):
    with pytest.raises(ShareLinkError, match="incomplet ou modifié"):
        decode(_signed(bytes([share.FORMAT_VERSION]) + content))


def test_a_future_format_is_named():
    with pytest.raises(ShareLinkError, match="format inconnu"):
        decode(_signed(bytes([share.FORMAT_VERSION + 1]) + zlib.compress(b"[]")))


def test_oversized_links_are_refused_before_decoding(ruscino, monkeypatch):
    with pytest.raises(ShareLinkError, match="trop long"):
        decode("A" * (MAX_LINK_CHARS + 1))  # valid characters: only the length is wrong
    monkeypatch.setattr(share, "MAX_LINK_CHARS", len(encode(ruscino)) - 1)
    with pytest.raises(ShareLinkError, match="fichier"):
        encode(ruscino)  # never hand out a link that decode would refuse


def test_codes_that_are_not_insee_codes_are_not_encoded():
    with pytest.raises(ShareLinkError, match="XYZ"):
        encode(Perimeter("x", {"81004", "XYZ"}))


# --- the address a link carries ------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://localhost:8501", "http://127.0.0.1:8501/", "http://127.4.5.6",
                                 "http://[::1]:8501", "http://LOCALHOST"])
def test_loopback_addresses_are_recognised(url):
    assert share.is_loopback(url)


@pytest.mark.parametrize("url", ["http://192.168.1.20:8501", "https://cpts.example.org/app",
                                 "http://[fd00::2]:8501", "http://poste-animateur:8501"])
def test_room_addresses_are_not_loopback(url):
    assert not share.is_loopback(url)


def test_a_server_listening_everywhere_is_reached_at_its_network_address():
    assert share.network_url("0.0.0.0", "192.168.1.20", 8501) == "http://192.168.1.20:8501"
    assert share.network_url(None, "192.168.1.20", 8502, "/cpts/") == "http://192.168.1.20:8502/cpts"
    assert share.network_url("::", "fd00::2", 8501) == "http://[fd00::2]:8501"
    # Bound to one address: that address only (loopback stays loopback, and is then refused).
    assert share.network_url("127.0.0.1", "192.168.1.20", 8501) == "http://127.0.0.1:8501"
    assert share.network_url("", None, 8501) is None


def test_the_room_address_comes_first_and_loopback_is_flagged():
    lan = "http://192.168.1.20:8501"
    assert share.room_base_url(None, "http://localhost:8501", lan) == (lan, True)
    assert share.room_base_url("https://cpts.example.org", "http://localhost:8501", lan) == \
        ("https://cpts.example.org", True)
    assert share.room_base_url(None, "http://localhost:8501", None) == ("http://localhost:8501", False)


@pytest.mark.parametrize("text", ["192.168.1.20:8501", "ftp://x", "http://", "http://h/?p=1", ""])
def test_a_typed_address_must_be_a_whole_http_address(text):
    with pytest.raises(ShareLinkError, match="Adresse non reconnue"):
        share.check_base_url(text)
    assert share.check_base_url(" http://192.168.1.20:8501/ ") == "http://192.168.1.20:8501"
