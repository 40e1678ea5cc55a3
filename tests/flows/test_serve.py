"""`stance serve` serves the config file's schedules with Prefect and the runs happen."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.flow, pytest.mark.slow, pytest.mark.integration]
STANCE = str(Path(sys.executable).parent / "stance")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_the_scheduled_extraction(tmp_path, samples_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples_dir / "01_black_sea_grain_talks.txt", inbox)
    config = tmp_path / "stance.toml"
    config.write_text(
        "[[schedules]]\nname = 'inbox'\ninputs = ['inbox']\nout = 'runs/inbox'\ninterval_seconds = 5\n"
    )
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [STANCE, "serve", "--config", str(config), "--server-port", str(_free_port())],
        cwd=tmp_path / "inbox",  # relative schedule paths are taken from the config's folder
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    manifest = tmp_path / "runs" / "inbox" / "manifest.json"
    try:
        deadline = time.monotonic() + 300
        while not manifest.exists():
            assert server.poll() is None, server.stdout.read().decode()[-3000:]
            assert time.monotonic() < deadline, "no scheduled run finished in 300 s"
            time.sleep(1)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    output = server.stdout.read().decode()
    assert "serving stance-extract/inbox: every 5 s" in output
    counts = json.loads(manifest.read_text())["counts"]
    assert counts["articles_processed"] + counts["articles_unchanged"] == 1
    statements = (tmp_path / "runs" / "inbox" / "statements.jsonl").read_text().splitlines()
    assert statements and all(json.loads(line)["holder"]["name"] for line in statements)
