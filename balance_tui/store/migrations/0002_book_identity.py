"""The book says what it is: ``book_info`` (the oldest program that may write to it) and, on
SQLite, ``PRAGMA application_id``, so a file that is not a balance-tui book is recognised
before anything is written to it."""

from peewee import PostgresqlDatabase

#: "BalT" in ASCII; kept in the SQLite file header.
APPLICATION_ID = 0x42616C54
#: Every later migration that older programs must not write past raises this value.
MIN_PROGRAM_VERSION = "0.2.0"


def up(migrator, db):
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS book_info (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)"
    )
    db.execute_sql(
        f"INSERT INTO book_info (key, value) VALUES ('min_program_version', {db.param})",
        (MIN_PROGRAM_VERSION,),
    )
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
