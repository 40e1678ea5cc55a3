"""A local Prefect server for `stance serve` when no PREFECT_API_URL is configured.

Prefect's temporary in-process server runs no scheduler, so scheduled deployments would never
start on it; a real `prefect server start` (its database in PREFECT_HOME) does.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from pipeline.errors import StanceError


class ServerError(StanceError):
    """The local Prefect server did not start."""


@contextmanager
def local_prefect_server(port: int, timeout_s: float = 180.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1:port, yield its API URL, stop it on exit."""
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_API_URL": ""}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                detail = process.stderr.read().decode("utf-8", "replace")[-2000:] if process.stderr else ""
                raise ServerError(f"the local Prefect server on port {port} exited: {detail.strip()}")
            try:
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ServerError(
                    f"the local Prefect server on port {port} did not answer in {timeout_s:.0f} s"
                )
            time.sleep(0.5)
        yield api_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
