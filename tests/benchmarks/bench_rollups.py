"""System and agent analytics from the rollups against scanning every event for the same
figures, on the 10^6-event demo book, in the same run, alternating which side runs first.

The windows end at the book's own last event (the demo book is built relative to its own
clock), and each is checked to contain events, so neither side times an empty range.

Run: python -m tests.benchmarks.bench_rollups
"""

from __future__ import annotations

from datetime import timedelta

from balance_tui.services.analytics import BalanceAnalyticsService
from balance_tui.services.clock import from_us
from tests.benchmarks.common import HEADER, big_services, p50, row, timings_ms


def main() -> None:
    services = big_services()
    scan = BalanceAnalyticsService(services.db, services.clock, settings=services.settings)
    scan.read_rollups = False
    last = int(services.db.execute_sql("SELECT MAX(created_us) FROM balance_event").fetchone()[0])
    agent = str(services.db.execute_sql("SELECT MIN(code) FROM agent").fetchone()[0])
    end = from_us(last + 1)
    print(HEADER.replace("baseline", "scan"))
    for who in (None, agent):
        for name, days in (("month", 30), ("year", 365)):
            start = end - timedelta(days=days)

            def run(service: BalanceAnalyticsService, who=who, start=start):  # type: ignore[no-untyped-def]
                return service.generate_system_analytics(who, "custom", start=start, end=end)

            ours_figures, scan_figures = run(services.analytics), run(scan)
            assert ours_figures.event_count > 0, "the window holds no events"
            assert ours_figures.event_count == scan_figures.event_count
            assert ours_figures.closing_balance == scan_figures.closing_balance
            scanned, rolled = [], []
            for turn in range(2):  # alternate which side runs first
                first, second = (
                    (scan, services.analytics) if turn == 0 else (services.analytics, scan)
                )
                a = p50(timings_ms(lambda s=first: run(s), repeat=5))
                b = p50(timings_ms(lambda s=second: run(s), repeat=5))
                (scanned if first is scan else rolled).append(a)
                (rolled if first is scan else scanned).append(b)
            label = (
                f"{'system' if who is None else 'agent ' + who} {name} "
                f"({ours_figures.event_count:,} events)"
            )
            print(row(label, min(scanned), min(rolled), "<= 20 ms"))


if __name__ == "__main__":
    main()
