"""Reports: visitors flagging a message ("spam", "rude", "wrong answer").

Each report adds weight, Discourse-style; enough of them hide the message until a
moderator looks (`thresholds.reports_to_hold`). The reasons are the evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from moderation.signals import Signal
from moderation.thresholds import DEFAULT_THRESHOLDS, Thresholds


def report_signal(
    reasons: Sequence[str], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal | None:
    """A `report` signal from the distinct reporters' reasons (one entry per reporter)."""
    if not reasons:
        return None
    count = len(reasons)
    score = round(min(1.0, count / thresholds.reports_to_hold), 4)
    tally = Counter(reason.strip().lower() or "no reason" for reason in reasons)
    reasons_seen = [f"{why} x{n}" if n > 1 else why for why, n in tally.most_common(3)]
    evidence = (f"{count} report(s)", *reasons_seen)
    return Signal("report", score, evidence, hold=count >= thresholds.reports_to_hold)


@dataclass(frozen=True, slots=True)
class Report:
    """One visitor's report of one message, kept so staff can see whose content draws
    reports (the case only sums reports up per thread)."""

    id: str
    message_id: str
    thread_id: str
    room: str
    reporter_id: str
    author_id: str  # whose message was reported
    reason: str
    at: datetime
    case_id: str | None = None
