"""The ``balance-tui`` command: the TUI by default, sub-commands for scripts.

Exit codes: 0 ok; 1 rejected by the engine or a failed check (verify); 2 a usage error
(arguments, amounts or dates that cannot be read, bad configuration). Every error is one
line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from balance_tui import __version__
from balance_tui.commands.boundary import refuse_undecodable
from balance_tui.commands.output import UsageError, error_line
from balance_tui.config import ConfigError, load_settings
from balance_tui.domain.errors import BalanceError
from balance_tui.services.bundle import Services, database_problem, open_services

Command = Callable[[Services, argparse.Namespace], int]

#: Arguments that begin like negative amounts ("-75", "-1,000", "-$50", "-€1,250.50",
#: "-.5", and mistakes such as "-$-5") are values, not options: no option starts so, and
#: a mistaken amount is then named as one, not taken for a missing argument.
_NEGATIVE_AMOUNT = re.compile(r"-[$€£.0-9]")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors and money-shaped negative values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse's own rule (r'^-\d+$|^-\d*\.\d+$') would take "-1,000" for an option.
        self._negative_number_matcher = _NEGATIVE_AMOUNT

    def error(self, message: str) -> NoReturn:
        error_line(f"{message} (see '{self.prog} --help')")
        raise SystemExit(2)


def _named_type(types: Sequence[str], what: str) -> Callable[[str], str]:
    """An argparse type: a type as the filter language names it (``sig``, ``significant
    drop``, ``significant_drop``)."""

    def parse(text: str) -> str:
        from balance_tui.domain.filters import type_named

        try:
            return type_named(text, types)
        except BalanceError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what
    return parse


def _bounded_int(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        stripped = text.strip().replace("_", "")
        if not re.fullmatch(r"[+-]?[0-9]{1,30}", stripped, re.ASCII):
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}")
        value = int(stripped)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low:,} to {high:,}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


MAX_ID = 2**63 - 1
record_id = _bounded_int(1, MAX_ID, "an id")


def _common() -> _Parser:
    """Options every sub-command also accepts after its name (``--db`` before or after)."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="database file or URL (default: BALANCE_TUI_DB or the user data dir)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    # The sub-commands' code loads with their parser: ``balance-tui --db BOOK`` needs none.
    from balance_tui.commands import authority, balances, data, trail
    from balance_tui.commands.trust_parsers import add_trust_commands
    from balance_tui.domain.alerts import ALERT_TYPES
    from balance_tui.domain.analytics import PERIODS
    from balance_tui.domain.changes import CHANGE_TYPES, REQUESTABLE_TYPES
    from balance_tui.domain.tiers import VIP_TIERS
    from balance_tui.services.customers import CUSTOMER_ORDERS

    common = _common()
    parser = _Parser(
        prog="balance-tui",
        description="Customer balances for a betting-agent network: the TUI, or a sub-command.",
    )
    parser.add_argument("--version", action="version", version=f"balance-tui {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database file or URL (default: BALANCE_TUI_DB or the user data dir)",
    )
    parser.add_argument("--operator", default=None, help="who is working (recorded on changes)")
    parser.add_argument(
        "--json",
        dest="json_first",
        action="store_true",
        help="the same as --json after a sub-command that takes it",
    )
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
    p.add_argument("event_id", type=record_id)
    p.add_argument("--reason", required=True)
    p.add_argument("--key", default=None)

    p = command(
        "report", "a customer's balance, limits, history and alerts", balances.report, reading=True
    )
    p.add_argument("customer")

    p = command("customers", "list or search customers", balances.customers, reading=True)
    p.add_argument("search", nargs="?", default=None, help="part of an id, name or agent")
    p.add_argument("--agent", default=None)
    p.add_argument("--limit", type=_bounded_int(1, 1_000_000, "--limit"), default=100)
    p.add_argument(
        "--sort",
        choices=CUSTOMER_ORDERS,
        default="id",
        help="order (balance, usage and alerts: largest first, as on the screen)",
    )
    p.add_argument("--reverse", action="store_true", help="turn the order round")

    p = command("new-customer", "create a customer", balances.new_customer, reading=True)
    p.add_argument("customer")
    p.add_argument("agent")
    p.add_argument("--name", default="")
    p.add_argument("--tier", default="bronze", type=str.lower, choices=VIP_TIERS)
    p.add_argument("--currency", default="USD")

    p = command("history", "balance changes, newest first", trail.history, reading=True)
    p.add_argument(
        "customer", nargs="?", default=None, help="a customer's id, or part of ids or names"
    )
    p.add_argument(
        "--hours",
        type=_bounded_int(1, 24 * 366 * 100, "--hours"),
        default=None,
        help="only the last N hours",
    )
    p.add_argument("--agent", default=None)
    p.add_argument(
        "--type",
        default=None,
        type=_named_type(CHANGE_TYPES, "--type"),
        dest="change_type",
        help="a change type, as the filter language names it (dep, deposit)",
    )
    p.add_argument("--operator", default=None, dest="performed_by", help="who made the change")
    p.add_argument("--limit", type=_bounded_int(1, 1_000, "--limit"), default=50)

    p = command(
        "alerts",
        "list alerts, or acknowledge them with 'ack ID...'",
        trail.alerts,
        reading=True,
        operator=True,
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "ack"))
    p.add_argument("ids", nargs="*", type=record_id, help="alert ids to acknowledge")
    p.add_argument("--customer", default=None, help="a customer's id, or part of ids or names")
    p.add_argument(
        "--type",
        default=None,
        type=_named_type(ALERT_TYPES, "--type"),
        dest="alert_type",
        help='an alert type, as the filter language names it (sig, "significant drop")',
    )
    p.add_argument("--all", action="store_true", help="include acknowledged alerts")
    p.add_argument("--note", default=None, help="with ack: a note kept with the acknowledgement")
    p.add_argument("--limit", type=_bounded_int(1, 1_000_000, "--limit"), default=100)

    p = command("analytics", "trend, volatility, risk and breakdown", trail.analytics, reading=True)
    p.add_argument("customer", nargs="?", default=None)
    p.add_argument("--agent", default=None)
    p.add_argument("--period", default="daily", choices=PERIODS)
    p.add_argument("--from", dest="start", default=None, help="custom start (ISO date/time)")
    p.add_argument(
        "--to",
        dest="end",
        default=None,
        help="custom end: a day is inclusive (2026-11-30 takes all of it), a time exclusive",
    )
    p.add_argument("--currency", default=None, help="USD unless given")

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

    add_trust_commands(command)

    p = command(
        "approvals",
        "changes waiting for a second pair of eyes: list, 'approve ID', 'reject ID --reason'",
        authority.approvals,
        reading=True,
        operator=True,
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "approve", "reject"))
    p.add_argument("id", nargs="?", type=record_id, default=None)
    p.add_argument("--note", default=None, help="with approve: a note kept with the decision")
    p.add_argument("--reason", default=None, help="with reject: why (required)")
    p.add_argument(
        "--status",
        default="pending",
        choices=("pending", "approved", "rejected", "expired", "all"),
    )
    p.add_argument("--mine", action="store_true", help="only the requests I made")
    p.add_argument("--limit", type=_bounded_int(1, 10_000, "--limit"), default=100)

    p = command(
        "migrate",
        "bring the database schema up to date (on PostgreSQL: as the schema owner)",
        data.migrate,
    )
    p.add_argument(
        "--roles-prefix",
        default=None,
        help="PostgreSQL: name this book's roles PREFIX_operator, ... (once; default: "
        "bt_<database>_<schema>)",
    )

    p = command("demo", "fill an empty database with realistic demo data", data.demo)
    p.add_argument("--customers", type=_bounded_int(1, 1_000_000, "--customers"), default=200)
    p.add_argument("--days", type=_bounded_int(1, 3_650, "--days"), default=90)
    p.add_argument("--events", type=_bounded_int(0, 20_000_000, "--events"), default=20_000)
    p.add_argument("--seed", type=_bounded_int(0, 2**32, "--seed"), default=7)
    return parser


def _operator(given: str | None) -> str | None:
    if given is not None and not given.strip():
        raise UsageError("--operator is empty; name who is working, or leave it out.")
    return None if given is None else given.strip()  # "ann " is ann


def _flush_stdout() -> None:
    """Flush now; if the reader has gone, point stdout at /dev/null so that the flush at
    exit does not fail either."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def run_tui(services: Services) -> int:
    # Starting the TUI makes some 10^5 objects that live as long as it does (modules, classes,
    # styles, widgets); collecting garbage among them while it starts took about 45 ms of a
    # half-second start. The collector (off since ``balance_tui.launch``, or from here when
    # main is called some other way) waits for the first frame; those objects are then set
    # aside (gc.freeze), so later collections do not walk them again.
    gc.disable()
    try:
        from balance_tui.tui.app import run_app  # Textual loads only when the TUI is wanted

        return run_app(services, after_first_frame=_collect_from_here)
    finally:
        gc.enable()


def _collect_from_here() -> None:
    gc.freeze()
    gc.enable()


#: The options of the TUI itself (``balance-tui --db URL --operator NAME``).
_TUI_OPTIONS = ("--db", "--operator")


def tui_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The TUI's own options, read without building every sub-command's parser (8 ms of
    the start-up); None for anything else (a command, --help, an abbreviation, a missing
    value), which goes to the full parser and reads exactly as it always has."""
    found: dict[str, str] = {}
    rest = list(argv)
    while rest:
        name, _, value = rest.pop(0).partition("=")
        if name not in _TUI_OPTIONS:
            return None
        if not _:  # "--db URL": the value is the next argument
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        found[name] = value  # the last one wins, as in argparse
    return argparse.Namespace(command=None, db=found.get("--db"), operator=found.get("--operator"))


def _with_help(message: str, command: str | None) -> str:
    """A usage error names the help to read, as argparse's own errors do."""
    if "--help" in message:
        return message
    where = f"balance-tui {command}" if command else "balance-tui"
    return f"{message.rstrip()} (see '{where} --help')"


def main(argv: Sequence[str] | None = None) -> int:
    args = tui_arguments(sys.argv[1:] if argv is None else argv)
    if args is None:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exit_:  # argparse already printed its one-line usage error
            return int(exit_.code or 0)
    if getattr(args, "json_first", False):
        if not hasattr(args, "json"):
            error_line(_with_help(f"'{args.command or 'the TUI'}' has no --json.", args.command))
            return 2
        args.json = True
    try:
        refuse_undecodable(args)
        if getattr(args, "without_book", False):
            return int(args.handler(None, args))
        if args.db is not None and not args.db.strip():
            # "--db $BOOK" with BOOK unset must not write to the default book.
            raise UsageError("--db is empty: name the book's file or URL.")
        settings = load_settings()
        operator = _operator(args.operator)
        migrating = args.command == "migrate"
        services = open_services(
            args.db, settings, operator=operator, migrate=True if migrating else None
        )
        if services.note:
            error_line(services.note)
        if args.command is None:
            return run_tui(services)
        # Launched with the collector off (see ``balance_tui.launch``): a command (verify,
        # a demo of 10^7 events) collects its garbage as it goes.
        gc.enable()
        handler: Command = args.handler
        code = handler(services, args)
        _flush_stdout()
        return code
    except UsageError as exc:
        error_line(_with_help(str(exc), args.command))
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
    except BrokenPipeError:  # the reader left before our last line: nothing more to say
        _flush_stdout()
        return 1
    except Exception as exc:  # the promise: one line, never a traceback
        problem = database_problem(exc)
        if problem is not None:
            error_line(problem)
            return 1
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error_line(f"unexpected error: {type(exc).__name__}: {first}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
