"""Addresses, consent records, the suppression list and the mail queue (see the SQLite twin).

Collections: `email_addresses` (`_id` = visitor id), `consents`, `mail_suppressions`
(`_id` = "<address key>:<kind>") and `mails` (`mails_due` finds what to send; a claim is one
`find_one_and_update` per e-mail, so two workers never take the same one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from app.domain.mail import (
    Consent,
    EmailAddress,
    Mail,
    MailKind,
    MailStats,
    MailStatus,
    Purpose,
)
from app.store.mongo.base import Doc, MongoBase, check_str, now, utc, utc_or_none


def _mail_doc(m: Mail) -> Doc:
    return {
        "_id": m.id, "kind": m.kind.value, "to": m.to, "subject": m.subject, "text": m.text,
        "html": m.html, "unsubscribe_url": m.unsubscribe_url, "visitor_id": m.visitor_id,
        "thread_id": m.thread_id, "status": m.status.value, "attempts": m.attempts,
        "next_at": m.next_at, "last_error": m.last_error, "created_at": m.created_at,
        "sent_at": m.sent_at,
    }  # fmt: skip


def _mail(d: Mapping[str, Any]) -> Mail:
    return Mail(
        kind=MailKind(d["kind"]), to=d["to"], subject=d["subject"], text=d["text"],
        html=d["html"], unsubscribe_url=d["unsubscribe_url"], visitor_id=d["visitor_id"],
        thread_id=d["thread_id"], status=MailStatus(d["status"]), attempts=d["attempts"],
        next_at=utc(d["next_at"]), last_error=d["last_error"], created_at=utc(d["created_at"]),
        sent_at=utc_or_none(d["sent_at"]), id=d["_id"],
    )  # fmt: skip


class MongoMail(MongoBase):
    @property
    def _addresses(self) -> AsyncCollection[Doc]:
        return self._in_unit("email_addresses")

    @property
    def _consents(self) -> AsyncCollection[Doc]:
        return self._in_unit("consents")

    @property
    def _suppressions(self) -> AsyncCollection[Doc]:
        return self._in_unit("mail_suppressions")

    @property
    def _mails(self) -> AsyncCollection[Doc]:
        return self._in_unit("mails")

    async def save_address(self, address: EmailAddress, consent: Consent) -> None:
        async with self.atomic():
            await self._addresses.replace_one(
                {"_id": check_str(address.visitor_id, "visitor id")},
                {"email": address.email, "lang": address.lang, "created_at": address.created_at,
                 "nonce": address.nonce, "confirmed_at": address.confirmed_at},
                upsert=True,
            )  # fmt: skip
            await self.save_consent(consent)

    async def get_address(self, visitor_id: str) -> EmailAddress | None:
        d = await self._addresses.find_one({"_id": check_str(visitor_id, "visitor id")})
        if d is None:
            return None
        return EmailAddress(d["_id"], d["email"], d["lang"], utc(d["created_at"]), d["nonce"],
                            utc_or_none(d["confirmed_at"]))  # fmt: skip

    async def confirm_address(self, visitor_id: str, nonce: str, at: datetime) -> bool:
        result = await self._addresses.update_one(
            {"_id": check_str(visitor_id, "visitor id"), "nonce": check_str(nonce, "nonce")},
            {"$set": {"confirmed_at": at, "nonce": None}},
        )
        return result.modified_count == 1

    async def delete_address(self, visitor_id: str, at: datetime) -> bool:
        async with self.atomic():
            found = await self._addresses.find_one_and_delete(
                {"_id": check_str(visitor_id, "visitor id")}
            )
            if found is None:
                return False
            await self._consents.update_many(
                {"subject_id": visitor_id, "withdrawn_at": None}, {"$set": {"withdrawn_at": at}}
            )
            await self._mails.delete_many(
                {"to": found["email"], "status": MailStatus.PENDING.value}
            )
            return True

    async def save_consent(self, consent: Consent) -> None:
        await self._consents.replace_one(
            {"_id": consent.id},
            {"subject_id": consent.subject_id, "purpose": consent.purpose.value,
             "text": consent.text, "lang": consent.lang, "given_at": consent.given_at,
             "withdrawn_at": consent.withdrawn_at},
            upsert=True,
        )  # fmt: skip

    async def list_consents(self, subject_id: str) -> list[Consent]:
        docs = self._consents.find({"subject_id": check_str(subject_id, "subject id")})
        return [
            Consent(d["subject_id"], Purpose(d["purpose"]), d["text"], d["lang"],
                    utc(d["given_at"]), utc_or_none(d["withdrawn_at"]), d["_id"])
            for d in await docs.sort([("given_at", ASCENDING), ("_id", ASCENDING)]).to_list(None)
        ]  # fmt: skip

    async def suppress(self, key: str, kind: MailKind, at: datetime) -> None:
        await self._suppressions.update_one(
            {"_id": f"{check_str(key, 'address key')}:{kind.value}"},
            {"$setOnInsert": {"at": at}},
            upsert=True,
        )

    async def is_suppressed(self, key: str, kind: MailKind) -> bool:
        found = await self._suppressions.find_one({"_id": f"{check_str(key, 'key')}:{kind.value}"})
        return found is not None

    async def enqueue_mail(self, mail: Mail) -> None:
        await self._mails.insert_one(_mail_doc(mail))

    async def claim_mails(self, now_: datetime, lease_until: datetime, limit: int) -> list[Mail]:
        claimed = []
        for _ in range(limit):
            doc = await self._mails.find_one_and_update(
                {"status": MailStatus.PENDING.value, "next_at": {"$lte": now_}},
                {"$set": {"next_at": lease_until}},
                sort=[("next_at", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                break
            claimed.append(_mail(doc))
        return sorted(claimed, key=lambda m: (m.created_at, m.id))

    async def mails_sent(self, mail_ids: Sequence[str], at: datetime) -> None:
        await self._mails.update_many(
            {"_id": {"$in": [check_str(i, "mail id") for i in mail_ids]}},
            {"$set": {"status": MailStatus.SENT.value, "sent_at": at, "next_at": at},
             "$inc": {"attempts": 1}},
        )  # fmt: skip

    async def mail_failed(
        self, mail_id: str, attempts: int, error: str, retry_at: datetime | None
    ) -> None:
        status = MailStatus.PENDING if retry_at is not None else MailStatus.FAILED
        await self._mails.update_one(
            {"_id": check_str(mail_id, "mail id")},
            {"$set": {"status": status.value, "attempts": attempts, "last_error": error[:500],
                      "next_at": retry_at or now()}},
        )  # fmt: skip

    async def get_mail(self, mail_id: str) -> Mail | None:
        doc = await self._mails.find_one({"_id": check_str(mail_id, "mail id")})
        return None if doc is None else _mail(doc)

    async def mails_since(
        self, since: datetime, *, to: str | None = None, thread_id: str | None = None,
        kind: MailKind | None = None,
    ) -> int:  # fmt: skip
        match: Doc = {"created_at": {"$gte": since}}
        if to is not None:
            match["to"] = check_str(to, "address")
        if thread_id is not None:
            match["thread_id"] = check_str(thread_id, "thread id")
        if kind is not None:
            match["kind"] = kind.value
        return await self._mails.count_documents(match)

    async def mail_stats(self) -> MailStats:
        day_ago = now() - timedelta(days=1)
        pending = await self._mails.count_documents({"status": MailStatus.PENDING.value})
        failed = await self._mails.count_documents({"status": MailStatus.FAILED.value})
        sent = await self._mails.count_documents(
            {"status": MailStatus.SENT.value, "next_at": {"$gte": day_ago}}
        )
        last = await self.failed_mails(1)
        return MailStats(pending, failed, sent, last[0].last_error if last else None,
                         last[0].next_at if last else None)  # fmt: skip

    async def failed_mails(self, limit: int) -> list[Mail]:
        docs = self._mails.find({"status": MailStatus.FAILED.value})
        return [_mail(d) for d in await docs.sort("next_at", DESCENDING).limit(limit).to_list(None)]
