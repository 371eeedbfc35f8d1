"""Q&A use cases: join a room, ask, answer, vote, accept, resolve, find similar questions.

Every write takes the one path (Zulip's check/do split, in the protocol's order): the gate
(identity, ban, rate limit), then the payload, the lifecycle and moderation; then one
`store.atomic()` unit that stores the entity, its case and audit lines, its room event and
its outbox items. The acknowledgement returns once that unit commits: the room broadcast,
rewards and notifications follow from the outbox dispatcher. A retried `client_id` returns
the stored object instead of writing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import moderation as mod
from app.domain import lifecycle
from app.domain.errors import Conflict, DuplicateClientId, Forbidden, Invalid, NotFound, Stale
from app.domain.models import (
    Event,
    EventType,
    Message,
    MessageKind,
    Room,
    Thread,
    ThreadStatus,
    Visibility,
    Visitor,
    new_id,
    utcnow,
)
from app.domain.text import clean_body, search_terms
from app.services import payloads as p
from app.services.bus import AnswerAccepted, AnswerPosted, PrivateMessage, RoomChanged, VoteCast
from app.services.gate import Gate
from app.services.moderation import ModerationService
from app.services.outbox import outbox_item
from app.services.views import event_data, message_view, thread_view, wire_event
from app.store.port import QAUnit
from moderation.cases import CaseState, Mode

RECENT_THREADS = 20
MAX_REPLAY = 500
RETRIES = 8  # a thread changed by a concurrent write is re-read and the write re-applied


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
        store: QAUnit,
        gate: Gate,
        moderation: ModerationService,
        *,
        max_body_chars: int,
    ) -> None:
        self._store = store
        self._gate = gate
        self._moderation = moderation
        self._max_body = max_body_chars
        # Set by create_app once rewards exist: visitor ids -> rank codes.
        self.ranks: Callable[[list[str]], Awaitable[dict[str, str]]] | None = None

    # reads -------------------------------------------------------------------------------
    async def open_room(
        self, cmd: p.Join, budget: Callable[[], Awaitable[None]] | None = None
    ) -> Room:
        """The room to join, created on its first join; `budget` (the caller's room-opening
        rate limit, which raises RateLimited) is spent only when the room is new."""
        room = await self._store.get_room(cmd.room)
        if room is not None:
            return room
        if budget is not None:
            await budget()
        product = cmd.product or p.ProductInfo()
        return await self._store.ensure_room(
            Room(
                key=cmd.room,
                title=product.title or cmd.room,
                url=product.url,
                category=product.category,
                created_at=utcnow(),
            )
        )

    async def join(self, room: Room, since: int | None, viewer_id: str | None) -> JoinResult:
        """Recent threads and the events after `since`. The caller has already entered the
        room's channel, so an event committed meanwhile is delivered live, in `missed`, or
        both (clients drop what they have by seq): never neither."""
        seq = (await self._store.get_room(room.key) or room).seq
        threads = await self.recent_threads(room.key, viewer_id=viewer_id)
        if viewer_id is not None:  # their own held questions, for their eyes only
            held = await self._store.held_threads_of(viewer_id, room.key)
            threads = [await self.thread_with_messages(t, viewer_id) for t in held] + threads
        missed: list[dict[str, Any]] = []
        complete = True
        if since is not None and since < seq:
            events = await self._store.events_since(room.key, since, MAX_REPLAY + 1)
            complete = len(events) <= MAX_REPLAY
            missed = await self.replay(events[:MAX_REPLAY])
            if missed:
                seq = max(seq, missed[-1]["seq"])
        return JoinResult(room, seq, threads, missed, complete)

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

    async def room_seq(self, room_key: str) -> int | None:
        """The room's latest event seq (None: no such room): what a cached read of the
        room depends on."""
        room = await self._store.get_room(room_key)
        return None if room is None else room.seq

    async def get_thread(self, thread_id: str) -> Thread:
        thread = await self._store.get_thread(thread_id)
        if thread is None:
            raise NotFound("no such question")
        return thread

    async def room_changes(self, events: list[Event]) -> list[RoomChanged]:
        """Room events rendered from current state, with authors' ranks: the one rendering
        of the `event` wire object, for live delivery and for replay alike (so applying
        them equals a fresh fetch, and hidden content is never replayed)."""
        message_ids = [
            e.entity_id
            for e in events
            if e.type in (EventType.MESSAGE_CREATED, EventType.MESSAGE_UPDATED)
        ]
        messages = {m.id: m for m in await self._store.get_messages(message_ids)}
        thread_ids = {e.entity_id for e in events if e.entity_id not in messages}
        thread_ids |= {m.thread_id for m in messages.values()}
        threads = {t.id: t for t in await self._store.get_threads(sorted(thread_ids))}
        changes = []
        for event in events:
            message = messages.get(event.entity_id)
            thread = threads.get(message.thread_id if message else event.entity_id)
            if thread is None:
                continue
            data = event_data(event, thread, message)
            changes.append(RoomChanged(event=event, data=data, thread=thread, message=message))
        await self.add_ranks([c.data for c in changes])
        return changes

    async def replay(self, events: list[Event]) -> list[dict[str, Any]]:
        return [wire_event(c.event, c.data) for c in await self.room_changes(events)]

    # writes ------------------------------------------------------------------------------
    async def ask(self, visitor: Visitor | None, data: Any) -> Posted:
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.Ask, data)
        existing = await self._store.find_thread_by_client_id(visitor.id, cmd.client_id)
        if existing is not None:
            return Posted(existing, held=existing.held)
        body = clean_body(cmd.body, limit=self._max_body)
        room = await self._store.get_room(cmd.room)
        if room is None:
            raise NotFound("join the room before asking in it")
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
        if self._moderation.escalates(signals):
            thread.status = ThreadStatus.ESCALATED  # known now: one write, one room event
        elif not thread.held:
            self._moderation.schedule(thread)
        try:
            async with self._store.atomic():
                await self._store.insert_thread(thread, search_terms(body))
                await self._moderation.review(thread, signals)
        except DuplicateClientId:
            return Posted(await self._stored_thread(visitor, cmd.client_id))
        return Posted(thread, held=thread.held, notice=mod.asker_notice(signals, cmd.lang or "fr"))

    async def answer(self, visitor: Visitor | None, data: Any) -> Posted:
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.AnswerIn, data)
        existing = await self._store.find_message_by_client_id(visitor.id, cmd.client_id)
        if existing is not None:
            thread = await self.get_thread(existing.thread_id)
            return Posted(thread, existing, held=existing.visibility is Visibility.HELD)
        body = clean_body(cmd.body, limit=self._max_body)
        thread = self._answerable(await self._store.get_thread(cmd.thread_id), visitor)
        signals = await self._moderation.screen(
            visitor, body, category=thread.category, lang=cmd.lang, thread=thread
        )
        visibility = await self._visibility(visitor, thread, signals)
        now = utcnow()
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
            verified_owner=visitor.shopper_id is not None
            and await self._store.has_purchased(visitor.shopper_id, thread.room),
        )
        for _ in range(RETRIES):
            try:
                async with self._store.atomic() as unit:
                    thread = self._answerable(
                        await self._store.get_thread_for_update(thread.id), visitor
                    )
                    if visibility is Visibility.PUBLIC:
                        lifecycle.record_answer(thread, visitor.id)
                    thread.updated_at = now
                    await self._store.insert_message(message, thread)
                    if visibility is Visibility.PUBLIC and thread.author_id != visitor.id:
                        unit.publish(outbox_item(AnswerPosted(thread=thread, message=message)))
                    elif visibility is Visibility.PRIVATE:
                        unit.publish(outbox_item(PrivateMessage(thread=thread, message=message)))
                    await self._moderation.review(thread, signals)
            except Stale:
                continue  # another write changed the thread first: apply ours to its result
            except DuplicateClientId:
                stored = await self._store.find_message_by_client_id(visitor.id, cmd.client_id)
                assert stored is not None
                return Posted(thread, stored, held=stored.visibility is Visibility.HELD)
            notice = mod.asker_notice(signals, cmd.lang or "fr")
            return Posted(thread, message, held=visibility is not Visibility.PUBLIC, notice=notice)
        raise Conflict("the question is changing too fast; try again")

    @staticmethod
    def _answerable(thread: Thread | None, visitor: Visitor) -> Thread:
        if thread is None or (thread.held and thread.author_id != visitor.id):
            raise NotFound("no such question")
        lifecycle.check_can_answer(thread)
        return thread

    async def _visibility(
        self, visitor: Visitor, thread: Thread, signals: list[mod.Signal]
    ) -> Visibility:
        """Held abuse or spam waits for a moderator, even when it also carries personal data
        (nobody, the asker included, sees it first); personal data, and anything the asker
        writes while staff talk to them privately, stays between the asker and staff."""
        if any(s.hold and s.code != "personal_data" for s in signals):
            return Visibility.HELD
        if mod.held(signals) or thread.held:  # personal data: for the asker and staff only
            return Visibility.PRIVATE
        if visitor.id == thread.author_id:
            case = await self._store.get_case_for_thread(thread.id)
            if case is not None and case.mode is Mode.PRIVATE and case.state is CaseState.CLAIMED:
                return Visibility.PRIVATE
        return Visibility.PUBLIC

    async def _author_of(self, message: Message, visitor: Visitor, what: str) -> Visitor | None:
        """The answer's author, who may not be the visitor: two visitor identities of one
        verified shopper are one person."""
        author = await self._store.get_visitor(message.author_id)
        same = author is not None and author.shopper_id == visitor.shopper_id
        if visitor.shopper_id is not None and same:
            raise Forbidden(f"you cannot {what}, even from another identity")
        return author

    async def _public_answer(self, message_id: str) -> Message:
        message = await self._store.get_message(message_id)
        if message is None or message.visibility is not Visibility.PUBLIC:
            raise NotFound("no such answer")
        return message

    async def vote(self, visitor: Visitor | None, data: Any) -> Message:
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.Vote, data)
        message = await self._public_answer(cmd.message_id)
        lifecycle.check_can_vote(message, visitor.id)
        author = await self._author_of(message, visitor, "vote for your own answer")
        banned = author.banned_until if author else None
        thread = await self.get_thread(message.thread_id)
        async with self._store.atomic() as unit:
            message, _ = await self._store.set_vote(message.id, visitor.id, cmd.value, banned)
            unit.publish(outbox_item(VoteCast(message, thread, visitor.id, cmd.value, banned)))
        return message

    async def accept(self, visitor: Visitor | None, data: Any) -> Thread:
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.Accept, data)
        message = await self._public_answer(cmd.message_id)
        author = await self._author_of(message, visitor, "accept your own answer")
        banned = author.banned_until if author else None
        voter = visitor.id

        def accept(thread: Thread) -> list[Any]:
            lifecycle.accept(thread, message, voter)
            return [AnswerAccepted(message, thread, voter, banned)]

        return await self.change_thread(message.thread_id, accept)

    async def resolve(self, visitor: Visitor | None, data: Any) -> Thread:
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.ThreadRef, data)
        asker = visitor.id

        def resolve(thread: Thread) -> list[Any]:
            lifecycle.resolve(thread, asker)
            return []

        return await self.change_thread(cmd.thread_id, resolve)

    async def change_thread(self, thread_id: str, change: Callable[[Thread], list[Any]]) -> Thread:
        """Apply `change` (lifecycle checks included; it returns the listener events) to the
        thread as stored, in one unit; re-applied to the fresh thread if it moved meanwhile."""
        for _ in range(RETRIES):
            try:
                async with self._store.atomic() as unit:
                    thread = await self._store.get_thread_for_update(thread_id)
                    if thread is None or thread.held:
                        raise NotFound("no such question")
                    events = change(thread)
                    thread.updated_at = utcnow()
                    thread.next_check_at = None  # settled by the asker: no SLA ladder any more
                    await self._store.update_thread(thread)
                    for event in events:
                        unit.publish(outbox_item(event))
                return thread
            except Stale:
                continue
        raise Conflict("the question is changing too fast; try again")

    # helpers -----------------------------------------------------------------------------
    async def _stored_thread(self, visitor: Visitor, client_id: str) -> Thread:
        stored = await self._store.find_thread_by_client_id(visitor.id, client_id)
        if stored is None:  # the duplicate was on something else: a real conflict
            raise Invalid("client_id was already used")
        return stored
