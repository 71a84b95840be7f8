"""The ARS view (geo.coverage) on the real PACA layer, every figure recomputed here with plain
pandas and set operations on the file's `communes`/`arrondissements` lists, plus small layers
for what real files get wrong (unknown and obsolete codes, names missing, doubled or with HTML)."""

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import shapely

from cli.coverage import main, render
from formats.columns import ColumnChoice
from formats.layers import AmbiguousFileError, Layer, read_layer
from geo.coverage import Scope, ScopeError, analyse_layer
from geo.perimeter import Perimeter
from geo.units import load_commune_neighbours
from tests.conftest import paca_feature_rows, shared_file

ROOT = Path(__file__).resolve().parents[1]
SUCCESSORS = pd.read_csv(ROOT / "data" / "code_successors.csv", dtype=str)


@pytest.fixture(scope="module")
def paca_file():
    return shared_file("cpts_paca.geojson")


@pytest.fixture(scope="module")
def raw():
    return paca_feature_rows()


@pytest.fixture(scope="module")
def paca(catalog, paca_file):
    return analyse_layer(catalog, read_layer(catalog, paca_file.read_bytes(), paca_file.name))


def paca_communes(catalog) -> set[str]:
    units = catalog.units
    return set(units.index[(units["level"] == "commune") & (units["reg"] == "93")])


def test_paca_coverage_figures_match_the_file(catalog, raw, paca):
    assert len(set().union(*raw["raw_codes"].map(set))) == 902  # SOURCES.md section 5
    region = paca_communes(catalog)
    listed = set().union(*raw["communes"])
    f = paca.figures
    assert f.cpts == len(raw) == 70
    assert paca.scope == Scope(regions=("93",))
    assert f.communes == len(region)
    assert f.communes_covered == len(region & listed)
    whole_white = set(paca.white.loc[paca.white["code"] == paca.white["commune_code"], "code"])
    assert whole_white == region - listed and f.communes_white == len(region - listed)

    pop = catalog.units["population"]
    arrondissements = set(catalog.units.index[catalog.units["parent_code"] == "13055"])
    leaves_of_region = (region - {"13055"}) | arrondissements
    covered_leaves = leaves_of_region & set().union(*raw["leaves"])
    assert f.population.value == int(pop[sorted(leaves_of_region)].sum())
    assert f.population_covered.value == int(pop[sorted(covered_leaves)].sum())
    assert f.share_communes == pytest.approx(len(region & listed) / len(region))
    assert sum(f.by_taille.values()) == 70


def test_nice_and_toulon_are_shared_communes_not_overlaps(catalog, raw, paca):
    exploded = raw[["name", "communes", "arrondissements"]].explode("communes")
    by_arrondissement = exploded[exploded["arrondissements"].map(len) > 0]["communes"]
    drawn_finer = set(catalog.units.loc[sorted(set().union(*raw["arrondissements"])), "parent_code"])
    counts = exploded.groupby("communes")["name"].agg(set)
    several = {c: names for c, names in counts.items() if len(names) > 1}
    assert set(several) == {"06088", "83137", "13055"} and "13055" in set(by_arrondissement)
    expected = {c: sorted(n) for c, n in several.items() if c not in drawn_finer}
    assert set(expected) == {"06088", "83137"}

    shared = paca.of_kind("shared_commune")
    assert {f.finding.codes[0]: list(f.cpts) for f in shared} == expected
    assert all(f.finding.severity == "warning" and "découpage infra-communal inconnu" in f.finding.message
               for f in shared)
    assert not paca.of_kind("overlap") and paca.overlap_matrix().empty
    assert {o.shared for o in paca.overlaps} == {("06088",), ("83137",)}

    # A claimant of Nice holds between none and all of it.
    pop = catalog.units["population"]
    for _, row in raw[raw["communes"].map(lambda c: "06088" in c)].iterrows():
        cpts = next(r for r in paca.cpts if r.name == row["name"])
        others = int(pop[sorted(row["leaves"] - {"06088"})].sum())
        assert (cpts.population.low, cpts.population.high) == (others, others + int(pop["06088"]))
        assert cpts.population.value is None and "indéterminée" in cpts.taille


def test_marseille_1er_is_white_and_isolated_between_its_neighbours_cpts(raw, paca):
    owners = defaultdict(list)
    for _, row in raw.iterrows():
        for code in row["arrondissements"]:
            owners[code].append(row["name"])
    assert all(len(owners[f"132{k:02d}"]) == 1 for k in range(2, 17)) and "13201" not in owners
    white = paca.white.set_index("code")
    assert "13201" in white.index and white.at["13201", "isolated"]
    assert not white.index.isin([f"132{k:02d}" for k in range(2, 17)] + ["13055"]).any()
    pairs = load_commune_neighbours()
    around = set(pairs.loc[pairs["a"] == "13201", "b"]) | set(pairs.loc[pairs["b"] == "13201", "a"])
    isolated = next(f for f in paca.of_kind("isolated") if f.finding.codes == ("13201",))
    assert set(isolated.cpts) == {owners[c][0] for c in around}
    assert all("13055" not in f.finding.codes for f in paca.findings)


def test_every_cpts_row_against_an_independent_count(catalog, raw, paca):
    pop, commune_of = catalog.units["population"], catalog.units["commune_code"]
    pairs = load_commune_neighbours()
    owner = defaultdict(set)
    for _, row in raw.iterrows():
        for leaf in row["leaves"]:
            owner[leaf].add(row["name"])
    neighbours = defaultdict(set)
    for a, b in zip(pairs["a"], pairs["b"], strict=True):
        for x, y in ((a, b), (b, a)):
            for name in owner.get(x, ()):
                neighbours[name] |= owner.get(y, set()) - {name}
    rows = {r.name: r for r in paca.cpts}
    assert set(rows) == set(raw["name"])
    for _, row in raw.iterrows():
        r = rows[row["name"]]
        leaves = sorted(row["leaves"])
        assert r.communes == commune_of[leaves].nunique() and r.units == len(leaves)
        assert r.area_km2 == pytest.approx(catalog.units.loc[leaves, "area_km2"].sum(), abs=0.06)
        assert set(r.neighbours) == neighbours[row["name"]]
        if not row["leaves"] & {"06088", "83137"}:
            assert r.population.value == int(pop[leaves].sum())
            assert r.density == pytest.approx(r.population.value / r.area_km2)
    table = paca.table()
    assert len(table) == 70 and table["findings"].sum() == sum(len(f.cpts) for f in paca.findings)


def test_a_white_zone_at_the_edge_of_the_scope_is_not_isolated(catalog, paca_file):
    """Mandelieu and Théoule (06) border Tanneron (83), which no CPTS covers: over the région
    the three are isolated between CPTS; over the Alpes-Maritimes alone Tanneron's coverage
    is unknown, so they are white but not isolated."""
    layer = read_layer(catalog, paca_file.read_bytes(), paca_file.name)
    pairs = load_commune_neighbours()
    assert ((pairs["a"] == "06079") & (pairs["b"] == "83133")).any()
    region = analyse_layer(catalog, layer)
    alpes = analyse_layer(catalog, layer, Scope(departements=("06",)))
    isolated = lambda c: {code for f in c.of_kind("isolated") for code in f.finding.codes}  # noqa: E731
    assert {"06079", "06138", "83133"} <= isolated(region)
    assert not {"06079", "06138"} & isolated(alpes)
    assert {"06079", "06138"} <= set(alpes.white["code"])
    assert set(alpes.white["dep"]) == {"06"}


def test_a_departement_scope_counts_the_cpts_of_that_departement(catalog, raw, paca_file):
    """Over the Alpes-Maritimes, « CPTS : N » and the Taille counts are those of the CPTS with
    a commune there, not the 70 of the région's layer (it said 70)."""
    layer = read_layer(catalog, paca_file.read_bytes(), paca_file.name)
    alpes = analyse_layer(catalog, layer, Scope(departements=("06",)))
    in_06 = [leaves for leaves in raw["leaves"] if any(code.startswith("06") for code in leaves)]
    assert 0 < len(in_06) < 70
    assert alpes.figures.cpts == len(in_06)
    assert sum(alpes.figures.by_taille.values()) == len(in_06)
    assert f"CPTS : {len(in_06)} (" in render(alpes)


def test_default_scope_ignores_a_stray_commune_across_the_border(catalog, paca_file):
    layer = read_layer(catalog, paca_file.read_bytes(), paca_file.name)
    stray = Perimeter("Essai voisine drômoise", {"26220"})  # Nyons, Drôme (Auvergne-Rhône-Alpes)
    assert catalog.units.at["26220", "reg"] != "93"
    coverage = analyse_layer(catalog, Layer(layer.perimeters + [stray]))
    assert coverage.scope == Scope(regions=("93",))
    with pytest.raises(ScopeError, match="inconnu"):
        analyse_layer(catalog, layer, Scope(regions=("99",)))


@pytest.mark.parametrize("metadata, commune, kind", [
    ({"infra": "oui"}, "81004", "shared_commune"),   # Albi, large: a bare flag suffices
    ({"infra": ["Albi"]}, "81004", "shared_commune"),  # the commune named
    ({}, "81004", "overlap"),                          # no indication: claimed wholly twice
    ({"infra": "oui"}, "81060", "overlap"),            # Carmaux, small: a bare flag is not enough
    ({"infra": ["Carmaux"]}, "81060", "shared_commune"),  # ...but naming it is
])
def test_shared_commune_rule(catalog, metadata, commune, kind):
    population = catalog.units["population"]
    assert population["81004"] >= 10_000 > population["81060"]  # INSEE's IRIS threshold
    a = Perimeter("Essai A", {commune, "81048"}, dict(metadata))
    b = Perimeter("Essai B", {commune, "81316"}, dict(metadata))
    coverage = analyse_layer(catalog, Layer([a, b]))
    claims = coverage.of_kind("overlap", "shared_commune")
    assert {f.finding.kind for f in claims if commune in f.finding.codes} == {kind}
    matrix = coverage.overlap_matrix()
    assert (matrix.loc["Essai A", "Essai B"] == 1) if kind == "overlap" else matrix.empty


def test_shared_commune_needs_every_claimant_to_declare_it(catalog):
    a = Perimeter("Essai A", {"81004", "81048"}, {"infra": ["Albi"]})
    b = Perimeter("Essai B", {"81004", "81316"})
    coverage = analyse_layer(catalog, Layer([a, b]))
    assert [f.finding.codes for f in coverage.of_kind("overlap")] == [("81004",)]
    assert not coverage.of_kind("shared_commune")


def test_messy_layer_keeps_names_as_text_and_reports_codes_not_placed(catalog, tmp_path):
    """A small layer of TEST VALUES (invented CPTS over real Tarn communes)."""
    old, new = SUCCESSORS[SUCCESSORS["current_code"].str.startswith("81")].iloc[0][["old_code", "current_code"]]
    html = "Essai <b>Nord</b> & <script>x</script>"
    features = [(html, ["81060", "99999"]), ("", ["81004"]), ("Essai doublon", ["81065"]),
                ("Essai doublon", ["81099"]), ("Essai fusion", [old])]
    units = catalog.units
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"nom": name, "communes": codes},
        "geometry": json.loads(shapely.to_geojson(units.loc[[c for c in codes if c in units.index]
                                                             or [new]].geometry.union_all()))}
        for name, codes in features]}
    path = tmp_path / "essai.geojson"
    path.write_text(json.dumps(collection))
    # Two features named « Essai doublon »: one CPTS in pieces, or two CPTS? Asked, not picked.
    with pytest.raises(AmbiguousFileError, match="« Essai doublon »") as asked:
        read_layer(catalog, path.read_bytes(), path.name)
    assert asked.value.kind == "same_name" and asked.value.candidates == ["Essai doublon"]
    merged = read_layer(catalog, path.read_bytes(), path.name, ColumnChoice(same_name="merge"))
    assert [p.codes for p in merged.perimeters if p.name.startswith("Essai doublon")] == [{"81065", "81099"}]
    assert any("une seule CPTS en plusieurs morceaux" in line for line in merged.detection.describe())
    coverage = analyse_layer(catalog, read_layer(catalog, path.read_bytes(), path.name,
                                                 ColumnChoice(same_name="separate")))

    assert coverage.unplaced == {html: ["99999"]}
    assert coverage.remapped == {old: new}
    names = [r.name for r in coverage.cpts]
    assert names == [html, "CPTS sans nom n°2", "Essai doublon", "Essai doublon (2)", "Essai fusion"]
    assert coverage.scope == Scope(regions=(units.at["81060", "reg"],))
    unknown = coverage.findings_of(html)
    assert [f.finding.kind for f in unknown] == ["unknown_codes"] and "99999" in unknown[0].finding.message
    assert coverage.table().set_index("name").at[html, "findings"] == 1
    fusion = next(r for r in coverage.cpts if r.name == "Essai fusion")
    assert fusion.population.value == int(units.at[new, "population"])
    as_json = json.loads(json.dumps(coverage.as_dict(), ensure_ascii=False))
    assert as_json["cpts"][0]["name"] == html and as_json["unplaced_codes"] == {html: ["99999"]}
    text = render(coverage)
    assert f"« {html} » : 99999" in text and f"{old} → {new}" in text
    assert any("Nom en double" in w for w in coverage.warnings)


@pytest.mark.slow
def test_cli_json_for_scripts(paca_file, paca):
    out = subprocess.run([sys.executable, "-m", "cli.coverage", str(paca_file), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    # Exit 1: Marseille 1er, isolated between CPTS, is a blocking finding (cli.common convention).
    assert out.returncode == 1, out.stderr
    result = json.loads(out.stdout)
    assert result["figures"]["communes_white"] == paca.figures.communes_white
    assert len(result["cpts"]) == 70 and result["remapped_codes"] == paca.remapped
    assert {f["codes"][0] for f in result["findings"] if f["kind"] == "shared_commune"} == {"06088", "83137"}


def test_cli_french_text_and_unreadable_input(paca_file, tmp_path, capsys):
    assert main([str(paca_file)]) == 1
    text = capsys.readouterr().out
    assert "Communes partagées (découpage infra-communal inconnu) : 2" in text
    assert "Marseille 1er Arrondissement (13201)" in text and "Chevauchements : aucun" in text
    bad = tmp_path / "casse.geojson"
    bad.write_text("{pas du json")
    assert main([str(bad)]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("Erreur :") and "illisible" in out.err
    assert main([str(tmp_path / "absente.geojson")]) == 2
    assert "Fichier introuvable" in capsys.readouterr().err
    assert main([str(paca_file), "--region", "99"]) == 2
    assert "Région inconnue" in capsys.readouterr().err


def test_cli_asks_what_features_of_the_same_name_are(catalog, tmp_path, capsys):
    """A CPTS exported in two pieces (two features, one name): the command line does not pick,
    it says which option to take; with it, it says what was chosen and counts accordingly."""
    units = catalog.units
    pieces = [("Essai Nord", ["81060", "81004"]), ("Essai Nord", ["81065"]), ("Essai Sud", ["81106"])]
    layer = tmp_path / "morceaux.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"nom": name, "communes": codes},
        "geometry": json.loads(shapely.to_geojson(units.loc[codes].geometry.union_all()))}
        for name, codes in pieces]}))
    assert main([str(layer), "--departement", "81"]) == 2
    err = capsys.readouterr().err
    assert "« Essai Nord »" in err and "--meme-nom fusionner" in err and "--meme-nom separer" in err
    main([str(layer), "--departement", "81", "--meme-nom", "fusionner", "--json"])
    out = capsys.readouterr()
    merged = {c["name"]: c for c in json.loads(out.out)["cpts"]}
    assert sorted(merged) == ["Essai Nord", "Essai Sud"]
    both_pieces = int(units.loc[["81060", "81004", "81065"], "population"].sum())
    assert merged["Essai Nord"]["population"]["value"] == both_pieces
    assert "une seule CPTS en plusieurs morceaux" in out.err
    main([str(layer), "--departement", "81", "--meme-nom", "separer", "--json"])
    out = capsys.readouterr()
    assert sorted(c["name"] for c in json.loads(out.out)["cpts"]) == [
        "Essai Nord", "Essai Nord (2)", "Essai Sud"]
    assert "des CPTS distinctes" in out.err


def test_paca_exported_in_single_parts_is_asked_about_then_gives_back_its_cpts(catalog, paca_file):
    """The real PACA layer as a QGIS « multipart to single parts » export of its contours:
    93 features for 70 CPTS. The reading asks about exactly the names carried by several
    pieces; answered « une seule CPTS », it gives back the 70 CPTS and the same coverage as
    the unsplit contours."""
    import geopandas as gpd

    contours = gpd.read_file(paca_file)[["nom", "geometry"]]
    pieces = contours.explode(index_parts=False)
    assert len(pieces) > len(contours) == 70
    split = sorted(name for name, n in pieces["nom"].value_counts().items() if n > 1)
    data = pieces.to_json().encode()
    with pytest.raises(AmbiguousFileError) as asked:
        read_layer(catalog, data, "paca_morceaux.geojson")
    assert asked.value.candidates == split
    merged = analyse_layer(catalog, read_layer(catalog, data, "paca_morceaux.geojson", ColumnChoice(same_name="merge")))
    whole = analyse_layer(catalog, read_layer(catalog, contours.to_json().encode(), "paca_contours.geojson"))
    assert sorted(r.name for r in merged.cpts) == sorted(contours["nom"])
    assert merged.figures == whole.figures
    apart = read_layer(catalog, data, "paca_morceaux.geojson", ColumnChoice(same_name="separate"))
    assert len(apart.perimeters) == len(pieces)


def test_findings_of_one_cpts_name_it(catalog):
    """« Le périmètre est en 2 morceaux » said of a layer of many CPTS: which one?"""
    from formats.layers import Layer
    from geo.perimeter import Perimeter

    layer = Layer([Perimeter("Essai Morcelée", {"81060", "81065"}), Perimeter("Essai Voisine", {"81004"})])
    coverage = analyse_layer(catalog, layer, Scope(departements=("81",)))
    [parts] = coverage.of_kind("parts")
    assert parts.finding.message.startswith("« Essai Morcelée » : Le périmètre est en 2 morceaux")
    assert parts.cpts == ("Essai Morcelée",)


def test_infra_property_shortened_by_a_shapefile_still_counts(catalog):
    from geo.infra import declares_infra

    assert declares_infra(catalog, {"infra_comm": "Nice"}, "06088")
    assert declares_infra(catalog, {"INFRA": "oui"}, "06088")
    assert not declares_infra(catalog, {"infos": "Nice"}, "06088")
