"""Long jobs (export, verify): where the file goes, a progress bar, and Escape to cancel.

A job runs on a worker thread with its own database session; it reports ``(done, total)``
and the dialog raises ``JobCancelled`` from inside that report once the operator cancels,
so the job stops where it is (an export leaves no partial file: it is written to a
temporary file and renamed only when complete).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static

from balance_tui.domain.record import record
from balance_tui.services.bundle import thread_session
from balance_tui.tui.problems import problem_text
from balance_tui.tui.screens.dialogs import DIALOG_CSS, dialog_footer

Progress = Callable[[int, int], None]


class JobCancelled(Exception):
    """Raised inside a job's progress report once the operator cancelled it."""


@record
class JobOutcome:
    """How a job ended: its message, and whether it completed."""

    text: str
    completed: bool
    failed: bool = False


class JobDialog(ModalScreen[JobOutcome]):
    """Runs ``job(progress)`` (it returns the sentence to show when done) with a progress
    bar; Escape cancels."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="JobDialog")
        + """
    JobDialog ProgressBar { margin: 1 0; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Stop the job", id="job.cancel")]

    def __init__(self, title: str, job: Callable[[Progress], str], unit: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.job = job
        self.unit = unit
        self.cancelled = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield ProgressBar(total=None, show_eta=True, id="bar")
            yield Static("Starting…", id="job-state")
            yield Label("escape cancel", classes="muted")
        yield dialog_footer()

    def on_mount(self) -> None:
        self._run()

    @work(thread=True, exclusive=True, group="job", exit_on_error=False)
    def _run(self) -> None:
        app = self.app

        def progress(done: int, total: int) -> None:
            if self.cancelled:
                raise JobCancelled
            app.call_from_thread(self._progress, done, total)

        try:
            with thread_session(app.services.db):  # type: ignore[attr-defined]
                text = self.job(progress)
        except JobCancelled:
            outcome = JobOutcome(f"Cancelled: {self.title_text}", completed=False)
        except Exception as exc:  # shown in words; the app keeps running
            reason = problem_text(exc)
            outcome = JobOutcome(reason, completed=False, failed=True)
        else:
            outcome = JobOutcome(text, completed=True)
        app.call_from_thread(self.dismiss, outcome)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#bar", ProgressBar).update(total=total or None, progress=done)
        unit = f" {self.unit}" if self.unit else ""
        self.query_one("#job-state", Static).update(f"{done:,} of {total:,}{unit}")

    def action_cancel(self) -> None:
        self.cancelled = True
        self.query_one("#job-state", Static).update(Text("Cancelling…", style="bold"))


def path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be written, or None."""
    if path.is_dir():
        return f"{path} is a folder; name a file in it."
    folder = path.parent
    if not folder.is_dir():
        return f"Folder {folder} does not exist."
    if not os.access(folder, os.W_OK):
        return f"Folder {folder} cannot be written to."
    return None


class ExportPathDialog(ModalScreen[Path | None]):
    """Where an export goes: a proposed path to accept or edit. An existing file is only
    replaced after a second Enter."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ExportPathDialog")
        + """
    ExportPathDialog #warnings { color: $warning; height: auto; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Export nothing", id="export.cancel")]

    def __init__(self, what: str, proposed: Path) -> None:
        super().__init__()
        self.what = what
        self.proposed = proposed
        self._confirmed: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Export {self.what} to", style="bold"))
            yield Input(value=str(self.proposed), id="path")
            yield Static(id="warnings")
            yield Static(id="errors")
            yield Label("enter export · escape cancel", classes="muted")
        yield dialog_footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _edited(self) -> None:
        self._confirmed = None
        self.query_one("#warnings", Static).update("")
        self.query_one("#errors", Static).update("")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if not event.value.strip():
            self.query_one("#errors", Static).update("✖ Name a file to export to.")
            return
        problem = path_problem(path)
        if problem:
            self.query_one("#errors", Static).update(Text(f"✖ {problem}"))
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            self.query_one("#warnings", Static).update(
                Text(f"⚠ {path.name} exists: enter again to replace it.")
            )
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
