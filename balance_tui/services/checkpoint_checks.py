"""What a format 2 checkpoint adds to the check: the exact contents of the alerts and
customers up to the checkpoint, and the book's log of checkpoints (how old this one is, and
whether the book was restored from a copy older than it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import Database

from balance_tui.domain.checkpoint import rows_digest
from balance_tui.domain.record import record
from balance_tui.store import checkpoints as store


def content_problems(db: Database, statement: dict[str, Any]) -> list[str]:
    """Rows up to the checkpoint's highest ids whose contents are no longer the stated."""
    problems = []
    for name, (up_to, digest) in statement["digests"].items():
        if name not in store.CONTENT:
            continue
        if rows_digest(store.content_rows(db, name, int(up_to))) != digest:
            problems.append(
                f"{name}: the {name} up to #{int(up_to):,} are not those of the checkpoint "
                "(one was changed, removed or replaced)"
            )
    return problems


@record
class LogFindings:
    problems: list[str]
    notes: list[str]


def log_findings(
    log: dict[int, tuple[str, str | None, int]], statement: dict[str, Any]
) -> LogFindings:
    sequence, root = int(statement["sequence"]), str(statement["root"])
    newest = max(log, default=0)
    if sequence not in log:
        ends = f"ends at checkpoint #{newest}" if newest else "holds no checkpoint"
        return LogFindings(
            [
                f"checkpoint log: this is checkpoint #{sequence}, but the book's log {ends}: "
                "the book was restored from a copy older than this checkpoint (a rollback), "
                "or its log was cut"
            ],
            [],
        )
    problems = []
    logged_root, logged_previous, _ = log[sequence]
    if logged_root != root:
        problems.append(
            f"checkpoint log: the book's log holds another checkpoint #{sequence} "
            f"(root {logged_root[:16]}...)"
        )
    if logged_previous != statement.get("previous"):
        problems.append(
            f"checkpoint log: checkpoint #{sequence} follows another checkpoint than the one "
            "in the book's log"
        )
    if newest > sequence:
        when = datetime.fromtimestamp(log[newest][2] / 1e6, UTC).strftime("%Y-%m-%d %H:%M")
        notes = [
            f"This is checkpoint #{sequence} of {statement['created_at'][:16]}; the book's log "
            f"holds {newest - sequence} newer, up to #{newest} of {when} UTC: check against "
            "the newest kept off the book."
        ]
    else:
        notes = [f"This is the newest of the book's {newest} checkpoint(s)."]
    return LogFindings(problems, notes)
