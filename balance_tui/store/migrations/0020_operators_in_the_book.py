"""SQLite: the book names its operators and their roles (``store.operators``), each change
audited; the first operator of a new book, or the one who upgrades an existing book, is its
admin (``services.bundle.open_services``). On PostgreSQL roles stay the server's and the
table stays empty."""


def up(migrator, db):
    db.execute_sql(
        """CREATE TABLE book_operator (
             name VARCHAR(200) PRIMARY KEY,
             role VARCHAR(16) NOT NULL
               CHECK (role IN ('auditor', 'operator', 'supervisor', 'admin')),
             set_by VARCHAR(200) NOT NULL,
             set_us BIGINT NOT NULL)"""
    )
