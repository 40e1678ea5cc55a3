"""Keep Hugging Face libraries off the network: weights come from installed packages."""

import os

OFFLINE_VARIABLES = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def set_env_defaults(values: dict[str, str]) -> None:
    """Set environment variables the user has not set; their own values win."""
    for name, value in values.items():
        os.environ.setdefault(name, value)


def ensure_offline() -> None:
    """Set the offline switches unless the caller already chose values.

    Called before transformers or datasets are imported (they read these at import time).
    """
    set_env_defaults(OFFLINE_VARIABLES)
