"""The incremental-run state store: an SQLite file in the output folder.

It records which article (by content hash) each processing version has handled, and how many
bytes of each record file are committed. A batch is committed in two steps: its lines are
appended to ``articles.jsonl`` and ``statements.jsonl`` and flushed to disk, then one SQLite
transaction records its articles and the new file lengths. A run that dies between or during
the two steps leaves bytes past the committed length; the next run cuts them off before it
starts, so the files hold whole batches only, each exactly once.

A different processing version (a new model or pipeline version) starts a new generation:
the previous record files move to ``previous/<version>/`` and every article is processed again.
Only one run may write to an output folder at a time (an exclusive lock on ``.lock``).
"""

import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from pipeline.errors import StanceError
from pipeline.extract import ArticleResult
from pipeline.output.jsonio import dumps
from pipeline.run import OUTPUT_FILES

STATE_SCHEMA_VERSION = "1"
# the files that grow batch by batch; errors and manifest are replaced whole on every run
RECORD_FILES = (OUTPUT_FILES["articles"], OUTPUT_FILES["statements"])


class StateError(StanceError):
    """The output folder's state store cannot be used (locked, corrupt, unwritable)."""


@dataclass(frozen=True)
class Recovery:
    """What opening the store repaired: bytes cut from each file, archived generation."""

    truncated: dict[str, int]
    archived_to: Path | None = None


class RunState:
    """Open with ``with RunState(out_dir, version) as state:``; see the module docstring."""

    def __init__(self, out_dir: Path, version: str, state_file: str = "state.sqlite") -> None:
        self.out_dir = Path(out_dir)
        self.version = version
        self.path = self.out_dir / state_file
        self._lock_handle: int | None = None
        self._db: sqlite3.Connection | None = None
        self.recovery = Recovery(truncated={})

    # -- opening and closing -------------------------------------------------------------
    def __enter__(self) -> "RunState":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._db = self._connect()
            self.recovery = self._recover()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock_handle is not None:
            os.close(self._lock_handle)  # closing releases the lock
            self._lock_handle = None

    def _lock(self) -> None:
        handle = os.open(self.out_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise StateError(
                f"{self.out_dir}: another stance run is writing to this output folder; "
                "wait for it to finish or choose another --out"
            ) from None
        self._lock_handle = handle

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None)  # explicit transactions
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, committed_bytes INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS articles (
                    article_id TEXT NOT NULL,
                    version TEXT NOT NULL,
                    source TEXT NOT NULL,
                    batch INTEGER NOT NULL,
                    statements INTEGER NOT NULL,
                    processed_at TEXT NOT NULL,
                    PRIMARY KEY (article_id, version)
                );
                CREATE TABLE IF NOT EXISTS sources (
                    source TEXT PRIMARY KEY, article_id TEXT NOT NULL, version TEXT NOT NULL
                );
                """
            )
            found = self._meta(db, "schema_version")
            if found is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (STATE_SCHEMA_VERSION,))
            elif found != STATE_SCHEMA_VERSION:
                raise StateError(f"{self.path}: state schema {found}, expected {STATE_SCHEMA_VERSION}")
            return db
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: cannot use the state store ({exc})") from exc

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StateError(f"{self.path}: the state store is not open")
        return self._db

    # -- recovery and generations ----------------------------------------------------------
    def _committed(self) -> dict[str, int]:
        rows = dict(self.db.execute("SELECT name, committed_bytes FROM files").fetchall())
        return {name: int(rows.get(name, 0)) for name in RECORD_FILES}

    def _recover(self) -> Recovery:
        generation = self._meta(self.db, "version")
        archived = None
        if generation is None and any(self._size(name) for name in RECORD_FILES):
            # record files written without a state store (an older release): keep them aside
            archived = self._archive("unversioned")
        elif generation is not None and generation != self.version:
            archived = self._archive(generation)
        if archived is not None or generation != self.version:
            self._begin_generation()
        truncated = {}
        for name, committed in self._committed().items():
            size = self._size(name)
            if size > committed:
                with (self.out_dir / name).open("r+b") as handle:
                    handle.truncate(committed)
                    os.fsync(handle.fileno())
                truncated[name] = size - committed
            elif size < committed:
                raise StateError(
                    f"{self.out_dir / name}: file is shorter ({size} bytes) than the state store "
                    f"says was committed ({committed}); it was changed outside stance. Move the "
                    "output folder aside and run again."
                )
        return Recovery(truncated=truncated, archived_to=archived)

    def _size(self, name: str) -> int:
        path = self.out_dir / name
        return path.stat().st_size if path.exists() else 0

    def _archive(self, generation: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in generation)
        target = self.out_dir / "previous" / safe
        target.mkdir(parents=True, exist_ok=True)
        for name in OUTPUT_FILES.values():
            source = self.out_dir / name
            if source.exists():
                shutil.move(source, target / name)
        return target

    def _begin_generation(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM sources")
            # the new generation's files start empty: rows an earlier generation of this same
            # version left (model A, then B, then A again) would mark unwritten articles done
            db.execute("DELETE FROM articles WHERE version = ?", (self.version,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self.version,))
        for name in RECORD_FILES:
            path = self.out_dir / name
            if not path.exists():
                path.touch(mode=0o644)

    def _transaction(self) -> "_Transaction":
        return _Transaction(self.db)

    # -- queries -------------------------------------------------------------------------
    def is_done(self, article_id: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE article_id = ? AND version = ?", (article_id, self.version)
        ).fetchone()
        return row is not None

    def known_source(self, source: str) -> str | None:
        """The article id last committed for ``source`` in this generation, if any."""
        row = self.db.execute("SELECT article_id FROM sources WHERE source = ?", (source,)).fetchone()
        return row[0] if row else None

    def totals(self) -> dict[str, int]:
        articles, statements, batches = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(statements), 0), COALESCE(MAX(batch), 0) "
            "FROM articles WHERE version = ?",
            (self.version,),
        ).fetchone()
        return {"articles": articles, "statements": statements, "batches": batches}

    # -- committing ----------------------------------------------------------------------
    def commit_batch(self, results: Sequence[ArticleResult]) -> int:
        """Append one batch to the record files, then record it; returns the batch number."""
        if not results:
            return 0
        chunks = {
            OUTPUT_FILES["articles"]: _lines(r.article for r in results),
            OUTPUT_FILES["statements"]: _lines(s for r in results for s in r.statements),
        }
        committed = self._committed()
        new_sizes = {}
        for name, data in chunks.items():
            new_sizes[name] = committed[name] + _append(self.out_dir / name, data, committed[name])
        now = datetime.now(UTC).isoformat()
        with self._transaction() as db:
            (batch,) = db.execute(
                "SELECT COALESCE(MAX(batch), 0) + 1 FROM articles WHERE version = ?", (self.version,)
            ).fetchone()
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (r.article.article_id, self.version, r.article.source, batch, len(r.statements), now)
                    for r in results
                ],
            )
            db.executemany(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)",
                [(r.article.source, r.article.article_id, self.version) for r in results],
            )
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", list(new_sizes.items()))
        return batch


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _lines(records: Iterable) -> bytes:
    return "".join(dumps(record) + "\n" for record in records).encode("utf-8")


def _append(path: Path, data: bytes, offset: int) -> int:
    """Write ``data`` at ``offset`` (the committed end) and flush it to disk."""
    with path.open("r+b" if path.exists() else "w+b") as handle:
        handle.seek(offset)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
    return len(data)
