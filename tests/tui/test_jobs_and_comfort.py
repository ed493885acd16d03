"""Long jobs (a path asked for, progress, cancel), readability without colour, the theme
kept, the status line, and the dialogs' previews and warnings."""

from __future__ import annotations

import dataclasses
import threading

from rich.style import Style

from balance_tui.config import load_settings
from balance_tui.tui.app import create_app
from balance_tui.tui.screens.alerts import severity_text
from balance_tui.tui.screens.dialogs import ReverseDialog
from balance_tui.tui.screens.jobs import ExportPathDialog, JobDialog
from balance_tui.tui.widgets.banner import banner_text
from tests.tui.conftest import SIZE, settle, shown, until


async def test_verify_runs_as_a_job_and_says_the_outcome(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p", *"verify")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: any("every chain matches" in m.message for m in app.message_log))
        assert not isinstance(app.screen, JobDialog)


async def test_a_job_shows_progress_and_escape_cancels_it(app) -> None:
    step = threading.Event()
    reached: list[int] = []

    def job(progress):  # type: ignore[no-untyped-def]
        for done in range(100):
            progress(done, 100)
            reached.append(done)
            step.wait(5)
        return "finished"

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.run_job(JobDialog("Counting sheep", job, "sheep"))
        await until(pilot, lambda: isinstance(app.screen, JobDialog))
        await until(pilot, lambda: "of 100 sheep" in shown(app, "#job-state"))
        await pilot.press("escape")
        step.set()
        await until(pilot, lambda: any("Cancelled" in m.message for m in app.message_log))
    assert len(reached) < 100


async def test_export_asks_where_and_refuses_a_missing_folder(app, tmp_path) -> None:
    existing = tmp_path / "old.csv"
    existing.write_text("keep me")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("e")
        assert isinstance(app.screen, ExportPathDialog)
        await pilot.press("ctrl+u", *str(tmp_path / "nope" / "x.csv"), "enter")
        assert "does not exist" in shown(app, "#errors")
        await pilot.press("ctrl+u", *str(existing), "enter")
        assert "enter again to replace" in shown(app, "#warnings")
        assert existing.read_text() == "keep me"
        await pilot.press("enter")
        await until(pilot, lambda: existing.read_text().startswith("id,"))
        await until(pilot, lambda: any("Exported" in m.message for m in app.message_log))


def test_severity_stays_readable_without_colour() -> None:
    critical = severity_text("critical")
    style = Style.parse(str(critical.style))
    assert critical.plain.startswith("‼") and style.reverse and style.bold
    warning = severity_text("warning")
    assert warning.plain.startswith("!") and Style.parse(str(warning.style)).bold


async def test_under_no_color_the_banner_names_the_alert_in_reverse_video(
    services, monkeypatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = create_app(services, poll_seconds=0.05)
    alert = services.notifications.get_active_alerts()[0]
    text = banner_text(alert, 0)
    assert any(Style.parse(str(s.style)).reverse for s in text.spans)
    assert alert.alert_type.replace("_", " ").upper() in text.plain
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.no_color


async def test_the_theme_chosen_is_kept_in_the_config_file(services, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('operator = "ann"\n\n[keys]\n"app.alerts" = "3"\n')
    settings = load_settings(env={}, path=config)
    app = create_app(dataclasses.replace(services, settings=settings), poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.theme = "nord"
        await until(pilot, lambda: 'theme = "nord"' in config.read_text())
    kept = load_settings(env={}, path=config)
    assert kept.theme == "nord" and kept.operator == "ann" and kept.keymap == {"app.alerts": "3"}
    again = create_app(dataclasses.replace(services, settings=kept), poll_seconds=0.05)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, again)
        assert again.theme == "nord"


async def test_the_status_line_says_row_filter_sort_connection_and_refresh(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await until(pilot, lambda: app.connection == "live")
        await pilot.press("down", "down", "slash", *"CUSTOMER_0001", "enter")
        await settle(pilot, app)
        await until(pilot, lambda: "filter CUSTOMER_0001" in shown(app, "StatusLine"))
        line = shown(app, "StatusLine")
        assert "row 1 of 10" in line and "sort id ▲" in line
        assert "live" in line and "refreshed 12:00:00" in line  # the frozen clock


async def test_the_reverse_dialog_shows_the_effect_first(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        event = app.screen.highlighted()  # type: ignore[attr-defined]
        preview = services.manager.preview_reversal(event.id)
        await pilot.press("r")
        assert isinstance(app.screen, ReverseDialog)
        await settle(pilot, app)
        effect = shown(app, "#preview")
        assert f"→ {preview.new_balance:,.2f}" in effect and "Used after: 24h" in effect


async def test_the_new_customer_form_warns_and_checks_the_currency(app, services) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n", *"NEW_7", "tab", *"AGENT_NEW")
        await until(pilot, lambda: "AGENT_NEW does not exist yet" in shown(app, "#warnings"))
        await pilot.press("tab", "tab", "tab", "ctrl+u", *"US")
        await until(pilot, lambda: "3-letter code" in shown(app, "#errors"))
        await pilot.press(*"X")  # USX: a code, but no customer uses it
        await until(pilot, lambda: "No customer uses USX" in shown(app, "#warnings"))
        assert shown(app, "#errors").strip() == ""
