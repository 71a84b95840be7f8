"""The territory files the maps fetch (static/maps/, ui.offline_assets.published_json): one
per territory, vintage and set of neighbours. They must not pile up without bound, and a
file a map of this server may still fetch must never go."""

import os
import time

import pytest

from ui import offline_assets


@pytest.fixture
def published(tmp_path, monkeypatch):
    folder = tmp_path / "maps"
    monkeypatch.setattr(offline_assets, "PUBLISHED", folder)
    monkeypatch.setattr(offline_assets, "MAX_PUBLISHED", 5)
    monkeypatch.setattr(offline_assets, "_handed_out", set())
    return folder


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_older_files_go_when_more_than_the_bound_are_published(published):
    published.mkdir()
    # Eight files left by earlier runs (another server, a test), oldest first.
    stale = []
    for i in range(8):
        path = published / f"old{i:02d}.json"
        path.write_text("{}")
        os.utime(path, (time.time() - 1000 + i, time.time() - 1000 + i))
        stale.append(path.name)
    url = offline_assets.published_json({"territoire": 1})
    kept = sorted(p.name for p in published.iterdir())
    # The new file and the four most recent of the others: five in all.
    assert kept == sorted([_name(url), *stale[-4:]])


def test_a_file_this_server_handed_out_is_never_removed(published):
    first = _name(offline_assets.published_json({"territoire": "en cours"}))
    os.utime(published / first, (1, 1))  # the oldest of the folder by far
    for i in range(10):
        offline_assets.published_json({"territoire": i})
    names = {p.name for p in published.iterdir()}
    assert first in names  # a map of this session may still fetch it
    assert len(names) == 11  # nothing of this server's own is removed: all handed out


def test_publishing_the_same_content_again_keeps_it_recent(published):
    published.mkdir()
    url = offline_assets.published_json({"territoire": "commun"})
    os.utime(published / _name(url), (1, 1))
    offline_assets._handed_out.clear()  # as another server process would see it
    assert offline_assets.published_json({"territoire": "commun"}) == url
    for i in range(6):
        path = published / f"other{i}.json"
        path.write_text("{}")
        os.utime(path, (time.time() - 100, time.time() - 100))
    offline_assets._handed_out.clear()
    offline_assets.published_json({"territoire": "nouveau"})
    assert (published / _name(url)).exists()  # touched when published again: among the recent
