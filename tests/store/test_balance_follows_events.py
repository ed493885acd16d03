"""A customer's balance moves only with its event, on both backends: a direct `UPDATE
customer SET balance_cents …` through a plain connection is refused by the database itself;
the app's own writes and the demo's bulk path still work. Another column edited that way is
refused by PostgreSQL (no audit record) and named by ``verify`` on SQLite."""

from __future__ import annotations

import sqlite3

import pytest

from balance_tui.services.demo import generate_demo


def _plain_connection(db_url: str):  # type: ignore[no-untyped-def]
    """A connection that is not the app's: what someone with psql or sqlite3 would use."""
    if db_url.startswith("postgresql"):
        import psycopg2

        url, _, options = db_url.partition("?options=")
        schema = options.split("%3D")[-1]
        return psycopg2.connect(url, options=f"-csearch_path={schema}"), psycopg2.Error
    return sqlite3.connect(db_url), sqlite3.Error


def test_a_direct_balance_update_is_refused(services, db_url) -> None:
    services.manager.create_customer("C1", "A1")
    services.manager.update_balance("C1", None, "100", "deposit", "open", "ann")
    conn, error = _plain_connection(db_url)
    try:
        with pytest.raises(error, match="balance only changes with its event"):
            conn.cursor().execute("UPDATE customer SET balance_cents = 999999 WHERE code = 'C1'")
        conn.rollback()
        with pytest.raises(error, match="balance only changes with its event"):
            conn.cursor().execute(
                "UPDATE customer SET balance_cents = 0, event_count = 0 WHERE code = 'C1'"
            )
        conn.rollback()
        conn.cursor().execute("UPDATE customer SET status = 'suspended' WHERE code = 'C1'")
        if db_url.startswith("postgresql"):
            with pytest.raises(error, match="without the audit record"):
                conn.commit()
        else:
            conn.commit()  # the file's owner may edit other columns: verify names it
    finally:
        conn.close()
    assert services.manager.get_customer("C1").balance == 100
    problems = [p.problem for p in services.verifier.verify().problems]
    named = [] if db_url.startswith("postgresql") else ["customer C1 differs from its audit record"]
    assert problems == named


def test_the_app_and_the_demo_still_write(services) -> None:
    generate_demo(services, customers=5, days=3, events=300, seed=1)
    code = services.manager.list_customers()[0].customer.id
    result = services.manager.update_balance(code, None, "5", "deposit", "after demo", "ann")
    assert result.success
    assert services.verifier.verify().ok


def test_postgres_records_the_session_user_whatever_the_insert_says(services, db_url) -> None:
    """The recorded database user cannot be spoofed by a direct INSERT."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no database users: the file's owner can do anything")
    postgres_url = db_url
    services.manager.create_customer("C1", "A1")
    services.manager.update_balance("C1", None, "100", "deposit", "open", "ann")
    conn, _ = _plain_connection(postgres_url)
    try:
        columns = [
            row[0]
            for row in _query(
                conn,
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'balance_event' AND table_schema = current_schema() "
                "AND column_name NOT IN ('id', 'sequence', 'db_user', 'idempotency_key')",
            )
        ]
        listed = ", ".join(columns)
        cursor = conn.cursor()
        # A zero change that follows the original's chain, so only the user is at stake.
        follows = {"prev_hash": "hash", "previous_cents": "new_cents", "amount_cents": "0"}
        copied = ", ".join(follows.get(column, column) for column in columns)
        cursor.execute(
            f"INSERT INTO balance_event ({listed}, sequence, db_user) "
            f"SELECT {copied}, sequence + 1, 'the_boss' FROM balance_event LIMIT 1 "
            "RETURNING db_user, session_user"
        )
        recorded, session = cursor.fetchone()
        conn.rollback()
    finally:
        conn.close()
    assert recorded == session == "postgres"


def _query(conn, sql: str) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    cursor = conn.cursor()
    cursor.execute(sql)
    return list(cursor.fetchall())
