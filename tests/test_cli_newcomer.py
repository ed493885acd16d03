"""The command line as a newcomer meets it: JSON everywhere it is offered (and ``--json``
before the sub-command), usage errors that name ``--help`` with one exit code, a login
without a role refused in one line, a second acknowledgement named, and currencies whose
minor unit is not 2 refused until the book keeps other minor units."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balance_tui.cli import main


@pytest.fixture
def book(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    assert main(["--db", path, "new-customer", "C1", "A1", "--name", "Ada"]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_authority_json_lists_the_table_and_who_you_are(book: str, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "--db", book, "authority", "--json")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert {"operator", "supervisor", "admin"} <= {e["subject"] for e in shown["entries"]}
    assert shown["you"]["roles"] == ["admin"]


def test_json_before_the_sub_command_is_the_same_as_after(book: str, capsys) -> None:  # type: ignore[no-untyped-def]
    before = run(capsys, "--db", book, "--json", "customers")
    after = run(capsys, "--db", book, "customers", "--json")
    assert before == after and before[0] == 0 and json.loads(before[1])


@pytest.mark.parametrize(
    "argv",
    [
        ["new-customer", "bad id!", "A1"],
        ["new-customer", "C2", "A1", "--tier", "platinumx"],
        ["update", "C1", "1OO", "--type", "deposit", "--reason", "x"],
        ["update", "C1", "-0", "--type", "adjustment", "--reason", "x"],
    ],
)
def test_bad_input_is_a_usage_error_that_names_help(book: str, capsys, argv) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "--db", book, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"(see 'balance-tui {argv[0]} --help')" in err


def test_acknowledging_an_acknowledged_alert_names_the_first(book: str, capsys) -> None:  # type: ignore[no-untyped-def]
    for amount, kind in (("500", "deposit"), ("450", "withdrawal")):
        assert main(["--db", book, "update", "C1", amount, "--type", kind, "--reason", "x"]) == 0
    capsys.readouterr()
    alerts = json.loads(run(capsys, "--db", book, "alerts", "list", "--json")[1])
    alert = alerts[0]["id"]
    assert run(capsys, "--db", book, "alerts", "ack", str(alert))[0] == 0
    code, out, _ = run(capsys, "--db", book, "alerts", "ack", str(alert))
    assert code == 0 and f"#{alert} was already acknowledged by " in out


@pytest.mark.parametrize("named", ["sig", "significant drop", "SIGNIFICANT_DROP"])
def test_alert_types_are_named_as_in_the_filter_language(book: str, capsys, named) -> None:  # type: ignore[no-untyped-def]
    for amount, kind in (("500", "deposit"), ("450", "withdrawal")):
        assert main(["--db", book, "update", "C1", amount, "--type", kind, "--reason", "x"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "--db", book, "alerts", "--type", named, "--json")
    assert (code, err) == (0, "")
    assert {a["alert_type"] for a in json.loads(out)} == {"significant_drop"}


@pytest.mark.parametrize(
    "argv", [["alerts", "--customer", "zzz"], ["history", "zzz"], ["history", "--type", "zz"]]
)
def test_a_filter_that_matches_nothing_says_so(book: str, capsys, argv) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "--db", book, *argv)
    assert code != 0 and out == "" and err.count("\n") == 1
    assert "No customer's id or name contains 'zzz'." in err or "Unknown type 'zz'" in err


def test_a_customer_is_found_by_part_of_its_name(book: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", book, "update", "C1", "5", "--type", "deposit", "--reason", "x"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", book, "history", "ada", "--json")
    assert code == 0 and [e["customer_id"] for e in json.loads(out)] == ["C1"]


@pytest.mark.parametrize("currency", ["JPY", "KWD", "BHD", "CLP"])
def test_a_currency_whose_minor_unit_is_not_cents_is_refused(book: str, capsys, currency) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "--db", book, "new-customer", "C9", "A1", "--currency", currency)
    assert code == 2 and "minor unit" in err and currency in err
    assert "C9" not in run(capsys, "--db", book, "customers")[1]


@pytest.mark.postgres
def test_a_login_without_a_role_is_refused_in_one_line(pg_logins, capsys) -> None:  # type: ignore[no-untyped-def]
    url = pg_logins("nobody", "none")
    code, out, err = run(capsys, "--db", url, "customers")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "unexpected error" not in err and "\\x0a" not in err
    assert "The database refused nobody_" in err and "role" in err


@pytest.mark.postgres
def test_a_login_without_a_role_that_may_connect_is_refused_in_one_line(pg_logins, capsys) -> None:  # type: ignore[no-untyped-def]
    """A book set up before per-book roles left CONNECT to everyone: reading is refused."""
    import psycopg2

    from tests.conftest import PG_URL

    url = pg_logins("stranger", "none")
    login = url.split("://", 1)[1].split("@", 1)[0]
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT current_database()")
        database = cur.fetchone()[0]
        cur.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {login}')
    try:
        code, out, err = run(capsys, "--db", url, "customers")
    finally:
        with admin.cursor() as cur:
            cur.execute(f'REVOKE CONNECT ON DATABASE "{database}" FROM {login}')
        admin.close()
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "unexpected error" not in err and "\\x0a" not in err
    assert f"The database refused {login}" in err and "permission denied" in err


@pytest.mark.postgres
def test_demo_by_a_login_that_does_not_own_the_book_writes_nothing(pg_logins, capsys) -> None:  # type: ignore[no-untyped-def]
    url = pg_logins("olga", "admin")  # even an admin: the bulk path needs the owner
    code, _, err = run(capsys, "--db", url, "demo", "--customers", "3", "--events", "10")
    assert code == 1 and err.count("\n") == 1
    assert "run it as" in err and "Nothing was written" in err
    assert run(capsys, "--db", url, "customers", "--json")[1].strip() == "[]"


@pytest.mark.postgres
def test_on_postgres_the_database_login_is_who_is_shown(pg_logins, postgres_url, capsys) -> None:  # type: ignore[no-untyped-def]
    """Without --operator the name recorded and shown is the database login (not the
    terminal's OS login); with it, history shows the label beside the login."""
    assert main(["--db", postgres_url, "new-customer", "C1", "A1", "--tier", "gold"]) == 0
    url = pg_logins("ann", "operator")
    login = url.split("://", 1)[1].split("@", 1)[0]
    for label in ([], ["--operator", "Ann Smith"]):
        argv = ["--db", url, *label, "update", "C1", "50", "--type", "deposit", "--reason", "x"]
        assert main(argv) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", url, "history", "C1", "--json")
    assert code == 0
    assert [(e["performed_by"], e["db_user"]) for e in json.loads(out)] == [
        ("Ann Smith", login),
        (login, login),
    ]
    table = run(capsys, "--db", url, "history", "C1")[1]
    assert f"Ann Smith ({login})" in table


def test_analytics_in_a_currency_counts_only_its_refusals_and_alerts(book: str, capsys) -> None:  # type: ignore[no-untyped-def]
    for amount, kind in (("500", "deposit"), ("450", "withdrawal"), ("9000000", "deposit")):
        main(["--db", book, "update", "C1", amount, "--type", kind, "--reason", "x"])
    main(["--db", book, "new-customer", "E1", "A1", "--currency", "EUR"])  # EUR is held
    capsys.readouterr()
    usd = json.loads(run(capsys, "--db", book, "analytics", "--json")[1])["operations"]
    assert usd["rejections"] >= 1 and usd["alerts"] >= 1
    code, out, _ = run(capsys, "--db", book, "analytics", "--currency", "EUR", "--json")
    eur = json.loads(out)["operations"]
    assert code == 0 and (eur["rejections"], eur["alerts"]) == (0, 0)


def test_analytics_to_a_day_takes_all_of_it(book: str, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["analytics", "--period", "custom", "--from", "2026-11-01", "--to", "2026-11-30"]
    code, out, _ = run(capsys, "--db", book, *argv, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["end"].startswith("2026-12-01T00:00:00")
