"""The output folder of a run, as one object: where a run's output is written, and how a rerun
knows what is done.

Open it with ``with RunFolder(out_dir, version) as folder:``. Opening takes an exclusive lock
(only one run writes to a folder at a time), opens the state store and repairs the folder: a
new processing version (a new model or pipeline version) moves the earlier files to
``previous/<version>/`` and starts again; bytes past the last commit (a run killed mid-batch)
are cut off. Then ``plan`` says which read articles are new, changed or already done,
``commit`` writes one batch and ``finish`` writes the errors, the derived files and, last,
the manifest.

A batch is committed in two steps: its lines are appended to ``articles.jsonl`` and
``statements.jsonl`` and flushed to disk, then one SQLite transaction records its articles, the
new file lengths and its statements' tallies. A run that dies between or during the two steps
leaves bytes past the committed length, which the next run cuts off, so the files hold whole
batches only, each exactly once.
"""

import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.errors import visible
from pipeline.ingest import CleanArticle, InputError, ReadResult
from pipeline.output.derived import write_derived
from pipeline.output.jsonio import dumps, write_json, write_jsonl
from pipeline.output.records import ErrorRecord
from pipeline.runs import layout
from pipeline.runs.manifest import build_manifest
from pipeline.runs.store import StateError, StateStore

if TYPE_CHECKING:  # types only: the run folder does not depend on the extractor or the settings
    from pipeline.extract import ArticleResult
    from pipeline.settings import Settings

__all__ = ["Plan", "Recovery", "RunFolder", "RunSummary", "StateError", "processing_version"]


def processing_version(settings: "Settings") -> str:
    """What the state store keys finished articles by: the model(s) and the pipeline versions."""
    # imported here: the model packages pull in torch, which a rerun with nothing to do never needs
    if settings.attribution.enabled:
        from pipeline.attribution.model import read_attribution_metadata

        return f"{read_attribution_metadata(settings.attribution.model_dir).tag}+pipeline-{__version__}"
    from pipeline.stance.artefact import read_metadata

    return f"{read_metadata(settings.stance.model_dir).tag}+pipeline-{__version__}"


@dataclass(frozen=True)
class Recovery:
    """What opening the folder repaired: bytes cut from each file, the archived generation."""

    truncated: dict[str, int]
    archived_to: Path | None = None

    def messages(self, version: str) -> list[str]:
        lines = [
            f"resuming: cut {count} uncommitted bytes from {name}" for name, count in self.truncated.items()
        ]
        if self.archived_to is not None:
            lines.append(
                f"new processing version {version}: earlier output moved to {visible(self.archived_to)}"
            )
        return lines


@dataclass
class Plan:
    """Which read articles this run processes, and which it skips and why."""

    new: list[CleanArticle] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunSummary:
    """What a finished run returns: the manifest, this run's input errors and the warnings of
    opening the folder (the CLI prints them; nothing needs to read the files again)."""

    manifest: dict[str, Any]
    errors: list[ErrorRecord]
    warnings: list[str]
    report: str = field(repr=False, default="")


class RunFolder:
    """An output folder of ``stance run``; see the module docstring."""

    def __init__(
        self, path: Path, version: str, state_file: str = layout.STATE_FILE, *, repair: bool = True
    ) -> None:
        """``repair=False`` opens the folder without repairing it: an earlier version's files stay
        where they are and bytes past the last commit stay uncut until ``repair()`` is called, so
        a caller that only plans leaves the repair to the run that reports it."""
        self.path = Path(path)
        self.version = version
        self.state_file = state_file
        self._repair_on_open = repair
        self.recovery = Recovery(truncated={})
        self.processed = self.statements = 0  # what this run committed
        self._lock_handle: int | None = None
        self._store: StateStore | None = None

    @classmethod
    def for_settings(cls, path: Path, settings: "Settings", *, repair: bool = True) -> "RunFolder":
        return cls(path, processing_version(settings), settings.state_file, repair=repair)

    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def store(self) -> StateStore:
        if self._store is None:
            raise StateError(f"{self.file(self.state_file)}: the state store is not open")
        return self._store

    # -- opening and closing -------------------------------------------------------------
    def __enter__(self) -> "RunFolder":
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._store = StateStore(self.file(self.state_file), self.version)
            if self._repair_on_open:
                self.repair()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._lock_handle is not None:
            os.close(self._lock_handle)  # closing releases the lock
            self._lock_handle = None

    def _lock(self) -> None:
        handle = os.open(self.file(layout.LOCK), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            raise StateError(
                f"{self.path}: another stance run is writing to this output folder; "
                "wait for it to finish or choose another --out"
            ) from None
        self._lock_handle = handle

    # -- repairs on opening ----------------------------------------------------------------
    def repair(self) -> None:
        """Archive an earlier version's files and cut a killed run's bytes (``recovery`` says what)."""
        self.recovery = self._recover()

    def _recover(self) -> Recovery:
        store = self.store
        generation = store.generation()
        archived = None
        if generation is None and any(self._size(name) for name in layout.RECORD_FILES):
            # record files written without a state store (an older release): keep them aside
            archived = self._archive("unversioned")
        elif generation is not None and generation != self.version:
            archived = self._archive(generation)
        if archived is not None or generation != self.version:
            store.begin_generation()
            for name in layout.RECORD_FILES:
                if not self.file(name).exists():
                    self.file(name).touch(mode=0o644)
        truncated = self._truncate(store.committed())
        if store.tallies_stale:
            store.rebuild_tallies(self.file(layout.STATEMENTS))
        return Recovery(truncated=truncated, archived_to=archived)

    def _truncate(self, committed: dict[str, int]) -> dict[str, int]:
        """Cut what a killed run wrote past the last commit."""
        truncated = {}
        for name, length in committed.items():
            size = self._size(name)
            if size > length:
                with self.file(name).open("r+b") as handle:
                    handle.truncate(length)
                    os.fsync(handle.fileno())
                truncated[name] = size - length
            elif size < length:
                raise StateError(
                    f"{self.file(name)}: file is shorter ({size} bytes) than the state store "
                    f"says was committed ({length}); it was changed outside stance. Move the "
                    "output folder aside and run again."
                )
        return truncated

    def _size(self, name: str) -> int:
        path = self.file(name)
        return path.stat().st_size if path.exists() else 0

    def _archive(self, generation: str) -> Path:
        """Move an earlier version's files to previous/<version>/."""
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in generation)
        target = self.file(layout.PREVIOUS) / safe
        target.mkdir(parents=True, exist_ok=True)
        for name in layout.OUTPUT_FILES.values():
            if self.file(name).exists():
                shutil.move(self.file(name), target / name)
        return target

    # -- planning and committing -----------------------------------------------------------
    def plan(self, read: ReadResult) -> Plan:
        """New or changed articles are processed; those this version already did are skipped."""
        plan = Plan(duplicate=list(read.duplicates))
        for article in read.articles:
            if self.store.is_done(article.article_id):
                plan.unchanged.append(article.source)
                continue
            previous = self.store.known_source(article.source)
            if previous is not None and previous != article.article_id:
                plan.changed.append(article.source)
            plan.new.append(article)
        return plan

    def commit(self, results: Sequence["ArticleResult"]) -> int:
        """Append one batch to the record files, then record it; returns the batch number."""
        if not results:
            return 0
        statements = [s for r in results for s in r.statements]
        chunks = {layout.ARTICLES: _lines(r.article for r in results), layout.STATEMENTS: _lines(statements)}
        committed = self.store.committed()
        sizes = {
            name: committed[name] + _append(self.file(name), data, committed[name])
            for name, data in chunks.items()
        }
        batch = self.store.record_batch([(r.article, len(r.statements)) for r in results], statements, sizes)
        self.processed += len(results)
        self.statements += len(statements)
        return batch

    # -- finishing -------------------------------------------------------------------------
    def finish(
        self,
        *,
        inputs: Sequence[str],
        plan: Plan,
        errors: Sequence[InputError],
        runner: dict[str, Any],
        started: datetime,
        clock: float,
        settings: "Settings",
    ) -> RunSummary:
        """Derived outputs, errors and the manifest (written last: it describes the committed
        files)."""
        records = [ErrorRecord(source=e.source, error=e.kind, message=e.message) for e in errors]
        report = write_derived(self.path, len(records))
        manifest = build_manifest(
            inputs=inputs,
            processed=self.processed,
            statements=self.statements,
            plan=plan,
            failed=len(records),
            totals=self.store.totals(),
            tallies=self.store.tallies(),
            version=self.version,
            runner=runner,
            started=started.isoformat(),
            finished=datetime.now(UTC).isoformat(),
            seconds=time.perf_counter() - clock,
            settings=settings.model_dump(mode="json"),
        )
        write_jsonl(self.file(layout.ERRORS), records)
        write_json(self.file(layout.MANIFEST), manifest)
        return RunSummary(manifest, records, self.recovery.messages(self.version), report)


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
