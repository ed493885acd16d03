"""Export (CSV/JSON, streamed page by page) and import of customers (all or nothing)."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from balance_tui.domain.changes import parse_change_type, typed_change_cents
from balance_tui.domain.errors import BalanceError, InvalidInputError
from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.records import BalanceChange, BatchResult
from balance_tui.services.audit import HistoryFilter
from balance_tui.services.bundle import Services

PAGE = 1_000
EXPORT_KINDS = ("history", "customers", "alerts")
FORMATS = ("csv", "json")
CUSTOMER_COLUMNS = ("id", "agent", "name", "tier", "currency")


def plain(value: Any) -> Any:
    """A record as JSON-ready values: Decimal as a string (exact), datetimes in ISO 8601."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


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
    services: Services, kind: str, fmt: str, out: TextIO, filters: HistoryFilter | None = None
) -> int:
    """Write every record of ``kind`` to ``out`` as CSV or JSON; returns the count."""
    if kind not in EXPORT_KINDS:
        raise InvalidInputError(f"Cannot export {kind!r}; choose {', '.join(EXPORT_KINDS)}.")
    if fmt not in FORMATS:
        raise InvalidInputError(f"Unknown format {fmt!r}; choose csv or json.")
    records: Iterable[Any] = {
        "history": lambda: iter_history(services, filters),
        "alerts": lambda: iter_alerts(services),
        "customers": lambda: iter_customers(services),
    }[kind]()
    return write_records(records, fmt, out)


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
    writer: csv.DictWriter[str] | None = None
    for record in records:
        row = _flat(plain(record))
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
        count += 1
    return count


def import_customers(services: Services, path: Path) -> int:
    """Create every customer of a CSV file (id,agent,name,tier,currency) or none of them."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror}.") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in ("id", "agent") if c not in header]
        if missing:
            raise InvalidInputError(
                f"{path}: the header must name {', '.join(CUSTOMER_COLUMNS)}; "
                f"missing {', '.join(missing)}."
            )
        reader.fieldnames = header
        try:
            rows = list(reader)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{path}: not a readable CSV file ({exc}).") from None
    seen: dict[str, int] = {}
    with services.manager.write_transaction():
        for line, row in enumerate(rows, start=2):
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


def read_adjustments(path: Path, default_operator: str) -> list[BalanceChange]:
    """Changes from a CSV file (customer,amount,type,reason[,operator][,key][,metadata]).

    Amounts are typed as an operator would ("1,250.50", "$300"); the type gives the sign
    except for adjustments. Any unreadable line rejects the file, naming the line.
    """
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror}.") from None
    changes: list[BalanceChange] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in ("customer", "amount", "type", "reason") if c not in header]
        if missing:
            raise InvalidInputError(
                f"{path}: the header must name customer, amount, type and reason; "
                f"missing {', '.join(missing)}."
            )
        reader.fieldnames = header
        try:
            for line, row in enumerate(reader, start=2):
                changes.append(_adjustment(path, line, row, default_operator))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"{path}: not a readable CSV file ({exc}).") from None
    return changes


def _adjustment(path: Path, line: int, row: dict[str, str], operator: str) -> BalanceChange:
    try:
        kind = parse_change_type(row.get("type") or "")
        cents = typed_change_cents(row.get("amount") or "", kind)
        metadata = json.loads(row["metadata"]) if (row.get("metadata") or "").strip() else None
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidInputError("metadata must be a JSON object.")
    except (BalanceError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{path}, line {line}: {exc} Nothing imported.") from None
    return BalanceChange(
        customer_id=(row.get("customer") or "").strip(),
        change_amount=cents_to_decimal(cents),
        change_type=kind.value,
        reason=row.get("reason") or "",
        performed_by=(row.get("operator") or "").strip() or operator,
        idempotency_key=(row.get("key") or "").strip() or None,
        metadata=metadata,
    )


def import_adjustments(services: Services, path: Path) -> BatchResult:
    """Apply every change of the file in one transaction, or none (see ``update_balances``)."""
    changes = read_adjustments(path, services.operator)
    result = services.manager.update_balances(changes)
    if not result.success and result.failed_index is not None:
        line = result.failed_index + 2
        raise InvalidInputError(
            f"{path}, line {line}: " + " ".join(result.errors) + " Nothing imported."
        )
    return result
