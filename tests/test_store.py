"""The scenario store, on SQLite and on PostgreSQL (the same tests, parametrized).

The PostgreSQL variant needs TEST_DATABASE_URL (`eval "$(bash tests/pg_server.sh start)"`
sets it; `make test` does); each test gets its own schema. Codes are real: the CPTS
Ruscino perimeter of its lettre d'intention (IRIS of Cabestany and Perpignan, whole
Saint-Nazaire and Saleilles) and communes of the Tarn.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from geo.examples import RUSCINO_CODES
from geo.perimeter import Perimeter
from store.scenarios import (
    MAX_NAME_CHARS,
    STATUTS,
    ConflictError,
    CorruptStoreError,
    InvalidScenarioError,
    Scenario,
    ScenarioDeletedError,
    StoreError,
    StoreUnavailableError,
    open_store,
)

REPO = Path(__file__).resolve().parents[1]
RUSCINO = frozenset(RUSCINO_CODES)
CARMAUX, ALBI, BLAYE = "81060", "81004", "81033"
PG_URL = os.environ.get("TEST_DATABASE_URL")


@dataclass
class Target:
    """Where a test's store lives; `open()` is one more session on it."""

    database_url: str | None = None
    sqlite_path: Path | None = None

    def open(self):
        return open_store(database_url=self.database_url, sqlite_path=self.sqlite_path)


def pg_server_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL: no server (set TEST_DATABASE_URL, e.g. "
                    "`eval \"$(bash tests/pg_server.sh start)\"`, as `make test` does)")
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:  # a URL was given: it must work
        pytest.fail(f"TEST_DATABASE_URL={PG_URL} is unreachable: {exc}")
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    if request.param == "sqlite":
        yield Target(sqlite_path=tmp_path / "workspace" / "scenarios.sqlite")
        return
    import psycopg
    from psycopg.conninfo import make_conninfo

    url = pg_server_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield Target(database_url=make_conninfo(url, options=f"-c search_path={schema}"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def store(target):
    return target.open()


def content(s: Scenario) -> tuple:
    return (s.name, s.codes, s.porteur, s.statut, s.notes, s.deleted)


# --- round trip and history ------------------------------------------------------------

def test_every_field_round_trips_through_another_session(target):
    first = target.open()
    name = "CPTS <b>Ruscino</b> & « Têt » — 47\u202f617 hab."
    notes = "Ligne 1\nLigne 2 : périmètre de la lettre d'intention ; accents éèàçô"
    saved = first.save(Scenario(name, RUSCINO, porteur="Association des PS de l'Est", statut=STATUTS[1],
                                notes=notes, author="Anne Martin"))
    loaded = target.open().load(saved.id)  # a new session on the same base
    assert loaded == saved
    assert (loaded.name, loaded.codes, loaded.porteur, loaded.statut, loaded.notes, loaded.author) == (
        name, RUSCINO, "Association des PS de l'Est", STATUTS[1], notes, "Anne Martin")
    assert loaded.version == 1 and not loaded.deleted
    assert loaded.created_at.utcoffset().total_seconds() == 0
    assert loaded.created_at == loaded.updated_at
    assert [s.id for s in target.open().scenarios()] == [saved.id]


def test_every_statut_and_the_perimeter_view(store):
    s = store.save(Scenario.from_perimeter(
        Perimeter("Carmausin", {CARMAUX, BLAYE}, {"porteur": "MSP du Carmausin"}), author="A"))
    assert s.statut == STATUTS[0] and s.porteur == "MSP du Carmausin"
    for statut in STATUTS[1:]:
        s = store.save(replace(s, statut=statut))
        assert store.load(s.id).statut == statut
    perimeter = store.load(s.id).perimeter
    assert perimeter == Perimeter("Carmausin", {CARMAUX, BLAYE})
    assert perimeter.metadata == {"porteur": "MSP du Carmausin", "statut": STATUTS[-1], "notes": ""}


def test_history_says_what_changed_who_and_when(store):
    steps = [
        (RUSCINO, "projet", "", "Anne"),
        (RUSCINO - {"661360801"} | {"661361904", "661361905"}, "projet", "", "Bruno"),
        (RUSCINO - {"661360801"} | {"661361904", "661361905"}, "ACI signé", "validé", "Chloé"),
    ]
    s = None
    for codes, statut, notes, author in steps:
        draft = Scenario("Ruscino", codes, statut=statut, notes=notes, author=author)
        s = store.save(draft if s is None else replace(s, codes=codes, statut=statut,
                                                          notes=notes, author=author))
    history = store.history(s.id)
    assert [c.scenario.version for c in history] == [1, 2, 3]
    assert [c.scenario.author for c in history] == ["Anne", "Bruno", "Chloé"]
    assert [c.action for c in history] == ["create", "save", "save"]
    for before, after, change in zip([set()] + [st[0] for st in steps], [st[0] for st in steps], history):
        assert set(change.added) == set(after) - set(before)
        assert set(change.removed) == set(before) - set(after)
    assert history[1].fields == {}
    assert history[2].fields == {"statut": ("projet", "ACI signé"), "notes": ("", "validé")}
    assert all(a.scenario.updated_at <= b.scenario.updated_at for a, b in zip(history, history[1:]))
    assert "Chloé" in history[2].summary() and "ACI signé" in history[2].summary()
    # every version is kept whole
    for (codes, statut, notes, _), change in zip(steps, history):
        old = store.load(s.id, version=change.scenario.version)
        assert (old.codes, old.statut, old.notes) == (frozenset(codes), statut, notes)


def test_delete_is_soft_and_restorable(store):
    s = store.save(Scenario("Tarn nord", {CARMAUX, BLAYE}, porteur="P", author="Anne"))
    gone = store.delete(s.id, s.version, author="Bruno")
    assert store.scenarios() == []
    assert [x.id for x in store.scenarios(include_deleted=True)] == [s.id]
    assert gone.deleted and gone.author == "Bruno" and store.load(s.id).deleted
    with pytest.raises(ScenarioDeletedError, match="restaurez"):
        store.save(replace(gone, notes="x"))
    back = store.restore(s.id, gone.version, author="Anne")
    assert not back.deleted and content(back) == content(s)
    assert [x.id for x in store.scenarios()] == [s.id]
    assert [c.action for c in store.history(s.id)] == ["create", "delete", "restore"]


def test_restore_an_earlier_version_keeps_the_later_ones(store):
    v1 = store.save(Scenario("Albi", {ALBI}, author="A"))
    v2 = store.save(replace(v1, codes={ALBI, CARMAUX}, porteur="X"))
    v3 = store.restore(v1.id, v2.version, author="B", version=1)
    assert (v3.version, v3.codes, v3.porteur) == (3, frozenset({ALBI}), "")
    assert store.load(v1.id, version=2).codes == frozenset({ALBI, CARMAUX})


def test_rename_and_duplicate(store):
    s = store.save(Scenario("Carmausin", {CARMAUX}, author="A"))
    renamed = store.rename(s.id, "  Carmausin-Ségala  ", s.version, author="B")
    assert (renamed.name, renamed.version, renamed.codes) == ("Carmausin-Ségala", 2, s.codes)
    assert store.history(s.id)[-1].fields == {"name": ("Carmausin", "Carmausin-Ségala")}
    copy1 = store.duplicate(s.id, author="C")
    copy2 = store.duplicate(s.id, author="C")
    named = store.duplicate(s.id, author="C", name="Variante avec Albi")
    assert [copy1.name, copy2.name, named.name] == [
        "Carmausin-Ségala (copie)", "Carmausin-Ségala (copie 2)", "Variante avec Albi"]
    assert len({s.id, copy1.id, copy2.id, named.id}) == 4
    assert all(c.codes == s.codes and c.version == 1 for c in (copy1, copy2, named))
    assert store.history(copy1.id)[0].copied_from == (s.id, 2)
    assert len(store.scenarios()) == 4


# --- concurrency and crashes ---------------------------------------------------------

def test_a_stale_save_is_refused_and_kept_as_a_copy(target):
    anne, bruno = target.open(), target.open()
    s = anne.save(Scenario("Ruscino", RUSCINO, author="Anne"))
    mine, theirs = anne.load(s.id), bruno.load(s.id)
    saved = anne.save(replace(mine, codes=RUSCINO | {"661361904"}, author="Anne"))
    stale = replace(theirs, codes=RUSCINO - {"661860000"}, notes="sans Saint-Nazaire", author="Bruno")
    with pytest.raises(ConflictError) as caught:
        bruno.save(stale)
    message = str(caught.value)
    assert "Anne" in message and "copie" in message and "version 2" in message
    assert caught.value.current == saved
    assert bruno.load(s.id) == saved  # nothing of Bruno's was written over Anne's
    copy = bruno.save_as_copy(stale)
    assert copy.id != s.id and copy.codes == stale.codes and copy.notes == "sans Saint-Nazaire"
    assert copy.name == "Ruscino (copie)"
    assert {x.id: x.codes for x in target.open().scenarios()} == {s.id: saved.codes, copy.id: stale.codes}


def test_two_simultaneous_saves_one_wins(target):
    s = target.open().save(Scenario("Albi", {ALBI}, author="A"))
    start = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def edit(who: str, extra: str) -> None:
        session = target.open()
        start.wait()
        try:
            outcome[who] = session.save(replace(s, codes={ALBI, extra}, author=who), s.version)
        except ConflictError as exc:
            outcome[who] = exc

    threads = [threading.Thread(target=edit, args=a) for a in (("Anne", CARMAUX), ("Bruno", BLAYE))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [v for v in outcome.values() if isinstance(v, Scenario)]
    lost = [v for v in outcome.values() if isinstance(v, ConflictError)]
    assert len(won) == 1 and len(lost) == 1
    store = target.open()
    assert store.load(s.id) == won[0] == lost[0].current
    assert [c.scenario.version for c in store.history(s.id)] == [1, 2]


CHILD = r"""
import sys, time
from dataclasses import replace
import store.scenarios as store

real = store.Store._record

def record_then_hang(self, *args):
    real(self, *args)
    print("in-transaction", flush=True)
    time.sleep(120)

store.Store._record = record_then_hang
s = store.open_store(database_url=sys.argv[1] or None, sqlite_path=sys.argv[2] or None)
current = s.load(sys.argv[3])
s.save(replace(current, codes=current.codes | {"81004"}, notes="jamais enregistré"))
"""


def test_a_process_killed_mid_save_leaves_the_previous_version(target):
    store = target.open()
    s = store.save(Scenario("Carmausin", {CARMAUX, BLAYE}, notes="v1", author="A"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, target.database_url or "", str(target.sqlite_path or ""), s.id],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "in-transaction", child.stderr.read()
    finally:
        child.kill()
        child.wait()
    after = target.open()
    assert after.load(s.id) == s
    assert [c.scenario.version for c in after.history(s.id)] == [1]
    if target.sqlite_path:
        with sqlite3.connect(target.sqlite_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # and the base is not left locked: the next save goes through
    assert after.save(replace(s, notes="v2")).version == 2


# --- bad input and bad places ---------------------------------------------------------

def test_names_are_checked_and_html_kept_as_text(store):
    longest = "É" * MAX_NAME_CHARS
    assert store.save(Scenario(longest, {ALBI})).name == longest
    too_long = f"{MAX_NAME_CHARS + 1} caractères.*{MAX_NAME_CHARS} au plus"
    with pytest.raises(InvalidScenarioError, match=too_long):
        store.save(Scenario(longest + "x", {ALBI}))
    with pytest.raises(InvalidScenarioError, match="nom"):
        store.save(Scenario("   ", {ALBI}))
    with pytest.raises(InvalidScenarioError, match="Statut inconnu"):
        store.save(Scenario("Albi", {ALBI}, statut="signé"))
    html = '<script>alert("x")</script>'
    s = store.save(Scenario(html, {ALBI}))
    assert store.load(s.id).name == html
    with pytest.raises(InvalidScenarioError):
        store.rename(s.id, "x" * (MAX_NAME_CHARS + 1), s.version)
    assert sorted(x.name for x in store.scenarios()) == sorted([longest, html])


@pytest.mark.parametrize("damage", ["not_sqlite", "damaged_sqlite"])
def test_a_corrupted_file_is_reported_and_left_alone(tmp_path, damage):
    path = tmp_path / "scenarios.sqlite"
    if damage == "not_sqlite":
        path.write_text("perimetre,code\nCarmausin,81060\n", encoding="utf-8")
    else:
        open_store(sqlite_path=path).save(Scenario("Albi", {ALBI}))
        raw = bytearray(path.read_bytes())
        raw[100:4096] = b"\xff" * (4096 - 100)  # page 1 past the header: the schema
        path.write_bytes(bytes(raw))
        for extra in tmp_path.glob("scenarios.sqlite-*"):
            extra.unlink()
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError) as caught:
        open_store(sqlite_path=path).scenarios()
    message = str(caught.value)
    assert str(path) in message and "n'a pas été modifié" in message
    assert path.read_bytes() == before


def test_unreachable_postgresql_is_a_french_error(monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(database_url=f"postgresql://cpts:motdepasse@127.0.0.1:{port}/cpts")
    message = str(caught.value)
    assert "injoignable" in message and f"127.0.0.1:{port}" in message
    assert "motdepasse" not in message
    monkeypatch.setenv("DATABASE_URL", f"postgresql://127.0.0.1:{port}/cpts")
    with pytest.raises(StoreUnavailableError):
        open_store()


def test_default_store_is_a_wal_sqlite_file_in_the_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CPTS_WORKSPACE", str(tmp_path / "ws"))
    store = open_store()
    store.save(Scenario("Albi", {ALBI}))
    path = tmp_path / "ws" / "scenarios.sqlite"
    assert str(path) in store.location
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (1,)


def test_save_refuses_a_file_whose_pages_are_damaged(tmp_path):
    """Damage past the schema page: opening works, a write could land beside broken pages.
    The save is refused and the file left as it was."""
    path = tmp_path / "scenarios.sqlite"
    store = open_store(sqlite_path=path)
    for i in range(40):
        store.save(Scenario(f"Essai {i}", {ALBI, f"810{i:02d}"}, notes="x" * 500))
    store = None
    for extra in tmp_path.glob("scenarios.sqlite-*"):
        extra.unlink()
    raw = bytearray(path.read_bytes())
    assert len(raw) > 4 * 4096
    raw[2 * 4096 + 8: 3 * 4096] = b"\x5a" * (4096 - 8)  # the third page: table data
    path.write_bytes(bytes(raw))
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError) as caught:
        open_store(sqlite_path=path).save(Scenario("Nouveau", {ALBI}))
    assert "n'a pas été modifié" in str(caught.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("error", ["unable to open database file", "attempt to write a readonly database"])
def test_read_only_workspace_is_a_french_error_with_a_hint(tmp_path, monkeypatch, error):
    """What SQLite says when the workspace cannot be written (tests run as root, who may
    write anywhere: SQLite's own message is injected)."""
    import sqlite3

    real = sqlite3.connect

    def refusing(*args, **kwargs):
        conn = real(*args, **kwargs)
        if error.startswith("unable"):
            conn.close()
            raise sqlite3.OperationalError(error)
        return _Refusing(conn)

    class _Refusing:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "CREATE")):
                raise sqlite3.OperationalError(error)
            return self.conn.execute(sql, *args)

        def close(self):
            self.conn.close()

    monkeypatch.setattr(sqlite3, "connect", refusing)
    with pytest.raises(StoreError) as caught:
        open_store(sqlite_path=tmp_path / "scenarios.sqlite").save(Scenario("Albi", {ALBI}))
    assert "lecture seule" in str(caught.value) and "CPTS_WORKSPACE" in str(caught.value)


# --- live sessions (« suivre en direct ») ------------------------------------------------------

def test_a_live_session_is_seen_by_another_process(target):
    """The facilitator's server process publishes; another (a second Store on the same
    base, as another worker would open it) reads each change, then the end."""
    facilitator, follower = target.open(), target.open()
    assert follower.live("inconnu") is None
    carmausin = Perimeter("CPTS du Carmausin-Ségala", {CARMAUX, BLAYE})
    facilitator.publish_live("s1", carmausin)
    seen = follower.live("s1")
    assert seen.perimeter == carmausin and not seen.ended
    facilitator.publish_live("s1", carmausin.with_codes({CARMAUX}))
    assert follower.live("s1").perimeter.codes == {CARMAUX}
    facilitator.end_live("s1")
    ended = follower.live("s1")
    assert ended.ended and ended.perimeter.codes == {CARMAUX}  # the last one shown stays
    assert [s.name for s in follower.scenarios()] == []  # a live session is not a scenario
