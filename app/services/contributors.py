"""What brand staff and the public boards read about contributors, and the staff actions
recorded about them: the web layer asks here instead of reaching into the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import rewards as rw
from app.domain.errors import NotFound
from app.domain.models import Message, Visitor, new_id, utcnow
from app.domain.staff import Staff
from app.services.review import ContributorReview, endorsed_answers, review_contributor
from app.store.port import ContributorsStore
from moderation.cases import AuditEntry

RECENT_ANSWERS = 10


@dataclass(frozen=True, slots=True)
class ContributorDetail:
    visitor: Visitor
    entries: list[rw.LedgerEntry]  # their whole ledger, oldest first
    recent_answers: list[Message]  # their latest answers still stored, oldest first
    review: ContributorReview
    disqualified: bool


class Contributors:
    def __init__(self, store: ContributorsStore) -> None:
        self._store = store

    async def visitor(self, visitor_id: str) -> Visitor:
        visitor = await self._store.get_visitor(visitor_id)
        if visitor is None:
            raise NotFound("no such contributor")
        return visitor

    async def names(self, visitor_ids: Sequence[str]) -> dict[str, str]:
        names = {}
        for visitor_id in visitor_ids:
            visitor = await self._store.get_visitor(visitor_id)
            names[visitor_id] = visitor.name if visitor else "?"
        return names

    async def stats(self, visitor_id: str) -> rw.ContributorStats:
        return (await self._store.contributor_stats([visitor_id]))[visitor_id]

    async def numbers(
        self, visitor_ids: Sequence[str]
    ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """(active entries per reason, all-time points) per visitor: a board page's columns."""
        ids = list(visitor_ids)
        return await self._store.ledger_counts(ids), await self._store.points_totals(ids)

    async def disqualified(self) -> list[tuple[str, str]]:
        """(id, name) of everyone left off the boards, by id."""
        ids = sorted(await self._store.disqualified())
        names = await self.names(ids)
        return [(i, names[i]) for i in ids]

    async def detail(self, visitor_id: str) -> ContributorDetail:
        visitor = await self.visitor(visitor_id)
        entries = await self._store.ledger_entries(visitor_id=visitor.id)
        answers = [e for e in entries if e.reason == rw.Reason.ANSWER][-RECENT_ANSWERS:]
        recent = []
        for entry in answers:
            message = await self._store.get_message(entry.ref_id)
            if message is not None:
                recent.append(message)
        return ContributorDetail(
            visitor,
            entries,
            recent,
            await review_contributor(self._store, visitor.id),
            visitor.id in await self._store.disqualified(),
        )

    async def endorsed(self, message_ids: Sequence[str]) -> set[str]:
        return await endorsed_answers(self._store, message_ids)

    async def record(self, staff: Staff, action: str, visitor_id: str, detail: str) -> None:
        """A staff action about this contributor (`subject_id`): their review lists it."""
        await self._store.add_audit(
            AuditEntry(new_id(), None, staff.id, staff.name, "staff", action, detail, utcnow(),
                       subject_id=visitor_id)
        )  # fmt: skip
