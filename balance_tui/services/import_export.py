"""Export (CSV/JSON, streamed page by page) and import of customers (all or nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from balance_tui.domain.changes import parse_change_type, typed_change_cents
from balance_tui.domain.errors import BalanceError, IdempotencyConflictError, InvalidInputError
from balance_tui.domain.inputs import parse_metadata
from balance_tui.domain.money import cents_to_decimal, typed_currency
from balance_tui.domain.plain import plain
from balance_tui.domain.records import BalanceChange, BatchResult
from balance_tui.services import csv_files
from balance_tui.services.audit import HistoryFilter
from balance_tui.services.bundle import Services
from balance_tui.services.verification import Progress

PAGE = 1_000
EXPORT_KINDS = ("history", "customers", "alerts")
FORMATS = ("csv", "json")
CUSTOMER_COLUMNS = ("id", "agent", "name", "tier", "currency")


#: How often an export says how far it got.
PROGRESS_EVERY = 1_000


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: nested values (metadata, warnings) as compact JSON text."""
    return {
        k: json.dumps(v, sort_keys=True, ensure_ascii=False) if isinstance(v, dict | list) else v
        for k, v in row.items()
    }


def iter_history(services: Services, filters: HistoryFilter | None = None) -> Iterator[Any]:
    before = None
    while True:
        page = services.audit.history_page(filters, before_id=before, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        before = page[-1].id


def iter_alerts(services: Services) -> Iterator[Any]:
    before = None
    while True:
        page = services.notifications.list_alerts(
            include_acknowledged=True, before_id=before, limit=PAGE
        )
        yield from page
        if len(page) < PAGE:
            return
        before = page[-1].id


def iter_customers(services: Services) -> Iterator[Any]:
    offset = 0
    while True:
        page = services.manager.list_customers(limit=PAGE, offset=offset)
        for summary in page:
            yield summary.customer
        if len(page) < PAGE:
            return
        offset += PAGE


def export(
    services: Services,
    kind: str,
    fmt: str,
    out: TextIO,
    filters: HistoryFilter | None = None,
    *,
    progress: Progress | None = None,
) -> int:
    """Write every record of ``kind`` to ``out`` as CSV or JSON; returns the count.

    ``progress(done, total)`` hears how far it got (every ``PROGRESS_EVERY`` records; the
    total is counted first); an exception it raises stops the export there (the caller's
    atomic output then leaves no file behind)."""
    if kind not in EXPORT_KINDS:
        raise InvalidInputError(f"Cannot export {kind!r}; choose {', '.join(EXPORT_KINDS)}.")
    if fmt not in FORMATS:
        raise InvalidInputError(f"Unknown format {fmt!r}; choose csv or json.")
    records: Iterable[Any] = {
        "history": lambda: iter_history(services, filters),
        "alerts": lambda: iter_alerts(services),
        "customers": lambda: iter_customers(services),
    }[kind]()
    if progress is not None:
        records = _reporting(records, progress, _total(services, kind, filters))
    return write_records(records, fmt, out)


def _total(services: Services, kind: str, filters: HistoryFilter | None) -> int:
    if kind == "history":
        return services.audit.count_events(filters)
    if kind == "alerts":
        return services.notifications.alerts_page(include_acknowledged=True, limit=1)[1]
    return services.manager.count_customers()


def _reporting(records: Iterable[Any], progress: Progress, total: int) -> Iterator[Any]:
    progress(0, total)
    done = 0
    for record in records:
        yield record
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, total)


def write_records(records: Iterable[Any], fmt: str, out: TextIO) -> int:
    count = 0
    if fmt == "json":
        out.write("[")
        for record in records:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(plain(record), ensure_ascii=False, sort_keys=True))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    return csv_files.write_rows((_flat(plain(record)) for record in records), out)


def import_customers(services: Services, path: Path) -> int:
    """Create every customer of a CSV file (id,agent,name,tier,currency) or none of them."""
    rows = csv_files.read_rows(path, ("id", "agent"), ("name", "tier", "currency"))
    seen: dict[str, int] = {}
    with services.manager.write_transaction():
        for line, row in rows:
            code = (row.get("id") or "").strip()
            if code in seen:
                raise InvalidInputError(
                    f"{path}, line {line}: customer {code} is also on line {seen[code]}; "
                    "nothing imported."
                )
            seen[code] = line
            try:
                services.manager.create_customer(
                    code,
                    (row.get("agent") or "").strip(),
                    name=(row.get("name") or "").strip(),
                    vip_level=(row.get("tier") or "bronze").strip() or "bronze",
                    currency=(row.get("currency") or "USD").strip() or "USD",
                )
            except BalanceError as exc:
                raise InvalidInputError(f"{path}, line {line}: {exc} Nothing imported.") from None
    return len(rows)


ADJUSTMENT_COLUMNS = ("customer", "amount", "type", "reason", "operator", "key", "metadata")


def read_adjustments(path: Path, default_operator: str) -> list[tuple[int, BalanceChange]]:
    """(line, change) from a CSV file (customer,amount,type,reason[,operator][,key][,metadata]).

    Amounts are typed as an operator would ("1,250.50", "$300"); the type gives the sign
    except for adjustments. Any unreadable line rejects the file, naming the line; so does
    an idempotency key used on two lines.
    """
    rows = csv_files.read_rows(
        path, ("customer", "amount", "type", "reason"), ("operator", "key", "metadata")
    )
    changes = [(line, _adjustment(path, line, row, default_operator)) for line, row in rows]
    keys: dict[str, int] = {}
    for line, change in changes:
        if change.idempotency_key is None:
            continue
        if change.idempotency_key in keys:
            raise InvalidInputError(
                f"{path}, line {line}: key {change.idempotency_key!r} is also on line "
                f"{keys[change.idempotency_key]}; each change needs its own. Nothing imported."
            )
        keys[change.idempotency_key] = line
    return changes


def _adjustment(path: Path, line: int, row: dict[str, str], operator: str) -> BalanceChange:
    try:
        kind = parse_change_type(row.get("type") or "")
        cents = typed_change_cents(row.get("amount") or "", kind)
        text = row.get("metadata") or ""
        metadata = parse_metadata(text, "metadata") if text.strip() else None
    except BalanceError as exc:
        raise InvalidInputError(f"{path}, line {line}: {exc} Nothing imported.") from None
    return BalanceChange(
        customer_id=(row.get("customer") or "").strip(),
        change_amount=cents_to_decimal(cents),
        change_type=kind.value,
        reason=row.get("reason") or "",
        performed_by=(row.get("operator") or "").strip() or operator,
        idempotency_key=(row.get("key") or "").strip() or None,
        metadata=metadata,
        currency=typed_currency(row.get("amount") or ""),
    )


def import_adjustments(services: Services, path: Path) -> BatchResult:
    """Apply every change of the file in one transaction, or none (see ``update_balances``)."""
    numbered = read_adjustments(path, services.operator)
    try:
        result = services.manager.update_balances([change for _, change in numbered])
    except IdempotencyConflictError as exc:
        raise InvalidInputError(f"{path}: {exc} Nothing imported.") from None
    if not result.success and result.failed_index is not None:
        line = numbered[result.failed_index][0] if numbered else 2
        raise InvalidInputError(
            f"{path}, line {line}: " + " ".join(result.errors) + " Nothing imported."
        )
    return result
