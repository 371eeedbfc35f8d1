"""What the shop says its customers bought, and the questions sent to those owners (see the
SQLite twin).

Collections: `shop_customers` (`_id` = customer id), `purchases` (`_id` = "<room>:<customer>")
and `owner_asks` (`_id` = "<thread>:<customer>"; customer "" marks a question with nobody to
ask). Questions to send are read from the partial index `threads_unanswered` page by page,
dropping those already in `owner_asks`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from app.domain.mail import ShopCustomer
from app.domain.models import Thread, ThreadStatus
from app.store.mongo.base import Doc, MongoBase, check_str, utc, utc_or_none

NOBODY = ""
PAGE = 200


def _customer(d: Mapping[str, Any]) -> ShopCustomer:
    return ShopCustomer(d["_id"], d["email"], d["lang"], bool(d["owner_questions"]),
                        utc(d["updated_at"]), utc_or_none(d["consent_at"]))  # fmt: skip


class MongoOwners(MongoBase):
    @property
    def _customers(self) -> AsyncCollection[Doc]:
        return self._in_unit("shop_customers")

    @property
    def _purchases(self) -> AsyncCollection[Doc]:
        return self._in_unit("purchases")

    @property
    def _owner_asks(self) -> AsyncCollection[Doc]:
        return self._in_unit("owner_asks")

    async def save_customer(self, customer: ShopCustomer, purchased: Sequence[str]) -> None:
        c = customer
        async with self.atomic():
            await self._customers.replace_one(
                {"_id": check_str(c.customer_id, "customer id")},
                {"email": c.email, "lang": c.lang, "owner_questions": c.owner_questions,
                 "updated_at": c.updated_at, "consent_at": c.consent_at},
                upsert=True,
            )  # fmt: skip
            for room in dict.fromkeys(purchased):
                await self._purchases.update_one(
                    {"_id": f"{check_str(room, 'room')}:{c.customer_id}"},
                    {"$setOnInsert": {"room": room, "customer_id": c.customer_id,
                                      "at": c.updated_at}},
                    upsert=True,
                )  # fmt: skip

    async def get_customer(self, customer_id: str) -> ShopCustomer | None:
        doc = await self._customers.find_one({"_id": check_str(customer_id, "customer id")})
        return None if doc is None else _customer(doc)

    async def purchases(self, customer_id: str) -> list[str]:
        docs = self._purchases.find({"customer_id": check_str(customer_id, "customer id")})
        return sorted(d["room"] for d in await docs.to_list(None))

    async def has_purchased(self, customer_id: str, room: str) -> bool:
        found = await self._purchases.find_one(
            {"_id": f"{check_str(room, 'room')}:{check_str(customer_id, 'customer id')}"}
        )
        return found is not None

    async def owners_of(self, room: str, limit: int, offset: int = 0) -> list[ShopCustomer]:
        found: list[ShopCustomer] = []
        skipped = 0
        cursor = self._purchases.find({"room": check_str(room, "room")}).sort(
            [("at", DESCENDING), ("customer_id", ASCENDING)]
        )
        for purchase in await cursor.to_list(None):
            doc = await self._customers.find_one(
                {"_id": purchase["customer_id"], "owner_questions": True}
            )
            if doc is not None and skipped < offset:
                skipped += 1
            elif doc is not None:
                found.append(_customer(doc))
                if len(found) >= limit:
                    break
        return found

    async def unanswered_threads(
        self, created_after: datetime, created_before: datetime, limit: int
    ) -> list[Thread]:
        found: list[Thread] = []
        after = created_after
        while len(found) < limit:
            page = await self._find_threads(
                {"answer_count": 0, "status": ThreadStatus.OPEN.value,
                 "created_at": {"$gt": after, "$lte": created_before}},
                [("created_at", ASCENDING)], PAGE,
            )  # fmt: skip
            if not page:
                break
            asked = {d["thread_id"] for d in await self._owner_asks.find(
                {"thread_id": {"$in": [t.id for t in page]}}, {"thread_id": 1}
            ).to_list(None)}  # fmt: skip
            found += [t for t in page if t.id not in asked and not t.held]
            after = page[-1].created_at
            if len(page) < PAGE:
                break
        return found[:limit]

    async def record_owner_asks(
        self, thread_id: str, asks: Sequence[tuple[str, str]], at: datetime
    ) -> None:
        rows: list[tuple[str, str | None]] = [*asks] or [(NOBODY, None)]
        docs = [{"_id": f"{check_str(thread_id, 'thread id')}:{customer}", "thread_id": thread_id,
                 "customer_id": customer, "nonce": nonce, "asked_at": at, "used_at": None}
                for customer, nonce in rows]  # fmt: skip
        with contextlib.suppress(BulkWriteError):  # already recorded: another worker asked
            await self._owner_asks.insert_many(docs, ordered=False)

    async def use_invitation(
        self, thread_id: str, customer_id: str, nonce: str, at: datetime
    ) -> bool:
        result = await self._owner_asks.update_one(
            {"_id": f"{check_str(thread_id, 'thread id')}:{check_str(customer_id, 'customer')}",
             "nonce": check_str(nonce, "nonce"), "used_at": None},
            {"$set": {"used_at": at}},
        )  # fmt: skip
        return result.modified_count == 1
