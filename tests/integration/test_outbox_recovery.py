"""A crash between commit and dispatch loses nothing: what a process committed but never
delivered (points, here) is delivered when the product next starts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.domain.models import Visitor
from app.factory import create_app
from app.realtime.server import stop_server
from app.services import payloads as p
from app.services.bus import AnswerPosted
from tests.conftest import server_overrides
from tests.integration.test_rewards_api import get
from tests.support import PRODUCT, LiveServer


async def die_after_an_answer(overrides: dict[str, Any], *, vote: bool) -> Visitor:
    """A process that commits a question, its answer (and a helpful vote) and dies before
    its dispatcher delivers any of them; the helper who answered."""
    dying = create_app(overrides).services
    await dying.store.open()
    asker, _ = await dying.identity.create_visitor("Camille")
    helper, _ = await dying.identity.create_visitor("Éloïse")
    room = await dying.qa.open_room(p.Join(room="montre-maree", product=p.ProductInfo(**PRODUCT)))
    thread = (await dying.qa.ask(asker, {"room": room.key, "body": "Étanche ?",
                                         "client_id": "c-thread-1"})).thread  # fmt: skip
    posted = await dying.qa.answer(
        helper, {"thread_id": thread.id, "body": "Oui, 30 m.", "client_id": "c-answer-1"}
    )
    assert posted.message is not None
    if vote:
        await dying.qa.vote(asker, {"message_id": posted.message.id, "value": 1})
    await dying.store.close()
    return helper


async def test_points_committed_by_a_process_that_died_are_given_at_the_next_start(
    tmp_path: Path,
) -> None:
    overrides = server_overrides(tmp_path)
    helper = await die_after_an_answer(overrides, vote=True)

    server = LiveServer(overrides)
    server.start()
    try:
        await server.settled()
        explained = await get(server.url, f"/api/v1/visitors/{helper.id}/points")
        assert explained["total"] == 2 + 5 + 5, explained  # answer + fast first + helpful
    finally:
        server.stop()


async def test_two_processes_recovering_together_deliver_a_dead_ones_items_once(
    tmp_path: Path, redis_url: str
) -> None:
    """Processes that share Redis take turns at recovery: a dead process's answer reaches
    its asker's notification (and every other listener) once, not once per process."""
    overrides = server_overrides(tmp_path)
    await die_after_an_answer(overrides, vote=False)

    apps = [create_app({**overrides, "redis_url": redis_url}) for _ in range(2)]
    survivors = [app.services for app in apps]
    delivered: list[str] = []
    for services in survivors:
        await services.store.open()

        async def record(posted: AnswerPosted) -> None:
            delivered.append(posted.message.id)

        services.bus.subscribe(AnswerPosted.name, record)
    try:
        now = timedelta(0)  # the dead process's items count as stale at once
        passes = await asyncio.gather(*(s.dispatcher.recover_stale(now) for s in survivors))
        assert None in passes  # one process recovered, the other left it to it
        assert len(delivered) == 1
        assert [await s.dispatcher.recover_stale(now) for s in survivors] == [0, 0]  # done
    finally:
        for app in apps:  # what the app's lifespan closes (it was not served)
            await stop_server(app.sio)  # its Redis manager published the notification
            await app.services.store.close()
            await app.quart.extensions["entraide.redis"].aclose()
