"""The tier rules in force are the book's: a terminal's environment or config file cannot
widen them, only an admin changes them (audited), and the database refuses an event that
leaves its customer's tier bounds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from balance_tui.config import Settings, load_settings
from balance_tui.domain.errors import NotAuthorisedError
from balance_tui.domain.tiers import DEFAULT_RULEBOOK
from balance_tui.services import Services, open_services
from tests.attacks.conftest import Book, balance_of, insert_event, move_customer


def _open(url: str, settings: Settings, clock) -> Services:  # type: ignore[no-untyped-def]
    return open_services(url, settings, clock, operator=settings.operator or "ann", migrate=True)


def _withdraw_to_minus(services: Services, code: str, steps: int) -> list[bool]:
    return [
        services.manager.update_balance(
            code, None, Decimal("-9000"), "withdrawal", "w", "ann"
        ).success
        for _ in range(steps)
    ]


def test_a_terminals_environment_cannot_widen_the_books_limits(
    db_url: str, clock, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    first = _open(db_url, Settings(), clock)
    first.manager.create_customer("C_SWAP2", "AG_1", vip_level="bronze")
    monkeypatch.setenv("BALANCE_MIN_DEFAULT", "-100000000")
    loose = _open(db_url, load_settings(), clock)
    assert "differ from the book's" in loose.note
    assert _withdraw_to_minus(loose, "C_SWAP2", 3) == [True, False, False]
    assert loose.manager.get_customer("C_SWAP2").balance == Decimal("-9000.00")


def test_a_new_book_takes_its_creators_rules_for_everyone(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    url = str(tmp_path / "new.db")
    wide = DEFAULT_RULEBOOK.rules_for("bronze").with_overrides(min_balance=Decimal("-30000"))
    creator = _open(url, Settings(rulebook=DEFAULT_RULEBOOK.with_tier("bronze", wide)), clock)
    assert creator.note == ""
    other = _open(url, Settings(), clock)
    other.manager.create_customer("C1", "AG_1", vip_level="bronze")
    assert _withdraw_to_minus(other, "C1", 3) == [True, True, True]
    assert other.verifier.verify().ok


def test_only_an_admin_changes_the_rules_and_each_change_is_audited(sqlite_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    ann = _open(sqlite_url, Settings(operator="ann", role="operator"), clock)
    with pytest.raises(NotAuthorisedError, match="Only an admin"):
        ann.rules.set_rule("bronze", "min_balance", "-20000", "ann")
    ada = _open(sqlite_url, Settings(operator="ada", role="admin"), clock)
    ada.rules.set_rule("bronze", "min_balance", "-20000", "ada")
    assert ann.manager.rulebook.rules_for("bronze").min_balance == Decimal("-20000.00")
    assert ada.verifier.verify().ok
    ada.db.execute_sql("UPDATE tier_rule SET min_cents = -1 WHERE tier = 'bronze'")
    problems = [p.problem for p in ada.verifier.verify().problems]
    assert problems == ["tier rule bronze differs from its audit record"]


@pytest.mark.postgres
def test_the_database_refuses_an_event_below_the_tiers_minimum(book: Book) -> None:
    """A diamond customer's minimum is -50,000.00: psql withdrawals stop there."""
    with book.psql("ann") as cur:
        for _ in range(2):  # 20,000.00 -> 0.00, within an operator's authority each
            insert_event(cur, -10_000_00, change_type="withdrawal")
            move_customer(cur)
        for _ in range(5):  # -> -50,000.00, the minimum
            insert_event(cur, -10_000_00, change_type="withdrawal")
            move_customer(cur)
        with pytest.raises(Exception, match="outside the diamond tier's bounds"):
            insert_event(cur, -1_00, change_type="withdrawal")
        assert balance_of(cur) == -50_000_00


@pytest.mark.postgres
def test_the_database_refuses_an_event_claiming_another_tier(book: Book) -> None:
    with book.psql("ann") as cur, pytest.raises(Exception, match="customer's tier"):
        cur.execute("SELECT current_schema()")
        schema = cur.fetchone()[0]
        cur.execute(
            f"""INSERT INTO {schema}.balance_event (customer_id, sequence, agent_code,
                 currency, change_type, amount_cents, previous_cents, new_cents, reason,
                 performed_by, db_user, vip_level, metadata_json, risk_score, warnings_json,
                 created_us, prev_hash, hash, chain_version)
               SELECT c.id, c.event_count + 1, 'AG_1', 'USD', 'deposit', 100, c.balance_cents,
                 c.balance_cents + 100, 'x', 'x', 'x', 'bronze', '{{}}', 0, '[]',
                 (SELECT MAX(created_us) FROM balance_event), c.head_hash, repeat('f', 64), 2
               FROM customer c WHERE c.code = 'CUST_1'"""
        )
