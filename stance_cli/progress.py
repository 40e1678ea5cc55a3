"""The live progress bar of `stance run`: articles done of the total, statements, rate, ETA.

Drawn on stderr only when it is a terminal and the run is not quiet; in a log or a pipe the
flow's one line per committed batch (with the same rate and ETA) is the progress report.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.2f} articles/s")


def make_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("articles"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[statements]} statements"),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


@contextmanager
def progress_bar(enabled: bool = True, console: Console | None = None) -> Iterator[Progress | None]:
    """Show the bar for the block while the flow reports committed batches."""
    from flows.progress import listening

    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    with make_bar(console) as bar:
        task = bar.add_task("extract", total=None, statements=0)

        def update(done: int, total: int, statements: int) -> None:
            bar.update(task, completed=done, total=total, statements=statements)

        with listening(update):
            yield bar
