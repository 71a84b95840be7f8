"""Real CartoSanté and INSEE « Statistiques locales » exports (../shared/data/cartosante_bv:
two title lines, `;`, « N/A - secret statistique ») through the generic table import."""

import pandas as pd
import pytest

from formats.indicator_files import IndicatorImportError, preview_table, read_table
from indicators.definitions import Indicator
from tests.conftest import shared_file
from ui import navigation

BV = "cartosante_bv/cartosante_bv_sante_2023_2024.csv"
DEPARTEMENTS = "cartosante_bv/insee_statlocales_departements_sante_2024.csv"


def test_a_bassin_de_vie_table_is_recognised_and_explained():
    for reader in (lambda p: preview_table(p),
                   lambda p: read_table(p, "Code", [Indicator("apl", "APL", "", "CartoSanté", 2023,
                                                              "weighted_mean", "APL Médecins généralistes 2023")])):
        with pytest.raises(IndicatorImportError) as error:
            reader(shared_file(BV))
        message = str(error.value)
        assert "bassin de vie" in message and "pas par commune" in message
        assert "correspondance commune → bassin de vie" in message and "01004 Ambérieu-en-Bugey" in message


def test_a_commune_export_imports_without_hand_editing_and_secrecy_is_unknown(tmp_path):
    """The INSEE export's layout, by commune: built from the real département export's first
    lines (title lines, header, a secret cell), with commune codes as TEST VALUES."""
    real = shared_file(DEPARTEMENTS).read_text(encoding="utf-8-sig").splitlines()
    header = "Code;Libellé;Médecin généraliste (en nombre) 2024;Taux de pauvreté 2021"
    text = "\n".join([real[0], "Référentiel géographique : France par commune; ; ; ", header,
                      "81060;VALEUR DE TEST;12;N/A - secret statistique",
                      "81004;VALEUR DE TEST;40;15.2"]) + "\n"
    path = tmp_path / "export_communes.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")
    preview = preview_table(path)
    assert preview.code_column == "Code" and "Taux de pauvreté 2021" in preview.numeric_columns
    dataset = read_table(path, "Code", [Indicator("pauvrete", "Taux de pauvreté", "%", "INSEE", 2021,
                                                  "weighted_mean", "Taux de pauvreté 2021")])
    assert pd.isna(dataset.table.at["81060", "Taux de pauvreté 2021"])  # secret: unknown, not 0
    assert dataset.table.at["81004", "Taux de pauvreté 2021"] == 15.2


def test_an_export_truncated_mid_row_is_refused_in_french(tmp_path):
    text = shared_file(DEPARTEMENTS).read_text(encoding="utf-8-sig")
    cut = text[: text.index("\n81;") + 12]  # the Tarn's row cut after a few cells
    path = tmp_path / "tronque.csv"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(IndicatorImportError, match="tronqué"):
        preview_table(path)


FINESS = "occitanie/finess_etablissements_occitanie.csv"


def test_finess_counts_establishments_by_category_and_shows_in_the_diagnosis(catalog, carmausin, workspace):
    from streamlit.testing.v1 import AppTest

    from formats.indicator_files import read_finess
    from indicators.aggregate import Aggregator
    from store.datasets import save_dataset

    raw = pd.read_csv(shared_file(FINESS), dtype=str).drop_duplicates("numero finess etablissement")
    dataset = read_finess(shared_file(FINESS))
    perpignan = raw[raw["code_insee"] == "66136"]
    assert dataset.table.at["66136", "pharmacies"] == (perpignan["categetab"] == "620").sum() == 51
    assert dataset.table.at["66136", "centres_de_sante"] == (perpignan["categetab"] == "124").sum()
    codes = carmausin.sorted_codes()
    expected = int((raw["code_insee"].isin(codes) & (raw["categetab"] == "500")).sum())
    ehpad = Aggregator(catalog, dataset).compare("ehpad", codes, carmausin.name)
    assert ehpad.perimeter.value == expected and ehpad.perimeter.coverage == 1.0
    assert ehpad.france.coverage < 0.5  # Occitanie only: France is partial, and labelled so

    save_dataset(dataset, workspace)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["perimeter"] = carmausin
    at.run()
    at.switch_page(navigation.DIAGNOSIS.script).run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "EHPAD") == f"{expected} établissements"
