"""`stance run`'s live progress bar: drawn on a terminal, silent in logs and pipes."""

import io
import time

from rich.console import Console

from flows.progress import tell
from stance_cli.progress import progress_bar


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=120, color_system=None), buffer


def test_the_bar_shows_articles_done_statements_rate_and_eta_on_a_terminal():
    console, buffer = _console(terminal=True)
    with progress_bar(True, console) as bar:
        assert bar is not None
        tell(0, 40, 0)
        tell(5, 40, 60)
        time.sleep(0.1)  # the rate is measured between two batches
        tell(10, 40, 123)
        bar.refresh()
        task = bar.tasks[0]
        assert (task.completed, task.total, task.fields["statements"]) == (10, 40, 123)
    drawn = buffer.getvalue()
    assert "10/40" in drawn and "123 statements" in drawn and "ETA" in drawn
    assert "articles/s" in drawn
    tell(20, 40, 200)  # after the run, the listener is gone: nothing is drawn any more
    assert buffer.getvalue() == drawn


def test_no_bar_when_quiet_or_not_a_terminal():
    for enabled, terminal in ((False, True), (True, False)):
        console, buffer = _console(terminal)
        with progress_bar(enabled, console) as bar:
            tell(5, 10, 50)
        assert bar is None and buffer.getvalue() == ""
