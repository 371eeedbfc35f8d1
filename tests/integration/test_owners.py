"""Ask the owners, through the public protocol and a real SMTP server: the shop's purchase
feed, questions nobody answered e-mailed to up to five consenting owners (never the asker,
one such e-mail per owner per day), the one-use invitation that makes them a verified owner,
the "bought it" mark on their answers, and everything the feed and the invitation refuse."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest

from app.domain.mail import MailKind, ShopCustomer, address_key
from app.domain.models import Room, Thread, utcnow
from app.domain.text import search_terms
from app.services.identity import shopper_signature
from app.services.mail_compose import MailComposer
from app.services.mail_links import MailLinks
from app.services.owners import Owners
from app.store.sqlite import SqliteStore
from moderation.thresholds import CategoryThresholds
from tests.conftest import server_overrides
from tests.mailbox import Mailbox, links, text_of
from tests.support import PRODUCT, LiveServer, cid, connect

ROOM = "montre-peche"
SHOP_KEY = "shop-key-" + "k" * 32
SHOP_SECRET = "shopper-secret-" + "s" * 20


@pytest.fixture
def server(tmp_path: Path, mailbox: Mailbox) -> Iterator[LiveServer]:
    moderation = {"default": {"owner_ask_after_minutes": 0.001}}
    srv = LiveServer(server_overrides(
        tmp_path, smtp_url=mailbox.url, shop_api_key=SHOP_KEY, shopper_secret=SHOP_SECRET,
        moderation=json.dumps(moderation), sweep_seconds=0.1,
    ))  # fmt: skip
    srv.overrides["public_url"] = srv.url
    srv.start()
    yield srv
    srv.stop()


async def post(server: LiveServer, path: str, body: Any, headers: dict[str, str] | None = None
               ) -> tuple[int, Any]:  # fmt: skip
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.url + path, json=body, headers=headers or {}) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def feed(server: LiveServer, body: Any, key: str = SHOP_KEY) -> tuple[int, Any]:
    return await post(server, "/api/v1/shop/customers", body, {"Authorization": f"Bearer {key}"})


def customer(n: int, rooms: list[str], consent: bool = True) -> dict[str, Any]:
    return {"customer_id": f"client-{n}", "email": f"owner{n}@example.org", "lang": "fr",
            "purchased": rooms, "owner_questions": consent}  # fmt: skip


async def asker(server: LiveServer, customer_id: str | None = None) -> tuple[dict[str, Any], Any]:
    body: dict[str, Any] = {"name": "Camille"}
    if customer_id:
        body["shopper"] = f"{customer_id}.{shopper_signature(SHOP_SECRET, customer_id)}"
    status, visitor = await post(server, "/api/v1/visitors", body)
    assert status == 201, visitor
    client = await connect(server.url, visitor["token"])
    assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    return visitor, client


async def ask(client: Any, body: str) -> dict[str, Any]:
    ack = await client.call("ask", {"room": ROOM, "body": body, "client_id": cid()})
    assert ack["ok"], ack
    return ack["thread"]  # type: ignore[no-any-return]


def invite_of(message: Any) -> tuple[str, str]:
    """(thread id, invitation) from an owner e-mail's link."""
    link = next(u for u in links(message) if "entraide-invite=" in u)
    fragment = dict(part.split("=", 1) for part in link.split("#", 1)[1].split("&"))
    return fragment["entraide-thread"], unquote(fragment["entraide-invite"])


async def test_an_unanswered_question_reaches_five_owners_and_one_answers_as_owner(
    server: LiveServer, mailbox: Mailbox, clients: list[Any]
) -> None:
    # client-0 is the asker; 1..6 bought the watch and agree; 7 bought it but does not
    # agree; 8 bought something else.
    for n in range(7):
        status, body = await feed(server, customer(n, [ROOM]))
        assert status == 200 and body["purchased"] == [ROOM], body
    await feed(server, customer(7, [ROOM], consent=False))
    await feed(server, customer(8, ["canne-carpe"]))
    _, asking = await asker(server, "client-0")
    clients.append(asking)
    thread = await ask(asking, "La lunette tourne-t-elle dans les deux sens ?")

    owners = [f"owner{n}@example.org" for n in range(1, 7)]
    await mailbox.wait_until_async(lambda: sum(len(mailbox.to(o)) for o in owners) == 5)
    mailed = [o for o in owners if mailbox.to(o)]
    assert len(mailed) == 5 and not mailbox.to("owner0@example.org")  # never the asker
    assert not mailbox.to("owner7@example.org") and not mailbox.to("owner8@example.org")
    [first] = mailbox.to(mailed[0])
    assert first["Subject"] == "Vous avez acheté Montre de pêche : pouvez-vous aider un client ?"
    assert "La lunette tourne-t-elle dans les deux sens ?" in text_of(first)
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    thread_id, invite = invite_of(first)
    assert thread_id == thread["id"]

    # The invitation makes a verified owner, once.
    status, owner = await post(server, "/api/v1/visitors", {"name": "Marc", "invite": invite})
    assert status == 201, owner
    status, again = await post(server, "/api/v1/visitors", {"name": "Marc", "invite": invite})
    assert status == 400 and again["error"]["field"] == "invite", again
    answering = await connect(server.url, owner["token"])
    clients.append(answering)
    ack = await answering.call("answer", {"thread_id": thread_id, "body": "Non, un seul sens.",
                                          "client_id": cid()})  # fmt: skip
    assert ack["ok"] and ack["message"]["author"]["verified_owner"] is True, ack
    event = await asking.wait_for("event", lambda e: e["type"] == "message.created")
    assert event["data"]["author"]["verified_owner"] is True
    # An answer by someone who did not buy it carries no such mark.
    status, stranger = await post(server, "/api/v1/visitors", {"name": "Léa"})
    helping = await connect(server.url, stranger["token"])
    clients.append(helping)
    ack = await helping.call("answer", {"thread_id": thread_id, "body": "Je crois que si.",
                                        "client_id": cid()})  # fmt: skip
    assert ack["ok"] and ack["message"]["author"]["verified_owner"] is False

    # A second question the same day: only the owner not e-mailed yet today gets it.
    await ask(asking, "Le verre est-il traité anti-reflet ?")
    [rest] = [o for o in owners if o not in mailed]
    await mailbox.wait_until_async(lambda: len(mailbox.to(rest)) == 1)
    await server.settled()
    assert all(len(mailbox.to(o)) == 1 for o in owners)


async def test_the_purchase_feed_refuses_bad_calls_and_stores_nothing(
    server: LiveServer, mailbox: Mailbox
) -> None:
    good = customer(1, [ROOM])
    assert (await feed(server, good, key="wrong-key-" + "x" * 30))[0] == 401
    status, body = await post(server, "/api/v1/shop/customers", good)  # no key
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = await post(server, "/api/v1/shop/customers", good,
                              {"Authorization": "Basic " + SHOP_KEY})  # fmt: skip
    assert status == 401
    for bad in (
        {**good, "customer_id": "bad id!"},
        {**good, "customer_id": "x" * 101},
        {**good, "email": "pas-une-adresse"},
        {**good, "email": "a" * 300 + "@example.org"},
        {**good, "purchased": [f"produit-{i}" for i in range(501)]},
        {**good, "purchased": ["bad room key!"]},
        {**good, "purchased": "montre-peche"},
        {**good, "owner_questions": "yes"},
        {**good, "lang": "de"},
        {**good, "admin": True},
        {"customer_id": "client-1"},
        [good],
    ):
        status, body = await feed(server, bad)
        assert status == 400 and body["error"]["code"] == "invalid", (bad, body)
    status, body = await feed(server, {**good, "purchased": ["canne-carpe"]})
    assert status == 200 and body["purchased"] == ["canne-carpe"]  # nothing else was stored


async def test_tampered_and_foreign_invitations_are_refused(
    server: LiveServer, mailbox: Mailbox, clients: list[Any]
) -> None:
    await feed(server, customer(1, [ROOM]))
    _, asking = await asker(server)
    clients.append(asking)
    await ask(asking, "Fonctionne-t-elle en eau salée ?")
    [mail] = await mailbox.wait_for("owner1@example.org")
    _, invite = invite_of(mail)
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    token = unsubscribe.split("token=", 1)[1].split("&", 1)[0]
    for bad in (invite[:-2] + "xx", invite[:10], "x" * 2001, unquote(token)):
        status, body = await post(server, "/api/v1/visitors", {"name": "Marc", "invite": bad})
        assert status == 400 and body["error"]["code"] == "invalid", (bad[:20], body)
    shopper = f"client-1.{shopper_signature(SHOP_SECRET, 'client-1')}"
    status, body = await post(server, "/api/v1/visitors",
                              {"name": "Marc", "invite": invite, "shopper": shopper})  # fmt: skip
    assert status == 400
    status, body = await post(server, "/api/v1/visitors", {"name": "", "invite": invite})
    assert status == 400
    status, body = await post(server, "/api/v1/visitors", {"name": "Marc", "invite": invite})
    assert status == 201, body  # the refusals above did not spend it


@dataclass
class Job:
    """The owners service on a real store with the room, outside any server."""

    store: SqliteStore
    owners: Owners
    queued: asyncio.Event
    now: datetime

    async def unanswered(self, n: int = 0, body: str = "Étanche ?") -> None:
        """A published question nobody answered, asked an hour ago (minus n minutes)."""
        thread = Thread(id=f"{n:016x}", room=ROOM, author_id="v1", author_name="Camille",
                        body=body, client_id=f"c{n}",
                        created_at=self.now - timedelta(hours=1, minutes=n))  # fmt: skip
        await self.store.insert_thread(thread, search_terms(body))

    async def mailed(self, address: str) -> int:
        return await self.store.mails_since(self.now - timedelta(days=1), to=address)


@pytest.fixture
async def job(tmp_path: Path) -> AsyncIterator[Job]:
    store = SqliteStore(str(tmp_path / "owners.db"))
    await store.open()
    composer = MailComposer(MailLinks("s" * 40, "https://entraide.example"))
    queued = asyncio.Event()
    now = utcnow()
    await store.ensure_room(Room(ROOM, "Montre", "https://shop.example/montre", "montres", now))
    yield Job(store, Owners(store, composer, CategoryThresholds(), queued, SHOP_KEY), queued, now)
    await store.close()


async def test_owners_who_unsubscribed_or_did_not_agree_are_never_asked(job: Job) -> None:
    """The service against a real store: the suppression list is checked before anything."""
    for n, consent in ((1, True), (2, True), (3, False)):
        await job.owners.save_customer(customer(n, [ROOM], consent))
    await job.store.suppress(address_key("owner1@example.org"), MailKind.OWNER, job.now)
    await job.unanswered()
    assert await job.owners.tick() == 1
    assert await job.mailed("owner2@example.org") == 1
    for quiet in ("owner1@example.org", "owner3@example.org"):
        assert await job.mailed(quiet) == 0
    assert job.queued.is_set()
    assert await job.owners.tick() == 0  # a question is sent to owners once


async def test_when_the_newest_owners_are_used_up_older_ones_are_asked(job: Job) -> None:
    """25 buyers, the 20 newest unsubscribed: the question still reaches 5 (older) ones."""
    for n in range(25):  # fed oldest first: client-24 is the newest buyer
        await job.store.save_customer(
            ShopCustomer(f"client-{n}", f"owner{n}@example.org", "fr", True,
                         job.now - timedelta(minutes=100 - n), job.now), [ROOM],
        )  # fmt: skip
    for n in range(5, 25):
        await job.store.suppress(address_key(f"owner{n}@example.org"), MailKind.OWNER, job.now)
    await job.unanswered()
    assert await job.owners.tick() == 1
    assert [n for n in range(25) if await job.mailed(f"owner{n}@example.org")] == [0, 1, 2, 3, 4]


async def test_two_questions_in_one_tick_send_an_owner_one_email(job: Job) -> None:
    await job.owners.save_customer(customer(1, [ROOM]))
    await job.unanswered(0, "Question 0 ?")
    await job.unanswered(1, "Question 1 ?")
    assert await job.owners.tick() == 2  # both looked at, in one page
    assert await job.mailed("owner1@example.org") == 1
