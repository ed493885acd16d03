"""A customer's balance, event count and head hash move only with its events: the database
itself refuses an update of them that does not match the customer's latest event, so a
direct ``UPDATE customer SET balance_cents …`` (psql, sqlite3) cannot rewrite a balance.
Every writer of the app inserts the event first and then moves the customer to it."""

from peewee import PostgresqlDatabase

MESSAGE = "a balance only changes with its event: it must equal the customer's latest event"
QUOTED = MESSAGE.replace("'", "''")  # as an SQL string literal

LATEST_CENTS = (
    "COALESCE((SELECT e.new_cents FROM balance_event e WHERE e.customer_id = NEW.id "
    "ORDER BY e.sequence DESC LIMIT 1), 0)"
)
LATEST_SEQUENCE = (
    "COALESCE((SELECT MAX(e.sequence) FROM balance_event e WHERE e.customer_id = NEW.id), 0)"
)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            f"""CREATE OR REPLACE FUNCTION customer_balance_follows_events() RETURNS trigger AS $$
               BEGIN
                 IF NEW.balance_cents IS DISTINCT FROM {LATEST_CENTS}
                    OR NEW.event_count IS DISTINCT FROM {LATEST_SEQUENCE}
                 THEN RAISE EXCEPTION '{QUOTED}'; END IF;
                 RETURN NEW;
               END;
               $$ LANGUAGE plpgsql"""
        )
        db.execute_sql(
            """CREATE TRIGGER customer_balance_follows_events
               BEFORE UPDATE OF balance_cents, event_count, head_hash ON customer
               FOR EACH ROW EXECUTE FUNCTION customer_balance_follows_events()"""
        )
    else:
        db.execute_sql(
            f"""CREATE TRIGGER IF NOT EXISTS customer_balance_follows_events
               BEFORE UPDATE OF balance_cents, event_count, head_hash ON customer
               WHEN NEW.balance_cents IS NOT {LATEST_CENTS}
                 OR NEW.event_count IS NOT {LATEST_SEQUENCE}
               BEGIN SELECT RAISE(ABORT, '{QUOTED}'); END"""
        )
