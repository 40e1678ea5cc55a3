"""The effective view of a statement: the machine record with the analysts' corrections applied.

A statement's events still in effect are folded oldest first: ``relabel``, ``holder`` and
``target`` replace a field, ``accept`` confirms the statement as it stands, ``reject`` marks it
"not a statement", and any later correction brings it back. Pure functions; no I/O.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline import STANCE_LABELS
from pipeline.output.records import Actor, StatementRecord
from review.errors import CorrectionError
from review.run_data import RunData
from review.store import Event

Status = Literal["unreviewed", "accepted", "corrected", "rejected"]
STATUSES: tuple[str, ...] = ("unreviewed", "accepted", "corrected", "rejected")
MAX_WORDS = 200


@dataclass(frozen=True)
class Correction:
    status: Status
    label: str
    holder_mention: str
    holder_name: str
    target_mention: str | None
    holder_changed: bool
    target_changed: bool
    reviewer: str | None = None
    reviewed_at: str | None = None
    events: int = 0


@dataclass(frozen=True)
class Reviewed:
    """One statement as the analysts see it now."""

    record: StatementRecord
    correction: Correction
    holder: Actor
    target: Actor | None

    @property
    def statement_id(self) -> str:
        return self.record.statement_id

    @property
    def stance(self) -> str:
        return self.correction.label

    @property
    def status(self) -> Status:
        return self.correction.status

    @property
    def label_changed(self) -> bool:
        return self.correction.label != self.record.stance

    @property
    def holder_in_sentence(self) -> bool:
        return self.correction.holder_mention in self.record.text


def effective(record: StatementRecord, events: Sequence[Event]) -> Correction:
    """Fold the events still in effect (oldest first) over the machine's record."""
    label = record.stance
    holder_mention, holder_name = record.holder.mention, record.holder.name
    target_mention = record.target.mention if record.target else None
    target_changed = rejected = False
    for event in events:
        if event.action == "relabel" and event.label:
            label = event.label
        elif event.action == "holder" and event.holder_mention:
            holder_mention, holder_name = event.holder_mention, event.holder_name or event.holder_mention
        elif event.action == "target":
            target_mention, target_changed = event.target_mention, True
        rejected = event.action == "reject"
    holder_changed = (holder_mention, holder_name) != (record.holder.mention, record.holder.name)
    machine_target = record.target.mention if record.target else None
    target_changed = target_changed and target_mention != machine_target
    if not events:
        status: Status = "unreviewed"
    elif rejected:
        status = "rejected"
    elif label != record.stance or holder_changed or target_changed:
        status = "corrected"
    else:
        status = "accepted"
    last = events[-1] if events else None
    return Correction(
        status=status,
        label=label,
        holder_mention=holder_mention,
        holder_name=holder_name,
        target_mention=target_mention,
        holder_changed=holder_changed,
        target_changed=target_changed,
        reviewer=last.reviewer if last else None,
        reviewed_at=last.created_at if last else None,
        events=len(events),
    )


class ActorIndex:
    """The run's actors by canonical name and by mention, to complete a corrected holder or target."""

    def __init__(self, run: RunData) -> None:
        self.by_name = run.known_actors()
        self.by_mention: dict[str, Actor] = {}
        for actor in self.by_name.values():
            self.by_mention.setdefault(actor.mention, actor)

    def canonical_name(self, words: str) -> str:
        """'Ankara' -> 'Türkiye' when the run resolved that mention before; else the words."""
        known = self.by_name.get(words) or self.by_mention.get(words)
        return known.name if known else words

    def actor(self, name: str, mention: str) -> Actor:
        known = self.by_name.get(name)
        if known is not None:
            return known.model_copy(update={"mention": mention})
        return Actor(name=name, mention=mention, type="other")


def review(record: StatementRecord, events: Sequence[Event], actors: ActorIndex) -> Reviewed:
    correction = effective(record, events)
    holder = record.holder
    if correction.holder_changed:
        holder = actors.actor(correction.holder_name, correction.holder_mention)
    target = record.target
    if correction.target_changed:
        mention = correction.target_mention
        target = actors.actor(actors.canonical_name(mention), mention) if mention else None
    return Reviewed(record=record, correction=correction, holder=holder, target=target)


def review_all(run: RunData, active: dict[str, list[Event]]) -> list[Reviewed]:
    """Every statement of the run in file order, with its corrections."""
    actors = ActorIndex(run)
    return [review(s, active.get(s.statement_id, []), actors) for s in run.statements.values()]


def check_label(label: str) -> str:
    if label not in STANCE_LABELS:
        raise CorrectionError(f"unknown stance '{label}'; choose one of {', '.join(STANCE_LABELS)}")
    return label


def check_words(sentence: str, words: str, what: str) -> str:
    """The analyst's words, trimmed; they must occur verbatim in the evidence sentence."""
    words = words.strip()
    if not words:
        raise CorrectionError(f"give the {what} words as they appear in the sentence")
    if len(words) > MAX_WORDS:
        raise CorrectionError(f"the {what} words are longer than {MAX_WORDS} characters")
    if words not in sentence:
        raise CorrectionError(
            f"the {what} words '{words}' do not occur in the evidence sentence; "
            "copy them exactly as written there (case and punctuation included)"
        )
    return words


def check_name(name: str | None, words: str, actors: ActorIndex) -> str:
    name = " ".join((name or "").split())
    if len(name) > MAX_WORDS:
        raise CorrectionError(f"the canonical name is longer than {MAX_WORDS} characters")
    return name or actors.canonical_name(words)
