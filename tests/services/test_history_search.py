"""History finds a change by its reference (a metadata value), its size or its number, and
sums what a filter shows by type, on both backends."""

from __future__ import annotations

from decimal import Decimal

from balance_tui.services.audit import HistoryFilter, TypeSum


def _book(services):  # type: ignore[no-untyped-def]
    manager = services.manager
    manager.create_customer("C1", "A1", name="Ada", vip_level="gold")
    manager.create_customer("C2", "A1", name="Bob", vip_level="gold")
    posted = [
        ("C1", "500", "deposit", {"ref": "TX78806097"}),
        ("C1", "-120.50", "wager", {"slip": "T7379"}),
        ("C2", "2762.36", "deposit", {"ref": "tx11111111"}),
        ("C2", "-2762.36", "withdrawal", {}),
        ("C1", "80", "settlement", {"slip": "T7379"}),
    ]
    ids = []
    for code, amount, kind, metadata in posted:
        result = manager.update_balance(
            code, None, Decimal(amount), kind, "r", "ann", metadata=metadata
        )
        assert result.success, result
        ids.append(result.event.id)
    return ids


def _ids(services, filters: HistoryFilter) -> list[int]:  # type: ignore[no-untyped-def]
    return [e.id for e in services.audit.history_page(filters)]


def test_a_reference_an_amount_or_a_number_finds_its_change(services) -> None:  # type: ignore[no-untyped-def]
    ids = _book(services)
    assert _ids(services, HistoryFilter(reference="tx78806097")) == [ids[0]]
    assert _ids(services, HistoryFilter(reference="T7379")) == [ids[4], ids[1]]
    assert _ids(services, HistoryFilter(reference="TX")) == [ids[2], ids[0]]  # any case
    assert _ids(services, HistoryFilter(amount_cents=276236)) == [ids[3], ids[2]]
    assert _ids(services, HistoryFilter(event_id=ids[1])) == [ids[1]]
    assert _ids(services, HistoryFilter(customer_match="Bob", amount_cents=276236)) == [
        ids[3],
        ids[2],
    ]
    assert _ids(services, HistoryFilter(reference="100%_")) == []  # LIKE's wildcards literal


def test_what_a_filter_shows_is_summed_by_type(services) -> None:  # type: ignore[no-untyped-def]
    _book(services)
    sums = services.audit.sums_by_type(HistoryFilter(customer_match="C1"))
    assert sums == [
        TypeSum("deposit", "USD", 1, Decimal("500.00")),
        TypeSum("settlement", "USD", 1, Decimal("80.00")),
        TypeSum("wager", "USD", 1, Decimal("-120.50")),
    ]
    every = services.audit.sums_by_type(HistoryFilter(agent_id="A1"))
    shown = services.audit.history_page(HistoryFilter(agent_id="A1"))
    assert sum(s.total for s in every) == sum(e.amount for e in shown)
    assert sum(s.events for s in every) == len(shown)
