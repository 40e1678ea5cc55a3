"""Prefect servers that live exactly as long as the command that needs them.

With no ``PREFECT_API_URL`` configured, Prefect starts a temporary server (a uvicorn child
process) on first use and stops it at exit; a ``stance run`` killed by SIGTERM or SIGKILL never
reaches that exit, and its server (about 230 MB) stayed behind. Here the server is started
through ``flows.orphan_guard``, which makes Linux stop it when its parent dies, however the
parent ends. Two kinds:

- ``temporary`` (``stance run``): what Prefect's own temporary server runs, uvicorn over the
  API app without the UI and without background services. It is started early and waited for
  only when the flow needs it, so its start-up overlaps loading the models.
- ``full`` (``stance serve``): ``prefect server start``, with the scheduler that scheduled
  deployments need and that the temporary server lacks; its database lives in PREFECT_HOME.

The parent-death request belongs to the thread that starts the server: start it from the main
thread (the CLI does).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Literal

import httpx

from pipeline.errors import StanceError

Kind = Literal["temporary", "full"]


class ServerError(StanceError):
    """The local Prefect server did not start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrefectServer:
    """``start()`` launches the server and returns at once; ``wait_ready()`` returns its API URL
    once it answers; ``stop()`` (or leaving the ``with`` block) ends it."""

    def __init__(self, kind: Kind = "temporary", port: int | None = None, timeout_s: float = 180.0) -> None:
        self.kind = kind
        self.port = port
        self.timeout_s = timeout_s
        self.process: subprocess.Popen | None = None
        self._ready = False
        self._stderr: IO[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _command(self) -> tuple[list[str], dict[str, str]]:
        env = {**os.environ, "PREFECT_API_URL": "", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        if self.kind == "full":
            args = ["-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            import prefect

            # the settings Prefect's own temporary server is started with: API only, no services
            env.update(
                {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
            )
            args = [
                "-m",
                "uvicorn",
                "--app-dir",
                os.path.dirname(os.path.dirname(prefect.__file__)),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ]
        guard = [sys.executable, "-m", "flows.orphan_guard", str(os.getpid()), "--", sys.executable]
        return guard + args, env

    def start(self) -> "PrefectServer":
        if self.process is None:
            if self.port is None:
                self.port = free_port()
            command, env = self._command()
            # stderr to a file, not a pipe: a pipe nobody reads would block a chatty server
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
            self.process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr
            )
        return self

    def wait_ready(self) -> str:
        """The API URL, once the server answers its health check."""
        self.start()
        assert self.process is not None
        deadline = time.monotonic() + self.timeout_s
        while not self._ready:
            if self.process.poll() is not None:
                detail = self._error_output()
                raise ServerError(f"the local Prefect server on port {self.port} exited: {detail}")
            with suppress(httpx.HTTPError):
                self._ready = httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200
            if not self._ready:
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerError(
                        f"the local Prefect server on port {self.port} did not answer "
                        f"in {self.timeout_s:.0f} s"
                    )
                time.sleep(0.2)
        return self.api_url

    def stop(self) -> None:
        process, self.process, self._ready = self.process, None, False
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _error_output(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-2000:].strip()

    def __enter__(self) -> "PrefectServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def local_prefect_server(port: int, timeout_s: float = 180.0) -> Iterator[str]:
    """A full Prefect server (with its scheduler) on 127.0.0.1:port for ``stance serve``."""
    with PrefectServer("full", port, timeout_s) as server:
        yield server.wait_ready()


@contextmanager
def prefect_api(server: PrefectServer | None) -> Iterator[str | None]:
    """Point Prefect at ``server`` (already imported Prefect included) for the block; with
    ``None``, the configured ``PREFECT_API_URL`` stays."""
    if server is None:
        yield os.environ.get("PREFECT_API_URL")
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api_url = server.wait_ready()
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url  # for processes started from here (Dask workers)
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            try:
                yield api_url
            finally:
                from prefect.logging.handlers import APILogHandler

                APILogHandler().flush()  # send queued log lines and events while the server is up
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
