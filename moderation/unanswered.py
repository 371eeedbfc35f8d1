"""Unanswered: a question with no community answer after its SLA opens a case.

Only the pure rule lives here (due date, overdue score); the sweeper that finds due
threads, with an index on the due date, is built on top of it. The score grows with how
overdue the thread is, so the queue puts the oldest forgotten questions first:
0.25 when just due, 1.0 at four times the SLA.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from moderation.signals import Signal

_FULL_SCORE_AT = 4  # x SLA


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC)")


def unanswered_due(thread_created_at: datetime, sla: timedelta) -> datetime:
    """When a thread with no answer becomes a case: creation + SLA.

    Stored with the thread so the sweeper's query is an index range scan.
    """
    _require_aware("thread_created_at", thread_created_at)
    if sla <= timedelta(0):
        raise ValueError("the SLA must be positive")
    return thread_created_at + sla


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    if minutes >= 120:
        return f"{minutes / 60:.1f} h".replace(".0 h", " h")
    return f"{int(minutes)} min"


def unanswered_signal(
    thread_created_at: datetime, answer_count: int, now: datetime, sla: timedelta
) -> Signal | None:
    """An `unanswered` signal when nobody answered within `sla`, else None.

    Evidence reads "unanswered 14 min, SLA 10 min".
    """
    _require_aware("now", now)
    due = unanswered_due(thread_created_at, sla)
    if answer_count > 0 or now < due:
        return None
    waited = now - thread_created_at
    ratio = waited / sla
    score = round(min(1.0, ratio / _FULL_SCORE_AT), 4)
    return Signal("unanswered", score, (f"unanswered {_minutes(waited)}, SLA {_minutes(sla)}",))
