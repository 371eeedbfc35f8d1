"""Leaderboard periods: weeks and months on the shops' calendar (Europe/Paris by default).

Why Paris and not UTC: brand staff read "this week" as the week on their wall clock. In
UTC a French week would start on Monday at 01:00 or 02:00, and points earned on Sunday at
23:30 would land in the wrong week. Every implementation (in-memory, store, Redis) takes
its bounds and bucket keys from here, so they cannot disagree.

Periods are half-open: `start <= created_at < end`, in UTC.
- week: Monday 00:00 to the next Monday 00:00, local time (ISO weeks);
- month: the 1st 00:00 to the next 1st 00:00, local time;
- all: no bounds.
Local midnight always exists in Europe/Paris (clocks change at 02:00/03:00), so bounds are
never ambiguous; a week containing a clock change is 167 or 169 hours long.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from app.domain.errors import Invalid
from rewards.ledger import require_aware

Period = Literal["week", "month", "all"]
PERIODS: tuple[Period, ...] = get_args(Period)

PARIS = ZoneInfo("Europe/Paris")


def parse_period(text: str | None) -> Period:
    """A `period` query parameter -> Period ('all' when absent); `Invalid` otherwise."""
    value = (text or "all").strip().lower()
    for period in PERIODS:
        if value == period:
            return period
    raise Invalid(f"period must be one of {', '.join(PERIODS)}")


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def period_bounds(
    period: Period, now: datetime, tz: tzinfo = PARIS
) -> tuple[datetime | None, datetime | None]:
    """(start, end) in UTC of the period containing `now`; (None, None) for 'all'."""
    local = require_aware("now", now).astimezone(tz).date()
    if period == "all":
        return None, None
    if period == "week":
        monday = local - timedelta(days=local.weekday())
        return _local_midnight(monday, tz), _local_midnight(monday + timedelta(days=7), tz)
    if period == "month":
        first = local.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return _local_midnight(first, tz), _local_midnight(following, tz)
    raise ValueError(f"unknown period {period!r}")


def period_key(period: Period, at: datetime, tz: tzinfo = PARIS) -> str:
    """The bucket an instant falls in: 'week:2026-W47', 'month:2026-11' or 'all'.

    Meant for Redis key templates, so that writers and readers agree on the bucket.
    """
    local = require_aware("at", at).astimezone(tz).date()
    if period == "all":
        return "all"
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"week:{year}-W{week:02d}"
    if period == "month":
        return f"month:{local.year}-{local.month:02d}"
    raise ValueError(f"unknown period {period!r}")


def in_period(created_at: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or start <= created_at) and (end is None or created_at < end)
