"""Each CSS source is parsed once per theme, every screen visited; a new theme still
restyles the app (its sources parsed again, with the new theme's values)."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

import pytest
import textual.css.stylesheet as textual_stylesheet

from balance_tui.tui.app import BalanceApp, create_app
from tests.tui.conftest import SIZE, settle, until

#: The screen each key shows.
SCREENS = {
    "2": "HistoryScreen",
    "3": "AlertsScreen",
    "4": "AnalyticsScreen",
    "5": "ApprovalsScreen",
}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[tuple[str, str], int]]:
    """How many times Textual parsed each CSS source: by where it was read from, and its
    tie-breaker (a source's rules carry it: Textual lowers it when another widget class
    brings the same source, and parses that source again)."""
    counts: Counter[tuple[tuple[str, str], int]] = Counter()
    real = textual_stylesheet.parse

    def counting(scope: str, css: str, read_from: tuple[str, str], **options: Any) -> Any:
        counts[read_from, options.get("tie_breaker", 0)] += 1
        return real(scope, css, read_from, **options)

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    return counts


def _showing(app: BalanceApp, screen: str) -> bool:
    return type(app.screen).__name__ == screen


async def test_every_source_is_parsed_once_for_a_theme(services, parsed) -> None:  # type: ignore[no-untyped-def]
    app = create_app(services, poll_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen in SCREENS.items():
            await pilot.press(key)
            await until(pilot, functools.partial(_showing, app, screen))
            await settle(pilot, app)
        await pilot.press("1")
        await settle(pilot, app)
        assert len(parsed) > 20  # Textual's widgets, our widgets and screens, app.tcss
        twice = {source: n for source, n in parsed.items() if n > 1}
        assert not twice

        before = app.screen.styles.background
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await settle(pilot, app)
        assert app.screen.styles.background != before  # restyled with the new theme
        # ... because every source was parsed again, once, with its values
        assert max(parsed.values()) == 2
        assert all(n == 2 for source, n in parsed.items() if source[0][0].endswith("app.tcss"))
