"""Migrations apart from use (issue #12, part 1): on PostgreSQL only `balance-tui migrate`
changes the schema; every other command reads the schema version and, when migrations are
pending, says so in one line (exit 1) instead of attempting DDL. SQLite, a single-user file,
still migrates itself on first use."""

from __future__ import annotations

import pytest

from balance_tui.cli import main
from balance_tui.store import connect, schema_state


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.postgres
def test_a_command_on_an_unmigrated_postgres_book_says_migrate(postgres_url, capsys) -> None:
    code, out, err = run(capsys, "--db", postgres_url, "customers")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "needs `balance-tui migrate`" in err
    assert "unexpected error" not in err
    db = connect(postgres_url)
    assert schema_state(db).applied == ()  # nothing was attempted
    assert db.get_tables() == []
    db.close()


@pytest.mark.postgres
def test_migrate_applies_pending_migrations_then_commands_work(postgres_url, capsys) -> None:
    code, out, _ = run(capsys, "--db", postgres_url, "migrate")
    assert code == 0 and "0001_initial" in out and "applied" in out
    code, out, _ = run(capsys, "--db", postgres_url, "migrate")
    assert code == 0 and "up to date" in out
    code, _, err = run(capsys, "--db", postgres_url, "new-customer", "C1", "A1", "--name", "Ann")
    assert code == 0, err
    assert run(capsys, "--db", postgres_url, "customers")[0] == 0


@pytest.mark.postgres
def test_one_pending_migration_is_named(postgres_url, capsys) -> None:
    assert run(capsys, "--db", postgres_url, "migrate")[0] == 0
    db = connect(postgres_url)
    last = schema_state(db).applied[-1]
    db.execute_sql("DELETE FROM schema_migration WHERE name = %s", (last,))
    db.close()
    code, _, err = run(capsys, "--db", postgres_url, "history")
    assert code == 1 and last in err and "needs `balance-tui migrate`" in err


def test_a_new_sqlite_book_still_migrates_itself(tmp_path, capsys) -> None:
    book = tmp_path / "book.db"
    code, _, err = run(capsys, "--db", str(book), "customers")
    assert code == 0, err
    assert schema_state(connect(str(book))).pending == ()
    assert run(capsys, "--db", str(book), "migrate")[1].strip().endswith("up to date.")


def test_opening_reads_the_schema_version_as_the_migration_runner_does(db_url) -> None:  # type: ignore[no-untyped-def]
    """``schema_state`` reads the migration table itself (the runner loads only to migrate):
    it must agree with ``playhouse.migrations`` on an empty book, a migrated one, one with a
    migration pending and one a newer program migrated."""
    from playhouse.migrations import Runner

    from balance_tui.store import initialize_balance_tables
    from balance_tui.store.schema import MIGRATION_TABLE, MIGRATIONS_DIR

    db = connect(db_url)

    def agree() -> None:
        status = Runner(db, str(MIGRATIONS_DIR), table_name=MIGRATION_TABLE).status()
        state = schema_state(db)
        assert state.applied == tuple(m.name for m in status if m.applied)
        assert state.pending == tuple(m.name for m in status if not m.applied)
        assert state.unknown == tuple(m.name for m in status if m.applied and m.path is None)

    agree()
    initialize_balance_tables(db)
    agree()
    last = schema_state(db).applied[-1]
    db.execute_sql(f"DELETE FROM schema_migration WHERE name = {db.param}", (last,))
    agree()
    assert schema_state(db).pending == (last,)
    db.execute_sql(
        f"INSERT INTO schema_migration (name, applied) VALUES ({db.param}, {db.param})",
        ("0100_from_a_newer_program", "2030-01-01 00:00:00"),
    )
    agree()
    assert schema_state(db).unknown == ("0100_from_a_newer_program",)
    db.close()
