"""A least-privilege login runs every command after the schema owner's ``migrate``; an
auditor reads, verifies and exports and is refused writes with one clear line; a pending
migration is a clear message, not a traceback. Logins are made (and dropped) by the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from balance_tui.cli import main

pytestmark = pytest.mark.postgres


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_operator_login_runs_every_command(pg_logins, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ann = pg_logins("ann", "operator")
    login = ann.split("://", 1)[1].split("@", 1)[0]
    db = ("--db", ann)
    commands = [
        ("new-customer", "C1", "A1", "--tier", "gold"),
        ("update", "C1", "500", "--type", "deposit", "--reason", "cash", "--operator", "the_boss"),
        ("update", "C1", "15000", "--type", "deposit", "--reason", "big", "--operator", "ann"),
        ("report", "C1"),
        ("customers",),
        ("history",),
        ("alerts", "--all"),
        ("analytics", "--period", "monthly"),
        ("export", "history", "--format", "json", "-o", str(tmp_path / "h.json")),
        ("export", "customers", "-o", str(tmp_path / "c.csv")),
        ("export", "alerts", "-o", str(tmp_path / "a.csv")),
        ("verify",),
        ("approvals",),
        ("authority",),
    ]
    (tmp_path / "new.csv").write_text("id,agent,name\nC2,A1,Bea\n")
    commands.append(("import", "customers", str(tmp_path / "new.csv")))
    for argv in commands:
        code, out, err = run(capsys, *db, *argv)
        assert code == 0, (argv, out, err)
        assert "unexpected error" not in err
    # a refusal is recorded (and raises an alert) under the login's own rights too
    refused = ("update", "C1", "99999", "--type", "withdrawal", "--reason", "too much")
    code, _, err = run(capsys, *db, *refused)
    assert code == 1 and "rejected:" in err and "unexpected" not in err
    for argv in (
        ("alerts", "ack", "1", "--note", "seen"),
        ("reverse", "1", "--reason", "typo", "--operator", "ann"),
    ):
        code, out, err = run(capsys, *db, *argv)
        assert code == 0, (argv, out, err)
    code, out, _ = run(capsys, *db, "history", "--json")
    events = json.loads(out)
    assert {e["performed_by"] for e in events} == {"the_boss", "ann"}  # labels only...
    assert {e["db_user"] for e in events} == {login}  # ...the identity is the login
    code, out, _ = run(capsys, *db, "approvals", "--json")
    assert [r["maker"] for r in json.loads(out)] == [login]


def test_an_auditor_reads_and_is_refused_writes_in_one_line(pg_logins, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    ada, dan = pg_logins("ada", "admin"), pg_logins("dan", "auditor")
    assert run(capsys, "--db", ada, "new-customer", "C1", "A1")[0] == 0
    assert (
        run(capsys, "--db", ada, "update", "C1", "50", "--type", "deposit", "--reason", "x")[0] == 0
    )
    for argv in (("report", "C1"), ("verify",), ("export", "history", "-o", str(tmp_path / "h"))):
        code, out, err = run(capsys, "--db", dan, *argv)
        assert code == 0, (argv, err)
    for argv in (
        ("update", "C1", "5", "--type", "deposit", "--reason", "x"),
        ("new-customer", "C9", "A1"),
        ("alerts", "ack", "1"),
        ("authority", "set", "auditor", "100"),
    ):
        code, out, err = run(capsys, "--db", dan, *argv)
        assert code == 1, (argv, out, err)
        assert len(err.strip().splitlines()) == 1 and "unexpected error" not in err, err


def test_a_pending_migration_is_a_clear_message_for_the_login(
    pg_logins, postgres_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    ann = pg_logins("ann", "operator")
    import psycopg2

    base, _, options = postgres_url.partition("?options=")
    owner = psycopg2.connect(base, options=f"-csearch_path={options.split('%3D')[-1]}")
    owner.autocommit = True
    cursor = owner.cursor()
    cursor.execute("SELECT name FROM schema_migration ORDER BY name DESC LIMIT 1")
    (latest,) = cursor.fetchone()
    cursor.execute("DELETE FROM schema_migration WHERE name = %s", (latest,))
    owner.close()
    code, _, err = run(capsys, "--db", ann, "report", "C1")
    assert code == 1
    assert "needs `balance-tui migrate`" in err and latest in err
