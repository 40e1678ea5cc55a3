from pipeline.errors import StanceError


class DevSetError(StanceError):
    """A development-set reference is malformed or points at text that is not there."""
