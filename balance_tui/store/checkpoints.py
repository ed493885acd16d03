"""The reads of an audit checkpoint: every chain's length and head as the events say (not
as the customer rows say), the counts of everything else, and the hashes found now at the
positions a checkpoint recorded. The caller holds one read snapshot around them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from peewee import Database

#: Row pairs per look-up statement (bounded statement size at 10^5 customers).
BATCH = 500

COUNTS = {
    "events": "SELECT COUNT(*) FROM balance_event",
    "alerts": "SELECT COUNT(*) FROM alert",
    "acknowledgements": "SELECT COUNT(*) FROM alert WHERE acknowledged_us IS NOT NULL",
    "approval_requests": "SELECT COUNT(*) FROM approval_request",
    "approval_decisions": "SELECT COUNT(*) FROM approval_decision",
    "refused_attempts": "SELECT COUNT(*) FROM rejected_attempt",
    "audit_records": "SELECT COUNT(*) FROM audit_record",
}


def chain_heads(db: Database) -> Iterator[tuple[str, int, str]]:
    """(customer code, length, head hash) of every customer with events, by code."""
    cursor = db.execute_sql(
        "SELECT c.code, e.sequence, e.hash FROM customer c JOIN balance_event e "
        "ON e.customer_id = c.id AND e.sequence = "
        "(SELECT MAX(m.sequence) FROM balance_event m WHERE m.customer_id = c.id) "
        "ORDER BY c.code"
    )
    for code, sequence, digest in cursor:
        yield str(code), int(sequence), str(digest)


def counts(db: Database) -> dict[str, int]:
    return {name: int(db.execute_sql(sql).fetchone()[0]) for name, sql in COUNTS.items()}


def hashes_at(db: Database, positions: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The hash of each (customer code, sequence) that exists now."""
    found: dict[tuple[str, int], str] = {}
    p = db.param
    for start in range(0, len(positions), BATCH):
        batch = positions[start : start + BATCH]
        pairs = ", ".join([f"({p}, {p})"] * len(batch))
        args = [value for pair in batch for value in pair]
        cursor = db.execute_sql(
            "SELECT c.code, e.sequence, e.hash FROM balance_event e "
            "JOIN customer c ON c.id = e.customer_id "
            f"WHERE (c.code, e.sequence) IN (VALUES {pairs})",
            args,
        )
        for code, sequence, digest in cursor:
            found[(str(code), int(sequence))] = str(digest)
    return found


def lengths(db: Database) -> dict[str, int]:
    """customer code -> number of events now."""
    cursor = db.execute_sql(
        "SELECT c.code, COUNT(e.id) FROM customer c "
        "LEFT JOIN balance_event e ON e.customer_id = c.id GROUP BY c.code"
    )
    return {str(code): int(n) for code, n in cursor}


#: The rows whose exact contents a checkpoint states, up to its highest id: a row's columns
#: that never change once written. Acknowledgements and a customer's attributes (which
#: change, audited) are vouched for by the audit chain, whose head the checkpoint states.
CONTENT = {
    "alerts": (
        "alert",
        "id, customer_id, alert_type, message, balance_cents, threshold_cents, event_id, "
        "attempted_cents, attempted_by, created_us",
    ),
    "customers": ("customer", "c.id, c.code, c.created_us"),
}


def highest_ids(db: Database) -> dict[str, int]:
    return {
        name: int(db.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])
        for name, (table, _) in CONTENT.items()
    }


def content_rows(db: Database, name: str, up_to: int) -> Iterator[tuple[object, ...]]:
    """The stated columns of every row of ``name`` with an id up to ``up_to``, by id."""
    table, columns = CONTENT[name]
    source = "customer c JOIN agent a ON a.id = c.agent_id" if table == "customer" else table
    key = "c.id" if table == "customer" else "id"
    cursor = db.execute_sql(
        f"SELECT {columns} FROM {source} WHERE {key} <= {db.param} ORDER BY {key}", (up_to,)
    )
    yield from cursor


LOG_COLUMNS = ("sequence", "root", "previous", "key_id", "created_us", "statement")


def log(db: Database) -> dict[int, tuple[str, str | None, int]]:
    """The book's checkpoint log: sequence -> (root, previous root, created)."""
    cursor = db.execute_sql("SELECT sequence, root, previous, created_us FROM checkpoint_log")
    return {int(s): (str(r), p, int(c)) for s, r, p, c in cursor}


def last_logged(db: Database) -> tuple[int, str | None]:
    """(sequence, root) of the newest logged checkpoint; (0, None) when none."""
    row = db.execute_sql(
        "SELECT sequence, root FROM checkpoint_log ORDER BY sequence DESC LIMIT 1"
    ).fetchone()
    return (0, None) if row is None else (int(row[0]), str(row[1]))


def append_log(db: Database, values: tuple[object, ...]) -> None:
    """One checkpoint into the log (``LOG_COLUMNS`` in order)."""
    db.execute_sql(
        f"INSERT INTO checkpoint_log ({', '.join(LOG_COLUMNS)}) "
        f"VALUES ({', '.join([db.param] * len(LOG_COLUMNS))})",
        values,
    )
