"""What insights keep about one question, derived from the question as stored now.

Counting reads these facts, never the Q&A tables: one row per question, refreshed whenever
the question, its messages, its case or its rating change, and rebuilt from the source by
`entraide rebuild-insights` (same function, so a rebuild equals the running totals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from app.domain.models import Message, MessageKind, Thread, ThreadStatus, Visibility
from app.domain.text import search_terms
from moderation.cases import Case

AnsweredBy = Literal["community", "staff"]
FRUSTRATION = "frustration"
TOPIC_TERMS = 12  # the first stems of a question that topics look at (numbers left out)


@dataclass(frozen=True, slots=True)
class Rating:
    """The asker's answer to the two one-tap questions (re-rating replaces it)."""

    thread_id: str
    visitor_id: str
    helpful: bool
    would_have_contacted: bool | None  # None: skipped
    at: datetime


@dataclass(frozen=True, slots=True)
class ThreadFacts:
    thread_id: str
    room: str
    category: str
    day: str  # YYYY-MM-DD of the question in the shop's time zone
    created_at: datetime
    counted: bool  # published and not taken down: the others count nowhere
    first_answer_seconds: int | None
    answered_by: AnsweredBy | None
    escalated: bool  # a case was opened about it
    resolved: bool  # resolved now
    frustrated: bool  # its case carries a frustration reason
    helpful: bool | None
    would_have_contacted: bool | None
    terms: tuple[str, ...]


def answers_it(message: Message) -> bool:
    """A public answer or a staff reply (private ones included), not taken down."""
    if message.hidden or message.visibility is Visibility.HELD:
        return False
    if message.kind is MessageKind.STAFF:
        return True
    return message.kind is MessageKind.ANSWER and message.visibility is Visibility.PUBLIC


def facts_for(
    thread: Thread,
    messages: Sequence[Message],
    case: Case | None,
    rating: Rating | None,
    tz: tzinfo,
) -> ThreadFacts:
    first = min((m for m in messages if answers_it(m)), key=lambda m: m.created_at, default=None)
    seconds = None
    by: AnsweredBy | None = None
    if first is not None:
        seconds = max(0, round((first.created_at - thread.created_at).total_seconds()))
        by = "staff" if first.kind is MessageKind.STAFF else "community"
    return ThreadFacts(
        thread_id=thread.id,
        room=thread.room,
        category=thread.category,
        day=thread.created_at.astimezone(tz).date().isoformat(),
        created_at=thread.created_at,
        counted=not thread.held and thread.status is not ThreadStatus.HIDDEN,
        first_answer_seconds=seconds,
        answered_by=by,
        escalated=case is not None,
        resolved=thread.status is ThreadStatus.RESOLVED,
        frustrated=case is not None and any(r.code == FRUSTRATION for r in case.reasons),
        helpful=rating.helpful if rating else None,
        would_have_contacted=rating.would_have_contacted if rating else None,
        terms=tuple(t for t in search_terms(thread.body, limit=TOPIC_TERMS) if not t.isdigit()),
    )
