"""A write that returned is visible to every later read, however reads interleave.

The outside review saw sockets opened with a freshly issued token treated as anonymous when
many visitors connected at once: a read that overlapped another read still saw the database
as it was before the visitor was committed.
"""

from __future__ import annotations

import asyncio

from app.domain.models import Visitor, utcnow
from app.store.port import Store

from .helpers import WATCH, Factory


async def test_a_committed_visitor_is_found_while_other_reads_run(
    store: Store, make: Factory
) -> None:
    for n in range(30):
        await make.ask(f"question {n}")
    missing: list[str] = []
    stop = asyncio.Event()

    async def busy_reader() -> None:
        while not stop.is_set():
            await store.list_threads(WATCH, limit=30)
            await asyncio.sleep(0)  # an in-memory stand-in never yields on its own

    async def create_then_read(n: int) -> None:
        visitor = Visitor(f"v{n}", f"Visitor {n}", utcnow())
        await store.add_visitor(visitor)
        if await store.get_visitor(visitor.id) is None:
            missing.append(visitor.id)

    readers = [asyncio.create_task(busy_reader()) for _ in range(4)]
    try:
        await asyncio.gather(*(create_then_read(n) for n in range(150)))
    finally:
        stop.set()
        await asyncio.gather(*readers)
    assert missing == []
