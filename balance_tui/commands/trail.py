"""The trail commands: history, alerts (list / ack), analytics."""

from __future__ import annotations

import argparse
from datetime import timedelta

from balance_tui.commands.output import (
    UsageError,
    money,
    out,
    parse_moment,
    print_json,
    safe,
    signed,
    table,
    when,
)
from balance_tui.services.audit import HistoryFilter
from balance_tui.services.bundle import Services


def history(services: Services, args: argparse.Namespace) -> int:
    if not 0 < args.limit <= 1_000:
        raise UsageError("--limit must be between 1 and 1,000.")
    since = None
    if args.hours is not None:
        if args.hours <= 0:
            raise UsageError("--hours must be a positive number.")
        since = services.clock() - timedelta(hours=args.hours)
    filters = HistoryFilter(
        customer_match=args.customer,
        agent_id=args.agent,
        change_type=args.change_type,
        performed_by=args.performed_by,
        since=since,
    )
    events = services.audit.history_page(filters, limit=args.limit)
    if args.json:
        print_json(events)
        return 0
    table(
        [
            [
                f"#{e.id}",
                when(e.created_at),
                safe(e.customer_id),
                e.change_type,
                signed(e.amount),
                money(e.new_balance),
                safe(
                    e.performed_by
                    if e.db_user in (None, e.performed_by)
                    else f"{e.performed_by} ({e.db_user})"
                ),
                safe(e.reason),
            ]
            for e in events
        ],
        ["event", "time (UTC)", "customer", "type", "amount", "balance", "operator", "reason"],
        right={4, 5},
    )
    return 0


def alerts(services: Services, args: argparse.Namespace) -> int:
    if args.action == "ack":
        if not args.ids:
            raise UsageError("alerts ack needs one or more alert ids.")
        before = {a.id for a in services.notifications.get_alerts(args.ids) if not a.is_active}
        done = services.notifications.acknowledge_alerts(
            args.ids, services.operator, note=args.note
        )
        if args.json:
            print_json(done)
        else:
            for alert in done:
                note = alert.acknowledgement_note
                said = "was already acknowledged" if alert.id in before else "acknowledged"
                out(
                    f"#{alert.id} {said} by {safe(alert.acknowledged_by)} at "
                    f"{when(alert.acknowledged_at)}" + (f": {safe(note)}" if note else "")
                )
        return 0
    if args.ids or args.note is not None:
        raise UsageError("alert ids and --note go with 'alerts ack'.")
    found = services.notifications.list_alerts(
        customer_match=args.customer,
        alert_type=args.alert_type,
        include_acknowledged=args.all,
        limit=args.limit,
    )
    if args.json:
        print_json(found)
        return 0
    table(
        [
            [
                f"#{a.id}",
                when(a.created_at),
                safe(a.customer_id),
                a.alert_type,
                "open" if a.acknowledged_at is None else f"ack {safe(a.acknowledged_by)}",
                safe(a.message),
            ]
            for a in found
        ],
        ["alert", "time (UTC)", "customer", "type", "state", "message"],
    )
    return 0


def analytics(services: Services, args: argparse.Namespace) -> int:
    start = parse_moment(args.start, "--from")
    end = parse_moment(args.end, "--to")
    if end is not None and len(args.end.strip()) == 10:
        end += timedelta(days=1)  # a day is inclusive, as the filter language's to:
    if args.period != "custom" and (start or end):
        raise UsageError("--from and --to go with --period custom.")
    if args.customer and args.agent:
        raise UsageError("Give a customer or --agent, not both.")
    if args.period == "custom" and (start is None or end is None):
        raise UsageError("A custom period needs both --from and --to.")
    if start is not None and end is not None and start >= end:
        raise UsageError("--from must be before --to.")
    if args.customer:
        result = services.analytics.generate_customer_analytics(
            args.customer, args.period, start=start, end=end
        )
    else:
        result = services.analytics.generate_system_analytics(
            args.agent, args.period, start=start, end=end, currency=args.currency
        )
    if args.json:
        print_json(result)
        return 0
    out(f"{safe(result.scope)}, {result.period}: {when(result.start)} to {when(result.end)} UTC")
    percent = "n/a" if result.percent_change is None else f"{result.percent_change}%"
    out(f"opening      {money(result.opening_balance, result.currency)}")
    out(f"closing      {money(result.closing_balance, result.currency)}")
    out(f"net change   {signed(result.net_change)} ({percent})")
    out(f"volatility   {money(result.volatility)} (score {result.volatility_score}/100)")
    out(f"trend        {result.trend_direction}    risk {result.risk_level}")
    largest = "-" if result.largest_change is None else signed(result.largest_change)
    out(f"events       {result.event_count}    largest change {largest}")
    ops = result.operations
    if ops is not None:
        rate = "n/a" if ops.rejection_rate is None else f"{ops.rejection_rate}%"
        out(
            f"operations   {ops.updates} updates ({ops.per_hour(ops.updates)}/h), "
            f"{ops.rejections} rejections ({rate}), {ops.alerts} alerts "
            f"({ops.per_hour(ops.alerts)}/h)"
        )
    out()
    table(
        [[kind, str(entry.count), signed(entry.total)] for kind, entry in result.breakdown.items()],
        ["type", "count", "total"],
        right={1, 2},
    )
    return 0
