"""The fiche périmètre: the PDF's text says what the lettre d'intention needs, on one page,
and the map PNG is a real picture of the perimeter and its neighbours.

Expected names, codes and populations are computed here with pandas from the embedded
communes and the shared real files, not by the code under test. The Carmausin-Ségala
example is the lettre d'intention's: the CC Carmausin-Ségala (EPCI 200040905) without
Villeneuve-sur-Vère and Milhavet (which went to the CPTS Grand Gaillacois), plus
Lacapelle-Pinet, Laparrouquial and Salles.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pypdf  # requirements-dev.txt: reads the PDF's text back
import pytest
from PIL import Image

from geo.checks import check_perimeter
from geo.examples import RUSCINO_CODES
from geo.perimeter import Perimeter
from geo.units import load_communes
from reports.fiche import (
    BLOCKING,
    FILL,
    NEIGHBOUR_COLOURS,
    FicheError,
    fiche_pdf,
    map_figure,
    map_png,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IRIS_CONTOURS = DATA / "iris_contours_2020_16dep.parquet"
A4_PT = (595.28, 841.89)


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    units = pd.DataFrame(load_communes().drop(columns="geometry"))
    return units[units["level"] == "commune"]


@pytest.fixture(scope="module")
def carmausin_rows(communes) -> pd.DataFrame:
    tarn = communes[communes["dep"] == "81"]
    epci = communes[communes["epci_code"] == "200040905"]
    rows = pd.concat([
        epci[~epci["name"].isin(["Villeneuve-sur-Vère", "Milhavet"])],
        tarn[tarn["name"].isin(["Lacapelle-Pinet", "Laparrouquial", "Salles"])],
    ])
    assert len(rows) == 32
    return rows


@pytest.fixture(scope="module")
def carmausin_case(catalog, carmausin, communes, carmausin_rows):
    """The seed's perimeter (conftest), its real neighbour in part, and its report."""
    assert carmausin.codes == set(carmausin_rows["code"])
    gone = communes[(communes["epci_code"] == "200040905")
                    & communes["name"].isin(["Villeneuve-sur-Vère", "Milhavet"])]
    neighbour = Perimeter("CPTS Grand Gaillacois (partiel)", gone["code"])
    return carmausin, [neighbour], check_perimeter(catalog, carmausin, [neighbour])


@pytest.fixture(scope="module")
def carmausin_pdf(catalog, carmausin_case) -> bytes:
    perimeter, neighbours, report = carmausin_case
    return fiche_pdf(catalog, perimeter, neighbours, report)


def pdf_text(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def colour_share(png: bytes, hex_colour: str) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return float((pixels == rgb(hex_colour)).all(axis=2).mean())


# --- the PDF -------------------------------------------------------------------------

def test_carmausin_fiche_has_the_lettre_d_intention_table(carmausin_case, carmausin_pdf, carmausin_rows):
    perimeter = carmausin_case[0]
    reader, text = pdf_text(carmausin_pdf)
    assert len(reader.pages) == 1
    assert [round(float(v), 2) for v in reader.pages[0].mediabox[2:]] == list(A4_PT)
    lines = text.splitlines()
    for name, code, postal in carmausin_rows[["name", "code", "postal_codes"]].itertuples(index=False):
        assert any(name in line and code in line and postal.split(";")[0] in line for line in lines), name
    population = int(carmausin_rows["population"].sum())
    assert f"Population:{population}hab." in squeeze(text)  # 29 281, in any kind of space
    assert f"(millésime{int(carmausin_rows['population_vintage'].iloc[0])})" in squeeze(text)
    assert "Taille 1" in text and f"Porteur : {perimeter.metadata['porteur']}" in text
    assert f"{40_000 - population}hab.endessousduseuil" in squeeze(text)  # the size finding
    assert "autres" not in text


def test_the_fiche_embeds_a_font_with_french_characters(carmausin_pdf):
    reader, text = pdf_text(carmausin_pdf)
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu" in f for f in fonts)
    assert "\u202f" in text and "Saint-Benoît-de-Carmaux" in text and "Ségur" in text


@pytest.fixture(scope="module")
def paca(catalog):
    path = DATA / "cpts_paca.geojson"
    if not path.exists():
        pytest.skip(f"real PACA CPTS layer absent: {path}")
    from formats.layers import read_layer

    raw = json.loads(path.read_text(encoding="utf-8"))
    layer = read_layer(catalog, path.read_bytes(), path.name)
    return raw, layer.perimeters


def test_blocking_findings_come_first_and_are_hatched_on_the_map(catalog, paca):
    raw, perimeters = paca
    # H3VE: two groups of communes isolated between it and its neighbours (blocking), an exact
    # population (an INFO size class). Nice's CPTS no longer fit: PACA declares Nice split
    # between them (`infra`), a shared commune (warning) with a population range (geo.infra).
    h3ve = next(p for p in perimeters if p.name == "CPTS H3VE")
    feature = next(f for f in raw["features"] if f["properties"]["nom"] == h3ve.name)
    report = check_perimeter(catalog, h3ve, perimeters)
    assert report.blocking
    reader, text = pdf_text(fiche_pdf(catalog, h3ve, perimeters, report))
    assert len(reader.pages) == 1
    for code in feature["properties"]["communes"]:
        assert code in text
    tags = re.findall(r"\b(BLOQUANT|ATTENTION|INFO)\b", text)
    last_blocking = max(i for i, t in enumerate(tags) if t == "BLOQUANT")
    assert tags[0] == "BLOQUANT" and tags.index("INFO") > last_blocking
    assert "CPTS Nice Nord et ses Collines" in text
    png = map_png(catalog, h3ve, perimeters, report, dpi=100)
    assert colour_share(png, BLOCKING) > 0


def test_a_long_table_fits_one_page_by_columns_then_says_how_many_are_left(catalog, communes):
    tarn = communes[communes["dep"] == "81"]
    three_epci = tarn[tarn["epci_code"].isin(["200066124", "200040905", "200034064"])]["code"]
    assert len(three_epci) > 100
    large = Perimeter("Gaillac-Graulhet, Carmausin-Ségala et Cordais", three_epci)
    reader, text = pdf_text(fiche_pdf(catalog, large, [], check_perimeter(catalog, large)))
    assert len(reader.pages) == 1
    assert [code for code in three_epci if code not in text] == []
    assert "autres (liste" not in text

    whole = Perimeter("Tarn", tarn["code"])
    reader, text = pdf_text(fiche_pdf(catalog, whole, [], check_perimeter(catalog, whole)))
    assert len(reader.pages) == 1
    rows = re.findall(r"^.+ \d{5}(?:, \d{5})* (\d{5})$", text, flags=re.M)  # name, postal, INSEE
    printed = len(set(rows) & set(tarn["code"]))
    left = int(re.search(r"et (\d+) autres", text).group(1))
    assert 100 < printed < len(tarn) and printed + left == len(tarn)


def test_ruscino_fiche_lists_each_quartier_under_its_iris_code(iris_catalog_without_estimate):
    iris_catalog = iris_catalog_without_estimate
    ruscino = Perimeter("CPTS Ruscino", RUSCINO_CODES)
    report = check_perimeter(iris_catalog, ruscino)
    reader, text = pdf_text(fiche_pdf(iris_catalog, ruscino, [], report))
    assert len(reader.pages) == 1
    raw = pd.read_parquet(IRIS_CONTOURS, columns=["code_iris", "nom_iris", "insee_com"])
    raw = raw[raw["code_iris"].isin(RUSCINO_CODES)]
    postal = load_communes()["postal_codes"]
    lines = text.splitlines()
    for code, name, commune in raw.itertuples(index=False):
        first_postal = postal[commune].split(";")[0]
        assert any(name in line and first_postal in line and line.endswith(code) for line in lines), code
    assert "Taille 1 à 3" in text  # Perpignan's IRIS have no population yet: a range, said so


# --- the map -------------------------------------------------------------------------

def test_the_map_is_a_real_picture_of_the_perimeter_and_its_neighbours(catalog, carmausin_case):
    perimeter, neighbours, report = carmausin_case
    png = map_png(catalog, perimeter, neighbours, report, size_mm=(160, 90), dpi=100)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert abs(image.width - 160 / 25.4 * 100) <= 1 and abs(image.height - 90 / 25.4 * 100) <= 1
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 20
    assert colour_share(png, FILL) > 0.10  # the perimeter, filled, fills much of its view
    assert colour_share(png, NEIGHBOUR_COLOURS[0]) > 0  # the neighbour's outline
    alone = map_png(catalog, perimeter, [], None, size_mm=(160, 90), dpi=100)
    assert colour_share(alone, NEIGHBOUR_COLOURS[0]) == 0


def test_an_empty_perimeter_cannot_be_drawn(catalog):
    with pytest.raises(FicheError, match="vide"):
        map_png(catalog, Perimeter("Rien", set()))


def test_the_map_names_the_communes_and_the_neighbours_and_has_a_scale(catalog, carmausin_case):
    perimeter, neighbours, report = carmausin_case
    ax = map_figure(catalog, perimeter, neighbours, report, size_mm=(160, 90), dpi=100).axes[0]
    texts = {t.get_text() for t in ax.texts}
    names = set(catalog.units.loc[sorted(perimeter.codes), "name"])
    assert names <= texts  # every commune of the perimeter, by name
    assert {n.name for n in neighbours if n.name != perimeter.name} & texts  # a neighbour, named
    assert any(re.fullmatch(r"\d+ km", t) for t in texts)  # the scale bar


def test_a_large_perimeter_names_its_largest_communes_only(catalog):
    units = catalog.units
    tarn = Perimeter("Tarn", units.index[(units["dep"] == "81") & (units["level"] == "commune")])
    ax = map_figure(catalog, tarn, size_mm=(160, 90), dpi=100).axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"Albi", "Castres"} <= texts and len(texts) <= 41
