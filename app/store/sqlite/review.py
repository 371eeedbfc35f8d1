"""What brand staff read when they review one contributor: reports against their messages,
their hidden content, how fast they answer others, and what staff did about them."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from app.store.sqlite.base import SqliteBase, ts
from app.store.sqlite.moderation import audit_from
from moderation.cases import AuditEntry
from moderation.reports import Report

REPORT_FIELDS = (
    "id", "message_id", "thread_id", "room", "reporter_id", "author_id", "reason", "at",
    "case_id",
)  # fmt: skip
REPORT_COLUMNS = ", ".join(REPORT_FIELDS)
# For each published question of someone else, this author's first public visible answer:
# walks messages_by_author newest first and stops after `limit` threads; the NOT EXISTS probe
# (messages_by_thread) drops their later answers in a thread they had already answered.
FIRST_ANSWERS_SQL = """
SELECT t.created_at AS asked_at, m.created_at AS answered_at
FROM messages m JOIN threads t ON t.id = m.thread_id
WHERE m.author_id = ? AND m.kind = 'answer' AND m.hidden = 0 AND m.visibility = 'public'
  AND t.author_id != m.author_id AND t.held = 0
  AND NOT EXISTS (
    SELECT 1 FROM messages e
    WHERE e.thread_id = m.thread_id AND e.author_id = m.author_id AND e.kind = 'answer'
      AND e.hidden = 0 AND e.visibility = 'public'
      AND (e.created_at < m.created_at OR (e.created_at = m.created_at AND e.id < m.id)))
ORDER BY m.created_at DESC LIMIT ?
"""


def _report_from(row: sqlite3.Row) -> Report:
    return Report(
        id=row["id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        room=row["room"],
        reporter_id=row["reporter_id"],
        author_id=row["author_id"],
        reason=row["reason"],
        at=datetime.fromisoformat(row["at"]),
        case_id=row["case_id"],
    )


class SqliteReview(SqliteBase):
    async def add_report(self, report: Report) -> None:
        r = report
        async with self._transaction() as db:
            await db.execute(
                f"INSERT INTO reports ({REPORT_COLUMNS}) VALUES ({', '.join('?' * 9)})",
                (r.id, r.message_id, r.thread_id, r.room, r.reporter_id, r.author_id, r.reason,
                 ts(r.at), r.case_id),
            )  # fmt: skip

    async def reports_against(self, author_id: str, limit: int = 10) -> tuple[int, list[Report]]:
        """The count and the latest reports, both on the reports_by_author index."""
        row = await self._read_one("SELECT COUNT(*) FROM reports WHERE author_id = ?", (author_id,))
        recent = await self._read_all(
            f"SELECT {REPORT_COLUMNS} FROM reports WHERE author_id = ?"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (author_id, limit),
        )
        return int(row[0]), [_report_from(r) for r in recent]

    async def hidden_by_author(self, author_id: str) -> int:
        """Hidden messages and hidden questions, over the by-author indexes."""
        row = await self._read_one(
            "SELECT (SELECT COUNT(*) FROM messages WHERE author_id = ? AND hidden = 1)"
            " + (SELECT COUNT(*) FROM threads WHERE author_id = ? AND status = 'hidden')",
            (author_id, author_id),
        )
        return int(row[0])

    async def first_answer_waits(self, author_id: str, limit: int = 200) -> list[float]:
        rows = await self._read_all(FIRST_ANSWERS_SQL, (author_id, limit))
        return [
            (
                datetime.fromisoformat(r["answered_at"]) - datetime.fromisoformat(r["asked_at"])
            ).total_seconds()
            for r in rows
        ]

    async def list_audit_about(self, subject_id: str, limit: int = 50) -> list[AuditEntry]:
        rows = await self._read_all(
            "SELECT * FROM audit WHERE subject_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (subject_id, limit),
        )
        return [audit_from(r) for r in rows]
