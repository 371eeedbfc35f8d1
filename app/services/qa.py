"""Q&A use cases: join a room, ask, answer, vote, accept, resolve, find similar questions.

Each write follows the same path (Zulip's check/do split): validate, check the rules, write
durably through the store (which appends the room event), then publish after commit.
A retried `client_id` returns the stored object instead of writing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import moderation as mod
from app.domain import lifecycle
from app.domain.errors import DuplicateClientId, Forbidden, Invalid, NotFound
from app.domain.models import (
    Event,
    EventType,
    Message,
    MessageKind,
    Room,
    Thread,
    Visibility,
    Visitor,
    new_id,
    utcnow,
)
from app.domain.text import clean_body, search_terms
from app.services import payloads as p
from app.services.bus import (
    AnswerAccepted,
    AnswerPosted,
    EventBus,
    PrivateMessage,
    RoomChanged,
    VoteCast,
)
from app.services.moderation import ModerationService
from app.services.ratelimit import RateLimits
from app.services.views import event_data, message_view, thread_view, wire_event
from app.store.port import Store
from moderation.cases import CaseState, Mode

RECENT_THREADS = 20
MAX_REPLAY = 500


@dataclass(frozen=True, slots=True)
class Posted:
    """What a write acknowledges: the stored object, whether it was kept from the crowd,
    and what the author should be told about it (in their language)."""

    thread: Thread
    message: Message | None = None
    held: bool = False
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class JoinResult:
    room: Room
    seq: int
    threads: list[dict[str, Any]]
    missed: list[dict[str, Any]]
    complete: bool  # False when more than MAX_REPLAY events were missed: reload instead


class QA:
    def __init__(
        self,
        store: Store,
        bus: EventBus,
        limits: RateLimits,
        moderation: ModerationService,
        *,
        max_body_chars: int,
    ) -> None:
        self._store = store
        self._bus = bus
        self._limits = limits
        self._moderation = moderation
        self._max_body = max_body_chars
        # Set by create_app once rewards exist: visitor ids -> rank codes.
        self.ranks: Callable[[list[str]], Awaitable[dict[str, str]]] | None = None

    # reads -------------------------------------------------------------------------------
    async def join(self, cmd: p.Join, viewer_id: str | None = None) -> JoinResult:
        product = cmd.product or p.ProductInfo()
        room = await self._store.ensure_room(
            Room(
                key=cmd.room,
                title=product.title or cmd.room,
                url=product.url,
                category=product.category,
                created_at=utcnow(),
            )
        )
        threads = await self.recent_threads(room.key, viewer_id=viewer_id)
        if viewer_id is not None:  # their own held questions, for their eyes only
            held = await self._store.held_threads_of(viewer_id, room.key)
            threads = [await self.thread_with_messages(t, viewer_id) for t in held] + threads
        missed: list[dict[str, Any]] = []
        complete = True
        if cmd.since is not None and cmd.since < room.seq:
            events = await self._store.events_since(room.key, cmd.since, MAX_REPLAY + 1)
            complete = len(events) <= MAX_REPLAY
            missed = await self.replay(events[:MAX_REPLAY])
        return JoinResult(room, room.seq, threads, missed, complete)

    async def recent_threads(
        self,
        room: str,
        *,
        before_seq: int | None = None,
        status: Any = None,
        viewer_id: str | None = None,
    ) -> list[dict[str, Any]]:
        threads = await self._store.list_threads(
            room, status=status, before_seq=before_seq, limit=RECENT_THREADS
        )
        return [await self.thread_with_messages(t, viewer_id) for t in threads]

    async def thread_with_messages(
        self, thread: Thread, viewer_id: str | None = None
    ) -> dict[str, Any]:
        """A thread and the messages this viewer may see: public ones, private ones if they
        asked, and their own messages whatever their visibility."""
        messages = await self._store.list_messages(thread.id)
        asker = viewer_id is not None and viewer_id == thread.author_id
        shown = [
            message_view(m)
            for m in messages
            if m.visibility is Visibility.PUBLIC
            or (asker and m.visibility is Visibility.PRIVATE)
            or (viewer_id is not None and m.author_id == viewer_id)
        ]
        view = {**thread_view(thread), "messages": shown}
        await self.add_ranks([view, *shown])
        return view

    async def add_ranks(self, views: list[dict[str, Any]]) -> None:
        """Fill `author.rank` (rewards) on thread and message views, in one store read."""
        if self.ranks is None:
            return
        authors = [v["author"] for v in views if not v["author"].get("staff")]
        found = await self.ranks(sorted({a["id"] for a in authors}))
        for author in authors:
            author["rank"] = found.get(author["id"])

    async def get_thread(self, thread_id: str) -> Thread:
        thread = await self._store.get_thread(thread_id)
        if thread is None:
            raise NotFound("no such question")
        return thread

    async def replay(self, events: list[Event]) -> list[dict[str, Any]]:
        """Wire events rebuilt from current state: applying them equals a fresh fetch."""
        message_ids = [
            e.entity_id
            for e in events
            if e.type in (EventType.MESSAGE_CREATED, EventType.MESSAGE_UPDATED)
        ]
        messages = {m.id: m for m in await self._store.get_messages(message_ids)}
        thread_ids = {e.entity_id for e in events if e.entity_id not in messages}
        thread_ids |= {m.thread_id for m in messages.values()}
        threads = {t.id: t for t in await self._store.get_threads(sorted(thread_ids))}
        wire = []
        for event in events:
            message = messages.get(event.entity_id)
            thread = threads[message.thread_id if message else event.entity_id]
            wire.append(wire_event(event, event_data(event, thread, message)))
        await self.add_ranks([w["data"] for w in wire])
        return wire

    async def similar(self, room: str, draft: str, limit: int) -> list[dict[str, Any]]:
        terms = search_terms(draft[: self._max_body])
        threads = await self._store.search_answered(room, terms, limit)
        return [thread_view(t) for t in threads]

    # writes ------------------------------------------------------------------------------
    async def ask(self, visitor: Visitor, cmd: p.Ask) -> Posted:
        existing = await self._store.find_thread_by_client_id(visitor.id, cmd.client_id)
        if existing is not None:
            return Posted(existing, held=existing.held)
        visitor = await self._check_can_write(visitor)
        body = clean_body(cmd.body, limit=self._max_body)
        room = await self._store.get_room(cmd.room)
        if room is None:
            raise NotFound("join the room before asking in it")
        await self._limits.check_write(visitor.id)
        signals = await self._moderation.screen(
            visitor, body, category=room.category, lang=cmd.lang
        )
        now = utcnow()
        thread = Thread(
            id=new_id(),
            room=room.key,
            author_id=visitor.id,
            author_name=visitor.name,
            body=body,
            client_id=cmd.client_id,
            created_at=now,
            updated_at=now,
            category=room.category,
            held=mod.held(signals),
        )
        if not thread.held:
            self._moderation.schedule(thread)
        try:
            event = await self._store.insert_thread(thread, search_terms(body))
        except DuplicateClientId:
            return Posted(await self._stored_thread(visitor, cmd.client_id))
        if event is not None:
            await self._publish(event, thread)
        await self._moderation.review(thread, signals)
        return Posted(thread, held=thread.held, notice=mod.asker_notice(signals, cmd.lang or "fr"))

    async def answer(self, visitor: Visitor, cmd: p.AnswerIn) -> Posted:
        existing = await self._store.find_message_by_client_id(visitor.id, cmd.client_id)
        if existing is not None:
            thread = await self.get_thread(existing.thread_id)
            return Posted(thread, existing, held=existing.visibility is Visibility.HELD)
        visitor = await self._check_can_write(visitor)
        body = clean_body(cmd.body, limit=self._max_body)
        thread = await self.get_thread(cmd.thread_id)
        if thread.held and thread.author_id != visitor.id:
            raise NotFound("no such question")
        lifecycle.check_can_answer(thread)
        await self._limits.check_write(visitor.id)
        signals = await self._moderation.screen(
            visitor, body, category=thread.category, lang=cmd.lang, thread=thread
        )
        visibility = await self._visibility(visitor, thread, signals)
        if visibility is Visibility.PUBLIC:
            lifecycle.record_answer(thread, visitor.id)
        now = utcnow()
        thread.updated_at = now
        message = Message(
            id=new_id(),
            thread_id=thread.id,
            room=thread.room,
            kind=MessageKind.ANSWER,
            author_id=visitor.id,
            author_name=visitor.name,
            body=body,
            client_id=cmd.client_id,
            created_at=now,
            visibility=visibility,
        )
        try:
            event = await self._store.insert_message(message, thread)
        except DuplicateClientId:
            stored = await self._store.find_message_by_client_id(visitor.id, cmd.client_id)
            assert stored is not None
            return Posted(thread, stored)
        if event is not None:
            await self._publish(event, thread, message)
            if thread.author_id != visitor.id:
                await self._bus.publish(AnswerPosted(thread=thread, message=message))
        elif visibility is Visibility.PRIVATE:
            await self._bus.publish(PrivateMessage(thread=thread, message=message))
        await self._moderation.review(thread, signals)
        notice = mod.asker_notice(signals, cmd.lang or "fr")
        return Posted(thread, message, held=visibility is not Visibility.PUBLIC, notice=notice)

    async def _visibility(
        self, visitor: Visitor, thread: Thread, signals: list[mod.Signal]
    ) -> Visibility:
        """Personal data, and anything the asker writes while staff talk to them privately,
        stays between the asker and staff; held abuse or spam waits for a moderator."""
        if any(s.code == "personal_data" for s in signals) or thread.held:
            return Visibility.PRIVATE
        if mod.held(signals):
            return Visibility.HELD
        if visitor.id == thread.author_id:
            case = await self._store.get_case_for_thread(thread.id)
            if case is not None and case.mode is Mode.PRIVATE and case.state is CaseState.CLAIMED:
                return Visibility.PRIVATE
        return Visibility.PUBLIC

    async def _check_not_self(self, visitor: Visitor, author_id: str, what: str) -> None:
        """Two visitor identities of one verified shopper are one person."""
        if visitor.shopper_id is None:
            return
        author = await self._store.get_visitor(author_id)
        if author is not None and author.shopper_id == visitor.shopper_id:
            raise Forbidden(f"you cannot {what}, even from another identity")

    async def _check_can_write(self, visitor: Visitor) -> Visitor:
        """Re-read the visitor so a ban applies at once, even on an open connection."""
        fresh = await self._store.get_visitor(visitor.id)
        if fresh is None:
            raise NotFound("this visitor no longer exists")
        if fresh.banned_until is not None and fresh.banned_until > utcnow():
            until = fresh.banned_until.strftime("%Y-%m-%d %H:%M UTC")
            raise Forbidden(f"you cannot post until {until}")
        return fresh

    async def vote(self, visitor: Visitor, cmd: p.Vote) -> Message:
        message = await self._store.get_message(cmd.message_id)
        if message is None or message.visibility is not Visibility.PUBLIC:
            raise NotFound("no such answer")
        visitor = await self._check_can_write(visitor)
        lifecycle.check_can_vote(message, visitor.id)
        await self._check_not_self(visitor, message.author_id, "vote for your own answer")
        await self._limits.check_write(visitor.id)
        message, event = await self._store.set_vote(message.id, visitor.id, cmd.value)
        thread = await self.get_thread(message.thread_id)
        await self._publish(event, thread, message)
        await self._bus.publish(VoteCast(message, thread, visitor.id, cmd.value))
        return message

    async def accept(self, visitor: Visitor, cmd: p.Accept) -> Thread:
        message = await self._store.get_message(cmd.message_id)
        if message is None or message.visibility is not Visibility.PUBLIC:
            raise NotFound("no such answer")
        thread = await self.get_thread(message.thread_id)
        lifecycle.accept(thread, message, visitor.id)
        await self._check_not_self(visitor, message.author_id, "accept your own answer")
        await self._save(thread)
        await self._bus.publish(AnswerAccepted(message, thread, visitor.id))
        return thread

    async def resolve(self, visitor: Visitor, cmd: p.ThreadRef) -> Thread:
        thread = await self.get_thread(cmd.thread_id)
        lifecycle.resolve(thread, visitor.id)
        return await self._save(thread)

    # helpers -----------------------------------------------------------------------------
    async def _save(self, thread: Thread) -> Thread:
        thread.updated_at = utcnow()
        thread.next_check_at = None  # settled by the asker: no SLA ladder any more
        event = await self._store.update_thread(thread)
        if event is not None:
            await self._publish(event, thread)
        return thread

    async def _stored_thread(self, visitor: Visitor, client_id: str) -> Thread:
        stored = await self._store.find_thread_by_client_id(visitor.id, client_id)
        if stored is None:  # the duplicate was on something else: a real conflict
            raise Invalid("client_id was already used")
        return stored

    async def _publish(self, event: Event, thread: Thread, message: Message | None = None) -> None:
        data = event_data(event, thread, message)
        await self.add_ranks([data])
        await self._bus.publish(RoomChanged(event=event, data=data, thread=thread, message=message))
