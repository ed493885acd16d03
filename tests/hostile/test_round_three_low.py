"""Hostile input, round three, the low findings: each is refused or taken in one line that
names what is wrong, and the book is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from balance_tui.cli import main
from balance_tui.config import ConfigError, load_settings
from tests.hostile.conftest import Book, one_line


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_duplicate_metadata_keys_are_refused(capsys, sqlite_book: Book) -> None:  # type: ignore[no-untyped-def]
    argv = ["--db", sqlite_book.url, "update", "C1", "5", "--type", "deposit", "--reason", "r"]
    code, out, err = _run(capsys, *argv, "--metadata", '{"a": 1, "a": 2}')
    assert (code, out) == (2, "") and one_line(err) and "'a' twice" in err, err
    sqlite_book.assert_unchanged()


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"BALANCE_TUI_ROLE": "Admin"}, "BALANCE_TUI_ROLE must be one of"),
        ({"BALANCE_TUI_OPERATOR": "   "}, "BALANCE_TUI_OPERATOR is blank"),
    ],
    ids=["role", "blank operator"],
)
def test_environment_mistakes_name_the_variable(
    tmp_path: Path, env: dict[str, str], said: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=said) as raised:
        load_settings(env, path=config)
    assert "config.toml" not in str(raised.value)  # the file says nothing of it


def test_a_config_file_saved_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbfoperator = 'ann'\n")
    assert load_settings({}, path=path).operator == "ann"


def test_a_config_file_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nests too deeply"):
        load_settings({}, path=path)


@pytest.mark.parametrize("currency", ["ßd", "ﬀx", "usı"])
def test_a_currency_is_three_ascii_letters_as_typed(
    capsys, sqlite_book: Book, currency: str
) -> None:  # type: ignore[no-untyped-def]
    argv = ["--db", sqlite_book.url, "new-customer", "Z1", "A1", "--currency", currency]
    code, out, err = _run(capsys, *argv)
    assert code in (1, 2) and out == "" and one_line(err) and "3-letter code" in err, err
    sqlite_book.assert_unchanged()


@pytest.mark.parametrize(
    "header",
    ["\ufeff\ufeffcustomer,amount,type,reason", "customer,\ufeffamount,type,reason",
     "customer,am\u200bount,type,reason"],
    ids=["two BOMs", "BOM inside", "zero-width space"],
)  # fmt: skip
def test_csv_headers_with_invisible_characters_read_as_they_look(
    capsys, sqlite_book: Book, tmp_path: Path, header: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.csv"
    path.write_text(f"{header}\nC1,5,deposit,invisible header\n", encoding="utf-8")
    code, _, err = _run(capsys, "--db", sqlite_book.url, "import", "adjustments", str(path))
    assert code == 0, err
    report = sqlite_book.services.manager.get_customer_balance_report("C1", include_history=True)
    assert (report.history or [])[0].reason == "invisible header"


def test_export_to_a_dash_writes_to_standard_output(
    capsys, sqlite_book: Book, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(
        capsys, "--db", sqlite_book.url, "export", "customers", "--format", "csv", "-o", "-"
    )
    assert code == 0 and out.startswith("id,") and "C1" in out, err
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("scope", ["agent:", "agent:  ", "AGENT:"])
def test_an_analytics_scope_with_an_empty_agent_is_named(scope: str) -> None:
    """Not the system's figures shown silently for a scope that names no agent."""
    from balance_tui.domain.errors import InvalidInputError
    from balance_tui.tui.screens.analytics_periods import resolve_scope

    with pytest.raises(InvalidInputError, match="agent: needs a value"):
        resolve_scope(scope)
    assert resolve_scope(" agent:AG_1 ") == ("agent", "AG_1")
    assert resolve_scope("") == ("system", None)


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("sqlite:///{dir}/x.db?mode=ro", "takes no options"),
        ("sqlite:{dir}/x.db", "sqlite:///"),
        ("://", "names no database"),
    ],
    ids=["options", "no slashes", "nothing"],
)
def test_urls_that_name_no_usable_book_are_refused_leaving_no_file(
    capsys, tmp_path: Path, monkeypatch, target: str, said: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "--db", target.format(dir=tmp_path), "customers")
    assert (code, out) == (1, "") and one_line(err) and said in err, err
    assert "in-memory" not in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("padded", ["ann ", " ann", "ann\t"])
def test_a_padded_name_is_the_same_operator_and_cannot_approve_its_own_request(
    capsys, sqlite_book: Book, padded: str
) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from balance_tui.config import Settings
    from balance_tui.services import build_services
    from balance_tui.store import connect

    services = sqlite_book.services
    ann = build_services(connect(sqlite_book.url), Settings(operator="ann", role="operator"))
    made = ann.manager.update_balance("C1", None, Decimal("15000"), "deposit", "big", "ann")
    assert made.request is not None
    argv = ["--db", sqlite_book.url, "--operator", padded, "approvals", "approve"]
    code, out, err = _run(capsys, *argv, str(made.request.id))
    assert (code, out) == (1, "") and "another login must decide" in err, err
    assert services.approvals.get(made.request.id).status == "pending"


@pytest.mark.parametrize("padded", [" K1", "K1 ", "\tK1"])
def test_a_padded_idempotency_key_replays_the_change_it_names(
    capsys, sqlite_book: Book, padded: str
) -> None:  # type: ignore[no-untyped-def]
    """As an import strips a key, so does every path: ' K1' is K1, posted once."""
    argv = ["--db", sqlite_book.url, "update", "C1", "5", "--type", "deposit", "--reason", "r"]
    assert _run(capsys, *argv, "--key", "K1")[0] == 0
    assert _run(capsys, *argv, "--key", padded)[0] == 0
    report = sqlite_book.services.manager.get_customer_balance_report("C1")
    assert report.current_balance == sqlite_book.services.manager.get_customer("C1").balance
    history = sqlite_book.services.audit.history_page(limit=10)
    assert sum(1 for e in history if e.customer_id == "C1" and e.reason == "r") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["authority", "set", "operator", "1e3"],
        ["update", "C1", "1e3", "--type", "deposit", "--reason", "r"],
        ["update", "C1", "-$-5", "--type", "adjustment", "--reason", "r"],
    ],
    ids=["authority 1e3", "update 1e3", "update -$-5"],
)
def test_an_unreadable_amount_is_a_usage_error_naming_it(
    capsys, sqlite_book: Book, argv: list[str]
) -> None:  # type: ignore[no-untyped-def]
    amount = next(a for a in argv if "1e3" in a or "$" in a)
    code, out, err = _run(capsys, "--db", sqlite_book.url, *argv)
    assert (code, out) == (2, "") and one_line(err) and f"'{amount}'" in err, err
    assert "required" not in err
    sqlite_book.assert_unchanged()


@pytest.mark.parametrize("currency", ["usd", "XXX", ""])
def test_analytics_in_a_currency_no_customer_holds_says_so(
    capsys, sqlite_book: Book, currency: str
) -> None:  # type: ignore[no-untyped-def]
    """Lower case is the same currency; one nobody holds is named, never a book of zeros."""
    code, out, err = _run(capsys, "--db", sqlite_book.url, "analytics", "--currency", currency)
    if currency == "usd":
        assert code == 0 and "900.00 USD" in out, out + err
    else:
        assert code in (1, 2) and out == "" and one_line(err), err
        assert "EUR, USD" in err or "3-letter code" in err, err


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:30:00+00:00", "0001-01-01T00:30:00+00:00"], ids=["9999", "year 1"]
)
def test_the_ends_of_the_calendar_are_one_line_or_work(tmp_path: Path, moment: str) -> None:
    """A clock at the calendar's ends: a request above authority expires at the calendar's
    end at the latest, and daily analytics compare with what period there is."""
    from datetime import datetime
    from decimal import Decimal

    from balance_tui.config import Settings
    from balance_tui.domain.errors import BalanceError
    from balance_tui.services import build_services
    from balance_tui.services.clock import fixed_clock
    from balance_tui.store import connect, initialize_balance_tables

    db = connect(str(tmp_path / "b.db"))
    initialize_balance_tables(db)
    clock = fixed_clock(datetime.fromisoformat(moment))
    admin = build_services(db, Settings(operator="amy"), clock)
    admin.manager.create_customer("C1", "A1", vip_level="gold")
    ann = build_services(db, Settings(operator="ann", role="operator"), clock)
    try:
        made = ann.manager.update_balance("C1", None, Decimal("15000"), "deposit", "big", "ann")
        assert made.request is not None and made.request.expires_at >= made.request.created_at
    except BalanceError as exc:  # said in words is as good as done
        assert "\n" not in str(exc)
    try:
        admin.analytics.generate_system_analytics(period="daily")
    except BalanceError as exc:
        assert "\n" not in str(exc)
    db.close()


def test_a_customer_code_differing_only_in_case_is_refused(capsys, sqlite_book: Book) -> None:  # type: ignore[no-untyped-def]
    """c1 beside C1 would be two customers the TUI's search finds as one."""
    code, out, err = _run(capsys, "--db", sqlite_book.url, "new-customer", "c1", "A1")
    assert (code, out) == (1, "") and one_line(err) and "C1" in err and "case" in err, err
    sqlite_book.assert_unchanged()


def test_a_currency_sign_where_no_currency_applies_is_refused(
    capsys, sqlite_book: Book, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """An authority and a tier threshold hold for every customer's own currency: '€1,000'
    would silently apply to USD customers."""
    code, out, err = _run(capsys, "--db", sqlite_book.url, "authority", "set", "operator", "€1,000")
    assert code in (1, 2) and out == "" and one_line(err) and "currency sign" in err, err
    sqlite_book.assert_unchanged()
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="currency sign"):
        load_settings({"BALANCE_WARNING_THRESHOLD": "€500"}, path=config)


@pytest.mark.postgres
def test_postgres_urls_are_read_as_written(capsys) -> None:  # type: ignore[no-untyped-def]
    """A URL with no database name is told in the scheme it was written in (not the
    internal +pool one); a percent-encoded database name is decoded (te%73t is test)."""
    from tests.conftest import PG_URL

    base = PG_URL.rsplit("/", 1)[0]
    code, _, err = _run(capsys, "--db", f"{base}/", "customers")
    assert code == 1 and one_line(err) and "+pool" not in err and "no database name" in err
    name = PG_URL.rsplit("/", 1)[1].split("?")[0]
    encoded = "".join(f"%{ord(c):02x}" if i == 0 else c for i, c in enumerate(name))
    _, _, err = _run(capsys, "--db", f"{base}/{encoded}", "customers")
    assert "does not exist" not in err and encoded not in err, err
