"""Alerts: each type, de-duplication, acknowledgement, the change feed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from balance_tui.domain.errors import UnknownAlertError
from balance_tui.services import AlertAcknowledged, AlertRaised, BalanceChanged


def _setup(services, balance="2000"):  # type: ignore[no-untyped-def]
    services.manager.create_customer("C1", "A1")
    services.manager.update_balance("C1", None, balance, "deposit", "funding", "op")


def _move(services, amount, kind="adjustment"):  # type: ignore[no-untyped-def]
    result = services.manager.update_balance("C1", None, amount, kind, "move", "op")
    assert result.success, result.validation.errors
    return result


def _types(result):  # type: ignore[no-untyped-def]
    return sorted(a.alert_type for a in result.alerts)


def test_entering_the_warning_zone_raises_one_warning(services) -> None:
    _setup(services, "1000")
    result = _move(services, "-0.01")  # 1,000.00 is at the threshold: now below it
    assert _types(result) == ["warning"]
    alert = result.alerts[0]
    assert alert.balance == Decimal("999.99") and alert.threshold == Decimal("1000.00")
    assert alert.event_id == result.event.id
    assert alert.message == ("C1: balance fell to 999.99, below the warning threshold of 1,000.00.")
    assert _types(_move(services, "-1")) == []  # already below: no new alert


def test_warning_is_not_raised_again_while_one_is_open(services) -> None:
    _setup(services, "1100")
    assert _types(_move(services, "-200")) == ["warning"]
    _move(services, "200")  # back above
    assert _types(_move(services, "-200")) == []  # entered again, but one is still open
    open_alert = services.notifications.get_active_alerts("C1", "warning")[0]
    services.notifications.acknowledge_alert(open_alert.id, "sup")
    _move(services, "200")
    assert _types(_move(services, "-200")) == ["warning"]


def test_crossing_both_thresholds_raises_critical_and_warning(services) -> None:
    _setup(services, "1500")
    result = _move(services, "-1450")
    assert _types(result) == ["critical", "significant_drop", "warning"]


@pytest.mark.parametrize(("drop", "raised"), [("-2500", True), ("-2499.99", False)])
def test_significant_drop_at_a_quarter_of_a_positive_balance(services, drop, raised) -> None:
    _setup(services, "10000")
    assert ("significant_drop" in _types(_move(services, drop))) is raised


def test_significant_drop_share_is_configurable(db, clock) -> None:
    from balance_tui.config import Settings
    from balance_tui.services import build_services

    services = build_services(db, Settings(significant_drop_share=Decimal("0.10")), clock)
    _setup(services, "10000")
    assert _types(_move(services, "-1000")) == ["significant_drop"]


def test_no_drop_alert_for_a_balance_that_was_not_positive(services) -> None:
    services.manager.create_customer("C1", "A1")
    result = _move(services, "-100")
    assert "significant_drop" not in _types(result)


def test_acknowledge_records_who_and_when_and_keeps_the_first(services, clock) -> None:
    _setup(services, "1100")
    [alert] = _move(services, "-200").alerts
    first = services.notifications.acknowledge_alert(alert.id, "sup")
    assert first.acknowledged_by == "sup" and first.acknowledged_at == clock.now
    clock.advance(minutes=5)
    second = services.notifications.acknowledge_alert(alert.id, "other")
    assert (second.acknowledged_by, second.acknowledged_at) == ("sup", first.acknowledged_at)
    assert services.notifications.get_active_alerts() == []
    shown = services.notifications.list_alerts(include_acknowledged=True)
    assert [a.id for a in shown] == [alert.id]


def test_acknowledging_an_unknown_alert_acknowledges_nothing(services) -> None:
    _setup(services)
    alert = _move(services, "-1500").alerts[0]
    with pytest.raises(UnknownAlertError, match="#999"):
        services.notifications.acknowledge_alerts([alert.id, 999], "sup")
    assert services.notifications.get_active_alerts()[0].acknowledged_at is None


def test_active_alerts_newest_first_and_filtered(services) -> None:
    _setup(services, "1500")
    _move(services, "-1450")
    alerts = services.notifications.get_active_alerts()
    assert [a.id for a in alerts] == sorted((a.id for a in alerts), reverse=True)
    assert {a.alert_type for a in services.notifications.get_active_alerts("C1", "critical")} == {
        "critical"
    }
    assert services.notifications.count_active_alerts() == 3


def test_check_and_create_alerts_stands_alone(services) -> None:
    services.manager.create_customer("C1", "A1")
    raised = services.notifications.check_and_create_alerts("C1", "50", "5000")
    assert sorted(a.alert_type for a in raised) == ["critical", "significant_drop", "warning"]
    assert all(a.event_id is None for a in raised)
    again = services.notifications.check_and_create_alerts("C1", "50", "5000")
    assert [a.alert_type for a in again] == ["significant_drop"]


def test_the_change_feed_hears_changes_alerts_and_acknowledgements(services) -> None:
    heard: list[object] = []
    unsubscribe = services.feed.subscribe(heard.append)
    _setup(services, "1100")
    result = _move(services, "-200")
    services.notifications.acknowledge_alert(result.alerts[0].id, "sup")
    unsubscribe()
    _move(services, "10")
    kinds = [type(n) for n in heard]
    assert kinds == [BalanceChanged, BalanceChanged, AlertRaised, AlertAcknowledged]
    assert heard[1].new_balance == Decimal("900.00")
