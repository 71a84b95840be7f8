"""`python -m geo.check`: what ARS staff run on the files CPTS send them."""

import json
import subprocess
import sys
from pathlib import Path

from geo.files import to_csv
from geo.perimeter import Perimeter

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "geo.check", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


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


def test_cli_without_blocking_finding_exits_zero(tmp_path, carmausin):
    candidate = tmp_path / "p.csv"
    candidate.write_text(to_csv(carmausin))
    assert run(candidate).returncode == 0


def test_cli_unreadable_file_exits_2_with_reason(tmp_path):
    bad = tmp_path / "p.geojson"
    bad.write_text("{not json")
    out = run(bad)
    assert out.returncode == 2 and "Erreur" in out.stderr and out.stdout == ""


def test_cli_lists_unknown_codes(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(to_csv(Perimeter("Essai", {"81060", "99999"})))
    out = run(p)
    assert "Codes inconnus dans « Essai » : 99999" in out.stdout
