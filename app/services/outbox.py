"""After commit: the dispatcher that feeds the bus from committed writes.

A write's room events and outbox items reach the dispatcher through the store's commit hook,
in commit order; the dispatcher renders the room events (once, from current state, with
authors' ranks: the same rendering a reconnecting client's replay gets) and publishes them,
then the outbox items' events, to the bus listeners (realtime, rewards, webhook). The write's
acknowledgement never waits for any of it. Items are marked done in batches; items a crash
left undelivered are delivered at the next start (`recover`), rebuilt from their stored refs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from app.domain.models import Event, Message, Thread, utcnow
from app.domain.outbox import OutboxItem
from app.services.bus import (
    AnswerAccepted,
    AnswerPosted,
    BatchDelivered,
    CaseChanged,
    ContentModerated,
    DomainEvent,
    EnthusiastsNudged,
    EventBus,
    PrivateMessage,
    RoomChanged,
    ThreadRated,
    VoteCast,
)
from app.services.sweeper import TickLock
from app.store.port import DispatchStore

log = logging.getLogger(__name__)
BATCH = 200
DONE_EVERY = 0.5  # seconds between "done" writes, so marking costs one commit per batch
# After room broadcasts that took HEAVY seconds (a hot room's fan-out: ~1,000 writes) less
# than RECENT after the previous heavy ones ended (a room that fans out many times a second),
# the next delivery waits GATHER seconds for more commits to join it. Each commit otherwise
# reaches the dispatcher alone (the next ask commits only after the fan-out), and every
# event costs one write per recipient; gathered, a recipient's events go out in one write
# (the socket layer writes a loop turn's frames together). In a room of 1,000 at 110
# posts/s: ~2 events per write, delivery p99 54 ms at 89 % of the core, where one event per
# write saturated the core from ~90 posts/s (bench/README.md). Small rooms never wait, nor
# does a shop's busiest room when it fans out a few times a second (the wait would only
# delay the next delivery).
HEAVY = 0.003
RECENT = 0.05
GATHER = 0.005
STALE_AFTER = timedelta(seconds=30)  # older pending items belong to no live writer
RECOVERY_HOLD = 4 * STALE_AFTER.total_seconds()  # the recovery lock expires (holder died)
DRAIN_FOR = 10.0  # seconds a stopping process spends delivering what it committed
Render = Callable[[list[Event]], Awaitable[list[RoomChanged]]]


def outbox_item(event: DomainEvent) -> OutboxItem:
    """The stored form of a listener event: the ids a restarted process rebuilds it from."""
    refs: dict[str, Any]
    match event:
        case AnswerPosted() | PrivateMessage():
            refs = {"thread_id": event.thread.id, "message_id": event.message.id}
        case VoteCast():
            refs = {"message_id": event.message.id, "voter_id": event.voter_id,
                    "value": event.value, "author_banned_until": _stamp(event)}  # fmt: skip
        case AnswerAccepted():
            refs = {"message_id": event.message.id, "accepter_id": event.accepter_id,
                    "author_banned_until": _stamp(event)}  # fmt: skip
        case CaseChanged():
            refs = {"case_id": event.case.id, "opened": event.opened}
        case ContentModerated():
            refs = {"action": event.action, "staff_id": event.staff_id,
                    "message_id": event.message.id if event.message else None,
                    "thread_id": event.thread.id if event.thread else None,
                    "visitor_id": event.visitor_id}  # fmt: skip
        case EnthusiastsNudged():
            refs = {"thread_id": event.thread.id, "visitor_ids": list(event.visitor_ids)}
        case ThreadRated():
            refs = {"thread_id": event.thread.id}
        case _:
            raise TypeError(f"{event.name} is not delivered through the outbox")
    return OutboxItem(event.name, refs, event=event)


def _stamp(event: VoteCast | AnswerAccepted) -> str | None:
    until = event.author_banned_until
    return until.isoformat() if until else None


async def rebuild(item: OutboxItem, store: DispatchStore) -> DomainEvent | None:
    """The event an item stands for, from current state; None when its subject is gone."""
    r = item.refs

    async def thread_and_message(message_id: str) -> tuple[Thread, Message] | None:
        message = await store.get_message(message_id)
        thread = await store.get_thread(message.thread_id) if message else None
        return (thread, message) if thread and message else None

    if item.kind == ContentModerated.name:
        message = await store.get_message(r["message_id"]) if r.get("message_id") else None
        thread = await store.get_thread(r["thread_id"]) if r.get("thread_id") else None
        return ContentModerated(r["action"], r["staff_id"], message=message, thread=thread,
                                visitor_id=r.get("visitor_id"))  # fmt: skip
    if item.kind == CaseChanged.name:
        case = await store.get_case(r["case_id"])
        thread = await store.get_thread(case.thread_id) if case else None
        return CaseChanged(case, thread, opened=r["opened"]) if case and thread else None
    if item.kind == EnthusiastsNudged.name:
        thread = await store.get_thread(r["thread_id"])
        return EnthusiastsNudged(thread, tuple(r["visitor_ids"])) if thread else None
    if item.kind == ThreadRated.name:
        thread = await store.get_thread(r["thread_id"])
        return ThreadRated(thread) if thread else None
    found = await thread_and_message(r["message_id"])
    if found is None:
        return None
    thread, message = found
    if item.kind == AnswerPosted.name:
        return AnswerPosted(thread=thread, message=message)
    if item.kind == PrivateMessage.name:
        return PrivateMessage(thread=thread, message=message)
    banned = r.get("author_banned_until")
    until = datetime.fromisoformat(banned) if banned else None
    if item.kind == VoteCast.name:
        return VoteCast(message, thread, r["voter_id"], r["value"], until)
    if item.kind == AnswerAccepted.name:
        return AnswerAccepted(message, thread, r["accepter_id"], until)
    raise ValueError(f"unknown outbox item kind {item.kind!r}")


class Dispatcher:
    def __init__(
        self, store: DispatchStore, bus: EventBus, render: Render,
        recovery_lock: TickLock | None = None,
        followers: Sequence[Callable[[], Awaitable[None]]] = (),
    ) -> None:  # fmt: skip
        """`followers`: how to wait for listeners that finish their work in the background
        (insights' facts); `idle` waits for them too."""
        self._followers = tuple(followers)
        self._store = store
        self._bus = bus
        self._render = render
        self._recovery_lock = recovery_lock
        self._queue: asyncio.Queue[tuple[list[Event], list[OutboxItem]]] = asyncio.Queue()
        self._done: list[str] = []
        self._done_at = time.monotonic()
        self._idle = asyncio.Event()
        self._idle.set()
        # The last delivery's broadcasts: seconds they took (their writes included), and
        # seconds from the end of the heavy ones before them to their start.
        self._took, self._after_heavy = 0.0, math.inf
        self._heavy_ended = -math.inf  # perf_counter
        self.heavy, self.recent, self.gather = HEAVY, RECENT, GATHER
        self.loop: asyncio.AbstractEventLoop | None = None  # where `running()` dispatches
        store.on_commit(self.committed)

    def committed(self, events: list[Event], items: list[OutboxItem]) -> None:
        """The store's commit hook: queue, never wait (it runs inside the write lock)."""
        self._idle.clear()
        self._queue.put_nowait((events, items))

    async def run(self) -> None:
        """Deliver until cancelled: whatever is queued, in commit order, in batches."""
        try:
            with self._store.after_commit_reads():
                await self._deliver_forever()
        finally:
            with contextlib.suppress(Exception):
                await self._flush_done()

    async def _deliver_forever(self) -> None:
        while True:
            if self._queue.empty():
                await self._flush_done()
                if self._queue.empty():  # a commit may have queued during the flush
                    self._idle.set()
            batch = [await self._queue.get()]
            if self._took >= self.heavy and self._after_heavy <= self.recent:
                await asyncio.sleep(self.gather)
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._deliver(batch)
            if len(self._done) >= BATCH or time.monotonic() - self._done_at > DONE_EVERY:
                await self._flush_done()

    async def idle(self) -> None:
        """Wait until everything committed so far has been delivered, and the followers
        are done with it (tests, shutdown)."""
        await self._idle.wait()
        for settled in self._followers:
            await settled()

    @contextlib.asynccontextmanager
    async def running(self, *, recover_all: bool) -> AsyncIterator[None]:
        """Dispatch while the body runs. `recover_all` (one process owns the database)
        first delivers every item a previous run left pending; otherwise only stale ones,
        now and every STALE_AFTER, since other live processes deliver their own.
        On exit, what was committed meanwhile is delivered (for up to DRAIN_FOR seconds)."""
        self.loop = asyncio.get_running_loop()
        if recover_all:
            await self.recover(older_than=timedelta(0))
        else:
            await self.recover_stale()
        tasks = [asyncio.create_task(self.run())]
        if not recover_all:
            tasks.append(asyncio.create_task(self._recover_forever()))
        try:
            yield
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.idle(), DRAIN_FOR)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _recover_forever(self) -> None:
        while True:
            await asyncio.sleep(STALE_AFTER.total_seconds())
            try:
                await self.recover_stale()
            except Exception:
                log.exception("outbox recovery failed; trying again later")

    async def _deliver(self, batch: list[tuple[list[Event], list[OutboxItem]]]) -> None:
        events = [e for evs, _ in batch for e in evs]
        try:
            changes = await self._render(events) if events else []
        except Exception:  # clients see a seq gap and catch up from the store
            log.exception("could not render %d room events", len(events))
            changes = []
        began = time.perf_counter()
        for change in changes:
            await self._bus.publish(change)
        if changes:  # timed with their writes, which go out at the loop's next turn
            await asyncio.sleep(0)  # (a connection's frames together: realtime/broadcast.py)
        ended = time.perf_counter()
        self._took, self._after_heavy = ended - began, began - self._heavy_ended
        if self._took >= self.heavy:
            self._heavy_ended = ended
        for _, items in batch:
            for item in items:
                await self._publish(item)
        await self._bus.publish(BatchDelivered())

    async def _publish(self, item: OutboxItem) -> None:
        try:
            event = item.event or await rebuild(item, self._store)
        except Exception:
            log.exception("could not rebuild outbox item %s (%s)", item.id, item.kind)
            return  # kept: the next start tries again
        if event is not None:
            await self._bus.publish(event)  # the bus logs a failing listener
        self._done.append(item.id)

    async def _flush_done(self) -> None:
        done, self._done = self._done, []
        self._done_at = time.monotonic()
        if done:
            await self._store.outbox_done(done)

    async def recover_stale(self, older_than: timedelta = STALE_AFTER) -> int | None:
        """One pass over stale items among processes: only the recovery lock's holder
        runs it (None: another process is at it)."""
        if self._recovery_lock is None:
            return await self.recover(older_than=older_than)
        async with self._recovery_lock() as mine:
            return await self.recover(older_than=older_than) if mine else None

    async def recover(self, *, older_than: timedelta = STALE_AFTER) -> int:
        """Deliver items left pending by a process that stopped before dispatching them."""
        delivered = 0
        while True:
            items = await self._store.pending_outbox(utcnow() - older_than, BATCH)
            for item in items:
                await self._publish(item)
            await self._bus.publish(BatchDelivered())
            done = len(self._done)
            await self._flush_done()
            delivered += done
            if len(items) < BATCH or not done:  # the rest failed to rebuild: next start
                return delivered
