"""A `stance run` process killed part-way, then run again, ends with the same output as an
uninterrupted run: nothing lost, nothing duplicated."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.derived_check import assert_derived_in_step

pytestmark = [pytest.mark.flow, pytest.mark.slow, pytest.mark.integration]
STANCE = str(Path(sys.executable).parent / "stance")
RECORD_FILES = ("articles.jsonl", "statements.jsonl")


def _committed_batches(state: Path) -> int:
    if not state.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(DISTINCT batch) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the tables are being created
        return 0


def _run(inputs: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "STANCE_ARTICLES_PER_BATCH": "1"}
    return subprocess.Popen(
        [STANCE, "run", str(inputs), "--out", str(out), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_killed_run_resumes_to_the_uninterrupted_output(tmp_path, samples_dir):
    inputs = tmp_path / "inbox"
    shutil.copytree(samples_dir, inputs)
    reference, interrupted = tmp_path / "reference", tmp_path / "interrupted"
    uninterrupted = _run(inputs, reference)
    assert uninterrupted.wait(timeout=600) == 0, uninterrupted.stderr.read().decode()

    victim = _run(inputs, interrupted)
    deadline = time.monotonic() + 600
    while _committed_batches(interrupted / "state.sqlite") < 2:
        assert victim.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)  # the CLI and the Prefect server it started
    victim.wait(timeout=60)
    assert not (interrupted / "manifest.json").exists()  # it really stopped part-way
    partial = len((interrupted / "articles.jsonl").read_text().splitlines())
    assert 2 <= partial < 6

    resumed = _run(inputs, interrupted)
    assert resumed.wait(timeout=600) == 0, resumed.stderr.read().decode()
    for name in RECORD_FILES:
        assert (interrupted / name).read_bytes() == (reference / name).read_bytes(), name
    assert_derived_in_step(interrupted)
    for name in ("statements.csv", "positions.jsonl", "report.md"):
        assert (interrupted / name).read_bytes() == (reference / name).read_bytes(), name
    manifest = json.loads((interrupted / "manifest.json").read_text())
    assert manifest["counts"]["articles_unchanged"] >= 2
    assert manifest["counts"]["articles_processed"] + manifest["counts"]["articles_unchanged"] == 6
