"""Start-up: the first frame already shows the first rows, with the table focused; and a
change another terminal commits while the app reads its first rows is shown, not lost."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from decimal import Decimal

from textual.widgets import DataTable

from balance_tui.config import Settings
from balance_tui.services import build_services
from balance_tui.store import connect
from balance_tui.tui.app import create_app
from tests.tui.conftest import SIZE, until


def _balance_cell(app, customer_id: str) -> str:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#customers", DataTable)
    return str(table.get_cell(customer_id, "balance"))


async def test_the_first_frame_has_the_first_rows_and_the_table_has_the_keys(services) -> None:  # type: ignore[no-untyped-def]
    app = create_app(services, poll_seconds=60)
    async with app.run_test(size=SIZE):
        # No pause, no waiting for workers: what the app shows as it comes up.
        table = app.screen.query_one("#customers", DataTable)
        assert table.row_count == 40
        assert app.focused is table


async def test_a_change_committed_during_the_first_read_is_shown(
    services, db_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The first rows are read, then (before the app watches) another terminal commits: the
    app must still show it. Where to watch from is taken before the first read."""
    other = build_services(connect(db_file), Settings(), operator="bob")
    customer = services.manager.list_customers(limit=1)[0].customer
    listing = services.manager.customer_page
    wrote: list[Decimal] = []

    def read_then_another_terminal_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows = listing(*args, **kwargs)
        if not wrote:
            result = other.manager.update_balance(
                customer.id, None, Decimal("1234.56"), "deposit", "other terminal", "bob"
            )
            assert result.success
            wrote.append(result.event.new_balance)
        return rows

    monkeypatch.setattr(services.manager, "customer_page", read_then_another_terminal_writes)
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        assert wrote, "the first read happened"
        shown = f"{wrote[0]:,.2f}"
        await until(pilot, lambda: shown in _balance_cell(app, customer.id))


#: Code the first screen does not need: it loads when its screen, dialog or command is used.
NOT_AT_START = (
    "balance_tui.services.analytics",
    "balance_tui.services.verification",
    "balance_tui.services.checkpoints",
    "balance_tui.services.import_export",
    "balance_tui.services.csv_files",
    "balance_tui.services.demo",
    "balance_tui.tui.screens.history",
    "balance_tui.tui.screens.alerts",
    "balance_tui.tui.screens.analytics",
    "balance_tui.tui.screens.approvals",
    "balance_tui.tui.screens.jobs",
    "balance_tui.tui.screens.card",
    "balance_tui.tui.screens.adjust",
    "balance_tui.tui.screens.new_customer",
    "balance_tui.tui.screens.dialogs",
    # the sub-commands (their parser is not built for `balance-tui --db BOOK`)
    "balance_tui.commands.authority",
    "balance_tui.commands.balances",
    "balance_tui.commands.data",
    "balance_tui.commands.trail",
    "balance_tui.services.audit",
    "balance_tui.domain.analytics",
    # a SQLite book needs neither the PostgreSQL driver nor the migration runner
    "psycopg2",
    "playhouse.migrate",
)

FIRST_SCREEN = textwrap.dedent("""
    import asyncio, json, sys
    from balance_tui.cli import main  # what `balance-tui` imports
    from balance_tui.services import open_services
    from balance_tui.tui.app import create_app
    loaded = {}
    def ours():
        return sorted(
            m for m in sys.modules
            if m.startswith(("balance_tui", "psycopg2", "playhouse")) and sys.modules[m]
        )
    async def run():
        app = create_app(open_services(sys.argv[1]), poll_seconds=60)
        app.after_first_frame.append(lambda: loaded.setdefault("first frame", ours()))
        async with app.run_test(size=(120, 36)) as pilot:
            assert app.screen.query_one("#customers").row_count
            for _ in range(100):
                await pilot.pause(0.02)
                if "balance_tui.tui.screens.history" in sys.modules:
                    break
            loaded["a moment later"] = ours()
    asyncio.run(run())
    print(json.dumps(loaded))
""")

#: What loads after the first frame, before the operator asks for it.
LATER_SCREENS = (
    "balance_tui.tui.screens.history",
    "balance_tui.tui.screens.alerts",
    "balance_tui.tui.screens.analytics",
    "balance_tui.tui.screens.approvals",
)


def test_the_first_frame_needs_only_its_own_code(services, db_file) -> None:  # type: ignore[no-untyped-def]
    """And the other screens load right after it, so that a first visit is as quick as any."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, db_file],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    first = set(loaded["first frame"])
    assert "balance_tui.tui.screens.customers" in first  # (the probe sees what loads)
    assert first.isdisjoint(NOT_AT_START), sorted(first & set(NOT_AT_START))
    assert set(LATER_SCREENS) <= set(loaded["a moment later"])


async def test_what_waits_for_the_first_frame_runs_once_it_is_drawn(services) -> None:  # type: ignore[no-untyped-def]
    """The CLI turns the garbage collector back on from here (see ``cli.run_tui``)."""
    app = create_app(services, poll_seconds=60)
    seen: list[int] = []
    app.after_first_frame.append(
        lambda: seen.append(app.screen.query_one("#customers", DataTable).row_count)
    )
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(seen))
        await pilot.pause()
        assert seen == [40]  # once, with the rows
