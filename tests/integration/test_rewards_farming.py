"""Points nobody should earn, over the real HTTP and Socket.IO API (issue 8, defects 5 and 7).

- Farming with throwaway identities: a farmer's throwaway visitors, created from the
  farmer's network, ask, vote and accept to push the farmer up the weekly board. Throwaways
  from one other network count as one giver. A shopper from another network still gives
  the farmer points (docs/rewards.md, "Throwaway identities").
- A banned author earns nothing from votes and accepts cast during the ban; after the ban is
  lifted, new votes count again. A new visitor's vote waits for their first post and is
  then judged by the ban as it was when cast, however late rewards get to it.

Each visitor is created with `X-Forwarded-For` from loopback, which the test server trusts
as a deployment trusts its proxy (uvicorn's `forwarded_allow_ips`, 127.0.0.1 by default):
that is how the server sees a shopper's own address. Points are read from the public weekly
board with a deadline: rewards may be written after the acknowledgement. The fact a test
checks last comes from someone else (a vote from another network, or after the ban), so once
its points show, the earlier facts have been scored too.
"""

from __future__ import annotations

import asyncio
import math
import threading
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.services.bus import RoomChanged, VoteCast
from tests.support import (
    DEADLINE,
    PRODUCT,
    Client,
    LiveServer,
    StaffClient,
    cid,
    connect,
    eventually,
)

ROOM = "montre-maree"
# docs/rewards.md defaults
ANSWER, HELPFUL, ACCEPTED, FAST, DAILY_CAP = 2, 5, 15, 5, 20
THREAD = ANSWER + FAST + HELPFUL + ACCEPTED  # one helped, accepted thread: 27

FARMER_ADDRESS = "81.250.40.7"
SHOPPER_ADDRESS = "2a01:cb08:8a1:c00::17"  # a real asker, on her own network
HELPER_ADDRESS = "176.143.2.9"
VOTER_ADDRESS = "78.192.7.44"


async def weekly_board(url: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}/api/v1/leaderboard", params={"period": "week"}) as resp,
    ):
        assert resp.status == 200, await resp.text()
        board: dict[str, Any] = await resp.json()
        return board


def points(board: dict[str, Any]) -> dict[str, int]:
    return {e["user"]["id"]: e["points"] for e in board["entries"]}


@pytest.fixture(autouse=True, params=["as committed", "gathered"])
def delivery(request: pytest.FixtureRequest, server: LiveServer) -> None:
    """Each test twice: with commits delivered as they come, and with every delivery
    gathering the commits of the next 5 ms, as after a hot room's fan-out
    (services/outbox.py): rewards must not depend on how commits are batched."""
    assert server.app is not None
    if request.param == "gathered":
        dispatcher = server.app.services.dispatcher
        dispatcher.heavy, dispatcher.recent = 0.0, math.inf


@pytest.fixture
def visitor_from(server: LiveServer, clients: list[Client]) -> Any:
    """Factory: `await visitor_from("Camille", "81.250.40.7")` -> (visitor, joined Client),
    the visitor created from that client address."""

    async def make(name: str, address: str | None = None) -> tuple[dict[str, Any], Client]:
        headers = {"X-Forwarded-For": address} if address else {}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{server.url}/api/v1/visitors", json={"name": name}, headers=headers
            ) as resp,
        ):
            assert resp.status == 201, await resp.text()
            visitor: dict[str, Any] = await resp.json()
        client = await connect(server.url, visitor["token"])
        clients.append(client)
        joined = await client.call("join", {"room": ROOM, "product": PRODUCT})
        assert joined["ok"], joined
        return visitor, client

    return make


async def ask(client: Client, body: str) -> str:
    asked = await client.call("ask", {"room": ROOM, "body": body, "client_id": cid()})
    assert asked["ok"] and not asked.get("held"), asked
    thread_id: str = asked["thread"]["id"]
    return thread_id


async def answer(client: Client, thread_id: str, body: str) -> str:
    answered = await client.call(
        "answer", {"thread_id": thread_id, "client_id": cid(), "body": body}
    )
    assert answered["ok"] and not answered.get("held"), answered
    message_id: str = answered["message"]["id"]
    return message_id


async def vote(client: Client, message_id: str) -> None:
    voted = await client.call("vote", {"message_id": message_id, "value": 1})
    assert voted["ok"], voted


async def accept(client: Client, message_id: str) -> None:
    accepted = await client.call("accept", {"message_id": message_id})
    assert accepted["ok"], accepted


async def answered_question(
    server: LiveServer, visitor_from: Any, question: str, reply: str
) -> tuple[Client, str, str]:
    """Camille asks, Éloïse answers, and the answer's points show on the weekly board:
    (Camille's client, Éloïse's id, the answer's id)."""
    _, asker = await visitor_from("Camille")
    author, author_client = await visitor_from("Éloïse")
    message_id = await answer(author_client, await ask(asker, question), reply)
    await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b).get(author["id"]) == ANSWER + FAST,
        "the answer's points",
    )
    return asker, author["id"], message_id


async def helped_thread(visitor_from: Any) -> str:
    """A real shopper asks, a helper on another network answers; she votes and accepts."""
    _, shopper = await visitor_from("Camille", SHOPPER_ADDRESS)
    helper, helper_client = await visitor_from("Éloïse", HELPER_ADDRESS)
    thread_id = await ask(shopper, "Cette montre est-elle étanche pour la plongée ?")
    message_id = await answer(helper_client, thread_id, "Oui, je plonge avec jusqu'à 30 m.")
    await vote(shopper, message_id)
    await accept(shopper, message_id)
    helper_id: str = helper["id"]
    return helper_id


QUESTIONS = [
    ("Le bracelet est-il réglable ?", "Oui, il se raccourcit avec un outil fourni."),
    ("La pile tient combien de temps ?", "Environ trois ans selon ma propre expérience."),
    ("Peut-on nager avec en mer ?", "Sans problème, rincez-la ensuite à l'eau douce."),
    ("Le cadran est-il lisible la nuit ?", "Les aiguilles sont luminescentes, très lisibles."),
    ("Existe-t-il une taille enfant ?", "Non, mais le modèle 36 mm convient aux poignets fins."),
]


async def farm(visitor_from: Any, farmer: Client, addresses: list[str]) -> list[str]:
    """One throwaway per address: it asks (so its votes count), the farmer answers at once,
    the throwaway votes helpful and accepts. Returns the farmer's answers."""
    answers = []
    for n, (address, (question, reply)) in enumerate(zip(addresses, QUESTIONS, strict=True)):
        _, throwaway = await visitor_from(f"Client {n}", address)
        thread_id = await ask(throwaway, question)
        message_id = await answer(farmer, thread_id, reply)
        await vote(throwaway, message_id)
        await accept(throwaway, message_id)
        answers.append(message_id)
    return answers


async def thanked_from_elsewhere(visitor_from: Any, message_id: str) -> None:
    """A shopper on another network, who has taken part, finds the answer helpful."""
    _, voter = await visitor_from("Hugo", VOTER_ADDRESS)
    await ask(voter, "Existe-t-il une version avec un cadran bleu ?")
    await vote(voter, message_id)


async def test_throwaway_identities_from_the_farmers_network_do_not_top_the_board(
    server: LiveServer, visitor_from: Any
) -> None:
    """The reported attack: five new visitors from the farmer's address vote for and accept
    the farmer's answers (135 points and first place before the fix)."""
    helper_id = await helped_thread(visitor_from)
    farmer, farmer_client = await visitor_from("Farmer", FARMER_ADDRESS)
    answers = await farm(visitor_from, farmer_client, [FARMER_ADDRESS] * 5)
    await thanked_from_elsewhere(visitor_from, answers[0])

    board = await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b).get(farmer["id"]) == HELPFUL and points(b).get(helper_id) == THREAD,
        "the farmer earns only the vote from another network",
    )
    assert board["entries"][0]["user"]["id"] == helper_id
    assert points(board) == {helper_id: THREAD, farmer["id"]: HELPFUL}
    # Privacy: the server kept a keyed hash of each network, never an address.
    database = Path(server.overrides["database_url"].removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for address in (FARMER_ADDRESS, SHOPPER_ADDRESS, HELPER_ADDRESS, VOTER_ADDRESS):
        assert address.rsplit(".", 1)[0].encode() not in stored
        assert address.rsplit(":", 2)[0].encode() not in stored


@pytest.mark.parametrize(
    "network",
    [
        [f"90.12.40.{n}" for n in range(11, 16)],  # five addresses in one IPv4 /24
        [f"2a01:e0a:5c3:1a0::{n:x}" for n in range(11, 16)],  # five in one IPv6 /64
    ],
    ids=["ipv4", "ipv6"],
)
async def test_throwaways_from_one_other_network_give_as_one_person(
    server: LiveServer, visitor_from: Any, network: list[str]
) -> None:
    """The farmer moves the throwaways to another network (a phone's data, a neighbour's
    box): together they give at most what one person may give in a day."""
    farmer, farmer_client = await visitor_from("Farmer", FARMER_ADDRESS)
    answers = await farm(visitor_from, farmer_client, network)
    await thanked_from_elsewhere(visitor_from, answers[0])

    # Answering five questions quickly is real work (answer + fast first answer each); the
    # thanks of the five throwaways are one person's: the daily cap.
    expected = 5 * (ANSWER + FAST) + DAILY_CAP + HELPFUL
    board = await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b) == {farmer["id"]: expected},
        "the throwaways' thanks counted as one person's",
    )
    assert board["entries"][0]["points"] < 5 * THREAD


async def test_a_banned_author_earns_nothing_from_votes_and_accepts_during_the_ban(
    server: LiveServer, visitor_from: Any, staff: StaffClient
) -> None:
    asker, author_id, message_id = await answered_question(
        server, visitor_from, "Le verre est-il en saphir ?", "Oui, saphir traité antireflet."
    )

    banned = await staff.post(
        f"/api/v1/staff/visitors/{author_id}/ban", {"days": 3, "reason": "spam elsewhere"}
    )
    assert banned["visitor"]["banned_until"]
    await eventually(
        lambda: weekly_board(server.url),
        lambda b: author_id not in points(b),
        "the ban takes the author's points back",
    )
    # During the ban, someone who has taken part finds the answer helpful, and the asker
    # accepts it: both actions stand, neither pays the banned author.
    _, hugo = await visitor_from("Hugo")
    await ask(hugo, "Et le fond, il est vissé ?")
    await vote(hugo, message_id)
    await accept(asker, message_id)

    await staff.post(f"/api/v1/staff/visitors/{author_id}/unban")
    # After the ban, a new vote counts again.
    _, lea = await visitor_from("Léa")
    await ask(lea, "La couronne est-elle vissée ?")
    await vote(lea, message_id)

    # Lifting the ban gives back what it took (answer + fast first answer), plus Léa's vote;
    # Hugo's vote and Camille's accept, cast during the ban, never count.
    await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b).get(author_id) == ANSWER + FAST + HELPFUL,
        "only the answer and the vote after the ban",
    )


async def test_votes_and_accepts_made_before_a_ban_count_once_it_is_lifted(
    server: LiveServer, visitor_from: Any, staff: StaffClient
) -> None:
    """A vote and an accept committed before a ban but scored after it (rewards run after
    commit, in commit order, whenever the dispatcher gets to them) are the author's: the
    ban takes them back with the rest, and lifting it gives them back."""
    assert server.app is not None
    asker, author_id, message_id = await answered_question(
        server, visitor_from, "Le bracelet est-il en titane ?", "Oui, titane grade 2, très léger."
    )
    # A busy dispatcher: it is held on Hugo's question while the vote, the accept and the
    # ban commit behind it (a listener of the server's own bus, on the server's loop).
    hugo, hugo_client = await visitor_from("Hugo")
    release = threading.Event()

    async def busy(change: RoomChanged) -> None:
        if change.thread.author_id == hugo["id"]:
            await asyncio.to_thread(release.wait, DEADLINE)

    server.app.services.bus.subscribe(RoomChanged.name, busy)
    try:
        await ask(hugo_client, "Et la boucle, elle est en titane aussi ?")
        await vote(hugo_client, message_id)
        await accept(asker, message_id)
        await staff.post(f"/api/v1/staff/visitors/{author_id}/ban", {"days": 3, "reason": "test"})
    finally:
        release.set()
    await server.settled()
    assert author_id not in points(await weekly_board(server.url))
    await staff.post(f"/api/v1/staff/visitors/{author_id}/unban")
    await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b).get(author_id) == ANSWER + FAST + HELPFUL + ACCEPTED,
        "everything earned before the ban, back",
    )


async def test_a_new_visitors_vote_cast_during_a_ban_never_counts(
    server: LiveServer, visitor_from: Any, staff: StaffClient
) -> None:
    """Hugo has not taken part yet when he votes during the ban: his vote waits for his
    first question, asked after the unban. Released then, it still never counts."""
    _, author_id, message_id = await answered_question(
        server, visitor_from, "Le boîtier est-il en acier ?", "Oui, acier 316L brossé."
    )
    await staff.post(f"/api/v1/staff/visitors/{author_id}/ban", {"days": 3, "reason": "test"})
    _, hugo = await visitor_from("Hugo")
    await vote(hugo, message_id)
    await staff.post(f"/api/v1/staff/visitors/{author_id}/unban")
    await ask(hugo, "Et le verre, saphir ?")
    await server.settled()
    assert points(await weekly_board(server.url)).get(author_id) == ANSWER + FAST


async def test_a_new_visitors_vote_cast_before_a_ban_counts_once_it_is_lifted(
    server: LiveServer, visitor_from: Any, staff: StaffClient
) -> None:
    """Hugo votes before the ban and takes part during it: his vote is released during
    the ban, which takes it with the rest, and lifting the ban gives it back."""
    _, author_id, message_id = await answered_question(
        server, visitor_from, "La lunette est-elle tournante ?", "Oui, unidirectionnelle."
    )
    _, hugo = await visitor_from("Hugo")
    await vote(hugo, message_id)
    await staff.post(f"/api/v1/staff/visitors/{author_id}/ban", {"days": 3, "reason": "test"})
    await ask(hugo, "Et le bracelet, il est en acier ?")
    await server.settled()
    assert author_id not in points(await weekly_board(server.url))
    await staff.post(f"/api/v1/staff/visitors/{author_id}/unban")
    await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b).get(author_id) == ANSWER + FAST + HELPFUL,
        "the answer and Hugo's vote, back",
    )


async def test_a_new_visitors_vote_counts_when_they_post_twice_before_rewards_catch_up(
    server: LiveServer, visitor_from: Any
) -> None:
    """Hugo votes before taking part, then asks twice while the dispatcher is still busy
    with his vote: when rewards reach his first question, two are stored. The first one
    still releases his vote."""
    assert server.app is not None
    _, author_id, message_id = await answered_question(
        server, visitor_from, "Le cadran est-il lumineux ?", "Oui, Super-LumiNova sur les index."
    )
    hugo, hugo_client = await visitor_from("Hugo")
    release = threading.Event()

    async def busy(cast: VoteCast) -> None:
        if cast.voter_id == hugo["id"]:
            await asyncio.to_thread(release.wait, DEADLINE)

    server.app.services.bus.subscribe(VoteCast.name, busy)
    try:
        await vote(hugo_client, message_id)
        await ask(hugo_client, "Et la réserve de marche ?")
        await ask(hugo_client, "Et l'étanchéité, 100 m ?")
    finally:
        release.set()
    await eventually(
        lambda: weekly_board(server.url),
        lambda b: points(b).get(author_id) == ANSWER + FAST + HELPFUL,
        "Hugo's vote, released at his first question",
    )
