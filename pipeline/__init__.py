"""stance-pipeline core: Prefect-free stages that turn articles into stance records.

Stages live in subpackages with the same shape (code, ``config.py``, ``errors.py``):
``ingest`` (files to clean articles), ``actors`` (mentions to canonical actors),
``statements`` (attributed statement candidates), ``stance`` (the classifier) and
``output`` (records, schemas and atomic JSONL writing).
"""

__version__ = "0.4.0"
LABEL_SCHEME = "scheme-v1"
STANCE_LABELS: tuple[str, ...] = ("support", "refusal", "mediation", "opposition", "neutral")
