"""Mailbox and Flag stand in for asyncio.Queue and asyncio.Event on every connection: they
must behave as engine.io and uvicorn expect of those."""

from __future__ import annotations

import asyncio

import pytest

from app.realtime.lean import Flag, Mailbox


async def test_mailbox_is_first_in_first_out() -> None:
    box: Mailbox[int] = Mailbox()
    for n in range(3):
        await box.put(n)
    assert box.qsize() == 3 and not box.empty()
    assert [await box.get(), box.get_nowait(), await box.get()] == [0, 1, 2]
    assert box.empty()
    with pytest.raises(asyncio.QueueEmpty):
        box.get_nowait()


async def test_a_waiting_getter_is_handed_the_next_item() -> None:
    box: Mailbox[str] = Mailbox()
    getter = asyncio.ensure_future(box.get())
    await asyncio.sleep(0)
    assert box.parked()
    box.put_nowait("2")
    assert await getter == "2" and box.empty()


async def test_a_timed_out_getter_loses_nothing() -> None:
    """engine.io's writer waits under wait_for; an item put after the timeout stays queued."""
    box: Mailbox[str] = Mailbox()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(box.get(), 0.001)
    assert not box.parked()
    box.put_nowait("3probe")
    assert box.qsize() == 1 and await box.get() == "3probe"


async def test_join_waits_for_every_task_done() -> None:
    box: Mailbox[str] = Mailbox()
    await box.join()  # nothing put: returns at once
    box.put_nowait("a")
    box.put_nowait("b")
    joined = asyncio.ensure_future(box.join())
    box.get_nowait()
    box.task_done()
    await asyncio.sleep(0)
    assert not joined.done()
    box.get_nowait()
    box.task_done()
    await asyncio.wait_for(joined, 1)
    with pytest.raises(ValueError, match="too many times"):
        box.task_done()


async def test_flag_wakes_its_waiters_when_set() -> None:
    flag = Flag(True)
    assert await flag.wait()
    flag.clear()
    assert not flag.is_set()
    waiting = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    flag.set()
    assert await asyncio.wait_for(waiting, 1) and flag.is_set()
