"""authority, operator, rules, approvals: who may do and post how much, the tier rules,
and the four-eyes queue."""

from __future__ import annotations

import argparse

from balance_tui.commands.output import (
    UsageError,
    error_line,
    money,
    out,
    print_json,
    safe,
    signed,
    table,
    when,
)
from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.errors import InvalidAmountError
from balance_tui.domain.money import parse_amount
from balance_tui.services.bundle import Services


def _limit(value: object) -> str:
    return "unlimited" if value is None else money(value)  # type: ignore[arg-type]


def authority(services: Services, args: argparse.Namespace) -> int:
    if args.action == "set":
        if args.subject is None or args.amount is None:
            raise UsageError("authority set needs ROLE_OR_LOGIN and AMOUNT (or 'unlimited').")
        if args.amount.strip().lower() not in ("unlimited", "none"):
            try:
                parse_amount(args.amount)
            except InvalidAmountError as exc:
                raise UsageError(str(exc)) from None
        entry = services.authority.set_authority(args.subject, args.amount, services.operator)
        out(f"authority of {entry.kind} {safe(entry.subject)} is now {_limit(entry.limit)}.")
        return 0
    if args.subject is not None:
        raise UsageError("authority list takes no arguments; did you mean 'authority set'?")
    entries = services.authority.entries()
    me = services.authority.identity(services.operator)
    if args.json:
        print_json({"you": me, "entries": entries})
        return 0
    table(
        [
            [e.kind, safe(e.subject), _limit(e.limit), safe(e.set_by), when(e.set_at)]
            for e in entries
        ],
        ["Kind", "Role or login", "Largest change", "Set by", "Set at"],
        right={2},
    )
    roles = ", ".join(sorted(me.roles)) or "none"
    out(f"You: {safe(me.login)} ({roles}), authority {_limit(me.authority)}.")
    return 0


def operator(services: Services, args: argparse.Namespace) -> int:
    """The book's operators and roles (SQLite), or ``operator set NAME ROLE`` (admins)."""
    desk = services.operators
    if args.action == "set":
        if args.name is None or args.role is None:
            raise UsageError("operator set needs NAME and ROLE (auditor, operator, ...).")
        entry = desk.set_role(args.name, args.role, services.operator)
        out(f"{safe(entry.name)} is now {entry.role} in this book.")
        return 0
    if args.name is not None:
        raise UsageError("operator list takes no arguments; did you mean 'operator set'?")
    entries = desk.operators()
    me = desk.identity(services.operator)
    if args.json:
        print_json({"you": me, "operators": entries})
        return 0
    if desk.postgres:
        out("On PostgreSQL the server holds the roles (the book's group roles).")
    else:
        table(
            [[safe(e.name), e.role, safe(e.set_by), when(e.set_at)] for e in entries],
            ["Operator", "Role", "Set by", "Set at"],
        )
        if not entries:
            out("The book names no operator yet: everyone is admin until one is named.")
    out(f"You: {safe(me.login)} ({me.role}).")
    return 0


def rules(services: Services, args: argparse.Namespace) -> int:
    """The tier rules in force (the book's), or ``rules set TIER FIGURE AMOUNT`` (admins)."""
    from balance_tui.services.rules import FIGURE_NAMES

    if args.action == "set":
        if args.tier is None or args.figure is None or args.amount is None:
            raise UsageError(
                f"rules set needs TIER FIGURE AMOUNT; the figures are {', '.join(FIGURE_NAMES)}."
            )
        entry = services.rules.set_rule(args.tier, args.figure, args.amount, services.operator)
        shown = money(getattr(entry.rules, args.figure))
        out(f"{entry.tier}: {args.figure} is now {shown}.")
        return 0
    if args.tier is not None:
        raise UsageError("rules list takes no arguments; did you mean 'rules set'?")
    entries = services.rules.entries()
    if args.json:
        print_json({"tiers": entries})
        return 0
    table(
        [
            [e.tier, *(money(getattr(e.rules, f)) for f in FIGURE_NAMES), safe(e.set_by)]
            for e in entries
        ],
        ["Tier", "Min", "Max", "Warning", "Critical", "Daily", "Weekly", "Set by"],
        right={1, 2, 3, 4, 5, 6},
    )
    return 0


def _row(r: ApprovalRequest) -> list[str]:
    return [
        f"#{r.id}",
        r.status,
        safe(r.customer_id),
        r.change_type,
        f"{signed(r.amount)} {r.currency}",
        safe(r.maker_label if r.maker_label == r.maker else f"{r.maker_label} ({r.maker})"),
        safe(r.reason)[:40],
        when(r.created_at),
        safe(r.checker or ""),
    ]


def approvals(services: Services, args: argparse.Namespace) -> int:
    desk = services.approvals
    if args.action == "list":
        if args.id is not None:
            raise UsageError("approvals list takes no id; use 'approvals approve ID'.")
        status = None if args.status == "all" else args.status
        mine = services.operator if args.mine else None
        requests = desk.requests(status=status, mine=mine, limit=args.limit)
        if args.json:
            print_json(requests)
            return 0
        if not requests:
            out(f"No {'' if status is None else status + ' '}approval requests.")
            return 0
        table(
            [_row(r) for r in requests],
            ["Id", "Status", "Customer", "Type", "Amount", "Maker", "Reason", "Asked", "Checker"],
            right={4},
        )
        return 0
    if args.id is None:
        raise UsageError(f"approvals {args.action} needs the request's ID.")
    if args.action == "approve":
        result = desk.approve(args.id, services.operator, args.note or "")
        if args.json:
            print_json({"status": result.status, "result": result})
            return 0 if result.success else 1
        if not result.success:
            error_line(
                f"approval request #{args.id} not applied: "
                + " ".join(result.validation.errors)
                + " It stays pending."
            )
            return 1
        event = result.event
        assert event is not None
        out(
            f"approved #{args.id}: {safe(event.customer_id)} {event.change_type} "
            f"{signed(event.amount)} {event.currency}: balance {money(event.previous_balance)} -> "
            f"{money(event.new_balance, event.currency)} (event #{event.id})."
        )
        return 0
    if not args.reason:
        raise UsageError("approvals reject needs --reason: say why, for the maker.")
    decided = desk.reject(args.id, services.operator, args.reason)
    if args.json:
        print_json(decided)
        return 0
    out(f"rejected #{decided.id}: {safe(decided.customer_id)} {signed(decided.amount)}.")
    return 0
