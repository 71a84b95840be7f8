"""The built-in texts Streamlit lets an app set are set, in French and consistent with the
app's own limits (what it cannot set is listed in the README)."""

import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formats import indicator_files, layers
from ui.choices import CHOOSE
from ui.state import MAX_PICKED_DEPS

ROOT = Path(__file__).resolve().parents[1]


def mb(limit_bytes: int) -> int:
    return limit_bytes // 2**20


def test_streamlit_upload_limit_is_the_apps_own():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == mb(indicator_files.MAX_FILE_BYTES)


def test_builder_uploaders_say_the_perimeter_limit_and_selects_speak_french(workspace):
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    uploaders = at.get("file_uploader")
    assert len(uploaders) == 2
    assert {u.proto.max_upload_size_mb for u in uploaders} == {mb(layers.MAX_FILE_BYTES)}
    deps = at.multiselect(key="deps")
    assert deps.proto.placeholder == CHOOSE and not deps.proto.max_selections


def test_the_cpts_layer_uploader_says_the_layer_limit(workspace):
    """« Comparer les CPTS » reads layers as the builder does: the same 50 MB, said by its
    uploader (it said Streamlit's 200 MB, then refused past 50 MB)."""
    from ui import navigation

    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page(navigation.COMPARE_CPTS.script).run()
    assert not at.exception
    [uploader] = [u for u in at.get("file_uploader") if u.proto.id.endswith("ars_upload")]
    assert uploader.proto.max_upload_size_mb == layers.MAX_FILE_MB


def test_a_departement_beyond_the_limit_is_refused_in_french(workspace):
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    too_many = [f"{n:02d}" for n in range(1, MAX_PICKED_DEPS + 2)]  # 01 Ain … 14 Calvados
    at.multiselect(key="deps").set_value(too_many).run()
    assert not at.exception
    assert at.session_state["deps"] == too_many[:MAX_PICKED_DEPS]
    assert any(f"{MAX_PICKED_DEPS} départements au plus" in w.value for w in at.warning)


def test_the_iris_uploader_says_its_limit_and_what_to_do_beyond_it(workspace):
    """Streamlit refuses a file over its limit in English, before the app sees it: the IRIS
    uploader (the national archive can be the largest file a user sends) says the limit in
    French beforehand, and how to send less."""
    from ui import navigation

    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page(navigation.DATA.script).run()
    assert not at.exception
    [uploader] = [u for u in at.get("file_uploader") if u.proto.id.endswith("iris_upload")]
    assert uploader.proto.max_upload_size_mb in (0, mb(indicator_files.MAX_FILE_BYTES))
    assert f"{mb(indicator_files.MAX_FILE_BYTES)} Mo au plus" in uploader.proto.help
    assert "GeoPackage" in uploader.proto.help
