"""`cpts-check` (cli.check): what ARS staff run on the files CPTS send them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from formats.layers import to_csv
from geo.perimeter import Perimeter

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "cli.check", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_cli_reports_overlap_in_french_and_json_with_exit_status(tmp_path, carmausin):
    candidate = tmp_path / "carmausin.csv"
    candidate.write_text(to_csv(carmausin))
    layer = tmp_path / "voisins.csv"
    layer.write_text("cpts;code\nGrand Albigeois (essai);81004\nGrand Albigeois (essai);81060\n")
    human = run(candidate, "--against", layer)
    assert human.returncode == 1, human.stderr
    assert "Taille 1" in human.stdout and "[BLOQUANT] Chevauchement avec « Grand Albigeois (essai) »" in human.stdout
    machine = run(candidate, "--against", layer, "--json")
    result = json.loads(machine.stdout)
    assert result["figures"]["communes"] == 32 and machine.returncode == 1
    assert [f["codes"] for f in result["findings"] if f["kind"] == "overlap"] == [["81060"]]


@pytest.mark.slow
def test_cli_asks_about_same_names_in_the_neighbours_file_too(tmp_path, carmausin):
    """--meme-nom answers for every file: a neighbours' layer (--against) with one CPTS in
    two pieces is asked about, then read as one CPTS overlapping the candidate."""
    candidate = tmp_path / "carmausin.csv"
    candidate.write_text(to_csv(carmausin))
    layer = tmp_path / "voisins.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "Voisine (essai)", "communes": codes}, "geometry": None}
        for codes in (["81004"], ["81060"])]}))
    asked = run(candidate, "--against", layer)
    assert asked.returncode == 2 and "--meme-nom fusionner" in asked.stderr
    merged = run(candidate, "--against", layer, "--meme-nom", "fusionner", "--json")
    assert merged.returncode == 1, merged.stderr
    assert [f["codes"] for f in json.loads(merged.stdout)["findings"] if f["kind"] == "overlap"] == [["81060"]]


@pytest.mark.slow
def test_cli_without_blocking_finding_exits_zero(tmp_path, carmausin):
    candidate = tmp_path / "p.csv"
    candidate.write_text(to_csv(carmausin))
    assert run(candidate).returncode == 0


def test_cli_unreadable_file_exits_2_with_reason(tmp_path):
    bad = tmp_path / "p.geojson"
    bad.write_text("{not json")
    out = run(bad)
    assert out.returncode == 2 and "Erreur" in out.stderr and out.stdout == ""


@pytest.mark.slow
def test_cli_lists_unknown_codes(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(to_csv(Perimeter("Essai", {"81060", "99999"})))
    out = run(p)
    assert "Codes inconnus dans « Essai » : 99999" in out.stdout


def coverage(*args):
    return subprocess.run([sys.executable, "-m", "cli.coverage", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_code_nom_list_is_checked_as_one_perimeter_and_the_choice_is_printed(tmp_path, catalog, carmausin):
    units = catalog.units.loc[carmausin.sorted_codes()]
    listing = tmp_path / "carmausin.csv"
    listing.write_text("code,nom\n" + "".join(f"{c},{n}\n" for c, n in zip(units["code"], units["name"], strict=True)))
    out = run(listing, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["figures"]["communes"] == 32
    assert "Colonne des codes (détectée) : « code »" in out.stderr
    assert "Colonne(s) de libellés, pas de regroupement : « nom »" in out.stderr


@pytest.mark.slow
def test_several_perimeters_are_checked_whole_or_one_by_name(tmp_path):
    layer = tmp_path / "deux.csv"
    layer.write_text("cpts,code\nEssai A,81004\nEssai A,81060\nEssai B,81060\nEssai B,81065\n")
    whole = run(layer, "--json")
    assert whole.returncode == 1
    checked = {r["figures"]["name"]: r for r in json.loads(whole.stdout)["perimeters"]}
    assert set(checked) == {"Essai A", "Essai B"}
    assert all(any(f["kind"] == "overlap" for f in r["findings"]) for r in checked.values())
    one = run(layer, "--name", "Essai B", "--json")
    assert one.returncode == 1 and json.loads(one.stdout)["figures"]["name"] == "Essai B"
    missing = run(layer, "--name", "Essai C")
    assert missing.returncode == 2 and "Aucun périmètre « Essai C »" in missing.stderr
    assert "« Essai A »" in missing.stderr


@pytest.mark.slow
def test_ambiguous_file_exits_2_naming_the_candidates_and_overrides_resolve_it(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("commune_siege,commune_antenne,groupe,zone\n81004,81060,Nord,Est\n"
                     "81060,81004,Nord,Ouest\n81065,81099,Sud,Est\n81099,81065,Sud,Ouest\n")
    for tool in (run, coverage):
        out = tool(table)
        assert out.returncode == 2 and out.stdout == ""
        assert "« commune_siege »" in out.stderr and "« commune_antenne »" in out.stderr
        assert "--code-column" in out.stderr
    chosen = run(table, "--code-column", "commune_antenne", "--name-column", "zone", "--name", "Est", "--json")
    assert chosen.returncode == 0, chosen.stderr
    assert "Colonne des codes (imposée) : « commune_antenne »" in chosen.stderr
    assert "Regroupement (imposé) : colonne « zone » → 2 périmètre(s)." in chosen.stderr
    assert json.loads(chosen.stdout)["figures"]["communes"] == 2
    single = run(table, "--code-column", "commune_siege", "--name-column", "", "--json")
    assert single.returncode == 0 and json.loads(single.stdout)["figures"]["communes"] == 4


@pytest.mark.slow
def test_both_tools_exit_2_on_bad_input_with_a_french_reason(tmp_path):
    good = tmp_path / "p.csv"
    good.write_text("code\n81004\n")
    for tool in (run, coverage):
        missing = tool(tmp_path / "absent.csv")
        assert missing.returncode == 2 and "Fichier introuvable" in missing.stderr
        folder = tool(tmp_path)
        assert folder.returncode == 2 and "est un dossier" in folder.stderr
        usage = tool(good, "--option-inconnue")
        assert usage.returncode == 2 and "Erreur d'usage" in usage.stderr
        assert "Traceback" not in missing.stderr + folder.stderr + usage.stderr
    assert "Code de sortie : 0 = rien de bloquant ; 1 = au moins un constat bloquant" in run("--help").stdout
    assert "2 = fichier illisible" in coverage("--help").stdout.replace("\n", " ").replace("  ", " ")


@pytest.mark.slow
def test_coverage_accepts_lower_case_corsica(tmp_path):
    layer = tmp_path / "corse.csv"
    layer.write_text("cpts,code\nEssai Ajaccio,2A004\nEssai Ajaccio,2A006\n")
    out = coverage(layer, "--departement", "2a", "--json")
    assert out.returncode in (0, 1), out.stderr
    assert json.loads(out.stdout)["scope"]["departements"] == ["2A"]


@pytest.mark.slow
def test_check_and_coverage_agree_on_communes_a_layer_declares_shared(tmp_path):
    """The real PACA layer declares Nice and Toulon split (`infra`): checked whole, no
    perimeter reports them as a blocking overlap; the population of their CPTS is a range."""
    from tests.conftest import shared_file

    out = run(shared_file("cpts_paca.geojson"), "--json")
    results = json.loads(out.stdout)["perimeters"]
    overlaps = [f for r in results for f in r["findings"] if f["kind"] == "overlap"]
    assert not [f for f in overlaps if {"06088", "83137"} & set(f["codes"])]
    nice = [r for r in results if any(f["kind"] == "shared_commune" and f["codes"] == ["06088"]
                                      for f in r["findings"])]
    assert len(nice) == 3 and all(r["figures"]["population"] is None for r in nice)  # a range
