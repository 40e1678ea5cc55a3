"""Run the pipeline over the development set and score extraction and classification."""

from collections import defaultdict
from typing import Any

from spacy.language import Language

from pipeline import STANCE_LABELS
from pipeline.evaluate.devset import FLAGS, DevItem, GoldStatement
from pipeline.evaluate.matching import actor_matches, match_statements, prf, same_sentence
from pipeline.extract import process_articles
from pipeline.ingest import IngestConfig, InputError, RawDocument, clean_document
from pipeline.output.records import StatementRecord
from pipeline.stance.classifier import StanceClassifier
from pipeline.stance.cues import attach_cues
from pipeline.stance.data import Example
from pipeline.stance.metrics import evaluate_logits

WHOLE_ARTICLE_PARTS = frozenset({"shared-sample"})


def predict_items(
    items: list[DevItem], nlp: Language, classifier: StanceClassifier, shared_root
) -> dict[str, list[StatementRecord]]:
    """Predicted statements per item: sentence items alone, article items in their article."""
    config = IngestConfig()
    documents: list[tuple[list[DevItem], RawDocument]] = []
    by_article: dict[str, list[DevItem]] = defaultdict(list)
    for item in items:
        if item.part in WHOLE_ARTICLE_PARTS:
            by_article[item.corpus].append(item)
        else:
            raw = RawDocument(source=item.id, text=item.text, format="text", speaker=item.speaker_country)
            documents.append(([item], raw))
    for corpus, members in by_article.items():
        text = (shared_root / corpus).resolve().read_text(encoding="utf-8")
        documents.append((members, RawDocument(source=corpus, text=text, format="text")))
    cleaned, owners = [], []
    for members, raw in documents:
        try:
            cleaned.append(clean_document(raw, config))
        except InputError:
            continue  # a sentence that cleans to nothing predicts nothing
        owners.append(members)
    results = process_articles(cleaned, nlp, classifier)
    predicted: dict[str, list[StatementRecord]] = {item.id: [] for item in items}
    unclaimed: list[StatementRecord] = []
    for members, result in zip(owners, results, strict=True):
        if len(members) == 1 and members[0].part not in WHOLE_ARTICLE_PARTS:
            predicted[members[0].id] = list(result.statements)
            continue
        for statement in result.statements:
            owner = next((m for m in members if same_sentence(m.text, statement.text)), None)
            if owner is None:
                unclaimed.append(statement)
            else:
                predicted[owner.id].append(statement)
    predicted["__unannotated__"] = unclaimed
    return predicted


def score_extraction(items: list[DevItem], predicted: dict[str, list[StatementRecord]]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        predictions = predicted.get(item.id, [])
        pairs = match_statements(item.statements, predictions)
        counts["gold"] += len(item.statements)
        counts["predicted"] += len(predictions)
        counts["holder_tp"] += len(pairs)
        counts["stance_tp"] += sum(1 for g, p in pairs if g.stance == p.stance)
        for gold, statement in pairs:
            _count_role(counts, "speaker", gold.speaker, None, "person", statement.speaker)
            _count_role(counts, "target", gold.target, gold.target_country, None, statement.target)
            for flag in FLAGS:
                counts[f"{flag}_gold"] += flag in gold.flags
                counts[f"{flag}_predicted"] += bool(getattr(statement, flag))
                counts[f"{flag}_tp"] += flag in gold.flags and bool(getattr(statement, flag))
    extra = (
        len(predicted.get("__unannotated__", [])) if any(i.part in WHOLE_ARTICLE_PARTS for i in items) else 0
    )
    predicted_total = counts["predicted"] + extra
    return {
        "sentences": len(items),
        "statement_recall": counts["holder_tp"] / counts["gold"] if counts["gold"] else 0.0,
        "holder": prf(counts["holder_tp"], predicted_total, counts["gold"]),
        "holder_and_stance": prf(counts["stance_tp"], predicted_total, counts["gold"]),
        "speaker": prf(counts["speaker_tp"], counts["speaker_predicted"], counts["speaker_gold"]),
        "target": prf(counts["target_tp"], counts["target_predicted"], counts["target_gold"]),
        "flags": {f: prf(counts[f"{f}_tp"], counts[f"{f}_predicted"], counts[f"{f}_gold"]) for f in FLAGS},
        "predictions_outside_annotated_sentences": extra,
    }


def statement_outcomes(
    items: list[DevItem], predicted: dict[str, list[StatementRecord]]
) -> list[dict[str, Any]]:
    """One row per gold statement and per unmatched prediction, for reading the errors: 'match'
    (right holder and stance), 'wrong-stance', 'missed' (no prediction with the gold holder) or
    'extra' (a prediction no gold statement claims; in a whole article, also one outside the
    annotated sentences)."""
    rows: list[dict[str, Any]] = []
    for item in items:
        predictions = predicted.get(item.id, [])
        pairs = {id(gold): statement for gold, statement in match_statements(item.statements, predictions)}
        claimed = {id(statement) for statement in pairs.values()}
        for gold in item.statements:
            statement = pairs.get(id(gold))
            if statement is None:
                rows.append(_outcome("missed", item, gold, None))
            else:
                kind = "match" if statement.stance == gold.stance else "wrong-stance"
                rows.append(_outcome(kind, item, gold, statement))
        rows.extend(_outcome("extra", item, None, s) for s in predictions if id(s) not in claimed)
    for statement in predicted.get("__unannotated__", []):
        rows.append(_outcome("extra", None, None, statement))
    return rows


def _outcome(
    kind: str, item: DevItem | None, gold: GoldStatement | None, statement: StatementRecord | None
) -> dict[str, Any]:
    return {
        "outcome": kind,
        "part": item.part if item else None,  # None: a whole article's sentence nobody annotated
        "item": item.id if item else None,
        "sentence": item.text if item else statement.text if statement else None,
        "gold_holder": gold.holder if gold else None,
        "gold_stance": gold.stance if gold else None,
        "gold_target": gold.target if gold else None,
        **prediction_fields(statement),
    }


def prediction_fields(statement: StatementRecord | None) -> dict[str, Any]:
    """What an error row shows of a prediction (all None where there is none)."""
    return {
        "holder": statement.holder.name if statement else None,
        "holder_mention": statement.holder.mention if statement else None,
        "cue": statement.cue if statement else None,
        "target": statement.target.name if statement and statement.target else None,
        "stance": statement.stance if statement else None,
        "confidence": statement.confidence if statement else None,
    }


def _count_role(counts, role: str, name: str | None, country: str | None, kind: str | None, actor) -> None:
    """Speaker/target scored on matched statements; a gold target that is no actor (a
    proposal, a measure) is not counted as missed."""
    gold_is_actor = name is not None and (role == "speaker" or country is not None)
    counts[f"{role}_gold"] += gold_is_actor
    counts[f"{role}_predicted"] += actor is not None
    counts[f"{role}_tp"] += gold_is_actor and actor_matches(name, country, kind, actor)


def classifier_rows(
    items: list[DevItem], classifier: StanceClassifier, nlp: Language, *, extractor_targets: bool = False
) -> list[tuple[Example, list[float]]]:
    """The classifier's logits for the gold holder of every gold statement, with its gold target
    or, with ``extractor_targets``, the target the extractor finds, as in a run. Computed once
    per evaluation and scored per part and overall."""
    examples = [
        Example(
            text=item.text,
            holder=statement.holder_mention,
            target=statement.target,
            label=statement.stance,
            batch=item.part,
            holder_start=item.text.find(statement.holder_mention),
        )
        for item in items
        for statement in item.statements
    ]
    inputs = [e.to_input() for e in attach_cues(examples, nlp, extractor_targets=extractor_targets)]
    return list(zip(examples, classifier.logits(inputs), strict=True))


def score_rows(
    rows: list[tuple[Example, list[float]]], temperature: float, part: str | None = None
) -> dict[str, Any]:
    chosen = [(example, logits) for example, logits in rows if part is None or example.batch == part]
    return evaluate_logits(
        [row for _, row in chosen], [e.label for e, _ in chosen], STANCE_LABELS, temperature
    )


def evaluate(
    items: list[DevItem],
    nlp: Language,
    classifier: StanceClassifier,
    shared_root,
    outcomes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report; with ``outcomes``, also one row per gold and unmatched statement appended to it."""
    predicted = predict_items(items, nlp, classifier, shared_root)
    if outcomes is not None:
        outcomes.extend(statement_outcomes(items, predicted))
    gold_targets = classifier_rows(items, classifier, nlp)
    extractor_targets = classifier_rows(items, classifier, nlp, extractor_targets=True)
    temperature = classifier.metadata.temperature

    def classifier_scores(part: str | None) -> dict[str, Any]:
        return {
            "classifier_on_gold_holders": score_rows(gold_targets, temperature, part),
            "classifier_with_extractor_targets": score_rows(extractor_targets, temperature, part),
        }

    parts = sorted({item.part for item in items})
    report: dict[str, Any] = {"model": classifier.tag, "parts": {}}
    for part in parts:
        members = [item for item in items if item.part == part]
        part_predicted = {i.id: predicted[i.id] for i in members}
        if part in WHOLE_ARTICLE_PARTS:
            part_predicted["__unannotated__"] = predicted["__unannotated__"]
        report["parts"][part] = {
            "extraction": score_extraction(members, part_predicted),
            **classifier_scores(part),
        }
    report["all"] = {"extraction": score_extraction(items, predicted), **classifier_scores(None)}
    return report


__all__ = ["GoldStatement", "evaluate"]
