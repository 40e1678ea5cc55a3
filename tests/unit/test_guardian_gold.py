"""The real-news gold loader: references only, every one checked against the shared corpus."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from pipeline.evaluate.guardian import (
    GUARDIAN_DIR,
    GuardianCorpusError,
    load_guardian,
    load_passes,
    sha1,
    split_summary,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"

# team-written stand-in articles for the shared file
TEXT_A = "Lisbon will not shield the convoy. The weather was mild. Oslo pledged tents to Kyiv."
TEXT_B = "The Elysée rejected the proposal."


def _statement(holder: str, mention: str, stance: str, **extra) -> dict:
    return {
        "holder": holder,
        "holder_mention": mention,
        "holder_type": "state",
        "holder_country": None,
        "stance": stance,
        "flags": [],
        **extra,
    }


def _line(article: str, text: str, index: int, sentence: str, **decision) -> dict:
    start = text.index(sentence)
    return {
        "article": article,
        "sentence": index,
        "start": start,
        "end": start + len(sentence),
        "sha1": sha1(sentence),
        **decision,
    }


@pytest.fixture()
def corpus(tmp_path):
    """A shared root with two articles and a gold folder that annotates both."""
    shared = tmp_path / "shared"
    (shared / "guardian-syria").mkdir(parents=True)
    rows = [{"id": "g1", "published": "2018-01-02", "text": TEXT_A}, {"id": "g2", "text": TEXT_B}]
    (shared / "guardian-syria" / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    gold = tmp_path / "gold-dir"
    (gold / "gold").mkdir(parents=True)
    split = {
        "articles": {
            "g1": {"split": "dev", "sha1": sha1(TEXT_A), "sentences": 3},
            "g2": {"split": "test", "sha1": sha1(TEXT_B), "sentences": 1},
        }
    }
    (gold / "split.json").write_text(json.dumps(split))
    dev = [
        _line(
            "g1",
            TEXT_A,
            0,
            "Lisbon will not shield the convoy.",
            statements=[
                _statement("Portugal", "Lisbon", "refusal", flags=["negated"], cue="will not shield")
            ],
        ),
        _line("g1", TEXT_A, 1, "The weather was mild.", none="background"),
        _line(
            "g1",
            TEXT_A,
            2,
            "Oslo pledged tents to Kyiv.",
            statements=[_statement("Norway", "Oslo", "support", target="Ukraine", target_mention="Kyiv")],
        ),
    ]
    test = [_line("g2", TEXT_B, 0, TEXT_B, statements=[_statement("France", "The Elysée", "refusal")])]
    _write(gold / "gold" / "dev.jsonl", dev)
    _write(gold / "gold" / "test.jsonl", test)
    _write(gold / "gold" / "train.jsonl", [])
    return gold, shared


def _write(path: Path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))


def test_loads_every_sentence_with_its_text_and_statements(corpus):
    gold, shared = corpus
    articles = load_guardian(gold, shared)
    assert [(a.id, a.split) for a in articles] == [("g1", "dev"), ("g2", "test")]
    first = articles[0]
    assert first.published == "2018-01-02"
    assert [s.text for s in first.sentences][1] == "The weather was mild."
    assert first.sentences[1].none == "background" and not first.sentences[1].statements
    refusal = first.sentences[0].statements[0]
    assert (refusal.holder, refusal.stance, refusal.flags, refusal.cue) == (
        "Portugal",
        "refusal",
        ("negated",),
        "will not shield",
    )
    assert first.sentences[2].statements[0].target_mention == "Kyiv"
    assert [a.id for a in load_guardian(gold, shared, ["test"])] == ["g2"]


def test_a_missing_corpus_is_named(corpus, tmp_path):
    gold, _ = corpus
    with pytest.raises(GuardianCorpusError, match=r"Guardian corpus .*articles.jsonl is missing"):
        load_guardian(gold, tmp_path / "nowhere")


def test_a_changed_article_is_refused(corpus):
    gold, shared = corpus
    path = shared / "guardian-syria" / "articles.jsonl"
    path.write_text(path.read_text().replace("tents", "tanks"))
    with pytest.raises(GuardianCorpusError, match=r"article g1 changed .*SHA-1"):
        load_guardian(gold, shared)


def test_a_changed_sentence_reference_is_refused(corpus):
    gold, shared = corpus
    path = gold / "gold" / "dev.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    lines[1]["end"] -= 1  # points at a shorter span than the one hashed
    _write(path, lines)
    with pytest.raises(GuardianCorpusError, match=r"dev.jsonl:2: the referenced sentence changed"):
        load_guardian(gold, shared)


def test_an_article_with_an_unannotated_sentence_is_refused(corpus):
    gold, shared = corpus
    path = gold / "gold" / "dev.jsonl"
    _write(path, [json.loads(x) for x in path.read_text().splitlines()][:2])
    with pytest.raises(GuardianCorpusError, match=r"g1: 2 sentences annotated, the split file says 3"):
        load_guardian(gold, shared)


def test_a_mention_that_is_not_in_the_sentence_is_refused(corpus):
    gold, shared = corpus
    path = gold / "gold" / "test.jsonl"
    line = json.loads(path.read_text())
    line["statements"][0]["holder_mention"] = "Paris"
    _write(path, [line])
    with pytest.raises(
        GuardianCorpusError, match=r"holder_mention 'Paris' is not in the referenced sentence"
    ):
        load_guardian(gold, shared)


def test_a_sentence_needs_a_statement_or_a_reason(corpus):
    gold, shared = corpus
    path = gold / "gold" / "dev.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    del lines[1]["none"]
    _write(path, lines)
    with pytest.raises(GuardianCorpusError, match=r"needs statements or one 'none' reason"):
        load_guardian(gold, shared)


needs_shared = pytest.mark.skipif(
    not (SHARED_CORPORA / "guardian-syria" / "articles.jsonl").is_file(),
    reason="the shared Guardian corpus is not beside the project",
)


@needs_shared
def test_the_committed_gold_loads_against_the_shared_corpus():
    articles = load_guardian(GUARDIAN_DIR, SHARED_CORPORA)
    summary = split_summary(GUARDIAN_DIR)
    assert summary["all"]["articles"] == len(articles) >= 120
    assert summary["all"]["sentences"] == sum(len(a.sentences) for a in articles) >= 2500
    assert {a.split for a in articles} == {"train", "dev", "test"}
    # splits are by article: no article in two splits
    assert len({a.id for a in articles}) == len(articles)
    first, second = load_passes(GUARDIAN_DIR, SHARED_CORPORA)
    assert set(first) == set(second)
    assert sum(len(s) for s in second.values()) >= 300


WORDS = re.compile(r"\w+")
RUN = 12


def _runs(text: str) -> set[int]:
    words = WORDS.findall(text.casefold())
    return {hash(tuple(words[i : i + RUN])) for i in range(len(words) - RUN + 1)}


@needs_shared
def test_no_committed_file_copies_twelve_words_of_the_guardian_corpus():
    guardian = set()
    for raw in (
        (SHARED_CORPORA / "guardian-syria" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ):
        guardian |= _runs(json.loads(raw)["text"])
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    scanned = 0
    for name in filter(None, tracked):
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 20_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary artefacts (model weights) hold no sentences
        scanned += 1
        copied = _runs(text) & guardian
        assert not copied, f"{name} shares a run of {RUN} words with the Guardian corpus"
    assert scanned > 50


def test_overlapping_sentence_spans_are_refused(corpus):
    gold, shared = corpus
    path = gold / "gold" / "dev.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    lines[2] = {**lines[1], "sentence": 2}  # sentence 2 points at sentence 1's span: 2 left unread
    _write(path, lines)
    with pytest.raises(GuardianCorpusError, match=r"sentence 2 overlaps or precedes sentence 1"):
        load_guardian(gold, shared)


def test_a_mention_must_be_whole_words(corpus):
    gold, shared = corpus
    path = gold / "gold" / "test.jsonl"
    line = json.loads(path.read_text())
    line["statements"][0]["holder_mention"] = "he"  # only inside "The"
    _write(path, [line])
    with pytest.raises(GuardianCorpusError, match=r"holder_mention 'he' is not in the referenced sentence"):
        load_guardian(gold, shared)


def test_a_malformed_split_file_is_named(corpus):
    gold, shared = corpus
    (gold / "split.json").write_text('{"articles": {"g1": {"split": "dev"')
    with pytest.raises(GuardianCorpusError, match=r"split.json: malformed split file"):
        load_guardian(gold, shared)
