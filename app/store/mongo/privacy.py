"""A visitor's data read whole (export) or erased everywhere, and content past retention
(see the SQLite twin). Bodies are emptied in place; the thread's search `terms` and its
`insight_terms` go with them; published changes get room events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from app.domain.models import EventType, Message, Thread, ThreadStatus, Visibility
from app.store.mongo.base import MongoBase, check_str, utc
from app.store.mongo.knowledge import drop_vectors
from app.store.mongo.qa import message_from
from app.store.mongo.review import _report_from
from insights.facts import Rating
from moderation.reports import Report

OLDEST_FIRST = [("created_at", ASCENDING), ("_id", ASCENDING)]


def _published_thread(doc: Mapping[str, Any]) -> bool:
    return not doc.get("held") and doc.get("status") != ThreadStatus.HIDDEN.value


class MongoPrivacy(MongoBase):
    # export ------------------------------------------------------------------------------
    async def visitor_threads(self, visitor_id: str) -> list[Thread]:
        return await self._find_threads(
            {"author_id": check_str(visitor_id, "visitor id")}, OLDEST_FIRST
        )

    async def visitor_messages(self, visitor_id: str) -> list[Message]:
        docs = self._messages.find({"author_id": check_str(visitor_id, "visitor id")})
        return [message_from(d) for d in await docs.sort(OLDEST_FIRST).to_list(None)]

    async def visitor_votes(self, visitor_id: str) -> list[tuple[str, int, datetime]]:
        docs = self._votes.find({"voter_id": check_str(visitor_id, "visitor id")})
        found = await docs.sort([("created_at", ASCENDING), ("message_id", ASCENDING)]).to_list(
            None
        )
        return [(d["message_id"], d["value"], utc(d["created_at"])) for d in found]

    async def visitor_ratings(self, visitor_id: str) -> list[Rating]:
        docs = self._in_unit("ratings").find({"visitor_id": check_str(visitor_id, "visitor")})
        return [
            Rating(d["_id"], d["visitor_id"], d["helpful"], d["would_have_contacted"], utc(d["at"]))
            for d in await docs.sort([("at", ASCENDING), ("_id", ASCENDING)]).to_list(None)
        ]

    async def visitor_reports(self, visitor_id: str) -> list[Report]:
        docs = self._reports.find({"reporter_id": check_str(visitor_id, "visitor id")})
        found = await docs.sort([("at", ASCENDING), ("_id", ASCENDING)]).to_list(None)
        return [_report_from(d) for d in found]

    # erasure -----------------------------------------------------------------------------
    async def erase_visitor(self, visitor_id: str, pseudonym: str, at: datetime) -> list[str]:
        check_str(visitor_id, "visitor id")
        async with self.atomic():
            before = await self._visitors.find_one({"_id": visitor_id}, {"shopper_id": 1})
            customer_id = before.get("shopper_id") if before else None
            if customer_id:  # what the shop told us about this person goes too
                customer = await self._in_unit("shop_customers").find_one_and_delete(
                    {"_id": customer_id}
                )
                await self._in_unit("purchases").delete_many({"customer_id": customer_id})
                await self._in_unit("owner_asks").delete_many({"customer_id": customer_id})
                if customer is not None:
                    await self._in_unit("mails").delete_many({"to": customer["email"]})
            await self._visitors.update_one(
                {"_id": visitor_id},
                {"$set": {"name": pseudonym, "shopper_id": None, "network_key": None,
                          "erased_at": at}},
            )  # fmt: skip
            threads = await self._threads.find(
                {"author_id": visitor_id}, {"room": 1, "held": 1, "status": 1}
            ).to_list(None)
            messages = await self._messages.find({"author_id": visitor_id}).to_list(None)
            await self._threads.update_many(
                {"author_id": visitor_id},
                {"$set": {"body": "", "author_name": pseudonym, "terms": []},
                 "$inc": {"version": 1}},
            )  # fmt: skip
            await self._messages.update_many(
                {"author_id": visitor_id}, {"$set": {"body": "", "author_name": pseudonym}}
            )
            await self._announce_erased(threads, messages)
            await self._in_unit("insight_terms").delete_many(
                {"thread_id": {"$in": [t["_id"] for t in threads]}}
            )
            touched = [t["_id"] for t in threads] + [m["thread_id"] for m in messages]
            faq = self._in_unit("faq")  # FAQ entries made from their words
            made = await faq.find({"thread_id": {"$in": touched}}, {"_id": 1}).to_list(None)
            await faq.delete_many({"thread_id": {"$in": touched}})
            await self._drop_vectors([f"thread:{t['_id']}" for t in threads]
                                     + [f"faq:{d['_id']}" for d in made])  # fmt: skip
            address = await self._in_unit("email_addresses").find_one_and_delete(
                {"_id": visitor_id}
            )
            await self._in_unit("consents").delete_many({"subject_id": visitor_id})
            mails = self._in_unit("mails")
            await mails.delete_many({"visitor_id": visitor_id})
            if address is not None:
                await mails.delete_many({"to": address["email"]})
            await self._in_unit("ratings").update_many(
                {"visitor_id": visitor_id}, {"$set": {"visitor_id": ""}}
            )
            await self._in_unit("disqualified").update_one(
                {"_id": visitor_id}, {"$setOnInsert": {"at": at}}, upsert=True
            )
        return sorted({t["_id"] for t in threads} | {m["thread_id"] for m in messages})

    async def erase_expired(
        self, public_before: datetime | None, private_before: datetime, limit: int
    ) -> list[str]:
        threads: list[Any] = []
        messages: list[Any] = []
        with_body = {"body": {"$ne": ""}}
        async with self.atomic():
            held = (
                await self._threads.find(
                    {**with_body, "held": True, "created_at": {"$lt": private_before}}
                )
                .sort(OLDEST_FIRST)
                .limit(limit)
                .to_list(None)
            )
            threads += held
            if public_before is not None:
                threads += (
                    await self._threads.find(
                        {**with_body, "held": {"$ne": True}, "created_at": {"$lt": public_before}}
                    )
                    .sort(OLDEST_FIRST)
                    .limit(limit)
                    .to_list(None)
                )
            candidates = await self._messages.find(
                {**with_body, "created_at": {"$lt": max(private_before, public_before or
                                                        private_before)}}
            ).sort(OLDEST_FIRST).limit(limit * 2).to_list(None)  # fmt: skip
            held_threads = {t["_id"] for t in await self._threads.find(
                {"_id": {"$in": [m["thread_id"] for m in candidates]}, "held": True}, {"_id": 1}
            ).to_list(None)}  # fmt: skip
            for m in candidates:
                public = m.get("visibility") == Visibility.PUBLIC.value
                public = public and m["thread_id"] not in held_threads
                before = public_before if public else private_before
                if before is not None and utc(m["created_at"]) < utc(before):
                    messages.append(m)
            messages = messages[:limit]
            thread_ids = [t["_id"] for t in threads]
            await self._threads.update_many(
                {"_id": {"$in": thread_ids}},
                {"$set": {"body": "", "terms": []}, "$inc": {"version": 1}},
            )
            await self._messages.update_many(
                {"_id": {"$in": [m["_id"] for m in messages]}}, {"$set": {"body": ""}}
            )
            await self._announce_erased(threads, messages, held_threads)
            await self._in_unit("insight_terms").delete_many({"thread_id": {"$in": thread_ids}})
            await self._drop_vectors([f"thread:{i}" for i in thread_ids])
        return sorted(set(thread_ids) | {m["thread_id"] for m in messages})

    async def _drop_vectors(self, refs: list[str]) -> None:
        await drop_vectors(self._in_unit("vectors"), self._in_unit("vector_rooms"), refs)

    async def _announce_erased(
        self, threads: Sequence[Mapping[str, Any]], messages: Sequence[Mapping[str, Any]],
        held_threads: set[str] | None = None,
    ) -> None:  # fmt: skip
        """Room events for what the room had shown: published questions, and public,
        visible messages of published questions."""
        for t in threads:
            if _published_thread(t):
                await self._announce(t["room"], EventType.THREAD_UPDATED, t["_id"])
        if held_threads is None:
            held_threads = {t["_id"] for t in await self._threads.find(
                {"_id": {"$in": [m["thread_id"] for m in messages]},
                 "$or": [{"held": True}, {"status": ThreadStatus.HIDDEN.value}]}, {"_id": 1}
            ).to_list(None)}  # fmt: skip
        for m in messages:
            visible = m.get("visibility", Visibility.PUBLIC.value) == Visibility.PUBLIC.value
            if visible and not m.get("hidden") and m["thread_id"] not in held_threads:
                await self._announce(m["room"], EventType.MESSAGE_UPDATED, m["_id"])
