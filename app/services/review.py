"""Brand staff review one contributor: beyond their points, what the community and the
moderators said about their content, and what staff already did about them.

Read-only. Every number comes from its own record (reports, hidden flags, questions and
answers, the audit log), not from the points ledger, so it stays right for content that never
earned points (a slow answer, a hidden question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Protocol

import rewards as rw
from app.store.port import LedgerStore, ReviewStore, VisitorStore
from moderation.cases import AuditEntry
from moderation.reports import Report

RECENT_REPORTS = 10
AUDIT_LINES = 50
# The median is over this many of their latest first answers: enough to be stable, and the
# store reads stay bounded for a prolific contributor.
WAITS_MEASURED = 200


class ReviewReads(ReviewStore, VisitorStore, Protocol):
    """What a contributor's review reads: reports, hidden content, answer times, staff
    actions, and the names of the people involved."""


@dataclass(frozen=True, slots=True)
class ContributorReview:
    reports_count: int
    reports: list[Report]  # the latest, newest first
    reporter_names: dict[str, str]
    hidden_content: int
    median_first_answer_seconds: int | None  # None until they answered someone's question
    first_answers_measured: int
    audit: list[AuditEntry]  # staff actions about them, newest first


async def review_contributor(store: ReviewReads, visitor_id: str) -> ContributorReview:
    """Reports against them, their hidden content, how fast they answer others, and the
    staff actions (bonus, disqualify, reinstate, ban) recorded about them."""
    count, reports = await store.reports_against(visitor_id, RECENT_REPORTS)
    waits = await store.first_answer_waits(visitor_id, WAITS_MEASURED)
    return ContributorReview(
        reports_count=count,
        reports=reports,
        reporter_names=await _names(store, {r.reporter_id for r in reports}),
        hidden_content=await store.hidden_by_author(visitor_id),
        median_first_answer_seconds=round(median(waits)) if waits else None,
        first_answers_measured=len(waits),
        audit=await store.list_audit_about(visitor_id, AUDIT_LINES),
    )


async def _names(store: VisitorStore, visitor_ids: set[str]) -> dict[str, str]:
    """Display names of the reporters shown (a handful: one read each)."""
    names = {}
    for visitor_id in sorted(visitor_ids):
        visitor = await store.get_visitor(visitor_id)
        names[visitor_id] = visitor.name if visitor else "?"
    return names


async def endorsed_answers(store: LedgerStore, message_ids: Sequence[str]) -> set[str]:
    """Which of these answers brand staff endorsed (and it still counts): one ledger read for
    a whole page of answers, so a console page can show "Endorsed" instead of the button."""
    if not message_ids:
        return set()
    return rw.endorsed_answers(await store.ledger_entries(ref_ids=list(message_ids)))
