"""The four-eyes commands on the command line (SQLite: the role comes from
BALANCE_TUI_ROLE): update above authority prints the pending request (and --json says
status pending_approval), approvals list/approve/reject, authority list/set."""

from __future__ import annotations

import json

import pytest

from balance_tui.cli import main


def run(capsys, monkeypatch, role: str, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BALANCE_TUI_ROLE", role)
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def book(tmp_path, capsys, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "book.db")
    assert (
        run(capsys, monkeypatch, "admin", "--db", db, "new-customer", "C1", "A1", "--tier", "gold")[
            0
        ]
        == 0
    )
    seed = ("update", "C1", "20000", "--type", "deposit", "--reason", "seed")
    assert run(capsys, monkeypatch, "admin", "--db", db, *seed)[0] == 0
    return db


def test_above_authority_waits_and_a_supervisor_approves(book, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ask = ("--db", book, "update", "C1", "15000", "--type", "deposit", "--reason", "big")
    code, out, _ = run(capsys, monkeypatch, "operator", *ask, "--operator", "ann", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["status"] == "pending_approval" and answer["request"]["maker"] == "ann"
    request_id = str(answer["request"]["id"])
    code, _, err = run(capsys, monkeypatch, "operator", *ask, "--operator", "ann")
    assert code == 1 and f"already waiting for approval #{request_id}" in err
    code, out, _ = run(capsys, monkeypatch, "supervisor", "--db", book, "approvals")
    assert f"#{request_id}" in out and "pending" in out and "ann" in out
    code, _, err = run(
        capsys, monkeypatch, "supervisor", "--db", book, "approvals", "approve", request_id,
        "--operator", "ann",
    )  # fmt: skip
    assert code == 1 and "another login must decide" in err
    code, out, _ = run(
        capsys, monkeypatch, "supervisor", "--db", book, "approvals", "approve", request_id,
        "--operator", "bob", "--note", "called",
    )  # fmt: skip
    assert code == 0 and f"approved #{request_id}" in out and "35,000.00" in out
    code, out, _ = run(
        capsys, monkeypatch, "auditor", "--db", book, "approvals", "--status", "approved", "--json"
    )
    decided = json.loads(out)[0]
    assert (decided["checker"], decided["note"], decided["status"]) == ("bob", "called", "approved")


def test_reject_needs_a_reason_on_the_command_line(book, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ask = ("--db", book, "update", "C1", "15000", "--type", "deposit", "--reason", "big")
    assert run(capsys, monkeypatch, "operator", *ask, "--operator", "ann")[0] == 0
    code, _, err = run(
        capsys,
        monkeypatch,
        "supervisor",
        "--db",
        book,
        "approvals",
        "reject",
        "1",
        "--operator",
        "bob",
    )
    assert code == 2 and "--reason" in err
    code, out, _ = run(
        capsys, monkeypatch, "supervisor", "--db", book, "approvals", "reject", "1",
        "--reason", "no documents", "--operator", "bob",
    )  # fmt: skip
    assert code == 0 and "rejected #1" in out


def test_authority_is_listed_and_only_an_admin_sets_it(book, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, monkeypatch, "operator", "--db", book, "authority", "--operator", "ann"
    )
    assert code == 0 and "10,000.00" in out and "unlimited" in out and "You: ann (operator)" in out
    code, _, err = run(
        capsys, monkeypatch, "supervisor", "--db", book, "authority", "set", "operator", "50000"
    )
    assert code == 1 and "Only an admin" in err
    code, out, _ = run(
        capsys, monkeypatch, "admin", "--db", book, "authority", "set", "ann", "20,000"
    )
    assert code == 0 and "20,000.00" in out
    ask = ("--db", book, "update", "C1", "15000", "--type", "deposit", "--reason", "now within")
    code, out, _ = run(capsys, monkeypatch, "operator", *ask, "--operator", "ann")
    assert code == 0 and "event #" in out  # applied: ann's own authority is 20,000 now
    code, _, err = run(capsys, monkeypatch, "admin", "--db", book, "authority", "set", "ann", "-5")
    assert code == 1 and "0 or more" in err
