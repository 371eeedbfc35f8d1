"""When a broadcast may bypass a socket's queue: only when no packet is on its way."""

from __future__ import annotations

import asyncio

from app.realtime.broadcast import text_frame, writer_idle
from app.realtime.lean import Mailbox


async def test_writer_parked_in_get_is_idle() -> None:
    queue: Mailbox[str] = Mailbox()
    # As engine.io's writer waits (AsyncSocket.poll): get() under wait_for.
    writer = asyncio.create_task(asyncio.wait_for(queue.get(), 45))
    await asyncio.sleep(0)  # one loop turn: the writer reaches get() and parks
    assert writer_idle(queue)
    queue.put_nowait("4ack")
    # Handed to the writer but not written yet: a direct frame now would overtake it.
    assert not writer_idle(queue)
    assert await writer == "4ack"
    assert not writer_idle(queue)  # the writer is busy writing, not parked


async def test_queued_packets_keep_the_queue() -> None:
    queue: Mailbox[str] = Mailbox()
    queue.put_nowait("4event")
    assert not writer_idle(queue)


def test_text_frame_is_an_unmasked_final_text_frame() -> None:
    short = text_frame("42/widget,[]")
    assert short[0] == 0x81 and short[1] == len("42/widget,[]") and short[2:] == b"42/widget,[]"
    long = text_frame("é" * 200)  # 400 bytes: 16-bit length
    assert long[:4] == bytes([0x81, 126, 0x01, 0x90]) and len(long) == 404
