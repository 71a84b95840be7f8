"""Named scenarios (a perimeter with its porteur, statut and notes) that outlive the session.

A SQLite file in the workspace folder by default (no setup), PostgreSQL when DATABASE_URL
is set (several people, one base). Nothing is ever lost: every write appends the whole new
version to the `versions` table and moves the scenario's current version forward, in one
transaction, so any earlier version can be read back, a process killed mid-save leaves the
previous version current, and a deleted scenario is only a version marked deleted,
restorable. Concurrent editing is optimistic: a save names the version it started from
and fails with ConflictError if someone saved meanwhile; `save_as_copy` then keeps both.

The same base carries the live sessions of « Atelier » (`publish_live`, `live`, `end_live`):
the perimeter a facilitator shows now, which followers' pages read every few seconds, so a
follower served by another server process sees it too.

Queries are written once, with `:name` parameters; each backend translates them to its
driver's style. Every failure is a StoreError whose message, in French, can be shown as is.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geo import manual_population
from geo.perimeter import Perimeter
from store.workspace import workspace_dir

STATUTS = ("projet", "lettre d'intention déposée", "projet de santé validé", "ACI signé")
MAX_NAME_CHARS = 200
FIELDS = ("name", "porteur", "statut", "notes", "manual_population")
FIELD_LABELS = {"name": "nom", "porteur": "porteur", "statut": "statut", "notes": "notes",
                "manual_population": "population en saisie manuelle"}
ACTION_LABELS = {"create": "création", "save": "modification", "rename": "renommage",
                 "copy": "copie", "delete": "suppression", "restore": "restauration"}
SCHEMA_VERSION = 1
PG_CONNECT_TIMEOUT_S = 3  # libpq's minimum is 2
SQLITE_BUSY_TIMEOUT_S = 10

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS store_info (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS scenarios (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS versions (
        scenario_id TEXT NOT NULL REFERENCES scenarios (id),
        version INTEGER NOT NULL,
        action TEXT NOT NULL,
        author TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        name TEXT NOT NULL,
        codes TEXT NOT NULL,
        porteur TEXT NOT NULL,
        statut TEXT NOT NULL,
        notes TEXT NOT NULL,
        manual_population TEXT NOT NULL DEFAULT '',
        deleted INTEGER NOT NULL,
        changes TEXT NOT NULL,
        PRIMARY KEY (scenario_id, version))""",
    # « Suivre en direct »: the perimeter a facilitator shows now, one row per session,
    # overwritten at each change (not a scenario: no history).
    """CREATE TABLE IF NOT EXISTS live_sessions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        codes TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        ended INTEGER NOT NULL)""",
)
# Every read is this join; callers add the WHERE clause.
SELECT_VERSIONS = """SELECT s.id, v.version, s.created_at, v.saved_at, v.author, v.name,
    v.codes, v.porteur, v.statut, v.notes, v.deleted, v.action, v.changes, v.manual_population
    FROM versions v JOIN scenarios s ON s.id = v.scenario_id """


# --- errors ------------------------------------------------------------------------

class StoreError(Exception):
    """A scenario store failure; the message is French, for the user."""


class CorruptStoreError(StoreError):
    """The store file exists but is not a readable scenario base (left untouched)."""


class StoreUnavailableError(StoreError):
    """The PostgreSQL server cannot be reached."""


class InvalidScenarioError(StoreError):
    """A scenario that cannot be saved as it is (name, statut)."""


class ScenarioNotFoundError(StoreError):
    pass


class ScenarioDeletedError(StoreError):
    """A write to a deleted scenario other than its restoration."""


class ConflictError(StoreError):
    """Someone saved the scenario since `expected_version`; `current` is what they saved."""

    def __init__(self, current: "Scenario", expected_version: int):
        what = "supprimé" if current.deleted else "modifié"
        super().__init__(
            f"« {current.name} » a été {what} par {current.author or 'un autre utilisateur'} "
            f"le {paris_time(current.updated_at):%d/%m/%Y à %H:%M} depuis que vous l'avez ouvert "
            f"(version {current.version} au lieu de {expected_version}). Vos changements ne "
            "sont pas enregistrés : enregistrez-les comme copie pour garder les deux "
            "versions, ou rechargez le scénario.")
        self.current = current
        self.expected_version = expected_version


# --- values ------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One version of a named perimeter. `id` is None and `version` 0 until first saved;
    `author` and `updated_at` are those of this version."""

    name: str
    codes: frozenset[str] = frozenset()
    porteur: str = ""
    statut: str = STATUTS[0]
    notes: str = ""
    author: str = ""
    id: str | None = None
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    manual_population: str = ""  # geo.manual_population.to_json of the perimeter's metadata

    def __post_init__(self):
        object.__setattr__(self, "codes", frozenset(self.codes))

    @classmethod
    def from_perimeter(cls, perimeter: Perimeter, author: str = "") -> "Scenario":
        meta = perimeter.metadata
        return cls(perimeter.name, perimeter.codes, str(meta.get("porteur", "")),
                   str(meta.get("statut", STATUTS[0])), str(meta.get("notes", "")), author,
                   manual_population=manual_population.to_json(meta))

    @property
    def perimeter(self) -> Perimeter:
        return Perimeter(self.name, self.codes,
                         {"porteur": self.porteur, "statut": self.statut, "notes": self.notes,
                          **manual_population.from_json(self.manual_population)})


@dataclass(frozen=True)
class LiveSession:
    """What a facilitator's live session shows now (or showed last, once `ended`)."""

    perimeter: Perimeter
    updated_at: datetime
    ended: bool


@dataclass(frozen=True)
class Change:
    """One version in a scenario's history and what it changed from the previous one."""

    scenario: Scenario
    action: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    copied_from: tuple[str, int] | None = None

    def summary(self, label=str) -> str:
        """French one-liner: who, when, what. `label` turns a unit code into what a reader
        knows it by (the app passes the unit's name; the store itself knows only codes)."""
        s = self.scenario
        parts = [ACTION_LABELS.get(self.action, self.action)]
        for sign, codes in (("+", self.added), ("−", self.removed)):
            if codes:
                parts.append(f"{sign}{len(codes)} unité(s) ({', '.join(map(label, codes[:5]))}"
                             f"{'…' if len(codes) > 5 else ''})")
        parts += [f"{FIELD_LABELS[k]} modifiée" if k == "manual_population"  # JSON: not for reading
                  else f"{FIELD_LABELS[k]} : « {old} » → « {new} »" for k, (old, new) in self.fields.items()]
        return (f"v{s.version}, {paris_time(s.updated_at):%d/%m/%Y %H:%M}, {s.author or 'anonyme'} : "
                + " ; ".join(parts))


def validate(scenario: Scenario) -> Scenario:
    """The scenario with its name trimmed, or InvalidScenarioError. HTML in a name is kept
    as text: names are escaped where they are displayed."""
    name = scenario.name.strip()
    if not name:
        raise InvalidScenarioError("Donnez un nom au scénario.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidScenarioError(
            f"Le nom du scénario fait {len(name)} caractères : {MAX_NAME_CHARS} au plus. "
            "Raccourcissez-le (les détails ont leur place dans les notes).")
    if scenario.statut not in STATUTS:
        raise InvalidScenarioError(
            f"Statut inconnu « {scenario.statut} » : choisissez parmi "
            + ", ".join(f"« {s} »" for s in STATUTS) + ".")
    return replace(scenario, name=name)


def diff(before: Scenario, after: Scenario) -> dict:
    return {
        "added": sorted(after.codes - before.codes),
        "removed": sorted(before.codes - after.codes),
        "fields": {k: [getattr(before, k), getattr(after, k)] for k in FIELDS
                   if getattr(before, k) != getattr(after, k)},
    }


def now() -> datetime:
    return datetime.now(timezone.utc)


def paris_time(moment: datetime) -> datetime:
    """For display: dates are stored in UTC, read in France."""
    try:
        return moment.astimezone(ZoneInfo("Europe/Paris"))
    except ZoneInfoNotFoundError:  # no tz database on this machine
        return moment


# --- backends: connection, parameter style and error translation --------------------

class _SQLite:
    begin = "BEGIN IMMEDIATE"  # take the write lock first: no lock upgrade deadlock
    schema_lock = None
    driver_errors = (sqlite3.Error,)
    # For users: where their work lives, without a server's file path.
    description = "Scénarios enregistrés sur ce serveur (base locale)."

    @staticmethod
    def has_column(db, table: str, column: str) -> bool:
        return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})").fetchall())

    def __init__(self, path: Path):
        self.path = path
        self.location = f"fichier SQLite {path}"

    def connect(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self.translate_error(exc) if isinstance(exc, sqlite3.OperationalError) else StoreError(
                f"Impossible d'ouvrir la base de scénarios {self.path} : {exc}.") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            conn.close()
            raise self.translate_error(exc) from exc
        return conn

    @staticmethod
    def sql(query: str) -> str:
        return query

    def check_pages(self, conn) -> None:
        """Before a write: SQLite's own check of every page. A damaged file is refused (and
        left as it is) rather than written beside broken pages."""
        problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(problem)

    def translate_error(self, exc: Exception) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError):
            text = str(exc)
            if "unable to open database file" in text or "readonly" in text or "read-only" in text:
                return StoreError(
                    f"La base de scénarios {self.path} ne peut pas être écrite : le dossier de travail "
                    "est en lecture seule (ou plein). Vérifiez ses droits, ou choisissez un autre "
                    "dossier avec la variable CPTS_WORKSPACE. Rien n'a été enregistré.")
            if "locked" in text or "busy" in text:
                return StoreError("La base de scénarios est occupée par un autre enregistrement : "
                                  "réessayez dans un instant.")
            return StoreError(f"Erreur de la base de scénarios {self.path} : {exc}.")
        return CorruptStoreError(
            f"Le fichier {self.path} n'est pas une base de scénarios lisible (fichier endommagé "
            f"ou d'un autre type : {exc}). Il n'a pas été modifié. Déplacez-le ou renommez-le "
            "pour repartir d'une base vide, ou choisissez un autre dossier de travail avec la "
            "variable CPTS_WORKSPACE.")


class _Postgres:
    begin = "BEGIN"
    # Two sessions creating the tables at once would collide in the catalog.
    schema_lock = "SELECT pg_advisory_xact_lock(5171)"
    description = "Scénarios enregistrés dans la base PostgreSQL partagée."

    @staticmethod
    def has_column(db, table: str, column: str) -> bool:
        return db.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                          "current_schema() AND table_name = :t AND column_name = :c",
                          {"t": table, "c": column}).fetchone() is not None

    def check_pages(self, conn) -> None:
        """PostgreSQL checks its own pages (checksums); nothing to do here."""

    def __init__(self, url: str):
        import psycopg  # only when PostgreSQL is used

        self.psycopg = psycopg
        self.url = url
        try:
            info = psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise StoreError("DATABASE_URL illisible : attendu "
                             "postgresql://utilisateur@hôte:port/base.") from exc
        self.location = (f"PostgreSQL {info.get('host', 'localhost')}:{info.get('port', 5432)}"
                         f"/{info.get('dbname', '')}")
        self.driver_errors = (psycopg.Error,)

    def connect(self):
        try:
            return self.psycopg.connect(self.url, connect_timeout=PG_CONNECT_TIMEOUT_S, autocommit=True)
        except self.psycopg.Error as exc:
            raise self.translate_error(exc) from exc

    @staticmethod
    def sql(query: str) -> str:
        return _pyformat(query)

    def translate_error(self, exc: Exception) -> StoreError:
        if isinstance(exc, self.psycopg.OperationalError):
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return StoreUnavailableError(
                f"Base PostgreSQL injoignable ({self.location}) : {reason}. Vérifiez DATABASE_URL "
                "et que le serveur est démarré ; sans DATABASE_URL, les scénarios sont enregistrés "
                "dans un fichier SQLite local.")
        return StoreError(f"Erreur de la base PostgreSQL ({self.location}) : {exc}.")


@lru_cache(maxsize=64)
def _pyformat(query: str) -> str:
    """`:name` -> `%(name)s` (psycopg's style)."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", query)


class _Db:
    """One connection in use: queries in the common `:name` style."""

    def __init__(self, conn, backend):
        self.conn, self.backend = conn, backend

    def execute(self, query: str, params: dict | None = None):
        return self.conn.execute(self.backend.sql(query), params or {})


def open_store(database_url: str | None = None, sqlite_path: str | Path | None = None) -> "Store":
    """The store the app uses: PostgreSQL at `database_url` (default: DATABASE_URL), else
    the SQLite file `sqlite_path` (default: <workspace>/scenarios.sqlite)."""
    url = database_url or os.environ.get("DATABASE_URL")
    if url and not sqlite_path:
        return Store(_Postgres(url))
    try:
        path = Path(sqlite_path) if sqlite_path else workspace_dir() / "scenarios.sqlite"
    except OSError as exc:
        raise StoreError(f"Dossier de travail inaccessible ({exc}) : vérifiez CPTS_WORKSPACE.") from exc
    return Store(_SQLite(path))


# --- the store ---------------------------------------------------------------------

class Store:
    """Scenarios in one base (see open_store). Each call opens its own connection, so one
    Store can serve every thread of the app."""

    def __init__(self, backend):
        self.backend = backend
        self.location = backend.location  # for administrators' error messages
        self.description = backend.description
        with self._connection(write=True) as db:
            if backend.schema_lock:
                db.execute(backend.schema_lock)
            for statement in SCHEMA:
                db.execute(statement)
            if not backend.has_column(db, "versions", "manual_population"):  # a base from before
                db.execute("ALTER TABLE versions ADD COLUMN manual_population TEXT NOT NULL DEFAULT ''")
            db.execute("INSERT INTO store_info (key, value) SELECT 'schema', :v WHERE NOT EXISTS "
                       "(SELECT 1 FROM store_info WHERE key = 'schema')", {"v": str(SCHEMA_VERSION)})
            found = int(db.execute("SELECT value FROM store_info WHERE key = 'schema'").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise StoreError(f"La base de scénarios ({self.location}) a été créée par une version plus "
                             "récente de l'application : mettez l'application à jour.")

    @contextmanager
    def _connection(self, write: bool = False):
        """A connection for one operation; with `write`, one transaction committed at the end
        (rolled back on any error, so a failed save changes nothing)."""
        conn = self.backend.connect()
        try:
            if write:
                self.backend.check_pages(conn)
                conn.execute(self.backend.begin)
            yield _Db(conn, self.backend)
            if write:
                conn.execute("COMMIT")
        except BaseException as exc:
            if write:
                try:
                    conn.execute("ROLLBACK")
                except self.backend.driver_errors:
                    pass
            if isinstance(exc, self.backend.driver_errors):
                raise self.backend.translate_error(exc) from exc
            raise
        finally:
            conn.close()

    # --- reading ---------------------------------------------------------------------

    def _select(self, db: _Db, where: str, params: dict) -> list[tuple[Scenario, str, dict]]:
        rows = db.execute(SELECT_VERSIONS + where, params).fetchall()
        return [_from_row(row) for row in rows]

    def _current(self, db: _Db, scenario_id: str) -> Scenario:
        found = self._select(db, "WHERE s.id = :id AND v.version = s.version", {"id": scenario_id})
        if not found:
            raise ScenarioNotFoundError(f"Aucun scénario d'identifiant {scenario_id} dans {self.location}.")
        return found[0][0]

    def load(self, scenario_id: str, version: int | None = None) -> Scenario:
        """The current version, or version `version` from the history."""
        with self._connection() as db:
            if version is None:
                return self._current(db, scenario_id)
            found = self._select(db, "WHERE s.id = :id AND v.version = :version",
                                 {"id": scenario_id, "version": version})
        if not found:
            raise ScenarioNotFoundError(f"Le scénario {scenario_id} n'a pas de version {version}.")
        return found[0][0]

    def scenarios(self, include_deleted: bool = False) -> list[Scenario]:
        """Current versions by name; deleted ones only with `include_deleted` (the bin)."""
        with self._connection() as db:
            found = [s for s, _, _ in self._select(db, "WHERE v.version = s.version", {})]
        found = [s for s in found if include_deleted or not s.deleted]
        return sorted(found, key=lambda s: (s.name.casefold(), s.created_at))

    def history(self, scenario_id: str) -> list[Change]:
        """Every version, oldest first, with what each one changed."""
        with self._connection() as db:
            rows = self._select(db, "WHERE s.id = :id ORDER BY v.version", {"id": scenario_id})
        if not rows:
            raise ScenarioNotFoundError(f"Aucun scénario d'identifiant {scenario_id} dans {self.location}.")
        return [Change(s, action, tuple(ch.get("added", ())), tuple(ch.get("removed", ())),
                       {k: tuple(v) for k, v in ch.get("fields", {}).items()},
                       tuple(ch["copied_from"]) if ch.get("copied_from") else None)
                for s, action, ch in rows]

    # --- live sessions -------------------------------------------------------------------

    def publish_live(self, live_id: str, perimeter: Perimeter) -> None:
        """Make `perimeter` what followers of session `live_id` see (created on first call)."""
        with self._connection(write=True) as db:
            db.execute("INSERT INTO live_sessions (id, name, codes, updated_at, ended) "
                       "VALUES (:id, :name, :codes, :at, 0) ON CONFLICT (id) DO UPDATE SET "
                       "name = :name, codes = :codes, updated_at = :at, ended = 0",
                       {"id": live_id, "name": perimeter.name,
                        "codes": json.dumps(perimeter.sorted_codes()), "at": now().isoformat()})

    def end_live(self, live_id: str) -> None:
        """Followers are told the session ended; they keep the last perimeter shown."""
        with self._connection(write=True) as db:
            db.execute("UPDATE live_sessions SET ended = 1, updated_at = :at WHERE id = :id",
                       {"id": live_id, "at": now().isoformat()})

    def live(self, live_id: str) -> LiveSession | None:
        """The session's current perimeter, or None when no such session exists."""
        with self._connection() as db:
            row = db.execute("SELECT name, codes, updated_at, ended FROM live_sessions WHERE id = :id",
                             {"id": live_id}).fetchone()
        if row is None:
            return None
        name, codes, updated_at, ended = row
        return LiveSession(Perimeter(name, json.loads(codes)), datetime.fromisoformat(updated_at),
                           bool(ended))

    # --- writing ---------------------------------------------------------------------

    def save(self, scenario: Scenario, expected_version: int | None = None) -> Scenario:
        """Create the scenario (no id yet) or save a new version of it. `expected_version`
        (default: the scenario's own) is the version the edit started from; if the base
        holds another, ConflictError and nothing is written."""
        scenario = validate(scenario)
        if scenario.id is None:
            return self._create(scenario, "create")
        expected = scenario.version if expected_version is None else expected_version
        content = {k: getattr(scenario, k) for k in (*FIELDS, "codes")}
        return self._update(scenario.id, expected, scenario.author, "save",
                            lambda current: replace(current, **content))

    def save_as_copy(self, scenario: Scenario, name: str | None = None) -> Scenario:
        """A new scenario with this content (e.g. after a ConflictError, to keep both); its
        name is `name` or « <name> (copie) », made distinct from the other scenarios'."""
        scenario = validate(replace(scenario, name=name or scenario.name))
        copied_from = (scenario.id, scenario.version) if scenario.id else None
        return self._create(scenario, "copy", copied_from, fresh_name=name is None)

    def duplicate(self, scenario_id: str, author: str = "", name: str | None = None) -> Scenario:
        return self.save_as_copy(replace(self.load(scenario_id), author=author), name)

    def rename(self, scenario_id: str, name: str, expected_version: int, author: str = "") -> Scenario:
        name = validate(Scenario(name)).name
        return self._update(scenario_id, expected_version, author, "rename",
                            lambda current: replace(current, name=name))

    def delete(self, scenario_id: str, expected_version: int, author: str = "") -> Scenario:
        """Soft delete: a new version marked deleted; `restore` brings it back."""
        return self._update(scenario_id, expected_version, author, "delete",
                            lambda current: replace(current, deleted=True))

    def restore(self, scenario_id: str, expected_version: int, author: str = "",
                version: int | None = None) -> Scenario:
        """Undelete the scenario, and with `version`, bring back that version's content (as
        a new version: the ones in between stay in the history)."""
        old = self.load(scenario_id, version) if version is not None else None
        content = {k: getattr(old, k) for k in (*FIELDS, "codes")} if old else {}
        return self._update(scenario_id, expected_version, author, "restore",
                            lambda current: replace(current, deleted=False, **content))

    def _create(self, scenario: Scenario, action: str, copied_from=None,
                fresh_name: bool = False) -> Scenario:
        at = now()
        with self._connection(write=True) as db:
            name = self._free_copy_name(db, scenario.name) if fresh_name else scenario.name
            created = replace(scenario, name=name, id=uuid.uuid4().hex, version=1,
                              created_at=at, updated_at=at, deleted=False)
            db.execute("INSERT INTO scenarios (id, version, created_at) VALUES (:id, 1, :at)",
                       {"id": created.id, "at": at.isoformat()})
            changes = diff(replace(created, codes=frozenset()), created) | {"copied_from": copied_from}
            self._record(db, created, action, changes)
        return created

    def _update(self, scenario_id: str, expected: int, author: str, action: str, change) -> Scenario:
        with self._connection(write=True) as db:
            before = self._current(db, scenario_id)
            if before.version != expected:
                raise ConflictError(before, expected)
            if before.deleted and action != "restore":
                raise ScenarioDeletedError(
                    f"« {before.name} » est supprimé : restaurez-le avant de le modifier, ou "
                    "enregistrez une copie.")
            after = validate(replace(change(before), version=expected + 1, author=author,
                                     updated_at=now()))
            moved = db.execute("UPDATE scenarios SET version = :new WHERE id = :id AND version = :old",
                               {"new": after.version, "id": scenario_id, "old": expected})
            if moved.rowcount != 1:  # another session committed between our read and write
                raise ConflictError(self._current(db, scenario_id), expected)
            self._record(db, after, action, diff(before, after))
        return after

    def _record(self, db: _Db, s: Scenario, action: str, changes: dict) -> None:
        db.execute(
            "INSERT INTO versions (scenario_id, version, action, author, saved_at, name, codes, "
            "porteur, statut, notes, manual_population, deleted, changes) VALUES (:id, :version, "
            ":action, :author, :at, :name, :codes, :porteur, :statut, :notes, :manual, :deleted, "
            ":changes)",
            {"id": s.id, "version": s.version, "action": action, "author": s.author,
             "at": s.updated_at.isoformat(), "name": s.name, "codes": json.dumps(sorted(s.codes)),
             "porteur": s.porteur, "statut": s.statut, "notes": s.notes,
             "manual": s.manual_population, "deleted": int(s.deleted), "changes": json.dumps(changes, ensure_ascii=False)})

    def _free_copy_name(self, db: _Db, name: str) -> str:
        taken = {s.name for s, _, _ in self._select(db, "WHERE v.version = s.version", {})
                 if not s.deleted}
        for k in range(1, 10_000):
            suffix = " (copie)" if k == 1 else f" (copie {k})"
            candidate = name[:MAX_NAME_CHARS - len(suffix)] + suffix
            if candidate not in taken:
                return candidate
        raise InvalidScenarioError(f"Trop de copies de « {name} » : choisissez un autre nom.")


def _from_row(row) -> tuple[Scenario, str, dict]:
    (sid, version, created_at, saved_at, author, name, codes, porteur, statut, notes,
     deleted, action, changes, manual) = row
    scenario = Scenario(name, frozenset(json.loads(codes)), porteur, statut, notes, author, sid,
                        int(version), datetime.fromisoformat(created_at),
                        datetime.fromisoformat(saved_at), bool(deleted), manual or "")
    return scenario, action, json.loads(changes)
