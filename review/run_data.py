"""A run folder, loaded read-only and validated against the output contract's records."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.output.records import Actor, ArticleRecord, ErrorRecord, StatementRecord
from pipeline.runs import layout
from review.errors import RunDataError

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class RunData:
    """Articles and statements in file order, with lookups by id."""

    run_dir: Path
    articles: dict[str, ArticleRecord]
    statements: dict[str, StatementRecord]
    errors: list[ErrorRecord] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    def statements_of(self, article_id: str) -> list[StatementRecord]:
        return [s for s in self.statements.values() if s.article_id == article_id]

    def known_actors(self) -> dict[str, Actor]:
        """Every holder and target by canonical name (first seen wins), to complete corrected holders."""
        actors: dict[str, Actor] = {}
        for statement in self.statements.values():
            for actor in (statement.holder, statement.target, statement.speaker):
                if actor is not None:
                    actors.setdefault(actor.name, actor)
        return actors


def _read_records(path: Path, model: type[R]) -> list[R]:
    records = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise RunDataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    records.append(model.model_validate_json(line))
                except ValidationError as exc:
                    problem = exc.errors()[0]
                    where = ".".join(str(p) for p in problem["loc"]) or "record"
                    raise RunDataError(
                        f"{path}:{number}: not a valid {model.__name__} ({where}: {problem['msg']})"
                    ) from exc
        except UnicodeDecodeError as exc:
            raise RunDataError(f"{path}: not UTF-8 text") from exc
    return records


def _unique(records: list[R], key: str, path: Path) -> dict[str, R]:
    by_id: dict[str, R] = {}
    for number, record in enumerate(records, start=1):
        value = getattr(record, key)
        if value in by_id:
            raise RunDataError(f"{path}: record {number} repeats {key} {value}")
        by_id[value] = record
    return by_id


def load_run(run_dir: Path) -> RunData:
    """Read articles, statements (required), errors and manifest (when present) from ``run_dir``.

    Raises RunDataError naming the folder, file and line of the first problem.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunDataError(f"{run_dir}: run folder not found (expected the --out folder of `stance run`)")
    for name in (layout.ARTICLES, layout.STATEMENTS):
        if not (run_dir / name).is_file():
            raise RunDataError(f"{run_dir / name}: missing; is {run_dir} the output folder of `stance run`?")
    articles = _unique(
        _read_records(run_dir / layout.ARTICLES, ArticleRecord), "article_id", run_dir / layout.ARTICLES
    )
    statements_path = run_dir / layout.STATEMENTS
    statements = _unique(_read_records(statements_path, StatementRecord), "statement_id", statements_path)
    for number, statement in enumerate(statements.values(), start=1):
        article = articles.get(statement.article_id)
        if article is None:
            raise RunDataError(
                f"{statements_path}: statement {statement.statement_id} (record {number}) refers to "
                f"article {statement.article_id}, which is not in {layout.ARTICLES}"
            )
        if article.text[statement.char_start : statement.char_end] != statement.text:
            raise RunDataError(
                f"{statements_path}: statement {statement.statement_id} (record {number}): the evidence "
                f"does not match the article text at {statement.char_start}..{statement.char_end}"
            )
    errors_path = run_dir / layout.ERRORS
    errors = _read_records(errors_path, ErrorRecord) if errors_path.is_file() else []
    return RunData(run_dir, articles, statements, errors, _read_manifest(run_dir / layout.MANIFEST))


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunDataError(f"{path}: malformed JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise RunDataError(f"{path}: expected a JSON object")
    return manifest
