"""update, reverse, report, customers, new-customer."""

from __future__ import annotations

import argparse

from balance_tui.commands.output import (
    UsageError,
    error_line,
    money,
    out,
    plain,
    print_json,
    safe,
    signed,
    table,
    when,
)
from balance_tui.domain.changes import ChangeType, parse_change_type, typed_change_cents
from balance_tui.domain.errors import BalanceError, InvalidAmountError, InvalidInputError
from balance_tui.domain.inputs import check_code, check_currency, parse_metadata
from balance_tui.domain.money import cents_to_decimal, typed_currency
from balance_tui.domain.records import BalanceUpdateResult
from balance_tui.services.bundle import Services
from balance_tui.services.customers import LARGEST_FIRST


def typed_amount(text: str, change_type: ChangeType) -> int:
    """The signed cents of an amount typed for a change type; a usage error when unreadable."""
    try:
        return typed_change_cents(text, change_type)
    except InvalidAmountError as exc:
        raise UsageError(str(exc)) from None


def _metadata(text: str | None) -> dict[str, object] | None:
    if text is None:
        return None
    try:
        return parse_metadata(text, "--metadata")
    except BalanceError as exc:
        raise UsageError(str(exc)) from None


def _print_result(result: BalanceUpdateResult, args: argparse.Namespace) -> int:
    if args.json:
        print_json({**plain(result), "status": result.status})
        return 1 if result.status == "rejected" else 0
    if result.status == "pending_approval":
        request = result.request
        assert request is not None
        limit = "no" if request.maker_authority is None else money(request.maker_authority)
        out(
            f"pending approval #{request.id}: {safe(request.customer_id)} {request.change_type} "
            f"{signed(request.amount)} {request.currency} is above your authority of {limit}; "
            f"nothing is applied until a supervisor approves it (expires "
            f"{when(request.expires_at)})."
        )
        return 0
    if not result.success:
        raised = "".join(f" Alert #{a.id} raised ({a.alert_type})." for a in result.alerts)
        error_line("rejected: " + " ".join(result.validation.errors) + raised)
        return 1
    event = result.event
    assert event is not None
    parts = [
        f"{safe(event.customer_id)} {event.change_type} {signed(event.amount)} {event.currency}:"
        f" balance {money(event.previous_balance)} -> {money(event.new_balance, event.currency)}"
        f" (event #{event.id}, risk {event.risk_score}{', replayed' if result.replayed else ''})"
    ]
    parts += [f"warning: {w.rstrip('.')}" for w in result.validation.warnings]
    parts += [f"alert #{a.id} {a.alert_type}" for a in result.alerts]
    out("; ".join(parts) + ".")
    return 0


def _key(text: str | None) -> str | None:
    if text is not None and not text.strip():
        raise UsageError("--key is empty; give an idempotency key, or leave --key out.")
    return text


def update(services: Services, args: argparse.Namespace) -> int:
    try:
        change_type = parse_change_type(args.change_type)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    cents = typed_amount(args.amount, change_type)
    key = _key(args.key)
    result = services.manager.update_balance(
        args.customer,
        None,
        cents_to_decimal(cents),
        change_type.value,
        args.reason,
        services.operator,
        None,
        _metadata(args.metadata),
        idempotency_key=key,
        currency=typed_currency(args.amount),
    )
    return _print_result(result, args)


def reverse(services: Services, args: argparse.Namespace) -> int:
    result = services.manager.reverse_event(
        args.event_id, services.operator, args.reason, idempotency_key=_key(args.key)
    )
    return _print_result(result, args)


def report(services: Services, args: argparse.Namespace) -> int:
    rep = services.manager.get_customer_balance_report(
        args.customer, include_history=True, include_alerts=True, history_limit=10
    )
    if args.json:
        print_json(rep)
        return 0
    c, r = rep.customer, rep.rules
    out(f"{safe(c.id)}  {safe(c.name)}  agent {safe(c.agent_id)}  {c.vip_level}  {c.status}")
    out(f"balance      {money(rep.current_balance, c.currency)}")
    out(
        f"limits       min {money(r.min_balance)}  max {money(r.max_balance)}  "
        f"warning {money(r.warning_threshold)}  critical {money(r.critical_threshold)}"
    )
    out(f"usage 24 h   {money(rep.usage_24h)} of {money(r.daily_change_limit)}")
    out(f"usage 7 d    {money(rep.usage_7d)} of {money(r.weekly_change_limit)}")
    out()
    out("recent changes:" if rep.history else "no changes yet")
    for e in rep.history or []:
        out(
            f"  #{e.id}  {when(e.created_at)}  {e.change_type:<10} {signed(e.amount):>14}"
            f"  -> {money(e.new_balance):>14}  {safe(e.performed_by)}: {safe(e.reason)}"
        )
    out()
    out(f"active alerts: {len(rep.alerts or [])}")
    for a in rep.alerts or []:
        out(f"  #{a.id}  {when(a.created_at)}  {a.alert_type}: {safe(a.message)}")
    return 0


def customers(services: Services, args: argparse.Namespace) -> int:
    if args.limit <= 0:
        raise UsageError("--limit must be a positive number.")
    rows = services.manager.list_customers(
        args.search,
        agent_id=args.agent,
        limit=args.limit,
        order_by=args.sort,
        descending=(args.sort in LARGEST_FIRST) != args.reverse,
    )
    if args.json:
        print_json(rows)
        return 0
    table(
        [
            [
                safe(s.customer.id),
                safe(s.customer.name),
                safe(s.customer.agent_id),
                s.customer.vip_level,
                money(s.customer.balance, s.customer.currency),
                f"{s.usage_24h * 100 // s.daily_limit}%",
                f"{s.usage_7d * 100 // s.weekly_limit}%",
                str(s.active_alerts),
            ]
            for s in rows
        ],
        ["id", "name", "agent", "tier", "balance", "24h", "7d", "alerts"],
        right={4, 5, 6, 7},
    )
    return 0


def new_customer(services: Services, args: argparse.Namespace) -> int:
    try:  # what was typed, checked as argparse checks --tier: a usage error
        check_code(args.customer, "Customer id")
        check_code(args.agent, "Agent id")
        if args.currency is not None:
            check_currency(args.currency)
    except InvalidInputError as exc:
        raise UsageError(str(exc)) from None
    customer = services.manager.create_customer(
        args.customer, args.agent, name=args.name, vip_level=args.tier, currency=args.currency
    )
    if args.json:
        print_json(customer)
    else:
        out(f"created {safe(customer.id)} ({customer.vip_level}, agent {safe(customer.agent_id)})")
    return 0
