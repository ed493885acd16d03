"""The four-eyes commands on the command line (SQLite: the book names each operator's role;
BALANCE_TUI_ROLE may lower it, never raise it): update above authority prints the pending
request (and --json says status pending_approval), approvals list/approve/reject,
authority list/set, operator list/set."""

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
    amy = ("--db", db, "--operator", "amy")  # the book's first operator: its admin
    assert (
        run(capsys, monkeypatch, "admin", *amy, "new-customer", "C1", "A1", "--tier", "gold")[0]
        == 0
    )
    seed = ("update", "C1", "20000", "--type", "deposit", "--reason", "seed")
    assert run(capsys, monkeypatch, "admin", *amy, *seed)[0] == 0
    assert run(capsys, monkeypatch, "admin", *amy, "operator", "set", "bob", "supervisor")[0] == 0
    return db


def test_a_terminal_lowers_a_role_and_never_raises_it(book, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ann is an operator in the book: BALANCE_TUI_ROLE=admin gives her nothing more; amy,
    the admin, set to auditor on her terminal, changes nothing."""
    ask = ("--db", book, "update", "C1", "15000", "--type", "deposit", "--reason", "big")
    code, out, _ = run(capsys, monkeypatch, "admin", *ask, "--operator", "ann", "--json")
    assert code == 0 and json.loads(out)["status"] == "pending_approval"
    code, _, err = run(
        capsys, monkeypatch, "admin", "--db", book, "--operator", "cy", "approvals", "approve", "1"
    )
    assert code == 1 and "cy is operator" in err
    raise_self = ("--db", book, "--operator", "ann", "operator", "set", "ann", "admin")
    code, _, err = run(capsys, monkeypatch, "admin", *raise_self)
    assert code == 1 and "Only an admin" in err
    small = ("--db", book, "--operator", "amy", "update", "C1", "5", "--type", "deposit")
    code, _, err = run(capsys, monkeypatch, "auditor", *small, "--reason", "r")
    assert code == 1 and "amy is auditor" in err
    code, out, _ = run(capsys, monkeypatch, "admin", "--db", book, "operator", "--json")
    roles = {o["name"]: o["role"] for o in json.loads(out)["operators"]}
    assert roles == {"amy": "admin", "bob": "supervisor"}


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
        capsys, monkeypatch, "admin", "--db", book, "--operator", "amy", "authority", "set",
        "ann", "20,000",
    )  # fmt: skip
    assert code == 0 and "20,000.00" in out
    ask = ("--db", book, "update", "C1", "15000", "--type", "deposit", "--reason", "now within")
    code, out, _ = run(capsys, monkeypatch, "operator", *ask, "--operator", "ann")
    assert code == 0 and "event #" in out  # applied: ann's own authority is 20,000 now
    code, _, err = run(
        capsys, monkeypatch, "admin", "--db", book, "--operator", "amy", "authority", "set",
        "ann", "-5",
    )  # fmt: skip
    assert code == 1 and "0 or more" in err
