"""Contract: the shop's customers and purchases, and the questions sent to owners."""

from __future__ import annotations

import dataclasses

from app.domain.mail import ShopCustomer
from app.store.port import Store

from .conftest import Backend
from .helpers import BAG, WATCH, Factory, at


def customer(cid: str, *, consent: bool = True, minutes: float = 0) -> ShopCustomer:
    return ShopCustomer(cid, f"{cid}@example.org", "fr", consent, at(minutes),
                        at(minutes) if consent else None)  # fmt: skip


async def test_customers_are_upserted_and_purchases_add_up(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    await store.save_customer(customer("c1"), [WATCH])
    await store.save_customer(dataclasses.replace(customer("c1"), email="new@example.org"),
                              [BAG, WATCH, BAG])  # fmt: skip
    await store.close()
    reopened = backend.make()  # survives a reopen
    await reopened.open()
    found = await reopened.get_customer("c1")
    assert found is not None and found.email == "new@example.org" and found.owner_questions
    assert found.consent_at == at(0)
    assert await reopened.purchases("c1") == sorted([BAG, WATCH])
    assert await reopened.get_customer("c2") is None
    assert await reopened.purchases("c2") == []
    await reopened.close()


async def test_owners_of_a_product_are_the_consenting_buyers_newest_first(store: Store) -> None:
    await store.save_customer(customer("old", minutes=1), [WATCH])
    await store.save_customer(customer("new", minutes=5), [WATCH])
    await store.save_customer(customer("no", consent=False, minutes=6), [WATCH])
    await store.save_customer(customer("bag", minutes=7), [BAG])
    assert [c.customer_id for c in await store.owners_of(WATCH, 5)] == ["new", "old"]
    assert [c.customer_id for c in await store.owners_of(WATCH, 1)] == ["new"]
    assert [c.customer_id for c in await store.owners_of(WATCH, 1, offset=1)] == ["old"]
    assert await store.owners_of(WATCH, 5, offset=2) == []
    assert [c.customer_id for c in await store.owners_of(BAG, 5)] == ["bag"]
    assert await store.owners_of("shop.example/nothing", 5) == []
    # consent withdrawn by a later call: no longer an owner to ask
    await store.save_customer(customer("new", consent=False, minutes=9), [])
    assert [c.customer_id for c in await store.owners_of(WATCH, 5)] == ["old"]


async def test_unanswered_questions_are_found_once_until_sent_to_owners(
    store: Store, make: Factory
) -> None:
    first, _ = await make.ask("Étanche ?")  # created at minute 1
    answered_one, _ = await make.ask("Quelle taille ?")  # minute 2, answered below
    await make.hold("Mon numéro de commande 123 ?")  # minute 3, held: never sent
    third, _ = await make.ask("Et le bracelet ?", room_key=BAG)  # minute 4
    await make.answer(answered_one)
    found = await store.unanswered_threads(at(0), at(10), 10)
    assert [t.id for t in found] == [first.id, third.id]
    assert [t.id for t in await store.unanswered_threads(at(0), at(10), 1)] == [first.id]
    assert [t.id for t in await store.unanswered_threads(at(1), at(10), 10)] == [third.id]
    assert await store.unanswered_threads(at(0), at(0.5), 10) == []

    await store.record_owner_asks(first.id, [("c1", "n1"), ("c2", "n2")], at(20))
    await store.record_owner_asks(third.id, [], at(20))  # nobody to ask: marked anyway
    await store.record_owner_asks(first.id, [("c1", "n1")], at(21))  # again: no error
    assert await store.unanswered_threads(at(0), at(10), 10) == []

    # an invitation is spent once, with its own nonce, by its own owner
    assert not await store.use_invitation(first.id, "c1", "n2", at(30))
    assert not await store.use_invitation(first.id, "c3", "n1", at(30))
    assert await store.use_invitation(first.id, "c1", "n1", at(30))
    assert not await store.use_invitation(first.id, "c1", "n1", at(31))
    assert await store.use_invitation(first.id, "c2", "n2", at(31))
