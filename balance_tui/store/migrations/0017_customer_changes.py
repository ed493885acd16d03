"""A customer's attributes (name, agent, tier, status, currency) change only as an audited
operation: ``customer_change`` (append-only) keeps who changed what, why, old -> new, and
every customer row's attributes are vouched for by an audit record (kind ``customer``), so
``verify`` names an attribute edited around the app. Existing customers are vouched for as
they stand at the upgrade."""

import time

from peewee import PostgresqlDatabase

from balance_tui.store.audit_records import vouch_for_unvouched

#: The kinds of audited rows at this step (later migrations add more, and vouch for them).
KINDS = (
    "ack",
    "refusal",
    "request",
    "decision",
    "authority",
    "rule",
    "customer",
    "customer_change",
)


def up(migrator, db):
    serial = (
        "BIGSERIAL PRIMARY KEY"
        if isinstance(db, PostgresqlDatabase)
        else ("INTEGER PRIMARY KEY AUTOINCREMENT")
    )
    db.execute_sql(
        f"""CREATE TABLE customer_change (
             id {serial},
             customer_id BIGINT NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
             changes_json TEXT NOT NULL,
             reason TEXT NOT NULL,
             changed_by VARCHAR(200) NOT NULL,
             created_us BIGINT NOT NULL)"""
    )
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            """CREATE TRIGGER customer_change_append_only BEFORE UPDATE OR DELETE
               ON customer_change FOR EACH ROW EXECUTE FUNCTION balance_append_only()"""
        )
    else:
        for action in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"""CREATE TRIGGER customer_change_no_{action.lower()} BEFORE {action}
                    ON customer_change
                    BEGIN SELECT RAISE(ABORT, 'customer_change is append-only'); END"""
            )
    vouch_for_unvouched(db, time.time_ns() // 1_000, KINDS)
