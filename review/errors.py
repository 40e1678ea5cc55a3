from pipeline.errors import StanceError


class ReviewError(StanceError):
    """Base class of the review app's errors; the message is meant for a person."""


class RunDataError(ReviewError):
    """The run folder is missing, or one of its files is missing or malformed."""


class CorrectionError(ReviewError):
    """A correction cannot be applied (unknown statement, holder words not in the sentence...)."""


class ImportFormatError(ReviewError):
    """A file to import is not in the expected format."""
