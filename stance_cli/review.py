"""`stance review`, `stance review-export`, `stance review-import`: the analysts' review app.

No Prefect and no models: these commands read a run folder and the corrections database.
"""

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

RunDir = Annotated[
    Path, typer.Argument(help="A run's output folder (the --out of `stance run`).", show_default=False)
]
DbOption = Annotated[
    Path | None, typer.Option("--db", help="Corrections database (default: RUN_DIR/review.sqlite).")
]


def _default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def review(
    run_dir: RunDir,
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but a loopback address needs a token.")
    ] = "127.0.0.1",
    token: Annotated[
        str | None,
        typer.Option(
            help="Access token every request must carry (required off loopback).",
            envvar="STANCE_REVIEW_TOKEN",
            show_envvar=True,
        ),
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option(help="Name recorded with each correction (default: your user name).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Browse, correct and export a run's statements in the browser (a local web app).

    Pages: statements (filters, lowest confidence first), each article with its evidence
    highlighted, and a per-holder stance summary. Corrections go to RUN_DIR/review.sqlite;
    the run's own files are never changed.
    """
    import uvicorn

    from review.app import create_app
    from review.errors import ReviewError
    from review.security import check_binding

    try:
        check_binding(host, token)
        app = create_app(run_dir, db, token=token, reviewer=reviewer or _default_reviewer())
    except ReviewError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    out.print(
        f"reviewing {run_dir.resolve()} ({len(app.state.review.run.statements)} statements)", markup=False
    )
    out.print(f"open {url}{'?token=<your token>' if token else ''}   (Ctrl+C to stop)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("STANCE_REVIEW_LOG_LEVEL", "warning"))


def review_export(
    run_dir: RunDir,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="training, jsonl, csv, labelstudio or labelstudio-config.",
            show_default=True,
        ),
    ] = "training",
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="File to write (replaced atomically).")
    ] = Path("corrections.jsonl"),
    db: DbOption = None,
) -> None:
    """Write the corrections: training JSONL for `stance train --extra-data`, the merged run
    as JSONL or CSV, or Label Studio tasks and their labeling config."""
    from pipeline.output.jsonio import write_atomic
    from review.app import default_db_path
    from review.corrections import review_all
    from review.errors import ReviewError
    from review.export import FORMATS, export_text, training_export
    from review.run_data import load_run
    from review.store import CorrectionStore

    if fmt not in FORMATS:
        err.print(f"error: unknown format '{fmt}'; choose one of {', '.join(FORMATS)}", markup=False)
        raise typer.Exit(EXIT_USAGE)
    try:
        run = load_run(run_dir)
        store = CorrectionStore(db or default_db_path(run_dir))
        reviewed = review_all(run, store.active_events())
        write_atomic(out_file, [export_text(fmt, reviewed, run)])
    except ReviewError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    if fmt == "training":
        training = training_export(reviewed)
        for statement_id, why in training.skipped:
            err.print(f"skipped {statement_id}: {why}", markup=False, highlight=False)
        out.print(f"{len(training.examples)} training examples -> {out_file}", markup=False)
    else:
        out.print(f"{FORMATS[fmt].description} -> {out_file}", markup=False)


def review_import(
    run_dir: RunDir,
    tasks_file: Annotated[Path, typer.Argument(help="A Label Studio JSON export of the tasks.")],
    reviewer: Annotated[
        str | None,
        typer.Option(help="Name recorded when an annotation names no annotator (default: your user name)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Fold Label Studio annotations back into the corrections database."""
    from review.app import default_db_path
    from review.errors import ReviewError
    from review.labelstudio import import_tasks
    from review.run_data import load_run
    from review.store import CorrectionStore

    try:
        run = load_run(run_dir)
        raw = tasks_file.read_bytes()
        report = import_tasks(
            raw, run, CorrectionStore(db or default_db_path(run_dir)), reviewer or _default_reviewer()
        )
    except OSError as exc:
        err.print(f"error: {tasks_file}: cannot be read ({exc.strerror or exc})", markup=False)
        raise typer.Exit(EXIT_USAGE) from exc
    except ReviewError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    for problem in report.problems:
        err.print(f"problem: {problem}", markup=False, highlight=False)
    out.print(
        f"{report.tasks} tasks: {report.changed} changed ({report.events} corrections), "
        f"{report.unchanged} unchanged, {report.not_annotated} without annotation, "
        f"{len(report.problems)} with problems",
        markup=False,
    )
    raise typer.Exit(EXIT_FAILED if report.problems else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("review-export")(review_export)
    app.command("review-import")(review_import)
