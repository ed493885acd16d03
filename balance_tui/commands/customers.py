"""customer set: an audited change of a customer's attributes."""

from __future__ import annotations

import argparse

from balance_tui.commands.output import UsageError, out, print_json, safe
from balance_tui.services.bundle import Services

ATTRIBUTES = ("name", "agent", "tier", "status", "currency")


def customer(services: Services, args: argparse.Namespace) -> int:
    wanted = {name: getattr(args, name) for name in ATTRIBUTES}
    if all(value is None for value in wanted.values()):
        raise UsageError(
            "customer set needs at least one of --name, --agent, --tier, --status, --currency."
        )
    changed = services.customer_changes.change(
        args.customer, services.operator, args.reason, **wanted
    )
    if args.json:
        print_json(changed)
        return 0
    out(
        f"{safe(changed.id)}: {safe(changed.name) or '(no name)'}, agent {safe(changed.agent_id)}, "
        f"{changed.vip_level}, {changed.currency}, {changed.status}."
    )
    return 0
