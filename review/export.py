"""What leaves the review app: training examples, and the run merged with its corrections.

Every export is computed from the run (read-only) and the corrections database; the machine
output files are never changed. Statement order is the run's file order, so the same
corrections always give the same bytes.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.output.derived import spreadsheet_safe
from pipeline.output.jsonio import dumps
from review.corrections import Reviewed
from review.run_data import RunData

REVIEWED_FOR_TRAINING = ("accepted", "corrected")


@dataclass(frozen=True)
class ExportFormat:
    file_name: str
    media_type: str
    description: str


# Fixed file names: nothing a request or a record holds ever becomes part of a path.
FORMATS: dict[str, ExportFormat] = {
    "training": ExportFormat(
        "training.jsonl",
        "application/x-ndjson",
        "accepted and corrected statements as labelled examples for `stance train --extra-data`",
    ),
    "jsonl": ExportFormat(
        "merged.jsonl", "application/x-ndjson", "every statement with its corrections applied (JSON Lines)"
    ),
    "csv": ExportFormat("merged.csv", "text/csv", "every statement with its corrections applied (CSV)"),
    "labelstudio": ExportFormat(
        "labelstudio-tasks.json", "application/json", "Label Studio tasks with predictions and annotations"
    ),
    "labelstudio-config": ExportFormat(
        "labelstudio-config.xml", "application/xml", "the Label Studio labeling configuration for those tasks"
    ),
}


@dataclass
class TrainingExport:
    examples: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (statement_id, why)

    def text(self) -> str:
        return "".join(dumps(example) + "\n" for example in self.examples)


def training_example(item: Reviewed) -> dict[str, Any]:
    """One example in the classifier's training format (see pipeline.stance.data.parse_example)."""
    sentence = item.record.text
    holder = item.correction.holder_mention
    return {
        "text": sentence,
        "holder": holder,
        "holder_start": sentence.find(holder),
        "target": item.target.mention if item.target else None,
        "label": item.stance,
        "phenomena": [],  # the analysts confirm the label, not phenomenon tags
    }


def training_export(reviewed: Iterable[Reviewed]) -> TrainingExport:
    """Accepted and corrected statements; "not a statement" and unreviewed ones give nothing.

    A holder found by coreference ('She added ...') has a mention outside the evidence
    sentence: such a statement is skipped, with the reason, until an analyst gives the holder
    words that appear in the sentence.
    """
    export = TrainingExport()
    for item in reviewed:
        if item.status not in REVIEWED_FOR_TRAINING:
            continue
        if not item.holder_in_sentence:
            export.skipped.append(
                (
                    item.statement_id,
                    f"holder '{item.correction.holder_mention}' is not in the evidence sentence; "
                    "fix the holder with words from the sentence",
                )
            )
            continue
        export.examples.append(training_example(item))
    return export


def merged_record(item: Reviewed) -> dict[str, Any]:
    """The machine record with the effective stance, holder and target, and a ``review`` block.

    ``confidence`` and ``scores`` stay the classifier's; ``review.machine`` keeps what it said.
    """
    record = item.record
    merged = record.model_dump(mode="json")
    merged["stance"] = item.stance
    merged["holder"] = item.holder.model_dump(mode="json")
    merged["target"] = item.target.model_dump(mode="json") if item.target else None
    correction = item.correction
    merged["review"] = {
        "status": correction.status,
        "removed": correction.status == "rejected",
        "reviewer": correction.reviewer,
        "reviewed_at": correction.reviewed_at,
        "machine": {
            "stance": record.stance,
            "holder": record.holder.model_dump(mode="json"),
            "target": record.target.model_dump(mode="json") if record.target else None,
        },
    }
    return merged


def merged_jsonl(reviewed: Iterable[Reviewed]) -> str:
    return "".join(dumps(merged_record(item)) + "\n" for item in reviewed)


CSV_COLUMNS = (
    "statement_id",
    "article_id",
    "article_title",
    "sentence_index",
    "char_start",
    "char_end",
    "text",
    "holder_name",
    "holder_mention",
    "holder_type",
    "holder_country_code",
    "target_name",
    "target_mention",
    "speaker_name",
    "cue",
    "stance",
    "machine_stance",
    "confidence",
    "negated",
    "conditional",
    "hedged",
    "review_status",
    "removed",
    "reviewer",
    "reviewed_at",
    "model",
)
_cell = spreadsheet_safe


def merged_csv(reviewed: Sequence[Reviewed], run: RunData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in reviewed:
        record, correction = item.record, item.correction
        article = run.articles[record.article_id]
        row = (
            record.statement_id,
            record.article_id,
            article.title or "",
            record.sentence_index,
            record.char_start,
            record.char_end,
            record.text,
            item.holder.name,
            item.holder.mention,
            item.holder.type,
            item.holder.country_code or "",
            item.target.name if item.target else "",
            item.target.mention if item.target else "",
            record.speaker.name if record.speaker else "",
            record.cue,
            item.stance,
            record.stance,
            f"{record.confidence:.4f}",
            record.negated,
            record.conditional,
            record.hedged,
            correction.status,
            correction.status == "rejected",
            correction.reviewer or "",
            correction.reviewed_at or "",
            record.model,
        )
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def export_text(fmt: str, reviewed: Sequence[Reviewed], run: RunData) -> str:
    """The file's content for one of FORMATS."""
    from review import labelstudio

    if fmt == "training":
        return training_export(reviewed).text()
    if fmt == "jsonl":
        return merged_jsonl(reviewed)
    if fmt == "csv":
        return merged_csv(reviewed, run)
    if fmt == "labelstudio":
        return json.dumps(labelstudio.tasks(reviewed, run), ensure_ascii=False, indent=2) + "\n"
    if fmt == "labelstudio-config":
        return labelstudio.LABELING_CONFIG
    raise ValueError(f"unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
