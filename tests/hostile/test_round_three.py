"""Hostile input, round three: an empty --db, the config file against the environment,
an auditor creating customers, a clock before 1970, metadata Python cannot read, customer
searches with LIKE's wildcards or of any length. Each is refused in one line (or works as
written) and the book is unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from balance_tui.cli import main
from balance_tui.config import Settings
from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.services import build_services
from balance_tui.store import connect
from tests.conftest import TestClock
from tests.hostile.conftest import Book, make_book, one_line


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_db_is_a_usage_error_not_the_default_book(
    capsys, monkeypatch, tmp_path: Path, empty: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BALANCE_TUI_DB", str(tmp_path / "default.db"))
    code, out, err = _run(capsys, "--db", empty, "new-customer", "Z9", "A1")
    assert (code, out) == (2, "") and one_line(err) and "--db is empty" in err
    assert not (tmp_path / "default.db").exists()


def test_the_environment_names_the_book_before_the_config_file(
    capsys, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{tmp_path / "other.db"}"\n', encoding="utf-8")
    monkeypatch.setenv("BALANCE_TUI_CONFIG", str(config))
    monkeypatch.setenv("BALANCE_TUI_DB", str(tmp_path / "env.db"))
    assert _run(capsys, "new-customer", "Z9", "A1")[0] == 0
    assert (tmp_path / "env.db").exists() and not (tmp_path / "other.db").exists()


@pytest.mark.parametrize("action", ["create", "import", "demo"])
def test_an_auditor_creates_no_customer(sqlite_url: str, tmp_path: Path, action: str) -> None:
    book = make_book(sqlite_url, TestClock())
    book.services = build_services(
        connect(sqlite_url), Settings(operator="dan", role="auditor"), operator="dan"
    )
    with pytest.raises((NotAuthorisedError, InvalidInputError), match="dan is auditor"):
        if action == "create":
            book.services.manager.create_customer("AU1", "A1")
        elif action == "import":
            rows = tmp_path / "c.csv"
            rows.write_text("id,agent,name,tier,currency\nAU1,A1,x,gold,USD\n", encoding="utf-8")
            from balance_tui.services.import_export import import_customers

            import_customers(book.services, rows)
        else:
            empty = tmp_path / "empty.db"
            auditor = build_services(
                connect(str(empty)), Settings(operator="dan", role="auditor"), operator="dan"
            )
            from balance_tui.store import initialize_balance_tables

            initialize_balance_tables(auditor.db)
            from balance_tui.services.demo import generate_demo

            generate_demo(auditor, customers=3, days=2, events=10)
    book.assert_unchanged()


def test_a_change_dated_before_1970_still_verifies(sqlite_url: str) -> None:
    """A terminal whose clock says 1969 (SQLite dates by it): the rollups and the events
    agree, and verify passes."""
    book = make_book(sqlite_url, TestClock(datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)))
    assert book.services.manager.update_balance("C1", None, "5", "deposit", "r", "x").success
    problems = [p.problem for p in book.services.verifier.verify().problems]
    # (the authority table's history starts in this decade: its checks name these events)
    assert [p for p in problems if "rollup" in p] == []


@pytest.mark.parametrize(
    "metadata",
    ['{"n": ' + "1" * 4301 + "}", "[" * 5000 + "]" * 5000],
    ids=["4301-digit number", "5000 deep"],
)
def test_metadata_python_cannot_read_is_one_line(capsys, book: Book, metadata: str) -> None:  # type: ignore[no-untyped-def]
    argv = ["--db", book.url, "update", "C1", "5", "--type", "deposit", "--reason", "r"]
    code, out, err = _run(capsys, *argv, "--metadata", metadata)
    assert code in (1, 2) and out == "" and one_line(err)
    assert "unexpected error" not in err
    book.assert_unchanged()


@pytest.mark.parametrize("search", ["%", "_", "a%b", "x" * 100_000])
def test_a_customer_search_takes_wildcards_as_text_and_is_bounded(
    capsys, book: Book, search: str
) -> None:  # type: ignore[no-untyped-def]
    code, out, err = _run(capsys, "--db", book.url, "customers", search, "--json")
    assert "unexpected error" not in err and "too complex" not in err
    if len(search) > 200:
        assert code in (1, 2) and one_line(err) and "at most 200 characters" in err
    else:
        assert code == 0 and json.loads(out) == []
    found = book.services.manager.list_customers("Ada")
    assert [s.customer.id for s in found] == ["C1"]
    assert found[0].customer.balance == Decimal("900.00")
    book.assert_unchanged()


BAD = "\udcff"  # how Python hands on a byte that is not UTF-8 (a Latin-1 terminal's "ÿ")


@pytest.mark.parametrize(
    "argv",
    [
        ["report", f"C1{BAD}"],
        ["update", f"C1{BAD}", "5", "--type", "deposit", "--reason", "r"],
        ["history", f"C1{BAD}"],
        ["customers", f"x{BAD}"],
        ["customers", "--agent", f"A{BAD}"],
        ["history", "--agent", f"A{BAD}"],
        ["analytics", "--agent", f"A{BAD}"],
        ["alerts", "--customer", f"C{BAD}"],
        ["history", "--operator", f"x{BAD}"],
        ["--operator", f"x{BAD}", "approvals", "--mine"],
    ],
    ids=lambda argv: " ".join(a for a in argv if BAD not in a),
)
def test_arguments_that_are_not_utf8_are_one_line(capsys, book: Book, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = _run(capsys, "--db", book.url, *argv)
    assert (code, out) == (2, "") and one_line(err), err
    assert "not valid Unicode text" in err and "unexpected error" not in err
    book.assert_unchanged()


def test_a_book_path_that_is_not_utf8_is_refused_before_any_file(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / f"x{BAD}.db"
    code, out, err = _run(capsys, "--db", str(target), "customers")
    assert (code, out) == (2, "") and one_line(err) and "not valid Unicode text" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("variable", ["BALANCE_TUI_OPERATOR", "BALANCE_TUI_AUDIT_KEY"])
def test_environment_values_that_are_not_utf8_are_one_line(
    capsys, monkeypatch, sqlite_book: Book, variable: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(variable, f"k{BAD}")
    code, out, err = _run(capsys, "--db", sqlite_book.url, "report", "C1")
    assert (code, out) == (2, "") and one_line(err), err
    assert variable in err and "not valid Unicode text" in err
    sqlite_book.assert_unchanged()


@pytest.mark.parametrize("target", ["/dev/null", "fifo"])
def test_a_book_target_that_is_not_a_regular_file_is_refused(
    capsys, tmp_path: Path, target: str
) -> None:  # type: ignore[no-untyped-def]
    if target == "fifo":
        target = str(tmp_path / "pipe")
        os.mkfifo(target)
    before = set(Path(target).parent.iterdir())
    code, out, err = _run(capsys, "--db", target, "customers")
    assert (code, out) == (1, "") and one_line(err), err
    assert "not a regular file" in err and "unexpected error" not in err
    assert set(Path(target).parent.iterdir()) == before  # no -journal or -wal left beside it


def _without_root_powers(*argv: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user the file's mode binds (root keeps no power to override it)."""
    command = [sys.executable, "-m", "balance_tui", *argv]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root without setpriv writes any file")
        drop = "-dac_override,-dac_read_search,-fowner"
        command = ["setpriv", f"--bounding-set={drop}", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_read_only_book_reads_and_refuses_changes_in_one_line(sqlite_book: Book) -> None:
    path = Path(sqlite_book.url)
    sqlite_book.services.db.close()
    path.chmod(0o444)
    try:
        assert _without_root_powers("--db", str(path), "report", "C1").returncode == 0
        done = _without_root_powers(
            "--db", str(path), "update", "C1", "5", "--type", "deposit", "--reason", "r"
        )
        assert (done.returncode, done.stdout) == (1, "") and one_line(done.stderr), done.stderr
        assert "read-only" in done.stderr and "unexpected error" not in done.stderr
    finally:
        path.chmod(0o600)
    sqlite_book.assert_unchanged()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("options", "said"),
    [
        ("-c statement_timeout=1", "statement_timeout"),
        ("-c search_path=no_such_schema", "search_path"),
    ],
    ids=["statement timeout", "missing schema"],
)
def test_postgres_options_that_break_the_session_are_one_line(
    capsys, postgres_url: str, options: str, said: str
) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    joiner = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{joiner}options={quote(options)}"
    code, _, err = _run(capsys, "--db", url, "migrate")
    code2, _, err2 = _run(capsys, "--db", url, "demo", "--customers", "5", "--events", "50")
    assert code in (1, 2) and one_line(err) and said in err, err
    assert code2 in (1, 2) and one_line(err2), err2
    assert "unexpected error" not in err + err2


@pytest.mark.parametrize("kind", ["customers", "adjustments"])
def test_an_import_over_the_row_limit_is_refused_before_the_write_lock(
    capsys, sqlite_book: Book, tmp_path: Path, kind: str
) -> None:  # type: ignore[no-untyped-def]
    """An import is one transaction: a file of more rows than it takes is refused whole,
    in one line, before any writer is made to wait."""
    from balance_tui.services.csv_files import MAX_ROWS

    path = tmp_path / "big.csv"
    if kind == "customers":
        lines = ["id,agent"] + [f"N{i},A1" for i in range(MAX_ROWS + 1)]
    else:
        lines = ["customer,amount,type,reason"] + ["C1,0.01,deposit,r"] * (MAX_ROWS + 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "--db", sqlite_book.url, "import", kind, str(path))
    assert (code, out) == (1, "") and one_line(err), err
    assert f"more than {MAX_ROWS:,} rows" in err
    sqlite_book.assert_unchanged()
