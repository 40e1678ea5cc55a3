"""A run's temporary Prefect server dies with the run, however the run ends (real signals)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

STANCE = str(Path(sys.executable).parent / "stance")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in text.split()]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper (a container's init may never reap it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")


def test_the_guard_stops_its_command_when_the_parent_is_killed(tmp_path):
    # a parent that starts `sleep` through the guard, prints its pid, then waits to be killed
    parent_code = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-m', 'flows.orphan_guard', str(os.getpid()), '--',"
        " 'sleep', '300'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(300)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    _wait_for(lambda: "sleep 300" in _cmdline(child), 20, "the guard to exec its command")
    parent.kill()
    parent.wait()
    _wait_for(lambda: not _alive(child), 10, f"sleep (pid {child}) to die with its parent")


def test_the_guard_refuses_to_start_for_a_parent_that_is_gone():
    # pid 1 is not our parent: the parent is taken as already dead and the command never runs
    result = subprocess.run(
        [sys.executable, "-m", "flows.orphan_guard", "1", "--", "sh", "-c", "echo ran"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and "ran" not in result.stdout


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_a_killed_run_leaves_no_prefect_server(sig, tmp_path, samples_dir):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    run = subprocess.Popen(
        [STANCE, "run", str(samples_dir), "--out", str(tmp_path / "out"), "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def server() -> int | None:
            servers = [c for c in _children(run.pid) if "uvicorn" in _cmdline(c)]
            return servers[0] if servers else None

        pid = _wait_for(server, 120, "the run's Prefect server to start")
        os.kill(run.pid, sig)
        run.wait(timeout=60)
        _wait_for(lambda: not _alive(pid), 30, f"the Prefect server (pid {pid}) to stop after {sig.name}")
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
