"""The book's log of its checkpoints (append-only): each checkpoint's sequence number,
root and predecessor's root, so ``verify --checkpoint`` can tell an old checkpoint from the
newest, and a book restored from a copy older than a checkpoint (its log ends before it)."""

from peewee import PostgresqlDatabase


def up(migrator, db):
    db.execute_sql(
        """CREATE TABLE checkpoint_log (
             sequence BIGINT PRIMARY KEY,
             root VARCHAR(64) NOT NULL UNIQUE,
             previous VARCHAR(64),
             key_id VARCHAR(100) NOT NULL,
             created_us BIGINT NOT NULL,
             statement TEXT NOT NULL)"""
    )
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            """CREATE TRIGGER checkpoint_log_append_only BEFORE UPDATE OR DELETE
               ON checkpoint_log FOR EACH ROW EXECUTE FUNCTION balance_append_only()"""
        )
        return
    for action in ("UPDATE", "DELETE"):
        db.execute_sql(
            f"""CREATE TRIGGER checkpoint_log_no_{action.lower()} BEFORE {action}
                ON checkpoint_log
                BEGIN SELECT RAISE(ABORT, 'checkpoint_log is append-only'); END"""
        )
