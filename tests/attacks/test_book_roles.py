"""Each book has its own roles: a login granted a role for one book has no rights in
another, in the same database or another; a book set up with the shared roles takes their
rights away when it migrates."""

from __future__ import annotations

import uuid
from contextlib import closing

import pytest

from balance_tui.store import connect, initialize_balance_tables
from balance_tui.store.roles import LEGACY_PREFIX, grants_sql, role_names, set_up_roles
from tests.attacks.conftest import Book
from tests.conftest import PG_URL, drop_book_roles

pytestmark = pytest.mark.postgres
psycopg2 = pytest.importorskip("psycopg2")


def test_an_operator_of_one_book_has_no_rights_in_another_schema(book: Book, pg_logins) -> None:  # type: ignore[no-untyped-def]
    other = f"t_other_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    try:
        admin.cursor().execute(f"CREATE SCHEMA {other}")
        db = connect(PG_URL)
        db.execute_sql(f"SET search_path TO {other}")
        initialize_balance_tables(db)
        set_up_roles(db)
        db.close()
        with book.psql("ann") as cur, pytest.raises(psycopg2.Error, match="permission denied"):
            cur.execute(f"INSERT INTO {other}.agent (code, name, created_us) VALUES ('X', '', 0)")
    finally:
        admin.cursor().execute(f"DROP SCHEMA {other} CASCADE")
        drop_book_roles(admin, other)
        admin.close()


def test_an_operator_of_one_book_cannot_connect_to_another_books_database(book: Book) -> None:
    database = f"bt_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    base = PG_URL.rsplit("/", 1)[0]
    try:
        admin.cursor().execute(f"CREATE DATABASE {database}")
        db = connect(f"{base}/{database}")
        initialize_balance_tables(db)
        set_up_roles(db)
        db.close_all()  # the pool's connections too: the database is dropped below
        login = book.login("ann")
        with pytest.raises(psycopg2.Error, match="permission denied for database"):
            psycopg2.connect(f"{base.replace('postgres@', f'{login}@')}/{database}").close()
    finally:
        with closing(psycopg2.connect(f"{base}/{database}")) as inside:
            inside.autocommit = True
            drop_book_roles(inside, "public")
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {database}")
        admin.close()


def test_a_book_on_the_shared_roles_takes_their_rights_away_when_it_migrates(
    postgres_url: str,
) -> None:
    owner = connect(postgres_url)
    initialize_balance_tables(owner)
    shared = role_names(LEGACY_PREFIX)
    for name in shared.values():
        owner.execute_sql(
            f"DO $$ BEGIN CREATE ROLE {name} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    schema = owner.execute_sql("SELECT current_schema()").fetchone()[0]
    for statement in grants_sql(schema):  # as migrate granted them before
        owner.execute_sql(statement)
    done = set_up_roles(owner)
    assert done.legacy_revoked and done.names["operator"] != shared["operator"]
    usage = owner.execute_sql(
        "SELECT has_schema_privilege(%s, %s, 'USAGE'), has_schema_privilege(%s, %s, 'USAGE')",
        (shared["operator"], schema, done.names["operator"], schema),
    ).fetchone()
    assert usage == (False, True)
    owner.close()


def test_the_trigger_functions_belong_to_a_role_that_cannot_log_in_and_only_reads(
    book: Book,
) -> None:
    with book.psql("owner") as cur:
        cur.execute(
            "SELECT DISTINCT r.rolname, r.rolcanlogin, r.rolsuper FROM pg_proc p "
            "JOIN pg_roles r ON r.oid = p.proowner "
            "WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef"
        )
        [(definer, can_login, superuser)] = cur.fetchall()
        assert definer.endswith("_definer") and not can_login and not superuser
        cur.execute(
            "SELECT has_table_privilege(%s, 'balance_event', 'SELECT'), "
            "bool_or(has_table_privilege(%s, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')) "
            "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind = 'r'",
            (definer, definer),
        )
        assert cur.fetchone() == (True, False)


def test_an_auditor_running_migrate_gets_one_line(book: Book, capsys) -> None:  # type: ignore[no-untyped-def]
    """An auditor's login running ``migrate`` on an up-to-date book is told in one line
    what the database refused, never 'unexpected error: ProgrammingError'."""
    from balance_tui.cli import main

    code = main(["--db", book.urls["dan"], "migrate"])
    err = capsys.readouterr().err
    assert code in (1, 2) and err.count("\n") == 1 and "unexpected error" not in err, err
