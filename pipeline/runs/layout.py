"""The output folder's layout: the name of every file a run writes, defined here and only here.

The review app, the CLI and the derived-output writer import these names; a test checks that
no other module outside the tests spells one of them out.
"""

ARTICLES = "articles.jsonl"
STATEMENTS = "statements.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"
STATEMENTS_PARQUET = "statements.parquet"
ARTICLES_PARQUET = "articles.parquet"
STATEMENTS_CSV = "statements.csv"
POSITIONS = "positions.jsonl"
POSITIONS_PARQUET = "positions.parquet"
REPORT = "report.md"
STATE_FILE = "state.sqlite"  # the default of settings.state_file
LOCK = ".lock"
PREVIOUS = "previous"  # earlier processing versions' files, one folder per version

# the files that grow batch by batch; errors and manifest are replaced whole on every run
RECORD_FILES = (ARTICLES, STATEMENTS)
# rebuilt from the record files at the end of every run (pipeline.output.derived)
DERIVED_FILES = {
    "statements_parquet": STATEMENTS_PARQUET,
    "articles_parquet": ARTICLES_PARQUET,
    "statements_csv": STATEMENTS_CSV,
    "positions": POSITIONS,
    "positions_parquet": POSITIONS_PARQUET,
    "report": REPORT,
}
# every file of a run, as the manifest lists them; moved to previous/ with a new version
OUTPUT_FILES = {
    "articles": ARTICLES,
    "statements": STATEMENTS,
    "errors": ERRORS,
    "manifest": MANIFEST,
    **DERIVED_FILES,
}
