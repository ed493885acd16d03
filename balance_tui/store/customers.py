"""Reading and writing customers and agents, bound to one database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any

from peewee import JOIN, Case, Cast, Database, Tuple, fn

from balance_tui.domain.record import record
from balance_tui.domain.records import Customer
from balance_tui.store.models import Agent, Alert, BalanceEvent
from balance_tui.store.models import Customer as CustomerRow
from balance_tui.store.rows import customer_record, in_list
from balance_tui.store.text_match import contains_text, customer_match_sql, like_pattern
from balance_tui.store.transactions import is_postgres

_CUSTOMER_FIELDS = (
    CustomerRow.code,
    CustomerRow.name,
    Agent.code.alias("agent_code"),
    CustomerRow.vip_level,
    CustomerRow.currency,
    CustomerRow.status,
    CustomerRow.balance_cents,
    CustomerRow.created_us,
)


def exact_customer_pk(db: Database, text: str) -> int | None:
    """The customer whose id is ``text`` as typed or in capitals, if there is one (two
    lookups on the unique index rather than a scan for every case)."""
    for code in dict.fromkeys((text.strip(), text.strip().upper())):
        row = db.execute_sql(f"SELECT id FROM customer WHERE code = {db.param}", (code,)).fetchone()
        if row is not None:
            return int(row[0])
    return None


def agent_exists(db: Database, code: str) -> bool:
    row = db.execute_sql(f"SELECT 1 FROM agent WHERE code = {db.param}", (code,)).fetchone()
    return row is not None


def currency_in_use(db: Database, currency: str) -> bool:
    sql = f"SELECT 1 FROM customer WHERE currency = {db.param} LIMIT 1"
    return db.execute_sql(sql, (currency,)).fetchone() is not None


def customer_code(db: Database, pk: int) -> str:
    row = db.execute_sql(f"SELECT code FROM customer WHERE id = {db.param}", (pk,)).fetchone()
    return str(row[0])


def any_customer_matches(db: Database, text: str) -> bool:
    pattern = like_pattern(text)
    sql = f"SELECT 1 FROM customer c WHERE {customer_match_sql(db, 'c.id')} LIMIT 1"
    return db.execute_sql(sql, (pattern, pattern)).fetchone() is not None


def _customers(db: Database):  # type: ignore[no-untyped-def]
    return CustomerRow.select(*_CUSTOMER_FIELDS).join(Agent).dicts().bind(db)


def add_customer(
    db: Database,
    code: str,
    agent_code: str,
    name: str,
    tier: str,
    currency: str,
    head_hash: str,
    now_us: int,
) -> bool:
    """Insert a customer (and its agent when new); False when the code is taken.

    Conflicts are settled by the unique indexes (``ON CONFLICT DO NOTHING``), so two
    operators creating the same customer or agent at once never meet a raw unique error.
    """
    Agent.insert(code=agent_code, name=agent_code, created_us=now_us).on_conflict_ignore().bind(
        db
    ).execute()
    agent_pk = Agent.select(Agent.id).where(Agent.code == agent_code).bind(db).scalar()
    inserted = (
        CustomerRow.insert(
            code=code,
            name=name,
            agent=agent_pk,
            vip_level=tier,
            currency=currency,
            status="active",
            balance_cents=0,
            event_count=0,
            head_hash=head_hash,
            created_us=now_us,
        )
        .on_conflict_ignore()
        .bind(db)
        .execute()
    )
    if is_postgres(db):
        return inserted is not None  # ON CONFLICT DO NOTHING RETURNING id: no row, no id
    # INSERT OR IGNORE leaves lastrowid as it was; changes() says whether a row went in.
    return bool(db.execute_sql("SELECT changes()").fetchone()[0])


def attributes(db: Database, code: str) -> dict[str, object] | None:
    """The changeable attributes of a customer (agent as its code), its id and event count."""
    p = db.param
    row = db.execute_sql(
        "SELECT c.id, c.name, a.code, c.vip_level, c.status, c.currency, c.event_count "
        f"FROM customer c JOIN agent a ON a.id = c.agent_id WHERE c.code = {p}",
        (code,),
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "name", "agent", "tier", "status", "currency", "event_count")
    return dict(zip(keys, row, strict=True))


#: Attribute name -> customer column.
ATTRIBUTE_COLUMNS = {
    "name": "name",
    "agent": "agent_id",
    "tier": "vip_level",
    "status": "status",
    "currency": "currency",
}


def set_attributes(db: Database, customer_pk: int, changes: Mapping[str, object]) -> None:
    """Write new attribute values (an agent given by code; it must exist)."""
    values = dict(changes)
    if "agent" in values:
        values["agent"] = (
            Agent.select(Agent.id).where(Agent.code == values["agent"]).bind(db).scalar()
        )
    p = db.param
    assignments = ", ".join(f"{ATTRIBUTE_COLUMNS[k]} = {p}" for k in values)
    db.execute_sql(
        f"UPDATE customer SET {assignments} WHERE id = {p}", (*values.values(), customer_pk)
    )


def changes_of(db: Database, code: str) -> list[tuple[str, str, str, int]]:
    """(changes JSON, reason, changed by, at) of a customer's attribute changes, oldest first."""
    cursor = db.execute_sql(
        "SELECT h.changes_json, h.reason, h.changed_by, h.created_us FROM customer_change h "
        f"JOIN customer c ON c.id = h.customer_id WHERE c.code = {db.param} ORDER BY h.id",
        (code,),
    )
    return [(str(a), str(b), str(c), int(d)) for a, b, c, d in cursor]


def record_change(db: Database, values: tuple[object, ...]) -> int:
    """One audited change (customer id, changes JSON, reason, changed by, at); its id."""
    sql = (
        "INSERT INTO customer_change (customer_id, changes_json, reason, changed_by, created_us) "
        f"VALUES ({', '.join([db.param] * 5)})"
    )
    if is_postgres(db):
        return int(db.execute_sql(sql + " RETURNING id", values).fetchone()[0])
    return int(db.execute_sql(sql, values).lastrowid)


def get_customer(db: Database, code: str) -> Customer | None:
    row = _customers(db).where(CustomerRow.code == code).first()
    return None if row is None else customer_record(row)


def count_customers(db: Database) -> int:
    return int(CustomerRow.select().bind(db).count())


def has_customers(db: Database) -> bool:
    return bool(CustomerRow.select().bind(db).exists())


#: What the customers list can be ordered by; ties go by id in the same direction.
CUSTOMER_ORDERS = ("id", "name", "agent", "tier", "balance", "usage", "alerts")


@record
class CustomerOrder:
    """How to order the customers list, and what the computed orders need.

    ``usage`` is the larger of a customer's 24 h and 7 d gross change as a share of its
    tier's limits, in tenths of a percent rounded down (what the screen shows); ``alerts``
    the count of its open alerts; ``tier`` the rank of its tier (``tier_ranks``)."""

    column: str = "id"
    descending: bool = False
    tier_ranks: Mapping[str, int] = field(default_factory=dict)
    #: Per tier: (daily, weekly) change limits in cents.
    tier_limits: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    now_us: int = 0
    day_us: int = 0
    week_us: int = 0

    def __post_init__(self) -> None:
        if self.column not in CUSTOMER_ORDERS:
            raise ValueError(
                f"customers are ordered by one of {CUSTOMER_ORDERS}, not {self.column!r}"
            )


#: Where a page ends: the last row's order value (as the database computed it) and its code.
#: The next page starts after it, so rows that move meanwhile never make the next page skip
#: one that did not (an offset would).
PageMark = tuple[Any, str]


def _tier_case(values: Mapping[str, Any], default: Any) -> Any:
    return Case(CustomerRow.vip_level, list(values.items()), default)


def _order_value(order: CustomerOrder) -> tuple[Any, list[tuple[Any, Any, Any]]]:
    """The SQL value rows are ordered by, and the derived tables it needs joined."""
    column = order.column
    if column == "id":
        return CustomerRow.code, []
    if column == "name":
        return fn.LOWER(CustomerRow.name), []
    if column == "agent":
        return Agent.code, []
    if column == "tier":
        return _tier_case(order.tier_ranks, len(order.tier_ranks)), []
    if column == "balance":
        return CustomerRow.balance_cents, []
    if column == "alerts":
        open_alerts = (
            Alert.select(Alert.customer.alias("cid"), fn.COUNT(Alert.id).alias("n"))
            .where(Alert.acknowledged_us.is_null())
            .group_by(Alert.customer)
            .alias("open_alerts")
        )
        joined = (open_alerts, open_alerts.c.cid == CustomerRow.id, JOIN.LEFT_OUTER)
        return fn.COALESCE(open_alerts.c.n, 0), [joined]
    # usage: integer arithmetic on cents, as share() rounds: floor(used * 1000 / limit)
    since_day = order.now_us - order.day_us
    day = fn.SUM(
        Case(None, [(BalanceEvent.created_us > since_day, fn.ABS(BalanceEvent.amount_cents))], 0)
    )
    window = (
        BalanceEvent.select(
            BalanceEvent.customer.alias("cid"),
            Cast(day, "BIGINT").alias("day"),
            Cast(fn.SUM(fn.ABS(BalanceEvent.amount_cents)), "BIGINT").alias("week"),
        )
        .where((BalanceEvent.created_us > order.now_us - order.week_us) & _still_standing())
        .group_by(BalanceEvent.customer)
        .alias("usage")
    )
    daily = _tier_case({t: d for t, (d, _) in order.tier_limits.items()}, 1)
    weekly = _tier_case({t: w for t, (_, w) in order.tier_limits.items()}, 1)
    day_share = fn.COALESCE(window.c.day, 0) * 1000 / daily
    week_share = fn.COALESCE(window.c.week, 0) * 1000 / weekly
    larger = Case(None, [(day_share > week_share, day_share)], week_share)
    return larger, [(window, window.c.cid == CustomerRow.id, JOIN.LEFT_OUTER)]


def _matching(db: Database, query: Any, search: str | None, agent_code: str | None) -> Any:
    if search and search.strip():
        pattern = like_pattern(search)
        postgres = is_postgres(db)
        query = query.where(
            contains_text(CustomerRow.code, pattern, postgres)
            | contains_text(CustomerRow.name, pattern, postgres)
            | contains_text(Agent.code, pattern, postgres)
        )
    if agent_code:
        query = query.where(Agent.code == agent_code)
    return query


def list_customers(
    db: Database,
    search: str | None,
    agent_code: str | None,
    limit: int | None,
    offset: int = 0,
    order: CustomerOrder | None = None,
    after: PageMark | None = None,
) -> list[tuple[Customer, PageMark]]:
    """Customers in ``order`` (ties by code in the same direction), filtered by a substring
    of code, name or agent, each with its page mark; ``after``: those past that mark."""
    order = order or CustomerOrder()
    value, joins = _order_value(order)
    query = CustomerRow.select(*_CUSTOMER_FIELDS, value.alias("order_value")).join(Agent)
    for table, on, how in joins:
        query = query.join(table, how, on=on)
    query = _matching(db, query, search, agent_code)
    if after is not None:
        here, mark = Tuple(value, CustomerRow.code), Tuple(*after)
        query = query.where(here < mark if order.descending else here > mark)
    keys = (value, CustomerRow.code)
    query = query.order_by(*(k.desc() if order.descending else k for k in keys))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [
        (customer_record(row), (row["order_value"], row["code"])) for row in query.dicts().bind(db)
    ]


def count_matching(db: Database, search: str | None, agent_code: str | None) -> int:
    """How many customers the filter matches (every customer without one)."""
    if not (search and search.strip()) and not agent_code:
        return count_customers(db)
    query = _matching(db, CustomerRow.select().join(Agent), search, agent_code)
    return int(query.bind(db).count())


def customers_by_codes(db: Database, codes: list[str]) -> list[Customer]:
    return [customer_record(row) for row in _customers(db).where(CustomerRow.code.in_(codes))]


#: An event that uses its customer's limits: not a reversal, and not undone by one.
STILL_STANDING = (
    "e.change_type <> 'reversal' AND NOT EXISTS "
    "(SELECT 1 FROM balance_event r WHERE r.reverses_event_id = e.id)"
)


def _still_standing():  # type: ignore[no-untyped-def]
    reversal = BalanceEvent.alias("r")
    undone = reversal.select(reversal.id).where(reversal.reverses_event == BalanceEvent.id)
    return (BalanceEvent.change_type != "reversal") & ~fn.EXISTS(undone)


def usage_and_alerts(
    db: Database, codes: Iterable[str] | None, now_us: int, day_us: int, week_us: int
) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """Per customer code: gross (24 h, 7 d) usage, and the count of open alerts.

    ``codes`` None means every customer (cheaper than a long IN list). Written as SQL: for
    a page of 200 customers Peewee spent longer building the two IN lists than the
    database spent answering."""
    p = db.param
    among, wanted = "", []
    if codes is not None:
        wanted = list(codes)
        if not wanted:
            return {}, {}
        among = f" AND c.code IN {in_list(p, wanted)}"
    usage_sql = (
        f"SELECT c.code, SUM(CASE WHEN e.created_us > {p} THEN ABS(e.amount_cents) ELSE 0 END),"
        " SUM(ABS(e.amount_cents))"
        " FROM balance_event e JOIN customer c ON c.id = e.customer_id"
        f" WHERE e.created_us > {p}{among} AND {STILL_STANDING} GROUP BY c.code"
    )
    if codes is None:  # every customer: one pass over the open alerts
        alert_sql = (
            "SELECT c.code, COUNT(a.id) FROM alert a JOIN customer c ON c.id = a.customer_id"
            " WHERE a.acknowledged_us IS NULL GROUP BY c.code"
        )
    else:  # a page: from its customers (a pass over 15,000 open alerts took 50 ms at 10^7)
        alert_sql = (
            "SELECT c.code, (SELECT COUNT(*) FROM alert a WHERE a.customer_id = c.id"
            f" AND a.acknowledged_us IS NULL) FROM customer c WHERE c.code IN {in_list(p, wanted)}"
        )
    usage = {
        code: (int(d or 0), int(w or 0))
        for code, d, w in db.execute_sql(usage_sql, (now_us - day_us, now_us - week_us, *wanted))
    }
    alerts = {code: int(n) for code, n in db.execute_sql(alert_sql, wanted) if n}
    return usage, alerts


def lock_customer(db: Database, code: str) -> tuple[int, str] | None:
    """(id, tier) of a customer, its row locked until commit (PostgreSQL ``FOR UPDATE``)."""
    query = CustomerRow.select(CustomerRow.id, CustomerRow.vip_level).where(
        CustomerRow.code == code
    )
    if is_postgres(db):
        query = query.for_update()
    row = query.tuples().bind(db).first()
    return None if row is None else (int(row[0]), str(row[1]))
