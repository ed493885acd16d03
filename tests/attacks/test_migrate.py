"""``migrate`` quotes the book's schema name: a name that is legal for PostgreSQL but not a
bare identifier migrates, and one written to inject SQL runs nothing of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing

import pytest

from balance_tui.store import connect, initialize_balance_tables
from balance_tui.store.roles import set_up_roles
from tests.conftest import PG_SKIP_REASON, PG_URL, drop_book_roles

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")


@pytest.fixture
def schema_named(pg_group_roles: None) -> Iterator[callable]:  # type: ignore[valid-type]
    """``make(name)``: a book migrated in a new schema of that name (dropped afterwards)."""
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    made: list[tuple[str, str]] = []
    opened = []

    def make(name: str):  # type: ignore[no-untyped-def]
        quoted = '"' + name.replace('"', '""') + '"'
        admin.cursor().execute(f"CREATE SCHEMA {quoted}")
        made.append((name, quoted))
        db = connect(PG_URL)
        opened.append(db)
        db.execute_sql(f"SET search_path TO {quoted}")
        initialize_balance_tables(db)
        return db

    yield make
    for db in opened:
        db.close()
    for name, quoted in made:
        admin.cursor().execute(f"DROP SCHEMA {quoted} CASCADE")
        drop_book_roles(admin, name[:63])  # PostgreSQL keeps 63 bytes of a name
    admin.close()


def test_a_schema_name_that_needs_quoting_migrates_and_is_granted(schema_named) -> None:  # type: ignore[no-untyped-def]
    name = f"Book-{uuid.uuid4().hex[:6]}"
    db = schema_named(name)
    done = set_up_roles(db)
    assert done.still_to_run == []
    with closing(psycopg2.connect(PG_URL)) as conn, conn.cursor() as cur:
        cur.execute("SELECT has_schema_privilege(%s, %s, 'USAGE')", (done.names["operator"], name))
        assert cur.fetchone()[0] is True


def test_a_schema_name_written_to_inject_sql_runs_nothing(schema_named) -> None:  # type: ignore[no-untyped-def]
    marker = f"injected_{uuid.uuid4().hex[:8]}"
    name = f"x TO PUBLIC; CREATE TABLE public.{marker} (); GRANT USAGE ON SCHEMA public"
    db = schema_named(name)
    try:
        set_up_roles(db)
        with closing(psycopg2.connect(PG_URL)) as conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", (f"public.{marker}",))
            assert cur.fetchone()[0] is None
    finally:
        with closing(psycopg2.connect(PG_URL)) as conn, conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS public.{marker}")
            conn.commit()
