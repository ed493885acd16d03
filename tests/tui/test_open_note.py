"""What the book says when it is opened (this terminal's tier settings are not the book's, its
clock is off the server's) is shown on the screen, not only on stderr behind the TUI."""

from __future__ import annotations

from decimal import Decimal

from balance_tui.config import Settings
from balance_tui.domain.tiers import DEFAULT_RULEBOOK
from balance_tui.services import open_services
from balance_tui.tui.app import create_app
from tests.tui.conftest import FROZEN, SIZE, seeded_services, until


async def test_a_terminal_whose_tier_settings_differ_is_told_on_screen(db_file: str) -> None:
    seeded_services(db_file, customers=3, events=10).db.close()
    bronze = DEFAULT_RULEBOOK.rules_for("bronze").with_overrides(min_balance=Decimal("-1000000"))
    settings = Settings(rulebook=DEFAULT_RULEBOOK.with_tier("bronze", bronze))
    services = open_services(db_file, settings, lambda: FROZEN, operator="tester")
    app = create_app(services, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: any("differ from the book's" in m.message for m in app.message_log)
        )
