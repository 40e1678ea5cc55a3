"""Score the real pipeline on whole annotated Guardian articles, with bootstrap intervals.

Every sentence of an article is annotated, so a prediction anywhere in it is either a match
or an extra: precision is measured, not only recall. Predictions are placed in the gold
sentence their evidence overlaps most; within a sentence they are paired one-to-one with
gold statements by holder (annotation guide, section 6).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from pipeline import STANCE_LABELS
from pipeline.attribution.features import QUOTES
from pipeline.evaluate.bootstrap import bootstrap_intervals
from pipeline.evaluate.devset import FLAGS, DevItem, GoldStatement
from pipeline.evaluate.guardian import GoldArticle, GoldSentence
from pipeline.evaluate.matching import (
    actor_matches,
    fold,
    is_acronym_of,
    normalise_name,
    prf,
    ratio,
    same_sentence,
)
from pipeline.evaluate.pairing import best_pairs
from pipeline.evaluate.runner import classifier_rows, prediction_fields, score_rows
from pipeline.extract import process_articles
from pipeline.ingest import IngestConfig, RawDocument, clean_document
from pipeline.output.records import Actor, StatementRecord
from pipeline.stance.classifier import StanceClassifier

if TYPE_CHECKING:
    from pipeline.attribution.attributor import Attributor

STANCES = ("support", "refusal", "mediation")  # the labels the sealed acceptance set measures
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "his", "her", "its", "their", "our", "you"})


def holder_matches(gold: GoldStatement, actor: Actor) -> bool:
    """The predicted holder is the gold holder, or the actor a gold person speaks for.

    A shared country code counts only where the gold holder is the state itself: a group
    or court in a country ("the Syrian opposition") is not its state, and folding it into
    the state is the error this measure must show.
    """
    gold = replace(gold, holder=fold(gold.holder), holder_mention=fold(gold.holder_mention))
    actor = _folded(actor)
    kind = gold.holder_type if gold.holder_type in ("state", "person") else "group-like"
    if actor_matches(gold.holder, gold.holder_country if kind == "state" else None, kind, actor):
        return True
    bodies = kind != "person" and actor.type != "person"
    if bodies and (is_acronym_of(actor.name, gold.holder) or is_acronym_of(gold.holder, actor.name)):
        return True
    if kind == "state" and actor.type == "person" and gold.holder_country:
        return actor.country_code == gold.holder_country  # an official of the state (section 6)
    mention = normalise_name(gold.holder_mention or "").removesuffix("'s")
    if mention and mention not in PRONOUNS and mention == normalise_name(actor.mention).removesuffix("'s"):
        return True
    if gold.affiliation is None:
        return False
    if normalise_name(gold.affiliation) in (normalise_name(actor.name), normalise_name(actor.mention)):
        return True
    return (
        actor.type == "state"
        and bool(gold.affiliation_country)
        and actor.country_code == gold.affiliation_country
    )


def pair(golds: Sequence[GoldStatement], predictions: Sequence[StatementRecord]) -> list[tuple]:
    """The sentence's one pairing (gold, prediction): most holder matches, then most with the
    gold stance. Every count and every outcome row is derived from it."""
    return best_pairs(
        golds, predictions, lambda g, p: holder_matches(g, p.holder), lambda g, p: g.stance == p.stance
    )


def place(sentences: Sequence[GoldSentence], statement: StatementRecord) -> int:
    """Index of the gold sentence the statement's evidence overlaps most."""

    def overlap(sentence: GoldSentence) -> int:
        return min(sentence.end, statement.char_end) - max(sentence.start, statement.char_start)

    return max(range(len(sentences)), key=lambda i: (overlap(sentences[i]), -i))


def _folded(actor: Actor | None) -> Actor | None:
    return (
        None
        if actor is None
        else actor.model_copy(update={"name": fold(actor.name), "mention": fold(actor.mention)})
    )


def _speaker_matches(speaker: str, actor: Actor) -> bool:
    """Both folded: the gold speaker's name and the predicted actor."""
    return actor_matches(speaker, None, "person", actor) or actor_matches(speaker, None, None, actor)


def _role_counts(counts: Counter, gold: GoldStatement, statement: StatementRecord) -> None:
    gold = replace(
        gold, speaker=fold(gold.speaker), target=fold(gold.target), target_mention=fold(gold.target_mention)
    )
    speaker, target = _folded(statement.speaker), _folded(statement.target)
    if gold.speaker is not None:
        counts["speaker_gold"] += 1
        counts["speaker_tp"] += speaker is not None and _speaker_matches(gold.speaker, speaker)
    counts["speaker_predicted"] += statement.speaker is not None
    if gold.target is not None:
        counts["target_gold"] += 1
        counts["target_tp"] += target is not None and (
            actor_matches(gold.target, gold.target_country, None, target)
            or (
                gold.target_mention is not None
                and normalise_name(gold.target_mention) == normalise_name(target.mention)
            )
        )
    counts["target_predicted"] += statement.target is not None
    for flag in FLAGS:
        counts[f"{flag}_gold"] += flag in gold.flags
        counts[f"{flag}_predicted"] += bool(getattr(statement, flag))
        counts[f"{flag}_tp"] += flag in gold.flags and bool(getattr(statement, flag))


def says_it(gold: GoldStatement, statement: StatementRecord) -> bool:
    """The prediction names who says the gold statement's words: its speaker where the gold has
    one (the envoy who disclosed what Tehran decided), else its holder, and no other speaker."""
    if gold.speaker is None:
        return statement.speaker is None and holder_matches(gold, statement.holder)
    return _speaker_matches(fold(gold.speaker), _folded(statement.speaker or statement.holder))


def sentence_counts(sentence: GoldSentence, predictions: Sequence[StatementRecord]) -> Counter:
    """Every count the figures are built from, for one sentence, from its one pairing."""
    golds = sentence.statements
    counts: Counter = Counter(gold=len(golds), predicted=len(predictions))
    pairs = pair(golds, predictions)
    counts["holder_tp"] += len(pairs)
    for gold, statement in pairs:
        _role_counts(counts, gold, statement)
        counts[f"{gold.stance}_tp"] += gold.stance == statement.stance
        counts["stances_holder_tp"] += gold.stance in STANCES
    if QUOTES & set(sentence.text):  # quote attribution: who says each statement of a quoting sentence
        counts["quote_gold"] += len(golds)
        counts["quote_tp"] += sum(1 for g in golds if any(says_it(g, p) for p in predictions))
    for label in STANCE_LABELS:
        counts[f"{label}_gold"] += sum(1 for g in golds if g.stance == label)
        counts[f"{label}_predicted"] += sum(1 for p in predictions if p.stance == label)
    return counts


def figures(counts: Counter) -> dict[str, Any]:
    """The report's figures from summed counts (pure: the bootstrap calls it on every draw)."""

    def labels_prf(labels: Sequence[str]) -> dict[str, float]:
        return prf(
            sum(int(counts[f"{x}_tp"]) for x in labels),
            sum(int(counts[f"{x}_predicted"]) for x in labels),
            sum(int(counts[f"{x}_gold"]) for x in labels),
        )

    stances = labels_prf(STANCES)
    return {
        "statement_recall": ratio(int(counts["holder_tp"]), int(counts["gold"])),
        "holder": prf(int(counts["holder_tp"]), int(counts["predicted"]), int(counts["gold"])),
        "holder_and_stance": labels_prf(STANCE_LABELS),
        "stances": {**stances, "holder_recall": ratio(int(counts["stances_holder_tp"]), stances["gold"])},
        "per_label": {label: labels_prf((label,)) for label in STANCE_LABELS},
        "speaker": prf(
            int(counts["speaker_tp"]), int(counts["speaker_predicted"]), int(counts["speaker_gold"])
        ),
        "target": prf(int(counts["target_tp"]), int(counts["target_predicted"]), int(counts["target_gold"])),
        "quotes": {
            "gold": int(counts["quote_gold"]),
            "right_speaker": ratio(int(counts["quote_tp"]), int(counts["quote_gold"])),
        },
        "flags": {
            f: prf(int(counts[f"{f}_tp"]), int(counts[f"{f}_predicted"]), int(counts[f"{f}_gold"]))
            for f in FLAGS
        },
    }


def _figure(group: str, key: str | None = None):
    return (lambda f: f[group]) if key is None else (lambda f: f[group][key])


# the figures that get a bootstrap interval
HEADLINE = {
    "statement_recall": _figure("statement_recall"),
    **{
        f"{group}.{key}": _figure(group, key)
        for group in ("holder", "holder_and_stance", "stances")
        for key in ("precision", "recall", "f1")
    },
    "stances.holder_recall": _figure("stances", "holder_recall"),
    "speaker.f1": _figure("speaker", "f1"),
    "quotes.right_speaker": _figure("quotes", "right_speaker"),
    "target.f1": _figure("target", "f1"),
}


def clean_articles(articles: Sequence[GoldArticle]) -> list:
    """Each gold article cleaned as a run cleans a plain-text input."""
    return [
        clean_document(
            RawDocument(source=a.id, text=a.text, format="text", published=a.published), IngestConfig()
        )
        for a in articles
    ]


def predict(
    articles: Sequence[GoldArticle],
    nlp: Language,
    classifier: StanceClassifier | None = None,
    attributor: "Attributor | None" = None,
) -> list[list[list]]:
    """The pipeline's statements for every article, placed per gold sentence."""
    cleaned = clean_articles(articles)
    results = process_articles(cleaned, nlp, classifier, attributor=attributor)
    placed = []
    for article, clean, result in zip(articles, cleaned, results, strict=True):
        per_sentence: list[list] = [[] for _ in article.sentences]
        for statement in result.statements:
            if clean.text != article.text:  # cleaning changed the text: place by the evidence instead
                start = article.text.find(statement.text)
                if start < 0:
                    index = next(
                        (i for i, s in enumerate(article.sentences) if same_sentence(s.text, statement.text)),
                        None,
                    )
                    if index is not None:
                        per_sentence[index].append(statement)
                    continue  # evidence that is in no gold sentence cannot be scored
                statement = statement.model_copy(
                    update={"char_start": start, "char_end": start + len(statement.text)}
                )
            per_sentence[place(article.sentences, statement)].append(statement)
        placed.append(per_sentence)
    return placed


def outcome_rows(
    articles: Sequence[GoldArticle], placed: Sequence[Sequence[Sequence]]
) -> list[dict[str, Any]]:
    """One row per gold statement (match, wrong-stance, missed) and per unpaired prediction (extra)."""
    rows = []
    for article, per_sentence in zip(articles, placed, strict=True):
        for sentence, predictions in zip(article.sentences, per_sentence, strict=True):
            pairs = {id(g): p for g, p in pair(sentence.statements, predictions)}
            claimed = {id(p) for p in pairs.values()}
            for gold in sentence.statements:
                statement = pairs.get(id(gold))
                kind = (
                    "missed"
                    if statement is None
                    else "match"
                    if statement.stance == gold.stance
                    else "wrong-stance"
                )
                rows.append(_row(kind, article, sentence, gold, statement))
            rows.extend(
                _row("extra", article, sentence, None, p) for p in predictions if id(p) not in claimed
            )
    return rows


def _row(kind: str, article: GoldArticle, sentence: GoldSentence, gold, statement) -> dict[str, Any]:
    return {
        "outcome": kind,
        "split": article.split,
        "article": article.id,
        "sentence_index": sentence.index,
        "sentence": sentence.text,
        "gold_holder": gold.holder if gold else None,
        "gold_affiliation": gold.affiliation if gold else None,
        "gold_stance": gold.stance if gold else None,
        "gold_target": gold.target if gold else None,
        **prediction_fields(statement),
    }


def _classifier_scores(articles: Sequence[GoldArticle], nlp: Language, classifier: StanceClassifier) -> dict:
    """The classifier alone on the gold holders (with the gold and with the extractor's targets)."""
    items = [  # the classifier marks the holder's words: statements with no mention are left out
        DevItem(f"{s.article}-{s.index}", "guardian", s.article, s.text, s.start, s.end, None, statements)
        for article in articles
        for s in article.sentences
        if (statements := tuple(g for g in s.statements if g.holder_mention))
    ]
    if not items:
        return {}
    temperature = classifier.metadata.temperature
    return {
        "classifier_on_gold_holders": score_rows(classifier_rows(items, classifier, nlp), temperature),
        "classifier_with_extractor_targets": score_rows(
            classifier_rows(items, classifier, nlp, extractor_targets=True), temperature
        ),
    }


def evaluate_guardian(
    articles: Sequence[GoldArticle],
    nlp: Language,
    classifier: StanceClassifier | None = None,
    *,
    attributor: "Attributor | None" = None,
    resamples: int = 1000,
    seed: int = 0,
    outcomes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Figures on ``articles`` with 95% bootstrap intervals over articles."""
    placed = predict(articles, nlp, classifier, attributor)
    per_article = []
    for article, per_sentence in zip(articles, placed, strict=True):
        counts: Counter = Counter()
        for sentence, predictions in zip(article.sentences, per_sentence, strict=True):
            counts.update(sentence_counts(sentence, predictions))
        per_article.append(counts)
    if outcomes is not None:
        outcomes.extend(outcome_rows(articles, placed))
    total: Counter = Counter()
    for counts in per_article:
        total.update(counts)
    intervals = bootstrap_intervals(
        per_article,
        {name: (lambda c, f=f: f(figures(Counter(c)))) for name, f in HEADLINE.items()},
        resamples=resamples,
        seed=seed,
    )
    return {
        "model": attributor.tag if attributor is not None else classifier.tag,
        "articles": len(articles),
        "sentences": sum(len(a.sentences) for a in articles),
        "gold_statements": int(total["gold"]),
        "predicted_statements": int(total["predicted"]),
        "metrics": figures(total),
        "intervals_95": {name: list(bounds) for name, bounds in intervals.items()},
        "bootstrap": {"unit": "article", "resamples": resamples, "seed": seed},
        **(_classifier_scores(articles, nlp, classifier) if attributor is None else {}),
    }
