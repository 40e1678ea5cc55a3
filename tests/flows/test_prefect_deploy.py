"""`prefect deploy --all` against a local Prefect server, as the README describes it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flows.server import PrefectServer

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")

pytestmark = pytest.mark.slow


def test_prefect_deploy_creates_every_deployment_with_the_project_dir_of_deploy_time(tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    checkout = tmp_path / "checkout-on-the-workers"  # any path: prefect deploy writes it in
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))  # the server's database too: a fresh one per run
    with PrefectServer("temporary") as server:
        api_url = server.wait_ready()
        env = {**os.environ, "PREFECT_API_URL": api_url, "PREFECT_HOME": str(home)}
        env["STANCE_PROJECT_DIR"] = str(checkout)

        def prefect(*args: str) -> None:
            result = subprocess.run(
                [PREFECT, "--no-prompt", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

        prefect("work-pool", "create", "stance-process", "--type", "process")
        prefect("deploy", "--all")
        with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
            for spec in declared:
                deployment = client.read_deployment_by_name(f"stance-extract/{spec['name']}")
                assert deployment.work_pool_name == "stance-process"
                assert deployment.parameters["inputs"] == spec["parameters"]["inputs"]
                assert len(deployment.schedules) == len(spec.get("schedules", []))
                # fixed when deploying, not looked up on the worker
                step = deployment.pull_steps[0]["prefect.deployments.steps.set_working_directory"]
                assert step["directory"] == str(checkout)
