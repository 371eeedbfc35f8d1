"""Look-alikes by meaning, across French and English: a vector per answered question and
FAQ entry, stored with them, and the nearest ones to a draft.

The model is a port (`Embedder`, implemented by `app.adapters.e5`); its calls take tens of
milliseconds of CPU, so they run on one worker thread, never on the event loop. A draft is
embedded only while that thread has little waiting (else the caller falls back to lexical
search), and the indexer hands it small batches so a draft never waits long behind one.

Vectors are made when a question is answered (this process's room events) or an FAQ entry
saved, and by a backfill pass at start and every BACKFILL seconds (other processes' missed
work, a new model); with several processes, a lock keeps that pass to one of them at a time
and the others skip it. A room's vectors are cached per process as one matrix; a draft reads
the room's version and fetches only what was saved since (everything after a drop). The
worker thread runs at the lowest CPU priority, so on a busy core acks come first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from cachetools import LRUCache

from app.domain.knowledge import Embeddable, Kind, Vector
from app.domain.models import ThreadStatus
from app.services.bus import EventBus, RoomChanged
from app.services.sweeper import TickLock
from app.store.port import KnowledgeStore
from moderation.text import detect_language

log = logging.getLogger(__name__)

BATCH = 4  # texts per indexing call: ~0.1 s of the worker thread, what a draft may wait
SAVE_EVERY = 64  # vectors stored per commit (each commit holds the chat's write lock)
GATHER = 1.0  # seconds the indexer lets answers accumulate: one commit for several
MIN_DRAFT = 12  # characters: a shorter draft is matched by its words (little meaning yet)
SCAN = 500  # rows the backfill reads per page
BACKFILL = 600.0  # seconds between backfill passes
MAX_WAITING = 4  # drafts waiting for the worker thread before the next one goes lexical
DRAFTS_CACHED = 512
VECTORS_CACHED = 60_000  # vectors held in memory over all cached rooms (~90 MB at 384-d)
ROOMS_LOCKED = 10_000  # rooms whose reload lock is kept
ANSWERED = (ThreadStatus.ANSWERED, ThreadStatus.RESOLVED)


class VectorIndex(Protocol):
    def __len__(self) -> int: ...

    def nearest(self, query: bytes, lang: str, k: int) -> list[tuple[str, float]]:
        """The k nearest refs to a draft written in `lang`, with their score (0..1,
        calibrated per language pair), best first."""

    def extend(self, vectors: Sequence[Vector]) -> VectorIndex:
        """This index with `vectors` added (a ref already in it takes its new vector)."""


class Embedder(Protocol):
    model: str  # names the stored vectors: a new model embeds everything again

    def embed(self, texts: Sequence[str]) -> list[bytes]:
        """One vector per text; blocks its thread."""

    def index(self, vectors: Sequence[Vector]) -> VectorIndex: ...


# (the room's vector version and last drop when the index was made, the index)
Cached = tuple[int, int, VectorIndex]


def _yield_to_the_loop() -> None:
    """The embedding thread runs at the lowest priority (Linux gives each thread its own
    nice value): on a busy core the event loop's thread, which acknowledges chat writes,
    goes first, and embeddings use what CPU is left."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: best effort
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class Semantic:
    def __init__(
        self, store: KnowledgeStore, embedder: Embedder, backfill_lock: TickLock | None = None
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._backfill_lock = backfill_lock  # None: this is the only process
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="embed",
                                          initializer=_yield_to_the_loop)  # fmt: skip
        self._waiting = 0
        self._drafts: LRUCache[str, bytes] = LRUCache(DRAFTS_CACHED)
        self._rooms: LRUCache[str, Cached] = LRUCache(
            VECTORS_CACHED, getsizeof=lambda entry: max(1, len(entry[2]))
        )
        self._largest: tuple[str, Cached] | None = None
        self._locks: LRUCache[str, asyncio.Lock] = LRUCache(ROOMS_LOCKED)
        self._pending: dict[Kind, set[str]] = {"thread": set(), "faq": set()}
        self._wake = asyncio.Event()

    @property
    def model(self) -> str:
        return self._embedder.model

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(RoomChanged.name, self._on_room_changed)

    async def _on_room_changed(self, event: RoomChanged) -> None:
        if event.thread.status in ANSWERED:
            self.changed("thread", event.thread.id)

    def changed(self, kind: Kind, item_id: str) -> None:
        """An answered question or FAQ entry may need a (new) vector."""
        self._pending[kind].add(item_id)
        self._wake.set()

    # the worker thread -------------------------------------------------------------------
    async def _embed(self, texts: Sequence[str]) -> list[bytes]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._embedder.embed, texts)

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    # indexing ----------------------------------------------------------------------------
    async def run(self) -> None:
        """Index until cancelled: what this process's writes made answerable, promptly, and
        a backfill pass at start and every BACKFILL seconds."""
        next_backfill = 0.0
        while True:
            self._wake.clear()
            try:
                await asyncio.sleep(GATHER)  # a burst of answers: one commit, not one each
                await self.index_pending()
                if time.monotonic() >= next_backfill:
                    await self.backfill_once()
                    next_backfill = time.monotonic() + BACKFILL
            except Exception:
                log.exception("semantic index: could not index; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), BACKFILL)

    async def index_pending(self) -> int:
        """Embed what `changed` named and still lacks a vector; how many were embedded."""
        done = 0
        for kind in ("thread", "faq"):
            ids, self._pending[kind] = sorted(self._pending[kind]), set()
            for start in range(0, len(ids), SCAN):
                found, _ = await self._store.unembedded(
                    kind, self.model, ids=ids[start : start + SCAN], limit=SCAN
                )
                done += await self._index(found)
        return done

    async def backfill_once(self) -> int | None:
        """A backfill pass, unless another process is running one (None): its texts are
        then embedded there, not here as well."""
        if self._backfill_lock is None:
            return await self.backfill()
        async with self._backfill_lock() as held:
            return await self.backfill() if held else None

    async def backfill(self) -> int:
        """Embed every answered question and FAQ entry that lacks a vector for this model."""
        done = 0
        for kind in ("faq", "thread"):
            cursor: str | None = ""
            while cursor is not None:
                found, cursor = await self._store.unembedded(
                    kind, self.model, after=cursor, limit=SCAN
                )
                done += await self._index(found)
        if done:
            log.info("semantic index: %d texts embedded with %s", done, self.model)
        return done

    async def _index(self, items: Sequence[Embeddable]) -> int:
        """Embed BATCH texts per call (a draft waits at most one call), store SAVE_EVERY
        vectors per commit."""
        for start in range(0, len(items), SAVE_EVERY):
            part = items[start : start + SAVE_EVERY]
            data: list[bytes] = []
            for first in range(0, len(part), BATCH):
                data += await self._embed([item.text for item in part[first : first + BATCH]])
            await self._store.save_vectors(self.model, [
                Vector(item.ref, item.room, detect_language(item.text), vector)
                for item, vector in zip(part, data, strict=True)
            ])  # fmt: skip
        return len(items)

    # search ------------------------------------------------------------------------------
    async def nearest(self, room: str, draft: str, k: int) -> list[tuple[str, float]] | None:
        """(ref, calibrated score) of the room's k nearest texts, best first; None when
        there is no semantic answer now (nothing embedded in the room, or the worker thread
        busy): the caller searches lexically instead."""
        if len(draft.strip()) < MIN_DRAFT:
            return None
        index = await self._room_index(room)
        if index is None:
            return None
        query = await self._draft(draft)
        if query is None:
            return None
        return index.nearest(query, detect_language(draft), k)

    async def _draft(self, text: str) -> bytes | None:
        cached = self._drafts.get(text)
        if cached is not None:
            return cached
        if self._waiting >= MAX_WAITING:
            return None
        self._waiting += 1
        try:
            (vector,) = await self._embed([text])
        finally:
            self._waiting -= 1
        self._drafts[text] = vector
        return vector

    async def _room_index(self, room: str) -> VectorIndex | None:
        """The room's vectors as an index, cached: each call reads the room's version (one
        key look-up) and fetches only the vectors saved since the cached one, or all of
        them again after a drop (an erasure must not linger in memory). One caller at a time
        updates a room; the others use the cached index meanwhile. Matrices are built off
        the event loop."""
        cached = self._cached(room)
        if cached is not None and self._reloading(room):
            return cached[2] if len(cached[2]) else None
        lock = self._locks.setdefault(room, asyncio.Lock())
        async with lock:
            cached = self._cached(room)
            version, dropped = await self._store.vectors_version(room)
            loop = asyncio.get_running_loop()
            if cached is not None and cached[0] == version:
                index = cached[2]
            elif cached is not None and cached[1] == dropped:  # only additions since
                added = await self._store.room_vectors(room, self.model, after=cached[0])
                index = await loop.run_in_executor(None, cached[2].extend, added)
            else:
                vectors = await self._store.room_vectors(room, self.model)
                index = await loop.run_in_executor(None, self._embedder.index, vectors)
            self._remember(room, (version, dropped, index))
        return index if len(index) else None

    def _reloading(self, room: str) -> bool:
        lock = self._locks.get(room)
        return lock is not None and lock.locked()

    def _cached(self, room: str) -> Cached | None:
        if self._largest is not None and self._largest[0] == room:
            return self._largest[1]
        return self._rooms.get(room)

    def _remember(self, room: str, entry: Cached) -> None:
        try:
            self._rooms[room] = entry
        except ValueError:  # larger than the whole cache: it gets a slot of its own
            self._largest = (room, entry)
