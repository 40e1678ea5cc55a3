"""A run's output folder, owned by one object: ``pipeline.runs.folder.RunFolder``.

- ``layout``: the name of every file in the folder (imported by the review app and the CLI);
- ``folder``: ``RunFolder``, which locks the folder, repairs it on opening (cuts an uncommitted
  tail, moves an earlier version's files aside), plans a run (new, changed, unchanged,
  duplicate), commits batches and finishes the run (errors, derived files, manifest);
- ``store``: the SQLite state store behind it (what is done, committed lengths, tallies);
- ``manifest``: the manifest, from the counts the store keeps as batches are committed;
- ``rerun``: a rerun with nothing new to do, finished without Prefect or a model.

This module imports nothing, so that ``layout`` stays cheap to import.
"""
