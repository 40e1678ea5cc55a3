from pipeline.errors import StanceError


class InputError(StanceError):
    """One input could not be read; ``source`` names it and ``kind`` says why in a word."""

    def __init__(self, source: str, kind: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.kind = kind
        self.message = message

    def __reduce__(self) -> tuple:  # pickled by Prefect's result store and Dask
        return (type(self), (self.source, self.kind, self.message))
