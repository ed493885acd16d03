"""Hostile command lines, files, settings and database targets: the right exit code, one
line on stderr that names the problem (never "unexpected error", never a traceback), and
the book unchanged."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from balance_tui.cli import main
from tests.hostile.conftest import Book, one_line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _refused(code: int, err: str, expected_code: int, says: str) -> None:
    assert code == expected_code, err
    assert one_line(err), err
    assert says.lower() in err.lower(), err
    assert "unexpected" not in err and "Traceback" not in err


BIG = str(2**70)

# (argv after --db, exit code, a word stderr must contain)
COMMANDS: list[tuple[list[str], int, str]] = [
    (["update", "C1", "1OO", "--type", "deposit", "--reason", "r"], 2, "not an amount"),
    (["update", "C1", "2k", "--type", "deposit", "--reason", "r"], 2, "not an amount"),
    (["update", "C1", "1.5e3", "--type", "deposit", "--reason", "r"], 2, "not an amount"),
    (["update", "C1", "١٢٣", "--type", "deposit", "--reason", "r"], 2, "not an amount"),
    (["update", "C1", "１００", "--type", "deposit", "--reason", "r"], 2, "not an amount"),
    (["update", "C1", "1,0,0", "--type", "deposit", "--reason", "r"], 2, "not an amount"),
    (["update", "C1", "-0", "--type", "settlement", "--reason", "r"], 2, "minus sign on zero"),
    (["update", "C1", "-5", "--type", "deposit", "--reason", "r"], 2, "minus sign"),
    (["update", "C1", "+5", "--type", "wager", "--reason", "r"], 2, "plus sign"),
    (["update", "C1", "€50", "--type", "deposit", "--reason", "r"], 1, "keeps USD"),
    (["update", "C1", "£50", "--type", "deposit", "--reason", "r"], 1, "keeps USD"),
    (["update", "C1", "NaN", "--type", "deposit", "--reason", "r"], 2, "not a finite"),
    (["update", "C1", "9" * 39, "--type", "deposit", "--reason", "r"], 2, "beyond the largest"),
    (["update", "C1", "5", "--type", "deposit", "--reason", ""], 1, "Give a reason"),
    (["update", "C1", "5", "--type", "deposit", "--reason", "r", "--key", ""], 2, "--key is empty"),
    (["update", "C1", "5", "--type", "deposit", "--reason", "r", "--operator", ""], 2, "empty"),
    (["--operator", " ", "update", "C1", "5", "--type", "deposit", "--reason", "r"], 2, "empty"),
    (["update", "C1", "5", "--type", "deposit", "--reason", "r", "--metadata", "{"], 2, "JSON"),
    (["update", "C1", "5", "--type", "deposit", "--reason", "r", "--metadata", "[1]"], 2, "object"),
    (
        ["update", "C1", "5", "--type", "deposit", "--reason", "r", "--metadata", '{"a": NaN}'],
        1,
        "JSON cannot carry",
    ),
    (
        ["update", "C1", "5", "--type", "deposit", "--reason", "r", "--metadata", "[" * 600],
        2,
        "JSON",
    ),
    (["update", "C1", "5", "--type", "bogus", "--reason", "r"], 2, "invalid choice"),
    (["update", "C1", "5", "--type", "deposit"], 2, "--reason"),
    (["update", "NOBODY", "5", "--type", "deposit", "--reason", "r"], 1, "No customer"),
    (["update", "C1\n", "5", "--type", "deposit", "--reason", "r"], 1, "No customer"),
    (["reverse", BIG, "--reason", "r"], 2, "from 1"),
    (["reverse", "-1", "--reason", "r"], 2, "from 1"),
    (["reverse", "0", "--reason", "r"], 2, "from 1"),
    (["reverse", "abc", "--reason", "r"], 2, "whole number"),
    (["reverse", "1.0", "--reason", "r"], 2, "whole number"),
    (["reverse", "99999", "--reason", "r"], 1, "No balance change event"),
    (["alerts", "ack", BIG], 2, "from 1"),
    (["alerts", "ack", "0"], 2, "from 1"),
    (["alerts", "ack", "99999"], 1, "No alert"),
    (["alerts", "--limit", "0"], 2, "from 1"),
    (["alerts", "--limit", BIG], 2, "from 1"),
    (["customers", "--limit", BIG], 2, "from 1"),
    (["customers", "--limit", "-3"], 2, "from 1"),
    (["history", "--hours", str(10**12)], 2, "from 1"),
    (["history", "--hours", "0"], 2, "from 1"),
    (["history", "--limit", "5000"], 2, "from 1"),
    (["history", "NOBODY"], 1, "No customer"),
    (["analytics", "--period", "custom"], 2, "custom period needs both"),
    (
        ["analytics", "--period", "custom", "--from", "2026-02-01", "--to", "2026-01-01"],
        2,
        "before",
    ),
    (["analytics", "--period", "custom", "--from", "yesterday", "--to", "2026-01-01"], 2, "date"),
    (["analytics", "--period", "hourly"], 2, "invalid choice"),
    (["analytics", "NOBODY"], 1, "No customer"),
    (["analytics", "--agent", "NOAGENT"], 1, "No agent"),
    (["new-customer", "N1\n", "A1"], 2, "is not valid"),
    (["new-customer", "C1", "A1"], 1, "already exists"),
    (["new-customer", "N2", "A1", "--currency", "US"], 2, "3-letter"),
    (["new-customer", "N2", "A1", "--tier", "tin"], 2, "invalid choice"),
    (["demo", "--customers", "0"], 2, "from 1"),
    (["demo", "--events", BIG], 2, "from 0"),
    (["nonsense"], 2, "invalid choice"),
    (["update"], 2, "required"),
]


@pytest.mark.parametrize(
    ("argv", "code", "says"), COMMANDS, ids=[" ".join(a)[:50] for a, _, _ in COMMANDS]
)
def test_hostile_command_lines(
    capsys: pytest.CaptureFixture[str], book: Book, argv: list[str], code: int, says: str
) -> None:
    book.services.db.close()
    exit_code, _, err = run(capsys, "--db", book.url, *argv)
    _refused(exit_code, err, code, says)
    book.assert_unchanged()


@pytest.mark.parametrize(
    ("amount", "change_type", "moved"),
    [
        ("-1,000", "adjustment", "-1,000.00"),
        ("-$50", "adjustment", "-50.00"),
        ("-75", "adjustment", "-75.00"),
    ],
)
def test_negative_amounts_as_the_readme_writes_them_need_no_double_dash(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, amount: str, change_type: str, moved: str
) -> None:
    code, out, err = run(
        capsys,
        "--db",
        sqlite_book.url,
        "update",
        "C1",
        amount,
        "--type",
        change_type,
        "--reason",
        "correction",
    )
    assert code == 0, err
    assert f"adjustment {moved} USD" in out
    assert out.rstrip().endswith(".") and ".;" not in out and ".." not in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    from balance_tui import __version__

    assert capsys.readouterr().out.strip() == f"balance-tui {__version__}"


def test_a_usage_error_is_one_line_naming_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "update", "C1")
    assert code == 2 and one_line(err)
    assert "--help" in err


# ------------------------------------------------------------------ files

CUSTOMER_FILES: list[tuple[bytes, str]] = [
    (b"id,agent\nN1,A1\nN2,A\xe91\n", "line 3: not UTF-8"),
    (b"id,agent\n" + b"N1,A1,extra\n", "3 fields, but the header names 2"),
    (b"id,agent,colour\nN1,A1,red\n", "unknown column 'colour'"),
    (b"id," + b"x" * 200_000 + b"\nN1,A1\n", "line 1"),
    (b"id,agent\nN1," + b"a" * 200_000 + b"\n", "line 2"),
    (b"id,agent\nN1,A1\nN1,A2\n", "also on line 2"),
    (b"id,agent\nN1\n,A1\n", "line 2"),
    (b"id,agent\nN1,A1\nC1,A1\n", "already exists"),
    (b"id,agent\nN1\xc3,A1\n", "not UTF-8"),
    (b"id,agent\nN1,A1\nN\x002,A1\n", "line 3"),
    (b"name\nAda\n", "missing id, agent"),
    (b"", "missing id, agent"),
    (b"id,agent,id\nN1,A1,N2\n", "appears twice"),
    (b"id,agent,tier\nN1,A1,tin\n", "Unknown VIP tier"),
    (b'id,agent\n"N1,A1\n', "line"),
]


@pytest.mark.parametrize(
    ("content", "says"), CUSTOMER_FILES, ids=[repr(c[:30]) for c, _ in CUSTOMER_FILES]
)
def test_hostile_customer_files(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(content)
    code, _, err = run(capsys, "--db", sqlite_book.url, "import", "customers", str(path))
    _refused(code, err, 1, says)
    sqlite_book.assert_unchanged()


ADJUSTMENT_FILES: list[tuple[str, str]] = [
    ("customer,amount,type,reason\nC1,١٢٣,deposit,r\n", "line 2"),
    ("customer,amount,type,reason\nC1,1OO,deposit,r\n", "line 2"),
    ("customer,amount,type,reason\nC1,5,deposit,r\nC1,€5,deposit,r\n", "line 3"),
    ("customer,amount,type,reason,key\nC1,5,deposit,a,k1\nC1,6,deposit,b,k1\n", "also on line 2"),
    ("customer,amount,type,reason,key\nC1,5,deposit,a,k9\nC1,7,deposit,b,seed-key\n", "line 3"),
    ("customer,amount,type,reason\nC1,5,deposit,r,extra\n", "5 fields"),
    ("customer,amount,type,reason,metadata\nC1,5,deposit,r,[\n", "line 2"),
    ("customer,amount,type,reason,metadata\nC1,5,deposit,r," + "[" * 600 + "\n", "line 2"),
    ('customer,amount,type,reason,metadata\nC1,5,deposit,r,{"a": NaN}\n', "line 2"),
    ("customer,amount,type,reason\nC1,5,reversal,r\n", "line 2"),
    ("customer,amount,type,reason\nC1,5,deposit,\n", "line 2"),
    ("customer,amount,type,reason\nC1,99999999999999,deposit,r\n", "line 2"),
    ("customer,amount,type\nC1,5,deposit\n", "missing reason"),
]


@pytest.mark.parametrize(
    ("content", "says"), ADJUSTMENT_FILES, ids=[repr(c[28:60]) for c, _ in ADJUSTMENT_FILES]
)
def test_hostile_adjustment_files(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, tmp_path: Path, content: str, says: str
) -> None:
    sqlite_book.services.manager.update_balance(
        "C1", None, "1", "deposit", "keyed", "setup", idempotency_key="seed-key"
    )
    sqlite_book.snapshot()
    path = tmp_path / "adjustments.csv"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "--db", sqlite_book.url, "import", "adjustments", str(path))
    _refused(code, err, 1, says)
    sqlite_book.assert_unchanged()


def test_a_byte_order_mark_on_the_header_is_fine(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbfid,agent,name\r\nN1,A1,Nia\r\n")
    code, out, err = run(capsys, "--db", sqlite_book.url, "import", "customers", str(path))
    assert code == 0, err
    assert "imported 1 customers" in out


def test_a_replayed_key_is_not_counted_as_applied(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, tmp_path: Path
) -> None:
    path = tmp_path / "adjustments.csv"
    path.write_text("customer,amount,type,reason,key\nC1,5,deposit,r,once\n", encoding="utf-8")
    assert run(capsys, "--db", sqlite_book.url, "import", "adjustments", str(path))[0] == 0
    code, out, _ = run(capsys, "--db", sqlite_book.url, "import", "adjustments", str(path))
    assert code == 0
    assert "applied 0 changes" in out and "1 already applied earlier" in out


def test_csv_export_neutralises_formulas_and_escapes(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book
) -> None:
    manager = sqlite_book.services.manager
    manager.create_customer("F1", "A1", name='=HYPERLINK("http://x","click")')
    manager.update_balance("F1", None, "5", "deposit", "\x1b[31mred\x1b[0m \u202eevil", "op")
    manager.update_balance("F1", None, "-3", "adjustment", "@SUM(A1)", "op")
    code, out, _ = run(capsys, "--db", sqlite_book.url, "export", "history", "--format", "csv")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[31mred" in out and "\\u202eevil" in out
    assert "'@SUM(A1)" in out
    assert ",-3.00," in out  # numbers are never prefixed
    code, out, _ = run(capsys, "--db", sqlite_book.url, "export", "customers", "--format", "csv")
    assert "'=HYPERLINK" in out


def test_cli_text_escapes_bidi_overrides(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book
) -> None:
    sqlite_book.services.manager.update_balance("C1", None, "5", "deposit", "a\u202eb", "op")
    code, out, _ = run(capsys, "--db", sqlite_book.url, "history", "C1")
    assert code == 0 and "\u202e" not in out and "\\u202e" in out


@pytest.mark.parametrize(
    ("target", "says"),
    [
        (lambda tmp: str(tmp), "is a directory"),
        (lambda tmp: str(tmp / "missing" / "out.csv"), "does not exist"),
        (lambda tmp: "/dev/full", "disk is full"),
    ],
    ids=["directory", "missing-directory", "disk-full"],
)
def test_export_to_a_bad_target_leaves_nothing_half_written(
    capsys: pytest.CaptureFixture[str],
    sqlite_book: Book,
    tmp_path: Path,
    target,
    says: str,  # type: ignore[no-untyped-def]
) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = run(capsys, "--db", sqlite_book.url, "export", "history", "-o", target(tmp_path))
    assert code in (1, 2)
    _refused(code, err, code, says)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_export_replaces_a_file_only_when_complete(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, tmp_path: Path
) -> None:
    target = tmp_path / "history.json"
    code, _out, _ = run(
        capsys, "--db", sqlite_book.url, "export", "history", "--format", "json", "-o", str(target)
    )
    assert code == 0 and len(json.loads(target.read_text())) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# ------------------------------------------------------------------ settings


CONFIGS: list[tuple[str, str]] = [
    ("[tiers.gold]\ndaily_change_limit = 1e30\n", "tiers.gold.daily_change_limit"),
    ('[tiers.gold]\ndaily_change_limit = "1,0,0"\n', "tiers.gold.daily_change_limit"),
    ("[tiers.gold]\nmax_balance = 1e13\n", "max_balance"),
    ("[tiers.gold]\ncritical_threshold = 5000\n", "critical_threshold"),
    ("[tiers.gold]\ndaily_change_limit = 700000\nweekly_change_limit = 600_000\n", "weekly"),
    ("[tiers.gold]\nmin_balance = 2000000\n", "min_balance"),
    ("[tiers.gold]\nmin_balance = 0.001\n", "min_balance"),
    ("[tiers.gold]\nmin_balance = true\n", "min_balance"),
    ("[tiers.tin]\nmin_balance = 0\n", "tiers.tin"),
    ("[tiers.gold]\ncolour = 1\n", "tiers.gold.colour"),
    ("significant_drop_percent = 250\n", "significant_drop_percent"),
    ("operator = 5\n", "operator"),
    ("nonsense = 1\n", "nonsense"),
    ("[tiers.gold\n", "not valid TOML"),
]


@pytest.mark.parametrize(("content", "says"), CONFIGS, ids=[c[:40] for c, _ in CONFIGS])
def test_hostile_config_files(
    capsys: pytest.CaptureFixture[str],
    sqlite_book: Book,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    says: str,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content, encoding="utf-8")
    monkeypatch.setenv("BALANCE_TUI_CONFIG", str(config))
    code, _, err = run(capsys, "--db", sqlite_book.url, "report", "C1")
    _refused(code, err, 2, says)
    assert str(config) in err
    sqlite_book.assert_unchanged()


def test_a_config_file_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'operator = "J\xe9r\xf4me"\n')
    monkeypatch.setenv("BALANCE_TUI_CONFIG", str(config))
    code, _, err = run(capsys, "--db", str(tmp_path / "b.db"), "customers")
    _refused(code, err, 2, "not UTF-8")


ENVIRONMENTS: list[tuple[dict[str, str], str]] = [
    ({"BALANCE_MIN_DEFAULT": "1e30"}, "BALANCE_MIN_DEFAULT"),
    ({"BALANCE_MAX_DEFAULT": "1e30"}, "BALANCE_MAX_DEFAULT"),
    ({"BALANCE_MAX_DEFAULT": "1,0,0"}, "BALANCE_MAX_DEFAULT"),
    ({"BALANCE_MAX_DEFAULT": "10000000000000"}, "BALANCE_MAX_DEFAULT"),
    ({"BALANCE_MIN_DEFAULT": "5000000"}, "min_balance"),
    ({"BALANCE_WARNING_THRESHOLD": "10", "BALANCE_CRITICAL_THRESHOLD": "50"}, "critical"),
    ({"BALANCE_WARNING_THRESHOLD": "abc"}, "BALANCE_WARNING_THRESHOLD"),
    ({"BALANCE_CRITICAL_THRESHOLD": "NaN"}, "BALANCE_CRITICAL_THRESHOLD"),
    ({"BALANCE_CRITICAL_THRESHOLD": "١٠٠"}, "BALANCE_CRITICAL_THRESHOLD"),
]


@pytest.mark.parametrize(("env", "says"), ENVIRONMENTS, ids=[repr(e)[:50] for e, _ in ENVIRONMENTS])
def test_hostile_environments(
    capsys: pytest.CaptureFixture[str],
    sqlite_book: Book,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    says: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "--db", sqlite_book.url, "report", "C1")
    _refused(code, err, 2, says)
    sqlite_book.assert_unchanged()


def test_min_and_max_from_the_environment_apply_together(
    capsys: pytest.CaptureFixture[str], sqlite_book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALANCE_MIN_DEFAULT", "2000000")
    monkeypatch.setenv("BALANCE_MAX_DEFAULT", "3000000")
    code, _, err = run(capsys, "--db", sqlite_book.url, "customers")
    assert code == 0, err


# ------------------------------------------------------------------ database targets


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: str(tmp), "is a directory"),
        (lambda tmp: str(tmp / "no" / "such" / "b.db"), "does not exist"),
        (lambda tmp: "sqlite:///:memory:", "in-memory"),
        (lambda tmp: "mysql://u@h/db", "Unknown database URL scheme"),
        (lambda tmp: "sqlite://", "name a file"),
        (lambda tmp: "postgresql://postgres@127.0.0.1:1/none", "Cannot connect"),
    ],
    ids=["directory", "missing-dir", "memory", "mysql", "empty-sqlite-url", "closed-port"],
)
def test_hostile_database_targets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make, says
) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "--db", make(tmp_path), "customers")
    _refused(code, err, 1, says)


def test_not_a_database_file_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"\x00\x01 not sqlite at all " * 50)
    before = _digest(path)
    code, _, err = run(capsys, "--db", str(path), "verify")
    _refused(code, err, 1, "cannot be opened as a database")
    assert _digest(path) == before


def test_an_empty_file_becomes_a_book_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    code, _, err = run(capsys, "--db", str(path), "customers")
    assert code == 0
    assert one_line(err) and "was an empty file" in err
    code, _out, err = run(capsys, "--db", str(path), "customers")
    assert code == 0 and err == ""


def test_a_closed_pipe_does_not_turn_a_failed_verify_into_success(sqlite_book: Book) -> None:
    path = sqlite_book.url
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER balance_event_no_update")
    conn.execute("UPDATE balance_event SET reason = 'forged' WHERE id = 1")
    conn.commit()
    conn.close()
    done = subprocess.run(
        f"{sys.executable} -m balance_tui --db {path} verify --json | true; "
        "echo ${PIPESTATUS[0]}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "1", done.stderr
