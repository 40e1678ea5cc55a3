"""Analyst review: a local web app over a run's output, corrections in SQLite, exports.

Layers: ``run_data`` loads and validates a run folder (never writes to it), ``store`` keeps
the analysts' corrections as append-only events, ``corrections`` folds events into the
effective view of each statement, ``export`` and ``labelstudio`` write what others consume,
and ``app`` serves the pages.
"""
