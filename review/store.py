"""Analysts' corrections in an embedded SQLite database: an append-only table of events.

Nothing is updated or deleted: an undo is one more event naming the event it cancels, so
the history of who changed what, and when, is kept. ``corrections.effective`` folds a
statement's remaining events into its current correction.
"""

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from review.errors import CorrectionError, ReviewError

Action = Literal["accept", "relabel", "holder", "target", "reject", "undo"]
ACTIONS: tuple[str, ...] = ("accept", "relabel", "holder", "target", "reject", "undo")
STATEMENT_ID = re.compile(r"^[0-9a-f]{16}$")
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id   TEXT NOT NULL CHECK (length(statement_id) = 16),
    action         TEXT NOT NULL
                   CHECK (action IN ('accept', 'relabel', 'holder', 'target', 'reject', 'undo')),
    label          TEXT,
    holder_mention TEXT,
    holder_name    TEXT,
    target_mention TEXT,
    undoes         INTEGER REFERENCES events (id),
    reviewer       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    origin         TEXT NOT NULL DEFAULT 'app'
);
CREATE INDEX IF NOT EXISTS events_by_statement ON events (statement_id, id);
"""


@dataclass(frozen=True)
class Event:
    id: int
    statement_id: str
    action: Action
    reviewer: str
    created_at: str
    label: str | None = None
    holder_mention: str | None = None
    holder_name: str | None = None
    target_mention: str | None = None
    undoes: int | None = None
    origin: str = "app"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CorrectionStore:
    """One SQLite file; a connection per operation, so the app's worker threads never share one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            with self._connect() as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version not in (0, SCHEMA_VERSION):
                    raise ReviewError(f"{self.path}: corrections schema {version} is newer than this app")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ReviewError(f"{self.path}: not a corrections database ({exc})") from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            with db:  # commits, or rolls back on an exception
                yield db
        finally:
            db.close()

    def append(
        self,
        statement_id: str,
        action: Action,
        reviewer: str,
        *,
        label: str | None = None,
        holder_mention: str | None = None,
        holder_name: str | None = None,
        target_mention: str | None = None,
        origin: str = "app",
    ) -> Event:
        if action not in ACTIONS or action == "undo":
            raise CorrectionError(f"unknown action '{action}'")
        return self._insert(
            statement_id,
            action,
            reviewer,
            label=label,
            holder_mention=holder_mention,
            holder_name=holder_name,
            target_mention=target_mention,
            origin=origin,
        )

    def undo(self, statement_id: str, reviewer: str) -> Event:
        """Cancel the statement's latest event that is still in effect; raises when there is none."""
        remaining = self.active_events(statement_id).get(statement_id, [])
        if not remaining:
            raise CorrectionError(f"statement {statement_id} has no correction to undo")
        return self._insert(statement_id, "undo", reviewer, undoes=remaining[-1].id)

    def _insert(self, statement_id: str, action: str, reviewer: str, **values: object) -> Event:
        if not STATEMENT_ID.match(statement_id):
            raise CorrectionError(f"'{statement_id}' is not a statement id")
        if not reviewer.strip():
            raise CorrectionError("a correction needs a reviewer name")
        row = {"statement_id": statement_id, "action": action, "reviewer": reviewer, "created_at": now()}
        row.update({k: v for k, v in values.items() if v is not None})
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._connect() as db:
            cursor = db.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", tuple(row.values()))
            event_id = cursor.lastrowid
            fetched = db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return _event(fetched)

    def events(self, statement_id: str | None = None) -> list[Event]:
        """Every event, undo events included, oldest first."""
        with self._connect() as db:
            if statement_id is None:
                rows = db.execute("SELECT * FROM events ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    "SELECT * FROM events WHERE statement_id = ? ORDER BY id", (statement_id,)
                ).fetchall()
        return [_event(row) for row in rows]

    def active_events(self, statement_id: str | None = None) -> dict[str, list[Event]]:
        """The events still in effect (not undo events, not undone), by statement, oldest first."""
        events = self.events(statement_id)
        undone = {e.undoes for e in events if e.action == "undo"}
        active: dict[str, list[Event]] = {}
        for event in events:
            if event.action != "undo" and event.id not in undone:
                active.setdefault(event.statement_id, []).append(event)
        return active


def _event(row: sqlite3.Row) -> Event:
    return Event(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (sqlite3.Row has no __iter__ of keys)
