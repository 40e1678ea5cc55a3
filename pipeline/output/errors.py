from pipeline.errors import StanceError


class OutputError(StanceError):
    """Writing a run's output failed (the previous files are left as they were)."""
