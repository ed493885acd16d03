"""The alert banner: stays on screen until dismissed or acknowledged."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from balance_tui.domain.alerts import SEVERITY
from balance_tui.domain.money import decimal_to_cents, format_cents
from balance_tui.domain.records import BalanceThresholdAlert
from balance_tui.tui.safe_text import visible


def banner_text(
    alert: BalanceThresholdAlert, waiting: int, repeats: int = 1, countdown: int | None = None
) -> Text:
    """The banner's line: the alert, how many repeats of its customer and type it stands
    for ("× 8"), how many other banners wait, and its keys (or its undo countdown)."""
    amount = alert.attempted_amount if alert.attempted_amount is not None else alert.balance
    label = "attempt" if alert.attempted_amount is not None else "balance"
    text = Text()
    text.append(f" {alert.alert_type.replace('_', ' ').upper()} ", style="bold reverse")
    text.append(f"  {visible(alert.customer_id)}")
    if repeats > 1:
        text.append(f" × {repeats}", style="bold")
    text.append(f"  {label} {format_cents(decimal_to_cents(amount))}")
    message = alert.message.removeprefix(f"{alert.customer_id}: ")
    text.append(f"  {visible(message)}")
    more = f"  (+{waiting} more)" if waiting else ""
    if countdown is not None:
        text.append(f"{more}   acknowledging in {countdown} s · [u] undo", style="bold")
    else:
        text.append(f"{more}   [b] acknowledge  [x] dismiss  [X] all", style="dim")
    return text


class AlertBanner(Static):
    """Shows the app's current banner alert; hidden when there is none."""

    DEFAULT_CSS = """
    AlertBanner { height: auto; max-height: 3; padding: 0 1; display: none; }
    AlertBanner.-shown { display: block; }
    AlertBanner.-error { background: $error 80%; color: $text; }
    AlertBanner.-warning { background: $warning 70%; color: $text; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "banner_alert", self._show, init=True)

    def _show(self, alert: BalanceThresholdAlert | None) -> None:
        self.set_class(alert is not None, "-shown")
        if alert is None:
            self.update("")
            return
        severity = SEVERITY.get(alert.alert_type, "warning")
        self.set_class(severity == "error", "-error")
        self.set_class(severity != "error", "-warning")
        group = self.app.banner_group()  # type: ignore[attr-defined]
        waiting = len(self.app.banner_queue) - (len(group) - 1)  # type: ignore[attr-defined]
        countdown = self.app.banner_countdown()  # type: ignore[attr-defined]
        self.update(banner_text(alert, waiting, len(group), countdown))
