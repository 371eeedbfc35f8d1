"""What brand staff read when they review one contributor: reports against their messages,
their hidden content, how fast they answer others, and what staff did about them.

Reports are one document each in `reports` (`reports_by_author`); staff actions about a
visitor are audit documents with a `subject_id` (`audit_by_subject`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import DESCENDING

from app.domain.models import MessageKind, ThreadStatus, Visibility
from app.store.mongo.base import (
    Doc,
    MongoBase,
    check_date,
    check_int,
    check_opt_str,
    check_str,
    utc,
)
from app.store.mongo.moderation import audit_from
from moderation.cases import AuditEntry
from moderation.reports import Report

NEWEST_FIRST = [("at", DESCENDING), ("_id", DESCENDING)]


def _report_doc(report: Report) -> Doc:
    return {
        "_id": check_str(report.id, "report id"),
        "message_id": check_str(report.message_id, "message id"),
        "thread_id": check_str(report.thread_id, "thread id"),
        "room": check_str(report.room, "room"),
        "reporter_id": check_str(report.reporter_id, "reporter id"),
        "author_id": check_str(report.author_id, "author id"),
        "reason": check_str(report.reason, "reason"),
        "at": check_date(report.at, "at"),
        "case_id": check_opt_str(report.case_id, "case id"),
    }


def _report_from(doc: Mapping[str, Any]) -> Report:
    return Report(
        id=doc["_id"],
        message_id=doc["message_id"],
        thread_id=doc["thread_id"],
        room=doc["room"],
        reporter_id=doc["reporter_id"],
        author_id=doc["author_id"],
        reason=doc["reason"],
        at=utc(doc["at"]),
        case_id=doc.get("case_id"),
    )


def _first_answers(author_id: str, limit: int) -> list[Doc]:
    """The author's first public visible answer per thread, newest first, in published
    threads of others (the thread is looked up after grouping, so the match sees it)."""
    return [
        {
            "$match": {
                "author_id": author_id,
                "kind": MessageKind.ANSWER.value,
                "hidden": False,
                # None: written before messages had a visibility, so public
                "visibility": {"$in": [Visibility.PUBLIC.value, None]},
            }
        },
        {"$sort": {"created_at": 1, "_id": 1}},
        {"$group": {"_id": "$thread_id", "answered_at": {"$first": "$created_at"}}},
        {"$sort": {"answered_at": -1, "_id": -1}},
        {"$lookup": {"from": "threads", "localField": "_id", "foreignField": "_id", "as": "t"}},
        {"$unwind": "$t"},
        {"$match": {"t.author_id": {"$ne": author_id}, "t.held": {"$ne": True}}},
        {"$limit": limit},
        {"$project": {"_id": 0, "answered_at": 1, "asked_at": "$t.created_at"}},
    ]


class MongoReview(MongoBase):
    async def add_report(self, report: Report) -> None:
        await self._reports.insert_one(_report_doc(report))

    async def reports_against(self, author_id: str, limit: int = 10) -> tuple[int, list[Report]]:
        if not isinstance(author_id, str):
            return 0, []
        count = await self._reports.count_documents({"author_id": author_id})
        if check_int(limit, "limit") <= 0:
            return count, []
        cursor = self._reports.find({"author_id": author_id}).sort(NEWEST_FIRST).limit(limit)
        return count, [_report_from(d) for d in await cursor.to_list(None)]

    async def hidden_by_author(self, author_id: str) -> int:
        if not isinstance(author_id, str):
            return 0
        messages = await self._messages.count_documents({"author_id": author_id, "hidden": True})
        questions = await self._threads.count_documents(
            {"author_id": author_id, "status": ThreadStatus.HIDDEN.value}
        )
        return messages + questions

    async def first_answer_waits(self, author_id: str, limit: int = 200) -> list[float]:
        """Reads all the author's answers (messages_by_author), groups them per thread and
        looks up only those threads; `limit` caps what is returned."""
        if not isinstance(author_id, str) or check_int(limit, "limit") <= 0:
            return []
        rows = await self._messages.aggregate(_first_answers(author_id, limit))
        return [
            (utc(r["answered_at"]) - utc(r["asked_at"])).total_seconds()
            for r in await rows.to_list(None)
        ]

    async def list_audit_about(self, subject_id: str, limit: int = 50) -> list[AuditEntry]:
        if not isinstance(subject_id, str) or check_int(limit, "limit") <= 0:
            return []
        cursor = self._audit.find({"subject_id": subject_id}).sort(NEWEST_FIRST).limit(limit)
        return [audit_from(d) for d in await cursor.to_list(None)]
