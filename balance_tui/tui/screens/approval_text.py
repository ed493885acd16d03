"""What the Approvals screen says of a request: its row, its detail with what approving
would do now, and the customer's other pending requests beside it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.text import Text

from balance_tui.domain.authority import ApprovalRequest, likely_duplicates
from balance_tui.domain.records import ChangePreview
from balance_tui.tui.numbers import money
from balance_tui.tui.safe_text import literal, one_line, visible


def age(then: datetime, now: datetime) -> str:
    """How long ago, as an operator says it: 45 s, 12 min, 3 h 05, 2 d."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"
    return f"{seconds // 86400} d"


def maker_text(r: ApprovalRequest) -> str:
    return r.maker if r.maker_label == r.maker else f"{r.maker_label} ({r.maker})"


def status_text(r: ApprovalRequest) -> Text:
    styles = {"pending": "bold", "approved": "green", "rejected": "red", "expired": "dim"}
    return Text(r.status, style=styles.get(r.status, ""))


def request_cells(r: ApprovalRequest, now: datetime, keys: tuple[str, ...]) -> list[Text]:
    cells = {
        "id": Text(f"#{r.id}", justify="right"),
        "age": Text(age(r.created_at, now)),
        "customer": literal(r.customer_id),
        "type": Text(r.change_type),
        "amount": Text(money(r.amount, r.currency, signed=True), justify="right"),
        "maker": literal(one_line(maker_text(r), 24)),
        "status": status_text(r),
        "reason": literal(one_line(r.reason, 40, whole_words=True)),
    }
    return [cells[k] for k in keys]


def request_detail(
    r: ApprovalRequest,
    preview: ChangePreview | None,
    now: datetime,
    others: list[ApprovalRequest] | None = None,
) -> Text:
    text = Text()
    text.append(f"Approval request #{r.id} ", style="bold")
    text.append_text(status_text(r))
    text.append(
        f"  {visible(r.customer_id)} · {r.change_type} {money(r.amount, r.currency, signed=True)}"
    )
    authority = "unlimited" if r.maker_authority is None else money(r.maker_authority)
    text.append(
        f"\nAsked by {visible(maker_text(r))} (authority {authority}) "
        f"{r.created_at:%Y-%m-%d %H:%M} UTC, {age(r.created_at, now)} ago"
    )
    if r.status == "pending":
        text.append(f" · expires {r.expires_at:%Y-%m-%d %H:%M} UTC")
    text.append(f"\nReason: {visible(r.reason)}")
    if r.decided_at is not None:
        text.append(
            f"\n{r.status.capitalize()} by {visible(r.checker_label or '?')} "
            f"({visible(r.checker or '?')}) at {r.decided_at:%Y-%m-%d %H:%M} UTC",
            style="dim",
        )
        if r.note:
            text.append(f": {visible(r.note)}", style="dim")
        if r.event_id:
            text.append(f" · event #{r.event_id}", style="dim")
    if r.status == "pending" and preview is not None:
        text.append("\nIf approved now: ", style="bold")
        text.append(
            f"{money(preview.current_balance)} → {money(preview.new_balance, r.currency)} · "
            f"24h {money(preview.usage_24h)} of {money(preview.rules.daily_change_limit)}"
        )
        for error in preview.validation.errors:
            text.append(f"\n✖ {visible(error)} (approving would be refused)", style="bold red")
        for warning in preview.validation.warnings:
            text.append(f"\n⚠ {visible(warning)}", style="yellow")
        if preview.alerts:
            text.append(f"\n{will_raise(preview)}", style="yellow")
        text.append_text(pending_alongside(r, preview, others or []))
    return text


def will_raise(preview: ChangePreview) -> str:
    """The alerts approving raises, in words ("Will raise: significant drop")."""
    return "Will raise: " + ", ".join(a.replace("_", " ") for a in preview.alerts)


def pending_alongside(
    r: ApprovalRequest, preview: ChangePreview, others: list[ApprovalRequest]
) -> Text:
    """The customer's other pending requests, the balance if all were approved, and which
    look like the same correction."""
    others = [o for o in others if o.id != r.id]
    text = Text()
    if not others:
        return text
    text.append(f"\nAlso pending for {visible(r.customer_id)}: ", style="bold")
    text.append(
        " · ".join(
            f"#{o.id} {o.change_type} {money(o.amount, signed=True)} by {visible(maker_text(o))}"
            for o in others
        )
    )
    every = preview.current_balance + r.amount + sum((o.amount for o in others), Decimal(0))
    text.append(
        f"\nIf all {len(others) + 1} are approved: {money(preview.current_balance)} → "
        f"{money(every, r.currency)}"
    )
    for twin in likely_duplicates(r, others):
        text.append(
            f"\n⚠ #{twin.id} looks like the same correction ({twin.change_type} "
            f"{money(twin.amount, signed=True)}): approving both would apply it twice.",
            style="bold yellow",
        )
    return text
