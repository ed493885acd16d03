"""One clock: on PostgreSQL the server's clock dates every change, whatever the clock of the
terminal that writes it; a terminal whose clock is off is told by how much when it opens the
book, and the server refuses an event dated over a minute ahead of it (a writer that brings
its own clock)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from balance_tui.config import Settings
from balance_tui.domain.errors import RefusedByDatabaseError
from balance_tui.services import open_services
from tests.conftest import TestClock

pytestmark = pytest.mark.postgres


def _open(url: str, clock: TestClock):  # type: ignore[no-untyped-def]
    return open_services(url, Settings(), clock, operator="owner", migrate=True)


def test_a_terminal_a_day_fast_is_told_and_cannot_post_into_the_future(postgres_url: str) -> None:
    fast = _open(postgres_url, TestClock(datetime.now(UTC) + timedelta(days=1, hours=2, minutes=1)))
    assert "clock is 1 d 2 h ahead of the database server's" in fast.note
    fast.manager.create_customer("C1", "AG_1", vip_level="gold")
    with pytest.raises(RefusedByDatabaseError, match="ahead of the database server's clock"):
        fast.manager.update_balance("C1", None, Decimal("100"), "deposit", "r", "owner")
    fast.db.close()


def test_a_terminal_on_time_is_told_nothing(postgres_url: str) -> None:
    on_time = _open(postgres_url, TestClock(datetime.now(UTC)))
    assert on_time.note == ""
    on_time.db.close()


def _cli_with_clock(offset: str, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a process whose clock is ``offset`` off (libfaketime)."""
    command = ["faketime", "-f", offset, sys.executable, "-m", "balance_tui", "--db", url]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
@pytest.mark.parametrize("offset", ["+1d", "-1d"])
def test_a_terminal_with_its_clock_a_day_off_dates_nothing_by_it(
    postgres_url: str, offset: str
) -> None:
    """A terminal a day fast or a day slow posts as usual, is told its clock is off, and its
    change is dated by the server: no event "in the future" that blocks everyone's daily
    limits, none in the past that escapes them."""
    book = _open(postgres_url, TestClock(datetime.now(UTC)))
    book.manager.create_customer("C1", "AG_1", vip_level="gold")
    posted = _cli_with_clock(
        offset, postgres_url, "--operator", "owner", "update", "C1", "100",
        "--type", "deposit", "--reason", "clock off", "--json",
    )  # fmt: skip
    assert posted.returncode == 0, posted.stderr
    assert "clock is 1 d" in posted.stderr
    assert json.loads(posted.stdout)["success"] is True
    event = book.audit.get_balance_history("C1", limit=1)[0]
    assert abs(event.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    book.db.close()
