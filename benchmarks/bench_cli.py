"""`stance run` from the shell on real news, as a user or a scheduler sees it.

Writes the first N Guardian articles of ``../shared/corpora/guardian-syria`` to a JSONL input,
then times four separate processes (wall clock, start-up included):

1. a process that only loads spaCy and parses the articles (the floor);
2. ``stance run`` into a fresh output folder (server start, model loading, extraction, outputs),
   with the start-up it reports (when the models were loaded, when the server answered);
3. ``stance run`` again on the same folder: nothing new, so no server and no model;
4. ``stance run`` on the first article alone: what every run pays whatever its size.

Each is run ``--repeat`` times and the median printed, with the peak RSS of the slowest
process tree member (from ``/usr/bin/time -v`` when present). Nothing is asserted; run with
``make bench`` or ``python benchmarks/bench_cli.py --articles 60``.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import GUARDIAN_CORPUS, PARSE_ONLY_SCRIPT  # noqa: E402
from pipeline.runs import layout  # noqa: E402

BIN = Path(sys.executable).parent


def _timed(
    command: list[str], env: dict[str, str], log: list[str] | None = None
) -> tuple[float, float | None]:
    """Wall seconds and peak RSS in MB (the largest process, via GNU time when installed); the
    command's ``start-up:`` line is added to ``log``."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    prefix = [gnu_time, "-f", "%M"] if gnu_time else []
    start = time.perf_counter()
    result = subprocess.run([*prefix, *command], env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    if log is not None:
        log.extend(line for line in result.stderr.splitlines() if line.startswith("start-up:"))
    rss = None
    if gnu_time:
        last = result.stderr.strip().splitlines()[-1]
        rss = int(last) / 1024 if last.isdigit() else None
    return seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=GUARDIAN_CORPUS)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not args.corpus.is_file():
        sys.exit(f"{args.corpus} not found (the Guardian corpus of ../shared)")
    scratch = Path(tempfile.mkdtemp(prefix="stance-bench-cli-"))
    inbox, single = scratch / "guardian.jsonl", scratch / "one.jsonl"
    with args.corpus.open(encoding="utf-8") as source, inbox.open("w", encoding="utf-8") as target:
        for _, line in zip(range(args.articles), source, strict=False):
            row = json.loads(line)
            target.write(json.dumps({"text": row["text"], "title": row.get("title")}) + "\n")
    single.write_text(inbox.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(scratch / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    stance = str(BIN / "stance")
    figures: dict[str, list[tuple[float, float | None]]] = {"parse": [], "run": [], "rerun": [], "one": []}
    startup: list[str] = []
    # once per machine, as `make install` does: the encoder file and Prefect's database
    prepared = _timed([stance, "prepare"], env)
    for attempt in range(args.repeat):
        out = scratch / f"out-{attempt}"
        figures["parse"].append(_timed([sys.executable, "-c", PARSE_ONLY_SCRIPT, str(inbox)], env))
        figures["run"].append(_timed([stance, "run", str(inbox), "--out", str(out)], env, startup))
        figures["rerun"].append(_timed([stance, "run", str(inbox), "--out", str(out), "-q"], env))
        figures["one"].append(_timed([stance, "run", str(single), "--out", str(out) + "-one"], env))
    manifest = json.loads((scratch / "out-0" / layout.MANIFEST).read_text())
    statements = manifest["output"]["statements"]
    parse = statistics.median(s for s, _ in figures["parse"])
    print(f"stance run from the shell: {args.articles} Guardian articles, {statements} statements")
    print(f"{'process':<40} {'wall s':>8} {'x parse':>8} {'peak RSS MB':>12}")
    names = {
        "parse": "load spaCy + parse only",
        "run": "stance run, fresh output folder",
        "rerun": "stance run again (nothing new)",
        "one": "stance run, first article alone",
    }
    for key, label in names.items():
        wall = statistics.median(s for s, _ in figures[key])
        rss = max((r for _, r in figures[key] if r is not None), default=None)
        print(f"{label:<40} {wall:>8.1f} {wall / parse:>8.2f} {rss if rss is None else round(rss):>12}")
    once = f"{'stance prepare (once per machine)':<40} {prepared[0]:>8.1f} {'':>8}"
    print(f"{once} {round(prepared[1] or 0):>12}")
    for line in startup:
        print(f"fresh run {line}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
