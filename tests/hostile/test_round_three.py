"""Hostile input, round three: an empty --db, the config file against the environment,
an auditor creating customers, a clock before 1970, metadata Python cannot read, customer
searches with LIKE's wildcards or of any length. Each is refused in one line (or works as
written) and the book is unchanged."""

from __future__ import annotations

import json
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
