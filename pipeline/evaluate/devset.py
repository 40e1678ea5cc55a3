"""Load the real-text development set: gold statements plus the text they point at.

Each line of ``corpora/devset/*.jsonl`` references a sentence in the shared corpora (a
PLOVER record id, or character offsets into a file) with the SHA-1 of that sentence, so the
repository holds no copy of the text and a changed source is detected.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline import STANCE_LABELS
from pipeline.evaluate.errors import DevSetError

FLAGS = ("negated", "conditional", "hedged")  # the surface cues a gold statement records


def sha1(text: str) -> str:
    """The hash a reference stores of the text it points at."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class GoldStatement:
    holder: str
    holder_mention: str
    holder_country: str | None
    holder_type: str
    speaker: str | None
    target: str | None
    target_country: str | None
    stance: str
    flags: tuple[str, ...]
    # fields of the real-news gold (corpora/guardian); the older dev set leaves them unset
    affiliation: str | None = None
    affiliation_country: str | None = None
    speaker_mention: str | None = None
    target_mention: str | None = None
    cue: str | None = None


@dataclass(frozen=True)
class DevItem:
    id: str
    part: str  # the devset file it came from: 'plover-gsr', 'ungdc', 'shared-sample'
    corpus: str
    text: str  # the referenced sentence
    start: int | None  # offsets in the referenced file (None for PLOVER records)
    end: int | None
    speaker_country: str | None
    statements: tuple[GoldStatement, ...]


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _records(path: Path) -> tuple[tuple[str, str], ...]:
    """(id, text) of every record of a JSON list file, parsed once per process."""
    return tuple((record.get("id", ""), record.get("text", "")) for record in json.loads(_read(path)))


def _gold(obj: dict, where: str) -> GoldStatement:
    if obj.get("stance") not in STANCE_LABELS:
        raise DevSetError(f"{where}: unknown stance {obj.get('stance')!r}")
    try:
        return GoldStatement(
            holder=obj["holder"],
            holder_mention=obj["holder_mention"],
            holder_country=obj.get("holder_country"),
            holder_type=obj.get("holder_type") or "other",
            speaker=obj.get("speaker"),
            target=obj.get("target"),
            target_country=obj.get("target_country"),
            stance=obj["stance"],
            flags=tuple(obj.get("flags") or ()),
        )
    except KeyError as exc:
        raise DevSetError(f"{where}: gold statement lacks {exc}") from exc


def resolve_text(line: dict, shared: Path, where: str) -> tuple[str, int | None, int | None]:
    """The sentence a reference points at, checked against its SHA-1."""
    path = (shared / line["corpus"]).resolve()
    if not path.is_file():
        raise DevSetError(f"{where}: referenced file {path} is missing")
    locator = line["locator"]
    if "record_index" in locator or "record_id" in locator:
        records = _records(path)
        start = end = None
        if "record_index" in locator:  # record ids repeat in PLOVER; the index is exact
            index = int(locator["record_index"])
            text = records[index][1] if 0 <= index < len(records) else None
        else:
            text = dict(records).get(locator["record_id"])
        if text is None:
            raise DevSetError(f"{where}: no record {locator} in {path}")
    else:
        start, end = int(locator["start"]), int(locator["end"])
        text = _read(path)[start:end]
    if sha1(text) != line["sha1"]:
        raise DevSetError(f"{where}: the referenced text changed (SHA-1 mismatch)")
    return text, start, end


def load_devset(devset_dir: Path, shared: Path, parts: tuple[str, ...] = ()) -> list[DevItem]:
    """Every item of the devset files (or only of ``parts``, by file stem)."""
    files = sorted(p for p in devset_dir.glob("*.jsonl") if not parts or p.stem in parts)
    if not files:
        raise DevSetError(f"{devset_dir}: no development-set files")
    if not shared.is_dir():
        raise DevSetError(f"{shared}: the shared corpora are not available")
    items = []
    for path in files:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            line = json.loads(raw)
            text, start, end = resolve_text(line, shared, where)
            statements = tuple(_gold(s, where) for s in line["statements"])
            for statement in statements:
                if statement.holder_mention not in text:
                    raise DevSetError(f"{where}: holder mention {statement.holder_mention!r} not in the text")
            items.append(
                DevItem(
                    id=line["id"],
                    part=path.stem,
                    corpus=line["corpus"],
                    text=text,
                    start=start,
                    end=end,
                    speaker_country=line.get("speaker_country"),
                    statements=statements,
                )
            )
    return items
