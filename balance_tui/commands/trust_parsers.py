"""The parsers of the sub-commands that prove and govern the book: verify, checkpoint,
keygen, authority, rules and customer (attribute changes)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from balance_tui.commands import authority, customers, data

Command = Callable[..., argparse.ArgumentParser]


def add_trust_commands(command: Command) -> None:
    """Add the sub-commands with ``command(name, help, handler, **options)``."""
    p = command("verify", "recompute every hash chain and balance", data.verify, reading=True)
    p.add_argument(
        "--checkpoint",
        metavar="FILE",
        default=None,
        help="also prove nothing recorded before this signed checkpoint changed",
    )
    p.add_argument(
        "--key-file",
        action="append",
        default=None,
        help="a key that verifies checkpoints (repeat for old keys; else BALANCE_TUI_AUDIT_KEY)",
    )

    p = command(
        "checkpoint", "write a signed statement of the book (Ed25519 or HMAC)", data.checkpoint
    )
    p.add_argument("-o", "--output", default=None, help="file (default: standard output)")
    p.add_argument(
        "--key-file",
        action="append",
        default=None,
        help="the signing key: an Ed25519 private key (keygen) or an HMAC secret",
    )

    p = command("keygen", "make an Ed25519 key pair for checkpoints", data.keygen)
    p.set_defaults(without_book=True)  # opens no book
    p.add_argument("--private", required=True, help="file for the private key (signs)")
    p.add_argument("--public", default=None, help="file for the public key (default PRIVATE.pub)")

    p = command(
        "authority",
        "list who may post how much, or 'set ROLE_OR_LOGIN AMOUNT' (admins)",
        authority.authority,
        reading=True,
        operator=True,
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "set"))
    p.add_argument("subject", nargs="?", default=None, help="operator, supervisor, ... or a login")
    p.add_argument("amount", nargs="?", default=None, help="largest single change, or unlimited")

    p = command(
        "operator",
        "SQLite: list the book's operators and roles, or 'set NAME ROLE' (admins)",
        authority.operator,
        reading=True,
        operator=True,
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "set"))
    p.add_argument("name", nargs="?", default=None, help="the operator's name")
    p.add_argument("role", nargs="?", default=None, help="auditor, operator, supervisor or admin")

    p = command(
        "rules",
        "the tier rules in force (the book's), or 'set TIER FIGURE AMOUNT' (admins)",
        authority.rules,
        reading=True,
        operator=True,
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "set"))
    p.add_argument("tier", nargs="?", default=None, help="bronze, silver, gold, ...")
    p.add_argument("figure", nargs="?", default=None, help="min_balance, daily_change_limit, ...")
    p.add_argument("amount", nargs="?", default=None, help="the new figure")

    p = command(
        "customer",
        "change a customer: 'set CODE --tier gold --reason ...' (supervisors; audited)",
        customers.customer,
        reading=True,
        operator=True,
    )
    p.add_argument("action", choices=("set",))
    p.add_argument("customer")
    p.add_argument("--name", default=None)
    p.add_argument("--agent", default=None, help="an existing agent's code")
    p.add_argument("--tier", default=None, type=str.lower)
    p.add_argument("--status", default=None, choices=("active", "closed"))
    p.add_argument("--currency", default=None, help="only while the customer has no events")
    p.add_argument("--reason", required=True, help="why (kept with the change)")
