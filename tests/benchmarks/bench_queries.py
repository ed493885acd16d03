"""History pages and analytics on 10^6 events, against raw sqlite3 doing the same query.

Run: python -m tests.benchmarks.bench_queries
"""

from __future__ import annotations

import sqlite3
import time

from tests.benchmarks.common import BIG_DB, HEADER, big_services, p50, row, timings_ms

DAY_US = 86_400_000_000


def main() -> None:
    services = big_services()
    # the busiest customer: the page that would be slowest
    conn = sqlite3.connect(str(BIG_DB))
    cid, code = conn.execute(
        "SELECT c.id, c.code FROM customer c ORDER BY c.event_count DESC LIMIT 1"
    ).fetchone()
    now_us = int(time.time() * 1_000_000)

    raw_page = p50(
        timings_ms(
            lambda: conn.execute(
                "SELECT * FROM balance_event WHERE customer_id = ? ORDER BY sequence DESC LIMIT 50",
                (cid,),
            ).fetchall()
        )
    )
    ours_page = p50(timings_ms(lambda: services.audit.get_balance_history(code, limit=50)))

    month = now_us - 30 * DAY_US
    raw_system = p50(
        timings_ms(
            lambda: conn.execute(
                "SELECT change_type, count(*), sum(amount_cents) FROM balance_event "
                "WHERE created_us >= ? GROUP BY change_type",
                (month,),
            ).fetchall(),
            repeat=10,
        )
    )
    ours_system = p50(
        timings_ms(lambda: services.analytics.generate_system_analytics(None, "monthly"), repeat=10)
    )
    ours_customer = p50(
        timings_ms(lambda: services.analytics.generate_customer_analytics(code, "monthly"))
    )

    print(HEADER)
    print(row("history page of 50, busiest customer", raw_page, ours_page, "<= 1 ms"))
    print(row("monthly analytics, one customer", None, ours_customer, "<= 5 ms"))
    print(row("monthly system analytics (raw: GROUP BY)", raw_system, ours_system, "<= 60 ms"))


if __name__ == "__main__":
    main()
