"""Process-level defaults for Prefect and Hugging Face, applied by entry points before import."""

import os
from pathlib import Path

from pipeline.offline import ensure_offline, set_env_defaults

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_UI_ENABLED": "false",
    # transformers' "Loading weights" bar is noise in a run's output and its logs
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def prepare_environment() -> None:
    """Called by the CLI (and tests) before Prefect is imported; user settings win."""
    ensure_offline()
    set_env_defaults(PREFECT_DEFAULTS)
    home = os.environ.get("PREFECT_HOME")
    if home:  # Prefect creates its home without parents; a fresh checkout may lack them
        Path(home).expanduser().mkdir(parents=True, exist_ok=True)
