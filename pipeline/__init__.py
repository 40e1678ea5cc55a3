"""stance-pipeline core: Prefect-free stages that turn articles into stance records.

Stages live in subpackages with the same shape (code, ``config.py``, ``errors.py``):
``ingest`` (files to clean articles), ``actors`` (mentions to canonical actors),
``statements`` (attributed statement candidates), ``stance`` (the classifier) and
``output`` (records, schemas and atomic JSONL writing).
"""

__version__ = "0.4.0"
LABEL_SCHEME = "scheme-v1"
STANCE_LABELS: tuple[str, ...] = ("support", "refusal", "mediation", "opposition", "neutral")


def _thinc_without_torch() -> None:
    """thinc (under spaCy) imports PyTorch whenever it is installed, to offer layers this project
    never uses: about 1 s and 180 MB in every process that parses. thinc is imported here with
    PyTorch hidden, so it stays out; code that needs PyTorch (training, the ``torch`` runtime)
    imports it later as usual. Nothing changes when PyTorch or thinc is already imported."""
    import sys

    if "thinc" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import thinc.compat  # noqa: F401
    finally:
        del sys.modules["torch"]


_thinc_without_torch()
