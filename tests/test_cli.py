"""The balance-tui command: exit codes 0/1/2, one-line errors, what each sub-command does."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from balance_tui.cli import build_parser, main, tui_arguments


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    assert main(["--db", path, "new-customer", "C1", "A1", "--name", "Ada", "--tier", "gold"]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_update_prints_one_line_and_moves_the_balance(db_path, capsys) -> None:
    code, out, err = run(
        capsys,
        "update",
        "C1",
        "1,250.50",
        "--type",
        "deposit",
        "--reason",
        "Bank transfer",
        "--operator",
        "ada",
        "--db",
        db_path,
    )
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    assert "C1 deposit +1,250.50 USD: balance 0.00 -> 1,250.50 USD" in out
    code, out, _ = run(
        capsys,
        "--db",
        db_path,
        "update",
        "C1",
        "$300",
        "--type",
        "withdrawal",
        "--reason",
        "cash out",
    )
    assert code == 0 and "-> 950.50 USD" in out
    code, out, _ = run(capsys, "--db", db_path, "report", "C1", "--json")
    report = json.loads(out)
    assert report["current_balance"] == "950.50"
    assert [e["performed_by"] for e in report["history"]][-1] == "ada"


def test_adjustment_amount_carries_its_sign(db_path, capsys) -> None:
    run(capsys, "--db", db_path, "update", "C1", "100", "--type", "deposit", "--reason", "in")
    code, out, _ = run(
        capsys, "--db", db_path, "update", "C1", "-75", "--type", "adjustment", "--reason", "fee"
    )
    assert code == 0 and "-> 25.00 USD" in out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["update", "C1", "abc", "--type", "deposit", "--reason", "r"],
            2,
            "'abc' is not an amount",
        ),
        (["update", "C1", "-50", "--type", "deposit", "--reason", "r"], 2, "has a minus sign"),
        (["update", "C1", "+50", "--type", "wager", "--reason", "r"], 2, "has a plus sign"),
        (["update", "C1", "1.234", "--type", "deposit", "--reason", "r"], 2, "2 decimal places"),
        (
            ["update", "C1", "5", "--type", "deposit", "--reason", "r", "--metadata", "{bad"],
            2,
            "--metadata is not valid JSON",
        ),
        (
            ["update", "C1", "5", "--type", "deposit", "--reason", "r", "--metadata", "[1]"],
            2,
            "must be a JSON object",
        ),
        (["update", "NOPE", "5", "--type", "deposit", "--reason", "r"], 1, "No customer 'NOPE'"),
        (
            ["update", "C1", "99,999", "--type", "withdrawal", "--reason", "r"],
            1,
            "rejected: Balance would fall to -99,999.00, below the gold minimum of -15,000.00.",
        ),
        (["analytics", "--period", "custom", "--from", "yesterday"], 2, "is not a date"),
        (["alerts", "ack", "12345"], 1, "No alert #12345"),
        (["reverse", "999", "--reason", "r"], 1, "No balance change event #999"),
        (["new-customer", "C1", "A1"], 1, "Customer C1 already exists"),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code(db_path, capsys, argv, code, message) -> None:
    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM balance_event").fetchone()
    got, _, err = run(capsys, "--db", db_path, *argv)
    assert got == code
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    after = sqlite3.connect(db_path).execute("SELECT count(*) FROM balance_event").fetchone()
    assert before == after


def test_usage_errors_exit_2(capsys) -> None:
    assert run(capsys, "update", "C1")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    code, _, err = run(capsys, "update", "C1", "5", "--type", "bonus", "--reason", "r")
    assert code == 2 and "invalid choice" in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/no/such/dir/x.db", "Directory /no/such/dir does not exist"),
        ("mysql://u@h/db", "Unknown database URL scheme 'mysql'"),
    ],
)
def test_database_errors_are_one_line(capsys, url, message) -> None:
    code, _, err = run(capsys, "verify", "--db", url)
    assert code == 1 and message in err and err.count("\n") == 1


def test_a_file_that_is_not_a_database(tmp_path, capsys) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 20)
    code, _, err = run(capsys, "--db", str(path), "verify")
    assert code == 1 and "cannot be opened as a database" in err
    assert path.read_text().startswith("these are my notes")


def test_idempotency_key_posts_once_and_refuses_other_parameters(db_path, capsys) -> None:
    argv = [
        "--db",
        db_path,
        "update",
        "C1",
        "10",
        "--type",
        "deposit",
        "--reason",
        "r",
        "--key",
        "K1",
    ]
    assert run(capsys, *argv)[0] == 0
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "replayed" in out
    code, _, err = run(capsys, *argv[:4], "11", *argv[5:])
    assert code == 1 and "Idempotency key 'K1' was already used" in err
    assert run(capsys, "--db", db_path, "report", "C1", "--json")[1].count('"deposit"') == 1


def test_hostile_text_round_trips_verbatim_and_prints_harmlessly(db_path, capsys) -> None:
    hostile = "[bold red]x[/] \x1b[31mred\x1b[0m 'q' \"dq\""
    assert (
        run(capsys, "--db", db_path, "update", "C1", "5", "--type", "deposit", "--reason", hostile)[
            0
        ]
        == 0
    )
    _, out, _ = run(capsys, "--db", db_path, "history", "C1", "--json")
    assert json.loads(out)[0]["reason"] == hostile
    _, out, _ = run(capsys, "--db", db_path, "history", "C1")
    assert "\x1b" not in out and "\\x1b[31mred" in out


def test_alerts_list_and_ack(db_path, capsys) -> None:
    run(capsys, "--db", db_path, "update", "C1", "2000", "--type", "deposit", "--reason", "in")
    run(capsys, "--db", db_path, "update", "C1", "1500", "--type", "wager", "--reason", "bet")
    _, out, _ = run(capsys, "--db", db_path, "alerts", "--json")
    alerts = json.loads(out)
    assert {a["alert_type"] for a in alerts} == {"warning", "significant_drop"}
    ids = [str(a["id"]) for a in alerts]
    code, out, _ = run(capsys, "--db", db_path, "alerts", "ack", *ids, "--operator", "sup")
    assert code == 0 and out.count("acknowledged by sup") == 2
    assert json.loads(run(capsys, "--db", db_path, "alerts", "--json")[1]) == []
    assert len(json.loads(run(capsys, "--db", db_path, "alerts", "--all", "--json")[1])) == 2


def test_reverse_history_analytics_and_customers(db_path, capsys) -> None:
    run(capsys, "--db", db_path, "update", "C1", "700", "--type", "deposit", "--reason", "dup")
    event_id = json.loads(run(capsys, "--db", db_path, "history", "--json")[1])[0]["id"]
    code, out, _ = run(capsys, "--db", db_path, "reverse", str(event_id), "--reason", "Duplicate")
    assert code == 0 and "reversal -700.00" in out
    code, _, err = run(capsys, "--db", db_path, "reverse", str(event_id), "--reason", "again")
    assert code == 1 and "already reversed" in err
    analytics = json.loads(
        run(capsys, "--db", db_path, "analytics", "C1", "--period", "daily", "--json")[1]
    )
    assert analytics["breakdown"]["reversal"] == {"count": 1, "total": "-700.00"}
    _, out, _ = run(capsys, "--db", db_path, "customers", "ada")
    assert "C1" in out and "Ada" in out


def test_customers_sorted_by_any_column(db_path, capsys) -> None:
    for code, name, amount in (("C2", "bea", "900"), ("C3", "Cy", "50")):
        run(capsys, "--db", db_path, "new-customer", code, "A1", "--name", name)
        run(capsys, "--db", db_path, "update", code, amount, "--type", "deposit", "--reason", "in")

    def ids(*argv: str) -> list[str]:
        code, out, err = run(capsys, "--db", db_path, "customers", "--json", *argv)
        assert code == 0 and err == ""
        return [row["customer"]["id"] for row in json.loads(out)]

    assert ids() == ["C1", "C2", "C3"]
    assert ids("--sort", "balance") == ["C2", "C3", "C1"]  # richest first, as on the screen
    assert ids("--sort", "balance", "--reverse") == ["C1", "C3", "C2"]
    assert ids("--sort", "name") == ["C1", "C2", "C3"]  # Ada, bea, Cy: case does not count
    assert ids("--sort", "tier", "--limit", "1") == ["C2"]  # bronze ranks before gold
    code, _, err = run(capsys, "--db", db_path, "customers", "--sort", "richest")
    assert code == 2 and err.count("\n") == 1 and "--sort" in err


def test_export_and_import(tmp_path, db_path, capsys) -> None:
    run(capsys, "--db", db_path, "update", "C1", "5", "--type", "deposit", "--reason", "in")
    out_file = tmp_path / "history.csv"
    assert run(capsys, "--db", db_path, "export", "history", "-o", str(out_file))[0] == 0
    lines = out_file.read_text().splitlines()
    assert lines[0].startswith("id,customer_id,agent_id,change_type,amount") and len(lines) == 2
    exported = json.loads(
        run(capsys, "--db", db_path, "export", "customers", "--format", "json")[1]
    )
    assert [c["id"] for c in exported] == ["C1"]

    good = tmp_path / "good.csv"
    good.write_text("id,agent,name,tier,currency\nC2,A2,Grace,silver,USD\nC3,A2,Alan,,\n")
    code, out, _ = run(capsys, "--db", db_path, "import", "customers", str(good))
    assert code == 0 and "imported 2 customers" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("id,agent,name,tier\nC4,A2,Ok,gold\nC5,A2,Bad,iron\n")
    code, _, err = run(capsys, "--db", db_path, "import", "customers", str(bad))
    assert code == 1 and "line 3" in err and "Unknown VIP tier 'iron'" in err
    ids = [
        c["id"]
        for c in json.loads(
            run(capsys, "--db", db_path, "export", "customers", "--format", "json")[1]
        )
    ]
    assert ids == ["C1", "C2", "C3"]  # nothing of the bad file was imported


def test_demo_builds_a_verifiable_book_and_verify_catches_tampering(tmp_path, capsys) -> None:
    path = str(tmp_path / "demo.db")
    code, out, _ = run(
        capsys, "--db", path, "demo", "--customers", "60", "--days", "30", "--events", "3000"
    )
    assert code == 0 and "60 customers" in out
    conn = sqlite3.connect(path)
    assert {r[0] for r in conn.execute("SELECT DISTINCT vip_level FROM customer")} == {
        "bronze",
        "silver",
        "gold",
        "platinum",
        "diamond",
    }
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT change_type FROM balance_event")}
    assert kinds == {"deposit", "withdrawal", "wager", "settlement", "adjustment", "reversal"}
    assert conn.execute("SELECT count(*) FROM alert").fetchone()[0] > 0
    code, out, _ = run(capsys, "--db", path, "verify")
    assert code == 0 and "OK: 60 customers" in out
    assert run(capsys, "--db", path, "demo")[0] == 0  # a second demo leaves the data alone

    conn.execute("DROP TRIGGER balance_event_no_update")
    conn.execute("UPDATE balance_event SET amount_cents = amount_cents + 1 WHERE id = 42")
    conn.commit()
    code, _, err = run(capsys, "--db", path, "verify")
    assert code == 1 and "event #42" in err and "FAILED" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_real_process_db_before_or_after_the_sub_command(tmp_path, where) -> None:
    path = str(tmp_path / "p.db")
    db_args = ["--db", path]
    argv = [*db_args, "verify"] if where == "before" else ["verify", *db_args]
    done = subprocess.run(
        [sys.executable, "-m", "balance_tui", *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "OK: 0 customers" in done.stdout


def test_real_process_error_has_no_traceback(tmp_path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "balance_tui",
            "--db",
            str(tmp_path / "x.db"),
            "update",
            "C9",
            "5",
            "--type",
            "deposit",
            "--reason",
            "r",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == "balance-tui: rejected: No customer 'C9'.\n"


def test_import_adjustments_all_or_nothing(tmp_path, db_path, capsys) -> None:
    good = tmp_path / "adjustments.csv"
    good.write_text(
        "customer,amount,type,reason,operator,key\n"
        'C1,"1,000.00",deposit,funding,ann,k1\n'
        "C1,$250,wager,bet,,\n"
        "C1,-50,adjustment,fee,,\n"
    )
    code, out, _ = run(capsys, "--db", db_path, "import", "adjustments", str(good))
    assert code == 0 and "applied 3 changes" in out
    report = json.loads(run(capsys, "--db", db_path, "report", "C1", "--json")[1])
    assert report["current_balance"] == "700.00"
    assert report["history"][-1]["performed_by"] == "ann"

    bad = tmp_path / "bad.csv"
    bad.write_text("customer,amount,type,reason\nC1,10,deposit,ok\nC1,99999,withdrawal,no\n")
    code, _, err = run(capsys, "--db", db_path, "import", "adjustments", str(bad))
    assert code == 1 and "line 3" in err and "below the gold minimum" in err
    unreadable = tmp_path / "unreadable.csv"
    unreadable.write_text("customer,amount,type,reason\nC1,-10,deposit,sign\n")
    code, _, err = run(capsys, "--db", db_path, "import", "adjustments", str(unreadable))
    assert code == 1 and "line 2" in err and "minus sign" in err
    report = json.loads(run(capsys, "--db", db_path, "report", "C1", "--json")[1])
    assert report["current_balance"] == "700.00"


@pytest.mark.postgres
def test_the_cli_on_postgres(postgres_url, capsys) -> None:
    assert run(capsys, "--db", postgres_url, "migrate")[0] == 0  # the schema owner, once
    assert (
        run(
            capsys,
            "--db",
            postgres_url,
            "demo",
            "--customers",
            "12",
            "--days",
            "5",
            "--events",
            "200",
        )[0]
        == 0
    )
    code, out, _ = run(
        capsys,
        "update",
        "CUSTOMER_00001",
        "25",
        "--type",
        "deposit",
        "--reason",
        "pg",
        "--operator",
        "ann",
        "--db",
        postgres_url,
    )
    assert code == 0 and "CUSTOMER_00001 deposit +25.00 USD" in out
    history = json.loads(run(capsys, "--db", postgres_url, "history", "--limit", "1", "--json")[1])
    assert history[0]["performed_by"] == "ann" and history[0]["db_user"] == "postgres"
    code, out, _ = run(capsys, "--db", postgres_url, "verify")
    assert code == 0 and "OK: 12 customers" in out
    assert run(capsys, "--db", postgres_url, "analytics", "--period", "weekly")[0] == 0
    assert run(capsys, "--db", postgres_url, "alerts", "--all", "--json")[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "book.db"],
        ["--db=book.db"],
        ["--operator", "ann", "--db", "book.db"],
        ["--db", "one.db", "--db", "two.db"],
        ["--db="],
        ["--db", "postgresql://u@127.0.0.1/test", "--operator=bob"],
    ],
)
def test_the_tuis_own_options_read_as_the_full_parser_reads_them(argv) -> None:  # type: ignore[no-untyped-def]
    """``balance-tui --db … --operator …`` starts the TUI without building every
    sub-command's parser; what it reads must be what the full parser reads."""
    quick = tui_arguments(argv)
    full = build_parser().parse_args(argv)
    assert quick is not None
    assert (quick.command, quick.db, quick.operator) == (full.command, full.db, full.operator)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["--op", "ann"],  # an abbreviation: argparse's to read
        ["--db"],
        ["--operator", "-x"],
        ["customers"],
        ["--db", "book.db", "verify"],
        ["--bogus"],
    ],
)
def test_anything_else_goes_to_the_full_parser(argv) -> None:  # type: ignore[no-untyped-def]
    assert tui_arguments(argv) is None
