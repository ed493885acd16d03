"""Rollups: how a period splits into whole days, whole hours and raw edges.

System and agent analytics read per-day and per-hour aggregates (kept in each change's
transaction) for the whole days and hours of a period, and scan events only for the
minutes at its edges, so their cost does not grow with the number of events. Pure: no I/O.
"""

from __future__ import annotations

from balance_tui.domain.record import record

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
#: Rollup grains: one row per (grain, bucket start, currency, agent or "" for every agent,
#: change type).
DAY, HOUR = "d", "h"
EVERY_AGENT = ""


@record
class Segment:
    """[start, end) read from ``source``: "d" day rollups, "h" hour rollups, "raw" events."""

    source: str
    start: int
    end: int


def floor_to(us: int, grain_us: int) -> int:
    return us - us % grain_us


def ceil_to(us: int, grain_us: int) -> int:
    return -((-us) // grain_us) * grain_us


def segments(lo: int, hi: int) -> list[Segment]:
    """[lo, hi) as raw edges, whole hours and whole days, in order, covering it exactly."""
    if lo >= hi:
        return []
    h_lo, h_hi = ceil_to(lo, HOUR_US), floor_to(hi, HOUR_US)
    if h_lo >= h_hi:
        return [Segment("raw", lo, hi)]
    out: list[Segment] = []
    if lo < h_lo:
        out.append(Segment("raw", lo, h_lo))
    d_lo, d_hi = ceil_to(h_lo, DAY_US), floor_to(h_hi, DAY_US)
    if d_lo >= d_hi:
        out.append(Segment(HOUR, h_lo, h_hi))
    else:
        if h_lo < d_lo:
            out.append(Segment(HOUR, h_lo, d_lo))
        out.append(Segment(DAY, d_lo, d_hi))
        if d_hi < h_hi:
            out.append(Segment(HOUR, d_hi, h_hi))
    if h_hi < hi:
        out.append(Segment("raw", h_hi, hi))
    return out


def buckets(created_us: int) -> tuple[tuple[str, int], tuple[str, int]]:
    """The day and hour rollup buckets an event at ``created_us`` adds to."""
    return (DAY, floor_to(created_us, DAY_US)), (HOUR, floor_to(created_us, HOUR_US))
