"""Opening a database: never writes unless migrations are pending, refuses what is not ours,
refuses to write a schema newer than the program, and never hangs on a silent server."""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from balance_tui.config import Settings
from balance_tui.domain.errors import StorageError
from balance_tui.services import build_services
from balance_tui.store import connect, initialize_balance_tables
from tests.locks import write_lock

pytestmark = pytest.mark.timeout(120)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_book(path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    db = connect(str(path))
    initialize_balance_tables(db)
    services = build_services(db, Settings(), clock, operator="setup")
    services.manager.create_customer("C1", "A1")
    services.manager.update_balance("C1", None, "100", "deposit", "seed", "setup")
    db.close()


@pytest.fixture
def write_lock_held(tmp_path, clock) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A book whose write lock another connection holds for the whole test."""
    path = tmp_path / "book.db"
    _make_book(path, clock)
    with write_lock(path, write=True):
        yield path


def test_opening_and_reading_a_book_takes_no_write_lock(write_lock_held, clock) -> None:  # type: ignore[no-untyped-def]
    """Opening an up-to-date book takes no write lock: while a writer holds it, report,
    verify and the TUI still open."""
    db = connect(str(write_lock_held), lock_timeout=0.5)
    assert initialize_balance_tables(db) == []
    services = build_services(db, Settings(), clock, operator="reader")
    report = services.manager.get_customer_balance_report("C1", include_history=True)
    assert str(report.current_balance) == "100.00"
    assert services.verifier.verify().ok
    assert len(services.audit.history_page()) == 1
    db.close()


def test_cli_reads_while_another_process_writes(write_lock_held) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "balance_tui", "--db", str(write_lock_held), "report", "C1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "100.00" in done.stdout
    assert time.monotonic() - started < 8  # not after the 10 s busy timeout


def _foreign_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT)")
    conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO customer (email) VALUES ('a@example.com')")
    conn.commit()
    conn.close()


def test_another_applications_file_is_refused_and_left_unchanged(tmp_path) -> None:
    """A file of another program is refused and left unchanged (no tables added)."""
    path = tmp_path / "crm.db"
    _foreign_file(path)
    before = _digest(path)
    with pytest.raises(StorageError, match=r"not a balance-tui database"):
        db = connect(str(path))
        initialize_balance_tables(db)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db"]  # no -wal/-shm left


def test_cli_refuses_a_foreign_file_in_one_line(tmp_path) -> None:
    path = tmp_path / "crm.db"
    _foreign_file(path)
    before = _digest(path)
    done = subprocess.run(
        [sys.executable, "-m", "balance_tui", "--db", str(path), "customers"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "not a balance-tui database" in done.stderr
    assert "unexpected" not in done.stderr
    assert _digest(path) == before


def test_an_empty_file_becomes_a_book(tmp_path) -> None:
    path = tmp_path / "new.db"
    path.touch()
    db = connect(str(path))
    assert initialize_balance_tables(db)  # migrations applied
    db.close()


def test_a_book_made_by_a_newer_program_is_refused_for_writing(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "future.db"
    _make_book(path, clock)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migration (name, applied) VALUES ('0099_future', '2030')")
    conn.execute("UPDATE book_info SET value = '9.1.0' WHERE key = 'min_program_version'")
    conn.commit()
    conn.close()
    before = _digest(path)
    db = connect(str(path))
    assert initialize_balance_tables(db) == []
    services = build_services(db, Settings(), clock, operator="old program")
    assert str(services.manager.get_customer("C1").balance) == "100.00"  # reading is fine
    with pytest.raises(StorageError, match=r"needs balance-tui ≥ 9\.1\.0 \(this is"):
        services.manager.update_balance("C1", None, "5", "deposit", "no", "op")
    with pytest.raises(StorageError, match=r"needs balance-tui ≥ 9\.1\.0 \(this is"):
        services.manager.create_customer("C2", "A1")
    db.close()
    assert _digest(path) == before


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def test_a_postgres_server_that_never_answers_times_out(silent_server) -> None:
    """Connecting to a server that does not answer gives up within the timeout."""
    pytest.importorskip("psycopg2")
    started = time.monotonic()
    with pytest.raises(StorageError, match="Cannot connect"):
        connect(f"postgresql://postgres@127.0.0.1:{silent_server}/test")
    assert time.monotonic() - started < 30


POSTGRES_IN_A_FRESH_PROCESS = """
import sys
from balance_tui.cli import main  # what `balance-tui` imports: peewee without its driver
assert "psycopg2" not in sys.modules
raise SystemExit(main(["--db", sys.argv[1], "--operator", "alice", *sys.argv[2:]]))
"""


def test_a_postgres_book_opens_where_peewee_loaded_without_its_driver(postgres_url) -> None:  # type: ignore[no-untyped-def]
    """The PostgreSQL driver loads when the first PostgreSQL URL is opened, not with peewee
    (a SQLite book never needs it): migrate, create, update and read back over it."""

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", POSTGRES_IN_A_FRESH_PROCESS, postgres_url, *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("migrate")
    cli("new-customer", "C1", "A1")
    cli("update", "C1", "12.34", "--type", "deposit", "--reason", "first")
    assert "12.34" in cli("report", "C1")
    assert "OK" in cli("verify")


def test_a_newer_book_of_the_same_version_says_it_is_newer(tmp_path, clock, capsys) -> None:  # type: ignore[no-untyped-def]
    """A book with a migration this program does not know, whose minimum version is this
    one's: writes and ``migrate`` say the book is newer, never '≥ 0.2.0 (this is 0.2.0)'
    or 'up to date'."""
    from balance_tui import __version__
    from balance_tui.cli import main

    path = tmp_path / "future.db"
    _make_book(path, clock)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migration (name, applied) VALUES ('0099_future', '2030')")
    conn.execute("UPDATE book_info SET value = ? WHERE key = 'min_program_version'", (__version__,))
    conn.commit()
    conn.close()
    for argv in (["migrate"], ["update", "C1", "5", "--type", "deposit", "--reason", "r"]):
        assert main(["--db", str(path), *argv]) == 1
        err = capsys.readouterr().err
        assert "written by a newer balance-tui" in err and "0099_future" in err, err
        assert f"(this is {__version__})" in err and f"≥ {__version__}" not in err
