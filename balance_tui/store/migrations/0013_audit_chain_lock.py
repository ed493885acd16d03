"""PostgreSQL: the audit chain's lock is a row only writers may lock.

It was an advisory lock, which any login (an auditor, a login with no role) could take and
hold, stalling every acknowledgement, request, decision and refusal. ``SELECT … FOR UPDATE``
on ``audit_chain_lock`` needs UPDATE on it, granted to operators only (``store.roles``);
a trigger refuses an actual update or delete of the row. SQLite's write lock already orders
the chain."""

from peewee import PostgresqlDatabase


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    for statement in (
        "CREATE TABLE audit_chain_lock (id INTEGER PRIMARY KEY CHECK (id = 1))",
        "INSERT INTO audit_chain_lock (id) VALUES (1)",
        """CREATE TRIGGER audit_chain_lock_fixed BEFORE UPDATE OR DELETE ON audit_chain_lock
           FOR EACH ROW EXECUTE FUNCTION balance_append_only()""",
    ):
        db.execute_sql(statement)
