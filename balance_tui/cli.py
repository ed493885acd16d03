"""The ``balance-tui`` command: the TUI by default, sub-commands for scripts.

Exit codes: 0 ok; 1 rejected by the engine or a failed check (verify); 2 a usage error
(arguments, amounts or dates that cannot be read, bad configuration). Every error is one
line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from balance_tui.commands import balances, data, trail
from balance_tui.commands.output import UsageError, error_line
from balance_tui.config import ConfigError, load_settings
from balance_tui.domain.alerts import ALERT_TYPES
from balance_tui.domain.analytics import PERIODS
from balance_tui.domain.changes import CHANGE_TYPES, REQUESTABLE_TYPES
from balance_tui.domain.errors import BalanceError
from balance_tui.domain.tiers import VIP_TIERS
from balance_tui.services.bundle import Services, open_services

Command = Callable[[Services, argparse.Namespace], int]


def _common() -> argparse.ArgumentParser:
    """Options every sub-command also accepts after its name (``--db`` before or after)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="database file or URL (default: BALANCE_TUI_DB or the user data dir)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="balance-tui",
        description="Customer balances for a betting-agent network: the TUI, or a sub-command.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database file or URL (default: BALANCE_TUI_DB or the user data dir)",
    )
    parser.add_argument("--operator", default=None, help="who is working (recorded on changes)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str,
        help_text: str,
        handler: Command,
        *,
        reading: bool = False,
        operator: bool = False,
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        if reading:
            p.add_argument("--json", action="store_true", help="print JSON")
        if operator:
            p.add_argument(
                "--operator",
                default=argparse.SUPPRESS,
                help="who is working (default: BALANCE_TUI_OPERATOR, config, login)",
            )
        p.set_defaults(handler=handler)
        return p

    p = command("update", "apply a balance change", balances.update, reading=True, operator=True)
    p.add_argument("customer")
    p.add_argument("amount", help='as typed: "1,250.50", "$300", "-75" (sign from --type)')
    p.add_argument("--type", required=True, choices=REQUESTABLE_TYPES, dest="change_type")
    p.add_argument("--reason", required=True)
    p.add_argument("--key", default=None, help="idempotency key: a retry with it posts once")
    p.add_argument("--metadata", default=None, help="a JSON object stored with the change")

    p = command(
        "reverse", "undo an event with a reversal", balances.reverse, reading=True, operator=True
    )
    p.add_argument("event_id", type=int)
    p.add_argument("--reason", required=True)
    p.add_argument("--key", default=None)

    p = command(
        "report", "a customer's balance, limits, history and alerts", balances.report, reading=True
    )
    p.add_argument("customer")

    p = command("customers", "list or search customers", balances.customers, reading=True)
    p.add_argument("search", nargs="?", default=None, help="part of an id, name or agent")
    p.add_argument("--agent", default=None)
    p.add_argument("--limit", type=int, default=100)

    p = command("new-customer", "create a customer", balances.new_customer, reading=True)
    p.add_argument("customer")
    p.add_argument("agent")
    p.add_argument("--name", default="")
    p.add_argument("--tier", default="bronze", type=str.lower, choices=VIP_TIERS)
    p.add_argument("--currency", default="USD")

    p = command("history", "balance changes, newest first", trail.history, reading=True)
    p.add_argument("customer", nargs="?", default=None)
    p.add_argument("--hours", type=int, default=None, help="only the last N hours")
    p.add_argument("--agent", default=None)
    p.add_argument("--type", default=None, choices=CHANGE_TYPES, dest="change_type")
    p.add_argument("--operator", default=None, dest="performed_by", help="who made the change")
    p.add_argument("--limit", type=int, default=50)

    p = command(
        "alerts",
        "list alerts, or acknowledge them with 'ack ID...'",
        trail.alerts,
        reading=True,
        operator=True,
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "ack"))
    p.add_argument("ids", nargs="*", type=int, help="alert ids to acknowledge")
    p.add_argument("--customer", default=None)
    p.add_argument("--type", default=None, choices=ALERT_TYPES, dest="alert_type")
    p.add_argument("--all", action="store_true", help="include acknowledged alerts")
    p.add_argument("--limit", type=int, default=100)

    p = command("analytics", "trend, volatility, risk and breakdown", trail.analytics, reading=True)
    p.add_argument("customer", nargs="?", default=None)
    p.add_argument("--agent", default=None)
    p.add_argument("--period", default="daily", choices=PERIODS)
    p.add_argument("--from", dest="start", default=None, help="custom start (ISO date/time)")
    p.add_argument("--to", dest="end", default=None, help="custom end (ISO date/time)")
    p.add_argument("--currency", default="USD")

    p = command("export", "write history, customers or alerts as CSV or JSON", data.export)
    p.add_argument("kind", choices=("history", "customers", "alerts"))
    p.add_argument("--format", choices=("csv", "json"), default="csv", dest="fmt")
    p.add_argument("-o", "--output", default=None, help="file (default: standard output)")

    p = command(
        "import",
        "create customers, or apply adjustments, from a CSV file (all or nothing)",
        data.import_,
    )
    p.add_argument("kind", choices=("customers", "adjustments"))
    p.add_argument("file")

    command("verify", "recompute every hash chain and balance", data.verify, reading=True)

    p = command("demo", "fill an empty database with realistic demo data", data.demo)
    p.add_argument("--customers", type=int, default=200)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--events", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=7)
    return parser


def run_tui(services: Services) -> int:
    from balance_tui.tui.app import run_app  # Textual loads only when the TUI is wanted

    run_app(services)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse already printed its one-line usage error
        return int(exit_.code or 0)
    try:
        settings = load_settings()
        services = open_services(args.db, settings, operator=args.operator)
        if args.command is None:
            return run_tui(services)
        handler: Command = args.handler
        return handler(services, args)
    except UsageError as exc:
        error_line(str(exc))
        return 2
    except ConfigError as exc:
        error_line(f"configuration: {exc}")
        return 2
    except BalanceError as exc:
        error_line(str(exc))
        return 1
    except KeyboardInterrupt:
        error_line("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the promise: one line, never a traceback
        error_line(f"unexpected error: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
