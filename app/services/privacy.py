"""The visitor's rights over their data (GDPR): a copy of everything, and erasure that
reaches every copy; and retention, enforced by the sweeper.

Erasure keeps the rows and empties them (`PrivacyStore.erase_visitor`): the name becomes a
pseudonym, bodies go (with the search index, topic terms and insights' examples, which read
them), the address, consents and queued e-mails go, ratings lose the link to the person,
points leave every board (the store's boards at read time, Redis's members here, the
rewards caches), and the token stops working. Room events tell open panels; replays render
from the rows. Staff requests are audited. Outbox items hold ids only, never content.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.domain.errors import NotFound
from app.domain.models import Visitor, new_id, utcnow
from app.domain.staff import Staff
from app.services.insights import InsightsService
from app.services.leaderboards import Leaderboards
from app.services.rewards import RewardsService
from app.services.views import message_view, rating_view, thread_view
from app.store.port import PrivacyUnit
from moderation.cases import AuditEntry

BATCH = 200  # questions and messages erased per retention tick, at most


def pseudonym(visitor_id: str) -> str:
    """What an erased visitor is called: nothing about them, stable for one visitor."""
    return f"Anonyme {visitor_id[:6]}"


class Privacy:
    def __init__(
        self,
        store: PrivacyUnit,
        leaderboards: Leaderboards,
        rewards: RewardsService,
        insights: InsightsService,
        *,
        retention_days: int | None,
        private_retention_days: int,
    ) -> None:
        self._store = store
        self._leaderboards = leaderboards
        self._rewards = rewards
        self._insights = insights
        self.retention = timedelta(days=retention_days) if retention_days else None
        self.private_retention = timedelta(days=private_retention_days)

    async def _visitor(self, visitor_id: str) -> Visitor:
        visitor = await self._store.get_visitor(visitor_id)
        if visitor is None:
            raise NotFound("no such visitor")
        return visitor

    async def _audit(self, staff: Staff, visitor_id: str, action: str, detail: str) -> None:
        await self._store.add_audit(
            AuditEntry(new_id(), None, staff.id, staff.name, "staff", action, detail, utcnow(),
                       subject_id=visitor_id)
        )  # fmt: skip

    async def export(self, visitor_id: str, staff: Staff | None = None) -> dict[str, Any]:
        """Every piece of data held about the visitor, as JSON; a staff request is audited."""
        visitor = await self._visitor(visitor_id)
        if staff is not None:
            await self._audit(staff, visitor.id, "export", "visitor's data exported on request")
        address = await self._store.get_address(visitor.id)
        return {
            "exported_at": utcnow().isoformat(),
            "visitor": {
                "id": visitor.id, "name": visitor.name,
                "created_at": visitor.created_at.isoformat(),
                "shop_customer_id": visitor.shopper_id,
                "banned_until": visitor.banned_until.isoformat() if visitor.banned_until else None,
                "erased_at": visitor.erased_at.isoformat() if visitor.erased_at else None,
                "network": "a keyed fingerprint of your network is kept, never your address"
                if visitor.network_key else None,
            },
            "questions": [
                {**thread_view(t), "body": t.body, "held": t.held, "created_at":
                 t.created_at.isoformat()} for t in await self._store.visitor_threads(visitor.id)
            ],
            "messages": [
                {**message_view(m), "body": m.body}
                for m in await self._store.visitor_messages(visitor.id)
            ],
            "votes": [
                {"message_id": mid, "value": value, "at": at.isoformat()}
                for mid, value, at in await self._store.visitor_votes(visitor.id)
            ],
            "ratings": [rating_view(r) for r in await self._store.visitor_ratings(visitor.id)],
            "reports": [
                {"id": r.id, "message_id": r.message_id, "thread_id": r.thread_id,
                 "reason": r.reason, "at": r.at.isoformat()}
                for r in await self._store.visitor_reports(visitor.id)
            ],
            "points": [
                {"points": e.points, "reason": e.reason, "thread_id": e.thread_id,
                 "room": e.room, "at": e.created_at.isoformat(),
                 "revoked_at": e.revoked_at.isoformat() if e.revoked_at else None}
                for e in await self._store.ledger_entries(visitor_id=visitor.id)
            ],
            "email": None if address is None else {
                "email": address.email, "lang": address.lang, "confirmed": address.confirmed,
                "given_at": address.created_at.isoformat(),
                "confirmed_at": address.confirmed_at.isoformat() if address.confirmed_at
                else None,
            },
            "consents": [
                {"purpose": c.purpose.value, "text": c.text, "lang": c.lang,
                 "given_at": c.given_at.isoformat(),
                 "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                for c in await self._store.list_consents(visitor.id)
            ],
        }  # fmt: skip

    async def erase(self, visitor_id: str, staff: Staff | None = None) -> None:
        """Erase the visitor everywhere (idempotent); a staff request is audited."""
        visitor = await self._visitor(visitor_id)
        if visitor.erased_at is None:
            changed = await self._store.erase_visitor(visitor.id, pseudonym(visitor.id), utcnow())
            await self._leaderboards.forget(visitor.id)
            self._rewards.forget([visitor.id])
            await self._insights.refresh(changed)
        if staff is not None:
            await self._audit(staff, visitor.id, "erase", "visitor's data erased on request")

    async def tick(self) -> int:
        """Retention (the sweeper's job): erase one batch of content past its time."""
        now = utcnow()
        changed = await self._store.erase_expired(
            now - self.retention if self.retention else None, now - self.private_retention, BATCH
        )
        if changed:
            await self._insights.refresh(changed)
        return len(changed)
