"""Staff accounts, moderation cases with their embedded reasons, the audit log, and the
sweeper's indexed look-ups (threads due for a check, claims past their deadline).

A case is one document (unique `thread_id`) with its reasons as an array of
`{code, score, evidence, at, verdict}` in the order the case holds them, so a case is read
and saved in one operation; `update_case` replaces it under an optimistic `version` filter.
`due_threads` and `due_claims` are range queries on partial indexes holding only the
documents whose date is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.domain.errors import Conflict, Stale
from app.domain.models import DetectorModelRecord, MessageKind, Thread, Visibility
from app.domain.staff import LOCK_AFTER, Role, Staff, lock_duration
from app.store.mongo.base import (
    Doc,
    MongoBase,
    check_date,
    check_int,
    check_opt_str,
    check_str,
    strs,
    until,
    utc,
    utc_or_none,
)
from moderation.cases import AuditEntry, Case, CaseState, Mode, Reason, WebhookStatus


def _staff_from(doc: Mapping[str, Any]) -> Staff:
    return Staff(
        id=doc["_id"],
        email=doc["email"],
        name=doc["name"],
        role=Role(doc["role"]),
        password_hash=doc["password_hash"],
        created_at=utc(doc["created_at"]),
        failed_logins=doc.get("failed_logins", 0),
        locked_until=utc_or_none(doc.get("locked_until")),
        session_epoch=doc.get("session_epoch", 0),  # 0 in accounts made before it existed
        digest_lang=doc.get("digest_lang"),
    )


def _staff_changes(staff: Staff) -> Doc:
    return {
        "name": check_str(staff.name, "name"),
        "role": Role(staff.role).value,
        "password_hash": check_str(staff.password_hash, "password hash"),
        "failed_logins": check_int(staff.failed_logins, "failed_logins"),
        "locked_until": check_date(staff.locked_until, "locked_until"),
    }


def _locked_after_attempt(now: datetime) -> Doc:
    """`locked_until` once `failed_logins` holds the new count, as an aggregation
    expression: domain.staff.lock_duration tabulated from LOCK_AFTER until it stops growing
    (it doubles, then stays capped), so the rule is written once, in the domain."""
    branches: list[Doc] = []
    count = LOCK_AFTER
    while (pause := lock_duration(count)) is not None:
        branches.append({"case": {"$eq": ["$failed_logins", count]}, "then": now + pause})
        if lock_duration(count + 1) == pause or len(branches) >= 64:
            break
        count += 1
    capped = {"$cond": [{"$gt": ["$failed_logins", count]}, branches[-1]["then"], "$locked_until"]}
    return {"$switch": {"branches": branches, "default": capped}}


def _reason_doc(reason: Reason) -> Doc:
    return {
        "code": check_str(reason.code, "reason code"),
        "score": float(reason.score),
        "evidence": [check_str(e, "evidence") for e in reason.evidence],
        "at": check_date(reason.at, "reason time"),
        "verdict": check_opt_str(reason.verdict, "verdict"),
    }


def _reason_from(doc: Mapping[str, Any]) -> Reason:
    return Reason(
        code=doc["code"],
        score=doc["score"],
        evidence=tuple(doc["evidence"]),
        at=utc(doc["at"]),
        verdict=doc.get("verdict"),
    )


def _case_fields(case: Case) -> Doc:
    """Everything but `_id` and `version`."""
    webhook = case.webhook
    return {
        "thread_id": check_str(case.thread_id, "thread id"),
        "room": check_str(case.room, "room"),
        "category": check_str(case.category, "category"),
        "state": CaseState(case.state).value,
        "priority": check_int(case.priority, "priority"),
        "due_at": check_date(case.due_at, "due_at"),
        "created_at": check_date(case.created_at, "created_at"),
        "updated_at": check_date(case.updated_at, "updated_at"),
        "assignee_id": case.assignee_id,
        "assignee_name": case.assignee_name,
        "mode": Mode(case.mode).value,
        "claim_due_at": check_date(case.claim_due_at, "claim_due_at"),
        "flagged": bool(case.flagged),
        "outcome": case.outcome,
        "webhook": None
        if webhook is None
        else {
            "status": webhook.status,
            "attempts": webhook.attempts,
            "last_error": webhook.last_error,
        },
        "reasons": [_reason_doc(r) for r in case.reasons],
    }


def _case_from(doc: Mapping[str, Any]) -> Case:
    webhook = doc.get("webhook")
    return Case(
        id=doc["_id"],
        thread_id=doc["thread_id"],
        room=doc["room"],
        category=doc["category"],
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        due_at=utc(doc["due_at"]),
        state=CaseState(doc["state"]),
        priority=doc["priority"],
        reasons=[_reason_from(r) for r in doc.get("reasons", [])],
        assignee_id=doc.get("assignee_id"),
        assignee_name=doc.get("assignee_name"),
        mode=Mode(doc["mode"]),
        claim_due_at=utc_or_none(doc.get("claim_due_at")),
        flagged=bool(doc.get("flagged", False)),
        outcome=doc.get("outcome"),
        webhook=WebhookStatus(**webhook) if webhook else None,
        version=doc["version"],
    )


def audit_from(doc: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=doc["_id"],
        case_id=doc.get("case_id"),
        actor_id=doc["actor_id"],
        actor_name=doc["actor_name"],
        actor_kind=doc["actor_kind"],
        action=doc["action"],
        detail=doc["detail"],
        at=utc(doc["at"]),
        subject_id=doc.get("subject_id"),  # None in entries written before it existed
    )


class MongoModeration(MongoBase):
    # staff -------------------------------------------------------------------------------
    async def add_staff(self, staff: Staff) -> None:
        doc = {
            "_id": check_str(staff.id, "staff id"),
            "email": check_str(staff.email, "email"),
            "created_at": staff.created_at,
            "session_epoch": check_int(staff.session_epoch, "session_epoch"),
            **_staff_changes(staff),
        }
        try:
            await self._staff.insert_one(doc)
        except DuplicateKeyError as exc:
            raise Conflict("a staff account with this e-mail already exists") from exc

    async def get_staff(self, staff_id: str) -> Staff | None:
        if not isinstance(staff_id, str):
            return None
        doc = await self._staff.find_one({"_id": staff_id})
        return _staff_from(doc) if doc is not None else None

    async def get_staff_by_email(self, email: str) -> Staff | None:
        if not isinstance(email, str):
            return None
        doc = await self._staff.find_one({"email": email})
        return _staff_from(doc) if doc is not None else None

    async def save_staff(self, staff: Staff) -> None:
        await self._staff.update_one(
            {"_id": check_str(staff.id, "staff id")}, {"$set": _staff_changes(staff)}
        )

    async def set_digest_lang(self, staff_id: str, lang: str | None) -> None:
        await self._staff.update_one(
            {"_id": check_str(staff_id, "staff id")}, {"$set": {"digest_lang": lang}}
        )

    async def digest_recipients(self) -> list[Staff]:
        docs = self._staff.find({"digest_lang": {"$type": "string"}}).sort("email", 1)
        return [_staff_from(d) for d in await docs.to_list(None)]

    async def end_staff_sessions(self, staff_id: str) -> None:
        await self._staff.update_one(
            {"_id": check_str(staff_id, "staff id")}, {"$inc": {"session_epoch": 1}}
        )

    async def count_sign_in_attempt(self, staff_id: str, now: datetime) -> Staff | None:
        """One find_one_and_update whose update is a pipeline: the increment and the lock
        it calls for land in the same document write. (An `$inc` followed by a separate
        lock write would let attempts that arrive in between pass unlocked.)"""
        doc = await self._staff.find_one_and_update(
            {
                "_id": check_str(staff_id, "staff id"),
                "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}],
            },
            [
                {"$set": {"failed_logins": {"$add": [{"$ifNull": ["$failed_logins", 0]}, 1]}}},
                {"$set": {"locked_until": _locked_after_attempt(now)}},
            ],
            return_document=ReturnDocument.AFTER,
        )
        return _staff_from(doc) if doc is not None else None

    # cases -------------------------------------------------------------------------------
    async def insert_case(self, case: Case) -> Case:
        """Store a new case; if the thread already has one, return that one unchanged."""
        doc = {
            "_id": check_str(case.id, "case id"),
            "version": check_int(case.version, "version"),
            **_case_fields(case),
        }
        try:
            await self._cases.insert_one(doc)
        except DuplicateKeyError:
            existing = await self.get_case_for_thread(case.thread_id)
            if existing is None:  # the case id itself was taken: a caller's bug
                raise
            return existing
        return case

    async def get_case(self, case_id: str) -> Case | None:
        if not isinstance(case_id, str):
            return None
        doc = await self._cases.find_one({"_id": case_id})
        return _case_from(doc) if doc is not None else None

    async def get_case_for_thread(self, thread_id: str) -> Case | None:
        if not isinstance(thread_id, str):
            return None
        doc = await self._cases.find_one({"thread_id": thread_id})
        return _case_from(doc) if doc is not None else None

    async def cases_of(self, thread_ids: list[str]) -> dict[str, Case]:
        ids = strs(thread_ids)
        if not ids:
            return {}
        docs = await self._cases.find({"thread_id": {"$in": ids}}).to_list(None)
        return {doc["thread_id"]: _case_from(doc) for doc in docs}

    async def update_case(self, case: Case) -> None:
        """Save a case read at `case.version`; Conflict if it changed meanwhile."""
        result = await self._cases.update_one(
            {"_id": check_str(case.id, "case id"), "version": check_int(case.version, "version")},
            {"$set": _case_fields(case), "$inc": {"version": 1}},
        )
        if result.matched_count != 1:
            raise Stale("this case changed meanwhile; reload it and try again")
        case.version += 1

    async def list_cases(
        self,
        *,
        states: list[CaseState] | None = None,
        reason: str | None = None,
        room: str | None = None,
        category: str | None = None,
        limit: int = 200,
    ) -> list[Case]:
        """Highest priority first, then the nearest deadline."""
        if check_int(limit, "limit") <= 0:
            return []
        query: Doc = {}
        if states:
            query["state"] = {"$in": [CaseState(s).value for s in states]}
        for field, value in (("reasons.code", reason), ("room", room), ("category", category)):
            if value:
                if not isinstance(value, str):
                    return []
                query[field] = value
        cursor = (
            self._cases.find(query)
            .sort([("priority", DESCENDING), ("due_at", ASCENDING)])
            .limit(limit)
        )
        return [_case_from(d) for d in await cursor.to_list(None)]

    async def due_claims(self, now: datetime, limit: int = 100) -> list[Case]:
        if check_int(limit, "limit") <= 0:
            return []
        cursor = (
            self._cases.find({"claim_due_at": until(now, "now")})
            .sort("claim_due_at", ASCENDING)
            .limit(limit)
        )
        return [_case_from(d) for d in await cursor.to_list(None)]

    async def detector_feedback(self) -> list[tuple[str, str]]:
        judged = {"reasons.verdict": {"$type": "string"}}
        rows = await self._cases.aggregate(
            [
                {"$match": judged},
                {"$unwind": "$reasons"},
                {"$match": judged},
                {"$project": {"_id": 0, "code": "$reasons.code", "verdict": "$reasons.verdict"}},
            ]
        )
        return [(r["code"], r["verdict"]) for r in await rows.to_list(None)]

    async def detector_feedback_texts(self) -> list[tuple[str, str, str]]:
        judged = {"reasons.verdict": {"$type": "string"}}
        cursor = self._cases.find(judged, {"thread_id": 1, "reasons": 1}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        cases = await cursor.to_list(None)
        ids = list({str(c["thread_id"]) for c in cases})
        bodies = {
            str(d["_id"]): str(d.get("body", ""))
            for d in await self._threads.find({"_id": {"$in": ids}}, {"body": 1}).to_list(None)
        }
        return [
            (bodies[c["thread_id"]], str(r["code"]), str(r["verdict"]))
            for c in cases
            if c["thread_id"] in bodies
            for r in c.get("reasons", [])
            if isinstance(r.get("verdict"), str)
        ]

    async def add_detector_model(self, record: DetectorModelRecord) -> None:
        models = self._in_unit("detector_models")
        if record.active:
            await models.update_many({"active": True}, {"$set": {"active": False}})
        await models.insert_one(
            {
                "_id": check_str(record.id, "model id"),
                "version": check_str(record.version, "model version"),
                "created_at": check_date(record.created_at, "created_at"),
                "active": bool(record.active),
                "feedback_count": check_int(record.feedback_count, "feedback_count"),
                "scores": dict(record.scores),
                "body": check_str(record.body, "model body"),
            }
        )

    async def detector_models(self, limit: int = 10) -> list[DetectorModelRecord]:
        if check_int(limit, "limit") <= 0:
            return []
        cursor = (
            self._in_unit("detector_models")
            .find({}, {"body": 0})
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [_model_from(d) for d in await cursor.to_list(None)]

    async def active_detector_model(self) -> DetectorModelRecord | None:
        cursor = (
            self._in_unit("detector_models")
            .find({"active": True})
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(1)
        )
        found = await cursor.to_list(None)
        return _model_from(found[0]) if found else None

    # audit -------------------------------------------------------------------------------
    async def add_audit(self, entry: AuditEntry) -> None:
        await self._audit.insert_one(
            {
                "_id": check_str(entry.id, "audit id"),
                "case_id": check_opt_str(entry.case_id, "case id"),
                "actor_id": check_str(entry.actor_id, "actor id"),
                "actor_name": entry.actor_name,
                "actor_kind": entry.actor_kind,
                "action": entry.action,
                "detail": entry.detail,
                "at": check_date(entry.at, "at"),
                "subject_id": check_opt_str(entry.subject_id, "subject id"),
            }
        )

    async def list_audit(self, case_id: str) -> list[AuditEntry]:
        if not isinstance(case_id, str):
            return []
        cursor = self._audit.find({"case_id": case_id}).sort("at", ASCENDING)
        return [audit_from(d) for d in await cursor.to_list(None)]

    # sweeper and detector context --------------------------------------------------------
    async def due_threads(self, now: datetime, limit: int = 100) -> list[Thread]:
        """Threads whose next SLA check (nudge or escalation) is due: one indexed range."""
        if check_int(limit, "limit") <= 0:
            return []
        query = {"next_check_at": until(now, "now")}
        return await self._find_threads(query, [("next_check_at", ASCENDING)], limit)

    async def save_thread_schedule(self, thread: Thread) -> None:
        """Store the SLA bookkeeping only (no version bump, no room event)."""
        await self._threads.update_one(
            {"_id": check_str(thread.id, "thread id")},
            {
                "$set": {
                    "next_check_at": check_date(thread.next_check_at, "next_check_at"),
                    "nudged": bool(thread.nudged),
                }
            },
        )

    async def recent_by_author(self, author_id: str, limit: int = 20) -> list[tuple[str, datetime]]:
        """The author's latest questions and answers (body, time), oldest first."""
        if not isinstance(author_id, str) or check_int(limit, "limit") <= 0:
            return []
        found: list[tuple[str, datetime]] = []
        for collection in (self._threads, self._messages):
            cursor = (
                collection.find({"author_id": author_id}, {"_id": 0, "body": 1, "created_at": 1})
                .sort("created_at", DESCENDING)
                .limit(limit)
            )
            found += [(d["body"], utc(d["created_at"])) for d in await cursor.to_list(None)]
        found.sort(key=lambda item: item[1], reverse=True)
        return found[:limit][::-1]

    async def top_helpers(self, room: str, limit: int = 10) -> list[str]:
        """Visitors whose answers in this room were found helpful, most helpful first."""
        if not isinstance(room, str) or check_int(limit, "limit") <= 0:
            return []
        rows = await self._messages.aggregate(
            [
                {
                    "$match": {
                        "room": room,
                        "kind": MessageKind.ANSWER.value,
                        "hidden": False,
                        # None: written before messages had a visibility, so public
                        "visibility": {"$in": [Visibility.PUBLIC.value, None]},
                    }
                },
                {"$group": {"_id": "$author_id", "helpful": {"$sum": "$votes"}}},
                {"$match": {"helpful": {"$gt": 0}}},
                {"$sort": {"helpful": -1, "_id": 1}},
                {"$limit": limit},
            ]
        )
        return [r["_id"] for r in await rows.to_list(None)]


def _model_from(doc: Mapping[str, Any]) -> DetectorModelRecord:
    return DetectorModelRecord(
        id=str(doc["_id"]),
        version=str(doc["version"]),
        created_at=utc(doc["created_at"]),
        active=bool(doc["active"]),
        feedback_count=int(doc["feedback_count"]),
        scores=dict(doc.get("scores") or {}),
        body=str(doc.get("body", "")),
    )
