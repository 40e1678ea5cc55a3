from pipeline.errors import StanceError


class GazetteerError(StanceError):
    """The gazetteer data is missing or malformed; the message names the file and line."""
