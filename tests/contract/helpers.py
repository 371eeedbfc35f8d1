"""Shared data and builders of the storage contract suite (see test_store_contract)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.models import Event, Message, MessageKind, Room, Thread, ThreadStatus
from app.domain.text import search_terms
from app.store.port import Store
from rewards.ledger import LedgerEntry, RefKind
from rewards.rules import Reason

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WATCH = "shop.example/montre-alpina"
BAG = "shop.example/sac-cuir"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def room(key: str = WATCH, title: str = "Montre Alpina") -> Room:
    return Room(key=key, title=title, url=f"https://{key}", category="montres", created_at=T0)


class Factory:
    """Builds and stores threads and messages the way the services will."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def thread(
        self,
        body: str,
        *,
        room_key: str = WATCH,
        author: str = "asker",
        client_id: str = "",
        **fields: Any,
    ) -> Thread:
        """A new thread; `fields` sets any other Thread field (held, category, ...)."""
        n = self._next()
        return Thread(
            id=f"t{n}",
            room=room_key,
            author_id=author,
            author_name=author.title(),
            body=body,
            client_id=client_id or f"c{n}",
            created_at=at(n),
            **fields,
        )

    async def ask(self, body: str, **kwargs: Any) -> tuple[Thread, Event]:
        """Store a published thread: it always gets its creation event."""
        thread = self.thread(body, **kwargs)
        event = await self.store.insert_thread(thread, search_terms(body))
        assert event is not None
        return thread, event

    async def hold(self, body: str, **kwargs: Any) -> Thread:
        """Store a held thread: kept from the crowd, so no event."""
        thread = self.thread(body, held=True, **kwargs)
        assert await self.store.insert_thread(thread, search_terms(body)) is None
        return thread

    def message(
        self,
        thread: Thread,
        body: str = "Oui.",
        *,
        author: str = "helper",
        client_id: str = "",
        created_at: datetime | None = None,
        **fields: Any,
    ) -> Message:
        """A new answer; `fields` sets any other Message field (visibility, kind, ...)."""
        n = self._next()
        return Message(
            id=f"m{n}",
            thread_id=thread.id,
            room=thread.room,
            kind=fields.pop("kind", MessageKind.ANSWER),
            author_id=author,
            author_name=author.title(),
            body=body,
            client_id=client_id or f"c{n}",
            created_at=created_at or at(n),
            **fields,
        )

    async def answer(self, thread: Thread, body: str = "Oui.", **kwargs: Any) -> Message:
        """Store an answer and the thread change it causes (open -> answered, count + 1)."""
        message = self.message(thread, body, **kwargs)
        answered(thread, message.created_at)
        await self.store.insert_message(message, thread)
        return message


def answered(thread: Thread, when: datetime) -> None:
    thread.answer_count += 1
    if thread.status is ThreadStatus.OPEN:
        thread.status = ThreadStatus.ANSWERED
    thread.updated_at = when


async def all_events(store: Store, room_key: str = WATCH) -> list[Event]:
    return await store.events_since(room_key, 0, limit=10_000)


def entry(
    entry_id: str,
    visitor_id: str,
    points: int,
    created_at: datetime,
    *,
    reason: Reason = Reason.ANSWER,
    ref_kind: RefKind = "message",
    **fields: Any,
) -> LedgerEntry:
    """A ledger entry; `fields` sets any other LedgerEntry field (room, giver_person, ...).

    Keep times to whole milliseconds: MongoDB stores no finer, and entries must compare
    equal after a round trip.
    """
    return LedgerEntry(
        id=entry_id,
        visitor_id=visitor_id,
        points=points,
        reason=reason,
        rule=fields.pop("rule", f"{reason.value} value={points}"),
        ref_kind=ref_kind,
        ref_id=fields.pop("ref_id", f"m-{entry_id}"),
        created_at=created_at,
        **fields,
    )
