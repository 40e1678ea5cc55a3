from pipeline.errors import StanceError


class ModelError(StanceError):
    """The stance model could not be loaded or used; the message names the artefact."""


class TrainingDataError(StanceError):
    """A labelled example is malformed; the message names the file and line."""
