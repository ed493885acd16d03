"""export, import, verify, demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from balance_tui.commands.output import UsageError, error_line, out, plain, print_json, safe
from balance_tui.domain.errors import StorageError
from balance_tui.services.bundle import Services
from balance_tui.services.output_files import atomic_output

if TYPE_CHECKING:
    from balance_tui.domain.checkpoint_keys import CheckpointKey
    from balance_tui.services.checkpoints import CheckpointCheck


def export(services: Services, args: argparse.Namespace) -> int:
    from balance_tui.services import import_export

    if args.output in (None, "-"):  # "-": standard output, as for every Unix tool
        count = import_export.export(services, args.kind, args.fmt, sys.stdout)
    else:
        path = Path(args.output)
        if not path.parent.exists():
            raise UsageError(f"Directory {path.parent} does not exist.")
        if path.is_dir():
            raise UsageError(f"{path} is a directory; name a file to write.")
        with atomic_output(path) as handle:
            count = import_export.export(services, args.kind, args.fmt, handle)
        out(f"wrote {count} {args.kind} records to {path}")
    return 0


def import_(services: Services, args: argparse.Namespace) -> int:
    from balance_tui.services import import_export

    if args.kind == "adjustments":
        started = time.perf_counter()
        result = import_export.import_adjustments(services, Path(args.file))
        fresh = [r for r in result.results if not r.replayed]
        replayed = len(result.results) - len(fresh)
        alerts = sum(len(r.alerts) for r in fresh)
        again = f", {replayed} already applied earlier (same key)" if replayed else ""
        out(
            f"applied {len(fresh)} changes from {args.file} in one transaction{again} "
            f"({time.perf_counter() - started:.1f}s); {alerts} alerts raised"
        )
        return 0
    count = import_export.import_customers(services, Path(args.file))
    out(f"imported {count} customers from {args.file}")
    return 0


def migrate(services: Services, args: argparse.Namespace) -> int:
    """``open_services`` already applied what was pending; say what that was."""
    applied = services.migrations_applied
    newer = services.manager.newer_book()
    if newer:
        raise StorageError(newer)
    if applied:
        out(f"{services.database_label}: applied {', '.join(applied)}.")
    else:
        out(f"{services.database_label}: the schema is up to date.")
    if services.authority.postgres:
        done = services.authority.set_up_roles(args.roles_prefix)
        names = ", ".join(done.names.values())
        if done.still_to_run:
            out(
                f"This book's roles are {names}. This login may not do all of it (creating "
                "roles needs CREATEROLE; revoking CONNECT and TEMPORARY on the database needs "
                "its owner). Have a DBA run:"
            )
            for statement in done.still_to_run:
                out(f"  {statement};")
        else:
            out(
                f"This book's roles are {names}; grant them to its logins "
                f"(GRANT {done.names['operator']} TO ann)."
            )
        if done.legacy_revoked:
            out(
                "The shared roles balance_operator, balance_supervisor, balance_auditor and "
                "balance_admin no longer have rights on this book: grant its own roles to the "
                "logins that work on it."
            )
    return 0


def audit_keys(args: argparse.Namespace) -> list[CheckpointKey]:
    """The checkpoint keys: every ``--key-file``, else BALANCE_TUI_AUDIT_KEY_FILE, else the
    text of BALANCE_TUI_AUDIT_KEY. Never stored in the book."""
    from balance_tui.domain.checkpoint_keys import load_key

    paths = args.key_file or [os.environ.get("BALANCE_TUI_AUDIT_KEY_FILE") or ""]
    keys = []
    for path in paths:
        if not path:
            keys.append(load_key(os.environ.get("BALANCE_TUI_AUDIT_KEY", "").encode("utf-8")))
            continue
        try:
            keys.append(load_key(Path(path).read_bytes()))
        except OSError as exc:
            raise UsageError(f"Cannot read the key file {path}: {exc.strerror}.") from None
    return keys


def checkpoint(services: Services, args: argparse.Namespace) -> int:
    keys = audit_keys(args)
    if len(keys) != 1:
        raise UsageError("checkpoint signs with one key: give one --key-file.")
    statement = services.checkpoints.make(keys[0])
    text = json.dumps(statement, indent=1, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Cannot create {path.parent}: {exc.strerror}.") from None
    with atomic_output(path) as handle:
        handle.write(text)
    counts = statement["counts"]
    out(
        f"checkpoint #{statement['sequence']} {statement['root'][:16]}... written to {path}: "
        f"{len(statement['chains']):,} chains, {counts['events']:,} events, "
        f"{counts['audit_records']:,} audit records (signed with {statement['algorithm']}, "
        f"key {statement['key_id']})."
    )
    return 0


def keygen(services: Services | None, args: argparse.Namespace) -> int:
    """A new Ed25519 key pair: the private key signs checkpoints (keep it off the book's
    machines), the public key verifies them (give it to auditors)."""
    from balance_tui.domain.checkpoint_keys import load_key, new_ed25519_pem

    private, public = new_ed25519_pem()
    private_path = Path(args.private).expanduser()
    public_path = Path(args.public or f"{args.private}.pub").expanduser()
    for path in (private_path, public_path):
        if path.exists():
            raise UsageError(f"{path} exists; keys are never overwritten.")
    try:
        private_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        public_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(private_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private)
        public_path.write_bytes(public)
    except OSError as exc:
        raise UsageError(f"Cannot write the key: {exc.strerror}.") from None
    out(
        f"Ed25519 key {load_key(public).key_id}: private {private_path} (mode 600; signs), "
        f"public {public_path} (verifies)."
    )
    return 0


def _checkpoint_check(services: Services, args: argparse.Namespace) -> CheckpointCheck | None:
    if args.checkpoint is None:
        return None
    try:
        statement = json.loads(Path(args.checkpoint).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"Cannot read {args.checkpoint}: {exc.strerror}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UsageError(f"{args.checkpoint} is not a checkpoint file (not JSON).") from None
    return services.checkpoints.check(statement, audit_keys(args))


def verify(services: Services, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    against = _checkpoint_check(services, args)
    report = services.verifier.verify()
    ok = report.ok and (against is None or against.ok)
    if args.json:
        print_json({**plain(report), "checkpoint": against, "ok": ok})
        return 0 if ok else 1
    seconds = time.perf_counter() - started
    summary = (
        f"{report.customers_checked} customers, {report.events_checked} events, "
        f"{report.audit_records_checked} audit records checked in {seconds:.1f}s"
    )
    if ok:
        since = (
            ""
            if against is None
            else f"; nothing recorded before the checkpoint of {against.created_at} changed"
        )
        out(f"OK: {summary}; every hash chain and balance matches{since}.")
        for note in against.notes if against else ():
            out(note)
        return 0
    for problem in report.problems:
        error_line(f"{safe(problem.customer_id)}: {safe(problem.problem)}")
    for text in against.problems if against else []:
        error_line(f"checkpoint: {safe(text)}")
    problems = len(report.problems) + (len(against.problems) if against else 0)
    error_line(f"FAILED: {problems} problems; {summary}.")
    return 1


def demo(services: Services, args: argparse.Namespace) -> int:
    existing = services.manager.count_customers()
    if existing:
        # Not an error: `balance-tui demo && balance-tui` must still open the app next time.
        out(
            f"demo: {services.database_label} already holds {existing} customers; "
            "demo data only goes into an empty database (pick another with --db)."
        )
        return 0
    started = time.perf_counter()
    from balance_tui.services.demo import generate_demo  # (forks a writer: loaded for demo only)

    summary = generate_demo(services, args.customers, args.days, args.events, args.seed)
    out(
        f"demo: {summary.agents} agents, {summary.customers} customers, {summary.events} events "
        f"({summary.reversals} reversals), {summary.alerts} alerts, {summary.rejections} "
        f"rejected attempts in {time.perf_counter() - started:.1f}s "
        f"on {services.database_label}"
    )
    return 0
