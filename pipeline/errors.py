"""The root of every error the core raises on purpose."""


class StanceError(Exception):
    """Base class: catch this to handle any pipeline failure with a clear message."""
