"""Populations légales: every vintage the npm package @etalab/decoupage-administratif ships,
on the commune list in force, checked against the package itself (read here with json and
pandas, independently of data/decoupage.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli.check import main as check_main
from formats.layers import to_csv
from geo.checks import check_perimeter
from cli.coverage import main as coverage_main
from geo.perimeter import Perimeter
from geo.population import taille
from geo.units import (
    UnknownVintageError,
    embedded_metadata,
    load_communes,
    population_vintages,
    vintage_in_force,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ROOT / "data" / "npm" / "node_modules"
VERSIONS = {2020: "2.3.1", 2021: "4.0.0", 2022: "4.1.0", 2023: "6.0.0"}


def package(vintage: int) -> pd.DataFrame:
    path = PACKAGES / f"decoupage-{vintage}"
    if not path.exists():
        pytest.skip(f"{path} absent: `make data-sources` installs the npm packages")
    assert json.loads((path / "package.json").read_text())["version"] == VERSIONS[vintage]
    return pd.DataFrame(json.loads((path / "data" / "communes.json").read_text()))


def test_the_vintage_in_force_is_2023_and_all_four_are_there():
    assert vintage_in_force() == 2023 and population_vintages() == (2020, 2021, 2022, 2023)
    assert embedded_metadata()["cog_vintage"] == 2026


def test_every_commune_in_force_has_a_contour_and_a_population_or_a_stated_gap():
    listed = package(2023)
    listed = listed[listed["type"].isin(["commune-actuelle", "arrondissement-municipal"])]
    in_scope = listed[listed["zone"].isin(["metro", "drom"])]
    units = load_communes()
    meta = embedded_metadata()
    assert set(units.index) == set(in_scope["code"])
    reasons = meta["gap_reasons"]
    no_contour = set(units.index[units.geometry.isna()])
    no_population = set(units.index[units["population"].isna()])
    assert no_contour | no_population <= set(reasons)
    assert no_contour == {"15031", "15035", "15047", "15171"} and not no_population
    # The collectivités d'outre-mer are left out on purpose, and said so.
    outside = listed[~listed["zone"].isin(["metro", "drom"])]
    assert sorted(meta["outside_scope"]["codes"]) == sorted(outside["code"])


def test_national_total_in_force_is_the_package_total():
    listed = package(2023)
    communes = listed[(listed["type"] == "commune-actuelle") & listed["zone"].isin(["metro", "drom"])]
    units = load_communes()
    ours = units.loc[units["level"] == "commune", "population"]
    assert int(ours.sum()) == int(communes["population"].sum())
    arrondissements = listed[listed["type"] == "arrondissement-municipal"].set_index("code")["population"]
    assert units.loc[arrondissements.index, "population"].astype(int).tolist() == arrondissements.astype(int).tolist()


@pytest.mark.parametrize("vintage", [2020, 2021, 2022])
def test_an_earlier_vintage_loses_no_inhabitant(catalog, vintage):
    """Communes merged since add up; a territory recomposed since is unknown, with its reason,
    and what it held then is the package's total minus the known ones."""
    listed = package(vintage)
    communes = listed[(listed["type"] == "commune-actuelle") & listed["zone"].isin(["metro", "drom"])]
    units = catalog.with_vintage(vintage).units
    ours = units.loc[units["level"] == "commune", "population"]
    gaps = embedded_metadata()["population_vintages"][str(vintage)]["unknown"]
    assert set(ours.index[ours.isna()]) == set(gaps)
    in_gaps = communes[communes["code"].isin(gaps)]["population"].sum()
    assert int(ours.sum()) + int(in_gaps) == int(communes["population"].sum())


def test_perpignan_in_force(catalog):
    assert catalog.units.at["66136", "population"] == 121_616
    assert catalog.units.at["66136", "population_vintage"] == 2023


@pytest.mark.parametrize("vintage", [2020, 2021, 2022, 2023])
def test_carmausin_segala_is_the_sum_of_its_32_communes_in_the_package(catalog, carmausin, vintage):
    listed = package(vintage)
    communes = listed[listed["type"] == "commune-actuelle"].set_index("code")["population"]
    assert len(carmausin.codes) == 32
    expected = int(communes.loc[sorted(carmausin.codes)].sum())
    report = check_perimeter(catalog.with_vintage(vintage), carmausin)
    population = report.figures.population
    assert population.exact and population.value == expected and population.vintages == (vintage,)


def test_the_taille_follows_the_vintage_across_a_threshold(catalog):
    """Béziers crossed 80,000 inhabitants between the 2020 and 2023 populations."""
    beziers = Perimeter("Béziers", {"34032"})
    by_vintage = {}
    for vintage in (2020, 2023):
        listed = package(vintage).set_index("code")
        expected = int(listed.loc[listed["type"] == "commune-actuelle", "population"]["34032"])
        figures = check_perimeter(catalog.with_vintage(vintage), beziers).figures
        assert figures.population.value == expected
        by_vintage[vintage] = figures.population.taille_label()
    assert by_vintage == {2020: "Taille 2", 2023: "Taille 3"}
    assert taille(80_000) == 3


def test_switching_vintage_shares_the_graph_and_leaves_the_others_alone(catalog):
    earlier = catalog.with_vintage(2020)
    assert earlier.adjacency is catalog.adjacency and earlier.with_vintage(2020) is earlier
    assert catalog.units.at["66136", "population"] == 121_616
    assert earlier.units.at["66136", "population"] == 118_032
    with pytest.raises(UnknownVintageError, match="Millésime de population 2017 inconnu"):
        catalog.with_vintage(2017)


def test_check_cli_prints_the_vintage_and_accepts_an_earlier_one(tmp_path, carmausin, capsys):
    candidate = tmp_path / "carmausin.csv"
    candidate.write_text(to_csv(carmausin))
    assert check_main([str(candidate)]) == 0
    assert "population municipale 2023 (INSEE, en vigueur)" in capsys.readouterr().out
    assert check_main([str(candidate), "--millesime", "2020", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert figures["population_vintages"] == [2020]
    assert figures["population"] == int(package(2020).set_index("code").loc[
        sorted(carmausin.codes), "population"].sum())


@pytest.mark.parametrize("module", ["cli.check", "cli.coverage"])
def test_unknown_vintage_on_the_command_line_exits_2_in_french(tmp_path, module):
    layer = tmp_path / "p.csv"
    layer.write_text("code\n81060\n")
    out = subprocess.run([sys.executable, "-m", module, str(layer), "--millesime", "2017"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 2 and out.stdout == ""
    assert "Millésime de population 2017 inconnu" in out.stderr and "2023" in out.stderr


def test_coverage_cli_prints_the_vintage(tmp_path, capsys):
    layer = tmp_path / "layer.csv"
    layer.write_text("cpts;code\nEssai;81060\n")
    assert coverage_main([str(layer), "--departement", "81", "--millesime", "2021"]) == 0
    assert "population municipale 2021 (INSEE)" in capsys.readouterr().out
