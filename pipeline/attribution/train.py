"""Train the attribution model on the Guardian train split (``stance train-attribution``).

1. Every train article is parsed as a run does; each candidate gets its gold labels, and (read
   by the encoder) its feature row.
2. The decision threshold is chosen by 3-fold cross-validation over train articles (never on dev):
   the threshold with the best holder+stance F1 on support/refusal/mediation across the folds.
   With an encoder adapter (adapter.py, the default) each scored fold needs its own adapter,
   trained without it, so only the last third of the articles is scored (``ADAPTER_FOLDS``).
3. The adapter, then the heads, are trained on all train rows and saved with their figures.
"""

import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy

from pipeline.attribution.adapter import ADAPTER_FILE, fit_adapter
from pipeline.attribution.bases import base_dir
from pipeline.attribution.candidates import holding
from pipeline.attribution.config import DEPTH, ENCODER, MODEL_NAME, MODEL_VERSION
from pipeline.attribution.dataset import Examples, Parsed, assemble, prepare, token_rows
from pipeline.attribution.encoder import SentenceEncoder
from pipeline.attribution.marker import TokenRows
from pipeline.attribution.model import LABELS, AttributionMetadata, AttributionModel
from pipeline.attribution.runtime import cache_dir
from pipeline.evaluate.guardian import GoldArticle
from pipeline.evaluate.guardian_scoring import figures, sentence_counts
from pipeline.output.records import Actor

THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
FOLDS = 3
F1_TOLERANCE = 0.01
# five heads of 256 hidden units over the feature rows, read through the encoder with a rank-8
# adapter: what the shipped model (3.0.0) was trained with (2.2.0: the same heads, frozen encoder).
# Over the frozen encoder, ten heads of 128 (--heads 10 --hidden 128) gave no gain on dev over five
# of 256 (README, "Ten small heads"). Nor did three heads of 256 with a marked-token reader of
# width 128 (--heads 3 --marker 128, 8 epochs; marker.py): its dev curve lay above the rows' in
# the experiment, but trained in full, at the threshold cross-validation chose (0.2), dev S/R/M F1
# moved -0.010 [-0.044, +0.025] paired and the right holder +0.004 (README, "Marked tokens").
# Three heads with a reader keep the artefact under 10 MB (the rows' first layer is 3,123 x 256
# per head).
MEMBERS = 5
HIDDEN = 256
ROW_EPOCHS = 20
MARKER = 0  # the marked-token reader's width; 0: the feature rows only
MARKER_EPOCHS = 8  # each epoch reads every sentence's tokens; its loss falls faster than the rows
ADAPTER = 8  # the rank of the encoder adapter trained first (adapter.py); 0: the frozen encoder
ADAPTER_EPOCHS = 2
# with an adapter, the threshold is chosen on the last fold only: an adapter per fold (trained
# without that fold's articles, as the heads are) costs 10 minutes each on two cores
ADAPTER_FOLDS = 1


class _Scored:
    """The fields the guardian scorer reads from a statement."""

    def __init__(self, holder: Actor, stance: str) -> None:
        self.holder, self.stance = holder, stance
        self.speaker = self.target = None
        self.negated = self.conditional = self.hedged = False


def decoded(
    examples: Examples, scores: numpy.ndarray, threshold: float, rows: set[int] | None = None
) -> dict:
    """Statements per (article, gold sentence), decoded as the attributor does (holder names only)."""
    from pipeline import STANCE_LABELS

    found: dict[tuple[int, int], list] = {}
    for sentence in examples.sentences:
        if rows is not None and sentence.article not in rows:
            continue
        statements = found.setdefault((sentence.article, sentence.gold_sentence), [])
        seen = set()
        block = scores[sentence.start : sentence.start + len(sentence.holders)]
        for i in holding(sentence.mentions, block, threshold):
            label = STANCE_LABELS[int(numpy.argmax(block[i, : len(STANCE_LABELS)]))]
            for actor in sentence.holders[i]:
                if (actor.name, label) not in seen:
                    seen.add((actor.name, label))
                    statements.append(_Scored(actor, label))
    return found


def score(articles: Sequence[GoldArticle], statements: dict, rows: set[int] | None = None) -> dict:
    total: Counter = Counter()
    for a, article in enumerate(articles):
        if rows is not None and a not in rows:
            continue
        for sentence in article.sentences:
            total.update(sentence_counts(sentence, statements.get((a, sentence.index), [])))
    return figures(total)


def choose_threshold(f1_by_threshold: dict[float, float]) -> float:
    """The lowest threshold whose cross-validated F1 is within ``F1_TOLERANCE`` of the best: the
    curve is flat near its top (differences below the folds' noise), and a lower threshold finds
    more holders, which the acceptance counts (holder recall) and where the model falls short."""
    best = max(f1_by_threshold.values())
    return min(t for t, f in f1_by_threshold.items() if f >= best - F1_TOLERANCE)


def _rows(tokens: TokenRows | None, chosen: numpy.ndarray, extra: TokenRows | None) -> TokenRows | None:
    """The token rows of the chosen feature rows, then ``extra``'s (None without a reader)."""
    if tokens is None:
        return None
    picked = tokens.subset(numpy.flatnonzero(chosen))
    return picked.join(extra) if extra is not None else picked


def train_attribution(
    articles: Sequence[GoldArticle],
    nlp,
    output_dir: Path,
    *,
    encoder_name: str = ENCODER,
    depth: int | None = DEPTH,
    hidden: int = HIDDEN,
    epochs: int | None = None,
    seed: int = 13,
    layers: int = 3,
    members: int = MEMBERS,
    rules: bool = False,
    written: Sequence[GoldArticle] = (),
    marker: int = MARKER,
    adapter: int = ADAPTER,
    log: Callable[[str], None] = print,
) -> AttributionModel:
    """``written``: the team's written sentences (``dataset.team_articles``), added to the
    training rows of every fold and of the final fit, never scored: the threshold is chosen on
    Guardian articles only. ``marker``: the marked-token reader's width (0: rows only). ``epochs``
    (None): ``MARKER_EPOCHS`` with a reader, else ``ROW_EPOCHS``. ``adapter``: the rank of an
    encoder adapter trained before the heads (adapter.py; 0: the frozen encoder); the heads then
    read rows through the adapted encoder, and the threshold is chosen on ``ADAPTER_FOLDS`` folds,
    each with an adapter and heads trained without its articles."""
    began = time.perf_counter()
    base = base_dir(encoder_name, cache_dir())
    epochs = epochs or (MARKER_EPOCHS if marker else ROW_EPOCHS)
    keep = marker > 0
    parsed = prepare(articles, nlp, rules)
    team_parsed = prepare(written, nlp, rules) if written else Parsed([], [])
    log(
        f"parsed {len(articles)} articles and {len(written)} written sentences "
        f"({time.perf_counter() - began:.0f} s)"
    )
    output_dir.mkdir(parents=True, exist_ok=True)

    def rows_through(adapter_file: Path | None) -> tuple:
        """Both parses read by the encoder (adapted by ``adapter_file``): examples, token rows,
        and the written sentences' rows, labels and token rows."""
        encoder = SentenceEncoder(base, layers=layers, depth=depth, adapter=adapter_file)
        examples = assemble(parsed, encoder, keep_readings=keep)
        team = assemble(team_parsed, encoder, keep_readings=keep)
        width = examples.features.shape[1]
        extra_x = team.features if len(team.features) else numpy.zeros((0, width), dtype=numpy.float32)
        extra_y = team.labels if len(team.labels) else numpy.zeros((0, len(LABELS)), dtype=numpy.float32)
        return (
            examples,
            token_rows(examples) if keep else None,
            extra_x,
            extra_y,
            (token_rows(team) if team.sentences else TokenRows.empty()) if keep else None,
        )

    if adapter:  # what every adapter trains on, worked out once
        texts, ranges, extra, labels = parsed.adapter_rows()
        team_texts, team_ranges, team_extra, team_labels = team_parsed.adapter_rows()

    def trained_adapter(chosen: numpy.ndarray, path: Path) -> Path:
        """An adapter trained on the chosen Guardian rows and the written sentences, saved at ``path``."""
        picked = numpy.flatnonzero(chosen)
        fitted = fit_adapter(
            base,
            depth,
            texts + team_texts,
            [ranges[i] for i in picked] + [(s + len(texts), r) for s, r in team_ranges],
            numpy.concatenate([extra[picked], team_extra]),
            numpy.concatenate([labels[picked], team_labels]),
            rank=adapter,
            layers=layers,
            epochs=ADAPTER_EPOCHS,
            seed=seed,
            log=log,
        )
        fitted.save(path)
        return path

    groups = parsed.groups()
    if not adapter:
        examples, tokens, extra_x, extra_y, extra_tokens = rows_through(None)
        log(
            f"{len(examples.features)} candidates in {len(examples.sentences)} sentences, "
            f"{len(extra_x)} written"
        )
    metadata = AttributionMetadata(
        name=MODEL_NAME,
        version=MODEL_VERSION,
        encoder=encoder_name,
        features=0,
        hidden=hidden,
        threshold=0.5,
        layers=layers,
        depth=depth,
        members=members,
        rules=rules,
        marker=marker,
        adapter=adapter,
    )
    folds = groups % FOLDS
    scored = list(range(FOLDS - ADAPTER_FOLDS, FOLDS)) if adapter else list(range(FOLDS))
    cross = numpy.zeros((len(groups), len(LABELS)), dtype=numpy.float32)
    for k in scored:
        if adapter:
            fold_file = trained_adapter(folds != k, output_dir / f".fold{k}-{ADAPTER_FILE}")
            examples, tokens, extra_x, extra_y, extra_tokens = rows_through(fold_file)
            fold_file.unlink()
        metadata.features = int(examples.features.shape[1])
        model = AttributionModel.fit(
            numpy.concatenate([examples.features[folds != k], extra_x]),
            numpy.concatenate([examples.labels[folds != k], extra_y]),
            metadata,
            epochs=epochs,
            seed=seed,
            tokens=_rows(tokens, folds != k, extra_tokens),
            log=lambda line, k=k: log(f"fold {k + 1}/{FOLDS}, {line}") if keep else None,
        )
        cross[folds == k] = model.scores(examples.features[folds == k], _rows(tokens, folds == k, None))
    held = {a for a in range(len(articles)) if a % FOLDS in scored}
    by_threshold = {
        t: score(articles, decoded(examples, cross, t, held), held)["stances"]["f1"] for t in THRESHOLDS
    }
    metadata.threshold = choose_threshold(by_threshold)
    log(
        "cross-validated S/R/M F1 by threshold: "
        + ", ".join(f"{t}: {f:.3f}" for t, f in by_threshold.items())
    )
    if adapter:
        examples, tokens, extra_x, extra_y, extra_tokens = rows_through(
            trained_adapter(numpy.ones(len(groups), dtype=bool), output_dir / ADAPTER_FILE)
        )
    model = AttributionModel.fit(
        numpy.concatenate([examples.features, extra_x]),
        numpy.concatenate([examples.labels, extra_y]),
        metadata,
        epochs=epochs,
        seed=seed,
        tokens=_rows(tokens, numpy.ones(len(groups), dtype=bool), extra_tokens),
        log=log if keep else lambda _: None,
    )
    metadata.training = {
        "articles": len(articles),
        "candidates": len(examples.features),
        "sentences": len(examples.sentences),
        "written_sentences": len(written),
        "written_candidates": len(extra_x),
        "epochs": epochs,
        "adapter_epochs": ADAPTER_EPOCHS if adapter else 0,
        "threshold_folds": len(scored),
        "seed": seed,
        "cross_validated_f1": {str(t): round(f, 4) for t, f in by_threshold.items()},
        "seconds": round(time.perf_counter() - began),
    }
    model.save(output_dir)
    log(f"saved {model.tag} to {output_dir} (threshold {metadata.threshold})")
    return model
