"""The storage port every adapter implements, and the contract suite checks.

Each write that changes a room appends exactly one event and bumps the room's `seq`
atomically with the change, so `events_since` never misses or invents a change.
Writes are durable when the coroutine returns: services acknowledge only after that.
"""

from __future__ import annotations

from typing import Protocol

from app.domain.models import Event, Message, Room, Thread, ThreadStatus, Visitor


class Store(Protocol):
    async def open(self) -> None:
        """Connect and create schema/indexes; safe to call on an existing database."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise if the database cannot answer (readiness)."""

    # visitors
    async def add_visitor(self, visitor: Visitor) -> None: ...

    async def get_visitor(self, visitor_id: str) -> Visitor | None: ...

    # rooms
    async def ensure_room(self, room: Room) -> Room:
        """Return the stored room with this key, creating it from `room` if absent."""

    async def get_room(self, key: str) -> Room | None: ...

    # reads
    async def get_thread(self, thread_id: str) -> Thread | None: ...

    async def get_message(self, message_id: str) -> Message | None: ...

    async def get_threads(self, thread_ids: list[str]) -> list[Thread]: ...

    async def get_messages(self, message_ids: list[str]) -> list[Message]: ...

    async def find_thread_by_client_id(self, author_id: str, client_id: str) -> Thread | None: ...

    async def find_message_by_client_id(self, author_id: str, client_id: str) -> Message | None: ...

    async def list_threads(
        self,
        room: str,
        *,
        status: ThreadStatus | None = None,
        before_seq: int | None = None,
        limit: int = 20,
    ) -> list[Thread]:
        """Newest first (by creation seq); `before_seq` is the pagination cursor."""

    async def list_messages(self, thread_id: str) -> list[Message]:
        """Oldest first, hidden ones included (callers decide how to show them)."""

    async def search_answered(self, room: str, terms: list[str], limit: int = 5) -> list[Thread]:
        """Answered or resolved threads of `room` sharing the most `terms` (search stems)."""

    async def events_since(self, room: str, since: int, limit: int = 500) -> list[Event]:
        """Events with seq > since, in seq order, at most `limit`."""

    # writes: each returns the event it appended
    async def insert_thread(self, thread: Thread, terms: list[str]) -> Event:
        """Store a new thread; sets `thread.seq`. Raises DuplicateClientId."""

    async def insert_message(self, message: Message, thread: Thread) -> Event:
        """Store a message and the thread changes it caused (answer count, status, version).

        Raises DuplicateClientId, or Conflict if the thread changed since it was read.
        """

    async def update_thread(self, thread: Thread) -> Event:
        """Save a thread read at `thread.version`; Conflict if someone changed it meanwhile.

        On success `thread.version` is incremented.
        """

    async def set_vote(self, message_id: str, voter_id: str, value: int) -> tuple[Message, Event]:
        """Record one person's vote (1 helpful, 0 withdrawn) and return the recounted message."""

    async def update_message(self, message: Message) -> Event:
        """Save a changed message (hidden/restored) and append `message.updated`."""
