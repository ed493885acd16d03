"""What the TUI's filters and dialogs ask of the services, on both backends: customers by a
part of their id or name, alert pages with their total, acknowledgement notes, the effect of
a reversal before it is made, advice before creating a customer, export progress."""

from __future__ import annotations

import csv
import io

import pytest

from balance_tui.domain.errors import UnknownCustomerError
from balance_tui.services import HistoryFilter, import_export
from balance_tui.services.output_files import atomic_output


@pytest.fixture
def book(services):  # type: ignore[no-untyped-def]
    for code, name in (
        ("CUSTOMER_00133", "Maya Tanaka"),
        ("CUSTOMER_01330", "Ken Tanaka"),
        ("CUSTOMER_00200", "Ada 50%_off"),
        ("VIP_7", "Omar Haddad"),
    ):
        services.manager.create_customer(code, "AGENT_1", name=name)
        services.manager.update_balance(code, None, "100", "deposit", "open", "ann")
    return services


def _customers(services, filters: HistoryFilter) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.customer_id for e in services.audit.history_page(filters, limit=100)}


def test_history_matches_part_of_an_id_or_a_name_in_any_case(book) -> None:
    assert _customers(book, HistoryFilter(customer_match="133")) == {
        "CUSTOMER_00133",
        "CUSTOMER_01330",
    }
    assert _customers(book, HistoryFilter(customer_match="tanaka")) == {
        "CUSTOMER_00133",
        "CUSTOMER_01330",
    }
    assert _customers(book, HistoryFilter(customer_match="maya TAN")) == {"CUSTOMER_00133"}
    assert book.audit.count_events(HistoryFilter(customer_match="tanaka")) == 2


def test_an_exact_id_means_that_customer_alone(book) -> None:
    assert _customers(book, HistoryFilter(customer_match="customer_00133")) == {"CUSTOMER_00133"}


def test_like_wildcards_in_the_text_are_taken_literally(book) -> None:
    assert _customers(book, HistoryFilter(customer_match="50%_")) == {"CUSTOMER_00200"}
    assert _customers(book, HistoryFilter(customer_match="%")) == {"CUSTOMER_00200"}


def test_no_customer_matching_is_said(book) -> None:
    with pytest.raises(UnknownCustomerError, match="No customer's id or name contains 'zzz'"):
        book.audit.history_page(HistoryFilter(customer_match="zzz"))


def _limit_alerts(services, count: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(count):
        services.manager.update_balance("VIP_7", None, "-900000", "withdrawal", "too much", "ann")


def test_alert_pages_say_how_many_match_in_all(book) -> None:
    _limit_alerts(book, 4)
    shown, total = book.notifications.alerts_page(limit=3, customer_match="omar")
    assert len(shown) == 3 and total == 4
    shown, total = book.notifications.alerts_page(limit=3, customer_match="tanaka")
    assert (shown, total) == ([], 0)


def test_an_acknowledgement_keeps_its_note_and_exports_it(book) -> None:
    _limit_alerts(book, 1)
    [alert] = book.notifications.get_active_alerts()
    done = book.notifications.acknowledge_alerts([alert.id], "ann", note="Called the agent")
    assert done[0].acknowledgement_note == "Called the agent"
    again = book.notifications.acknowledge_alerts([alert.id], "bob", note="Other note")
    assert again[0].acknowledgement_note == "Called the agent"  # the first stays, unedited
    out = io.StringIO()
    import_export.export(book, "alerts", "csv", out)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["acknowledgement_note"] == "Called the agent"


def test_a_reversal_preview_shows_the_balance_after_and_refusals(book) -> None:
    event = book.manager.update_balance("VIP_7", None, "40", "deposit", "more", "ann").event
    assert event is not None
    preview = book.manager.preview_reversal(event.id)
    assert (preview.current_balance, preview.new_balance) == (140, 100)
    assert preview.validation.is_valid
    book.manager.update_balance("VIP_7", None, "-130", "withdrawal", "cash out", "ann")
    # Reversing the deposit now would take the balance to -30: allowed for bronze (credit).
    assert book.manager.preview_reversal(event.id).new_balance == -30
    assert book.manager.get_customer("VIP_7").balance == 10  # a preview writes nothing


def test_new_customer_advice_names_a_new_agent_and_an_unused_currency(book) -> None:
    assert book.manager.new_customer_warnings("AGENT_1", "USD") == []
    advice = book.manager.new_customer_warnings("AGENT_9", "XYZ")
    assert "Agent AGENT_9 does not exist yet" in advice[0]
    assert "No customer uses XYZ yet" in advice[1]


def test_export_reports_progress_and_a_cancel_leaves_no_file(book, tmp_path, monkeypatch) -> None:
    seen: list[tuple[int, int]] = []
    out = io.StringIO()
    written = import_export.export(
        book, "history", "csv", out, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[0] == (0, written) and seen[-1] == (written, written)

    class Stop(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done:
            raise Stop

    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setattr(import_export, "PROGRESS_EVERY", 1)  # so the cancel lands mid-way
    with pytest.raises(Stop), atomic_output(folder / "history.csv") as handle:
        import_export.export(book, "history", "csv", handle, progress=cancel)
    assert list(folder.iterdir()) == []  # neither the file nor its temporary
