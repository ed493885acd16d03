"""Triggers that a login with psql cannot fool.

PostgreSQL: every trigger function is ``SECURITY DEFINER`` with a pinned ``search_path``
(``pg_catalog``, the book's schema, ``pg_temp`` last) and names every relation with its
schema, as the PostgreSQL manual's "Writing SECURITY DEFINER Functions Safely" asks, so a
``CREATE TEMP TABLE authority`` (or a temporary ``pg_roles`` view, or ``balance_event``
table) is never what a trigger reads. The functions are redefined here for every book;
their text lives in ``store.trusted_triggers``.

What the triggers now also refuse, on PostgreSQL:

- a customer's ``head_hash`` that is not its latest event's;
- an event out of its customer's chain: a sequence other than the next one, a ``prev_hash``
  other than the head's, or a time earlier than the customer's previous event;
- an event applying an approval whose decision came after the request expired, or which
  differs from the request in customer, type, amount, reason, metadata or reversed event;
- a decision made after its request's expiry;
- an alert inserted already acknowledged under another login (the login is the session's).

SQLite gets the chain-order trigger on events (sequence, previous hash, time); anyone who
can write a SQLite file can drop it, which ``verify`` reports.
"""

from peewee import PostgresqlDatabase

from balance_tui.store.trusted_triggers import install_postgres, install_sqlite


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        install_postgres(db)
    else:
        install_sqlite(db)
