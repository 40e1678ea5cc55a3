"""Label Studio round trip: tasks out (machine predictions, analysts' annotations), annotations in.

A task's ``data`` holds the evidence sentence and the machine's reading of it; the labeling
config below gives annotators a single-choice ``stance`` (the five labels and "not a
statement") and two text areas, ``holder`` and ``target``, for words to use instead of the
machine's (left empty when the machine got them right; ``(none)`` removes the target; a
holder may be written ``words | canonical name`` when the name is not the one the run
gives those words, e.g. ``She | Ingrid Solvang``).
Importing folds the latest submitted annotation of each task into the corrections database
as ordinary events, appending only what differs from the current correction.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline import STANCE_LABELS
from review.corrections import (
    ActorIndex,
    Correction,
    Reviewed,
    check_label,
    check_name,
    check_words,
    effective,
)
from review.errors import CorrectionError, ImportFormatError
from review.run_data import RunData
from review.store import CorrectionStore

NOT_A_STATEMENT = "not a statement"
NO_TARGET = "(none)"
NAME_SEPARATOR = " | "  # holder text area: 'words | canonical name' when the name is not found from the words
STANCE_CONTROL, HOLDER_CONTROL, TARGET_CONTROL, TEXT_OBJECT = "stance", "holder", "target", "text"
STATEMENT_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_IMPORT_BYTES = 50 * 1024 * 1024

_CHOICES = "\n".join(f'    <Choice value="{label}"/>' for label in (*STANCE_LABELS, NOT_A_STATEMENT))
LABELING_CONFIG = f"""<View>
  <Header value="$article_title" size="6"/>
  <Header value="$context" size="5"/>
  <Text name="{TEXT_OBJECT}" value="$text"/>
  <Choices name="{STANCE_CONTROL}" toName="{TEXT_OBJECT}" choice="single" showInline="true" required="true">
{_CHOICES}
  </Choices>
  <TextArea name="{HOLDER_CONTROL}" toName="{TEXT_OBJECT}" maxSubmissions="1" editable="true"
            placeholder="Holder words from the sentence if wrong (words | canonical name)"/>
  <TextArea name="{TARGET_CONTROL}" toName="{TEXT_OBJECT}" maxSubmissions="1" editable="true"
            placeholder="Target words from the sentence, only if wrong; {NO_TARGET} for no target"/>
</View>
"""


def _choice(label: str) -> dict[str, Any]:
    return {
        "id": STANCE_CONTROL,
        "from_name": STANCE_CONTROL,
        "to_name": TEXT_OBJECT,
        "type": "choices",
        "value": {"choices": [label]},
    }


def _textarea(control: str, text: str) -> dict[str, Any]:
    return {
        "id": control,
        "from_name": control,
        "to_name": TEXT_OBJECT,
        "type": "textarea",
        "value": {"text": [text]},
    }


def task(item: Reviewed, run: RunData, actors: ActorIndex) -> dict[str, Any]:
    record, correction = item.record, item.correction
    machine_target = record.target.mention if record.target else NO_TARGET
    data = {
        "text": record.text,
        "statement_id": record.statement_id,
        "article_id": record.article_id,
        "article_title": run.articles[record.article_id].title or run.articles[record.article_id].source,
        "holder": record.holder.mention,
        "holder_name": record.holder.name,
        "target": machine_target,
        "cue": record.cue,
        "context": f"holder: {record.holder.mention} ({record.holder.name}) · cue: {record.cue} · "
        f"target: {machine_target}",
        "reviewed_by": correction.reviewer or "",
    }
    result = {
        "data": data,
        "predictions": [
            {"model_version": record.model, "score": record.confidence, "result": [_choice(record.stance)]}
        ],
    }
    if correction.status != "unreviewed":
        result["annotations"] = [{"result": _annotation_result(correction, actors), "was_cancelled": False}]
    return result


def _annotation_result(correction: Correction, actors: ActorIndex) -> list[dict[str, Any]]:
    if correction.status == "rejected":
        return [_choice(NOT_A_STATEMENT)]
    items = [_choice(correction.label)]
    if correction.holder_changed:
        holder = correction.holder_mention
        if correction.holder_name != actors.canonical_name(holder):
            holder = f"{holder}{NAME_SEPARATOR}{correction.holder_name}"
        items.append(_textarea(HOLDER_CONTROL, holder))
    if correction.target_changed:
        items.append(_textarea(TARGET_CONTROL, correction.target_mention or NO_TARGET))
    return items


def tasks(reviewed: Sequence[Reviewed], run: RunData) -> list[dict[str, Any]]:
    actors = ActorIndex(run)
    return [task(item, run, actors) for item in reviewed]


@dataclass
class ImportReport:
    tasks: int = 0
    changed: int = 0
    unchanged: int = 0
    not_annotated: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Wanted:
    rejected: bool
    label: str | None = None
    holder: tuple[str, str] | None = None  # (words, canonical name)
    target: tuple[str | None] | None = None  # a 1-tuple, so that "no target" differs from "not given"
    reviewer: str = ""


def parse_tasks(raw: bytes) -> list[Any]:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFormatError(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        tasks_ = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"not a Label Studio JSON export ({exc})") from exc
    if not isinstance(tasks_, list):
        raise ImportFormatError("a Label Studio JSON export is a list of tasks")
    return tasks_


def import_tasks(raw: bytes, run: RunData, store: CorrectionStore, reviewer: str) -> ImportReport:
    """Apply each task's latest submitted annotation; tasks with problems are reported and skipped."""
    report = ImportReport()
    actors = ActorIndex(run)
    active = store.active_events()
    for number, obj in enumerate(parse_tasks(raw), start=1):
        report.tasks += 1
        try:
            statement_id, wanted = _read_task(obj, run, actors, reviewer)
        except CorrectionError as exc:
            report.problems.append(f"task {number}: {exc}")
            continue
        if wanted is None:
            report.not_annotated += 1
            continue
        record = run.statements[statement_id]
        current = effective(record, active.get(statement_id, []))
        appended = _apply(statement_id, wanted, current, store)
        report.events += appended
        if appended:
            report.changed += 1
        else:
            report.unchanged += 1
    return report


def _read_task(obj: Any, run: RunData, actors: ActorIndex, reviewer: str) -> tuple[str, _Wanted | None]:
    data = obj.get("data") if isinstance(obj, dict) else None
    if not isinstance(data, dict):
        raise CorrectionError("not a task (no 'data' object)")
    statement_id = data.get("statement_id")
    if not isinstance(statement_id, str) or not STATEMENT_ID.match(statement_id):
        raise CorrectionError("data.statement_id is missing or not a statement id")
    record = run.statements.get(statement_id)
    if record is None:
        raise CorrectionError(f"statement {statement_id} is not in this run")
    annotations = [
        a
        for a in obj.get("annotations") or []
        if isinstance(a, dict) and not a.get("was_cancelled") and isinstance(a.get("result"), list)
    ]
    if not annotations:
        return statement_id, None
    latest = max(enumerate(annotations), key=lambda p: (str(p[1].get("updated_at") or ""), p[0]))[1]
    choice = holder_words = target_words = None
    for item in latest["result"]:
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            continue
        name, value = item.get("from_name"), item["value"]
        if name == STANCE_CONTROL and item.get("type") == "choices":
            choice = _first(value.get("choices"))
        elif name == HOLDER_CONTROL and item.get("type") == "textarea":
            holder_words = _first(value.get("text"))
        elif name == TARGET_CONTROL and item.get("type") == "textarea":
            target_words = _first(value.get("text"))
    if choice is None:
        raise CorrectionError(f"statement {statement_id}: the annotation has no '{STANCE_CONTROL}' choice")
    who = _annotator(latest.get("completed_by")) or reviewer
    if choice == NOT_A_STATEMENT:
        return statement_id, _Wanted(rejected=True, reviewer=who)
    holder = target = None
    if holder_words:
        words, _, name = holder_words.partition(NAME_SEPARATOR.strip())
        words = check_words(record.text, words, "holder")
        holder = (words, check_name(name, words, actors))
    if target_words:
        target = (
            (None,)
            if target_words.strip() == NO_TARGET
            else (check_words(record.text, target_words, "target"),)
        )
    return statement_id, _Wanted(False, check_label(choice), holder, target, who)


def _first(values: object) -> str | None:
    if isinstance(values, list):
        for value in values:
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _annotator(completed_by: object) -> str | None:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    if (
        isinstance(completed_by, str | int)
        and not isinstance(completed_by, bool)
        and str(completed_by).strip()
    ):
        return f"labelstudio:{completed_by}"[:120]
    return None


def _apply(statement_id: str, wanted: _Wanted, current: Correction, store: CorrectionStore) -> int:
    """Append the events that turn ``current`` into ``wanted``; returns how many."""
    origin, who = "labelstudio", wanted.reviewer
    if wanted.rejected:
        if current.status == "rejected":
            return 0
        store.append(statement_id, "reject", who, origin=origin)
        return 1
    count = 0
    if wanted.holder and wanted.holder != (current.holder_mention, current.holder_name):
        words, name = wanted.holder
        store.append(statement_id, "holder", who, holder_mention=words, holder_name=name, origin=origin)
        count += 1
    if wanted.target and wanted.target[0] != current.target_mention:
        store.append(statement_id, "target", who, target_mention=wanted.target[0], origin=origin)
        count += 1
    if wanted.label != current.label:
        store.append(statement_id, "relabel", who, label=wanted.label, origin=origin)
        count += 1
    if count == 0 and current.status in ("unreviewed", "rejected"):
        store.append(statement_id, "accept", who, origin=origin)
        count += 1
    return count
