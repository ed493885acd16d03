"""One clock: on PostgreSQL a terminal whose clock is off the server's is told by how much
when it opens the book, and the server refuses an event dated over a minute ahead of it."""

from __future__ import annotations

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
