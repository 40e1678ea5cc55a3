"""The state store: an SQLite file in the output folder (``state.sqlite`` by default).

It records which article (by content hash) each processing version has handled, how many bytes
of each record file are committed, where each source last went, and the statements per holder
and stance (the manifest's tallies, kept as batches are committed). The record files themselves
are written by :class:`pipeline.runs.folder.RunFolder`.
"""

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import StanceError
from pipeline.output.records import ArticleRecord, StatementRecord
from pipeline.runs import layout

STATE_SCHEMA_VERSION = "2"  # 2: the holder/stance tallies
SCHEMA = """
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
CREATE TABLE IF NOT EXISTS sources (source TEXT PRIMARY KEY, article_id TEXT NOT NULL, version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tallies (
    holder TEXT NOT NULL,
    stance TEXT NOT NULL,
    statements INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,  -- the position of the first such statement in statements.jsonl
    PRIMARY KEY (holder, stance)
);
"""


class StateError(StanceError):
    """The output folder's state store cannot be used (locked, corrupt, unwritable)."""


Tallies = dict[str, dict[str, int]]  # holder -> stance -> statements, both in order of first appearance


class StateStore:
    """The SQLite side of a run folder; every write is one transaction."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.version = version
        self.tallies_stale = False  # a schema-1 store: no tallies yet, rebuilt from the file
        try:
            self.db = sqlite3.connect(path, isolation_level=None)  # explicit transactions
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            found = self.meta("schema_version")
            if found == "1":
                with self.transaction() as db:
                    db.execute("DELETE FROM tallies")
                    db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (STATE_SCHEMA_VERSION,)
                    )
                self.tallies_stale = True
            elif found is None:
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (STATE_SCHEMA_VERSION,))
            elif found != STATE_SCHEMA_VERSION:
                raise StateError(f"{path}: state schema {found}, expected {STATE_SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StateError(f"{path}: cannot use the state store ({exc})") from exc

    def close(self) -> None:
        if getattr(self, "db", None) is not None:
            self.db.close()
            self.db = None

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- generations ---------------------------------------------------------------------
    def generation(self) -> str | None:
        """The processing version the record files were written by (None: never written)."""
        return self.meta("version")

    def begin_generation(self) -> None:
        """This version's files start empty: forget the committed lengths, sources and tallies."""
        with self.transaction() as db:
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM sources")
            db.execute("DELETE FROM tallies")
            # rows an earlier generation of this same version left (model A, then B, then A
            # again) would mark unwritten articles done
            db.execute("DELETE FROM articles WHERE version = ?", (self.version,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self.version,))
        self.tallies_stale = False

    def committed(self) -> dict[str, int]:
        rows = dict(self.db.execute("SELECT name, committed_bytes FROM files").fetchall())
        return {name: int(rows.get(name, 0)) for name in layout.RECORD_FILES}

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

    def tallies(self) -> Tallies:
        """Statements per holder and stance over the committed files, in file order."""
        rows = self.db.execute(
            "SELECT holder, stance, statements, MIN(first_seen) OVER (PARTITION BY holder) AS seen "
            "FROM tallies ORDER BY seen, first_seen"
        ).fetchall()
        result: Tallies = {}
        for holder, stance, statements, _ in rows:
            result.setdefault(holder, {})[stance] = statements
        return result

    # -- writing -------------------------------------------------------------------------
    def record_batch(
        self,
        articles: Sequence[tuple[ArticleRecord, int]],
        statements: Sequence[StatementRecord],
        sizes: dict,
    ) -> int:
        """One transaction: the batch's articles (with their statement counts), the sources,
        the tallies and the new committed file lengths; returns the batch number."""
        now = datetime.now(UTC).isoformat()
        with self.transaction() as db:
            (batch, seen) = db.execute(
                "SELECT COALESCE(MAX(batch), 0) + 1, COALESCE(SUM(statements), 0) FROM articles "
                "WHERE version = ?",
                (self.version,),
            ).fetchone()
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                [(a.article_id, self.version, a.source, batch, n, now) for a, n in articles],
            )
            db.executemany(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)",
                [(a.source, a.article_id, self.version) for a, _ in articles],
            )
            _add_tallies(db, ((s.holder.name, s.stance) for s in statements), seen)
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", list(sizes.items()))
        return batch

    def rebuild_tallies(self, statements_file: Path) -> None:
        """Tallies for a store from before they were kept: counted once from the committed file."""
        with statements_file.open(encoding="utf-8") as handle:
            pairs = [(r["holder"]["name"], r["stance"]) for r in map(json.loads, handle)]
        with self.transaction() as db:
            db.execute("DELETE FROM tallies")
            _add_tallies(db, pairs, 0)
        self.tallies_stale = False


def _add_tallies(db: sqlite3.Connection, pairs: Iterable[tuple[str, str]], seen: int) -> None:
    counts: dict[tuple[str, str], list[int]] = {}
    for position, pair in enumerate(pairs, start=seen):
        counts.setdefault(pair, [0, position])[0] += 1
    db.executemany(
        "INSERT INTO tallies VALUES (?, ?, ?, ?) "
        "ON CONFLICT (holder, stance) DO UPDATE SET statements = statements + excluded.statements",
        [(holder, stance, n, first) for (holder, stance), (n, first) in counts.items()],
    )
