"""Staff accounts, moderation cases with their reasons, the audit log, and the sweeper's
indexed look-ups (threads due for a check, claims past their deadline)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from app.domain.errors import Conflict, Stale
from app.domain.models import DetectorModelRecord, Thread
from app.domain.staff import Role, Staff, lock_duration
from app.store.sqlite.base import SqliteBase, dt, marks, ts
from app.store.sqlite.qa import THREAD_COLUMNS, thread_from
from app.store.sqlite.writer import WriterConnection
from moderation.cases import AuditEntry, Case, CaseState, Mode, Reason, WebhookStatus

CASE_FIELDS = (
    "id", "thread_id", "room", "category", "state", "priority", "due_at", "created_at",
    "updated_at", "assignee_id", "assignee_name", "mode", "claim_due_at", "flagged", "outcome",
    "webhook", "version",
)  # fmt: skip
CASE_COLUMNS = ", ".join(CASE_FIELDS)
# The sweeper's query: one range scan on the partial index threads_by_next_check.
DUE_THREADS_SQL = (
    f"SELECT {THREAD_COLUMNS} FROM threads"
    " WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?"
)
DUE_CLAIMS_SQL = (
    f"SELECT {CASE_COLUMNS} FROM cases"
    " WHERE claim_due_at IS NOT NULL AND claim_due_at <= ? ORDER BY claim_due_at LIMIT ?"
)


def _staff_from(row: sqlite3.Row) -> Staff:
    return Staff(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        created_at=datetime.fromisoformat(row["created_at"]),
        failed_logins=row["failed_logins"],
        locked_until=dt(row["locked_until"]),
        session_epoch=row["session_epoch"],
        digest_lang=row["digest_lang"],
    )


def _webhook_json(status: WebhookStatus | None) -> str | None:
    if status is None:
        return None
    return json.dumps(
        {"status": status.status, "attempts": status.attempts, "last_error": status.last_error}
    )


def _case_from(row: sqlite3.Row, reasons: list[Reason]) -> Case:
    webhook = json.loads(row["webhook"]) if row["webhook"] else None
    return Case(
        id=row["id"],
        thread_id=row["thread_id"],
        room=row["room"],
        category=row["category"],
        state=CaseState(row["state"]),
        priority=row["priority"],
        due_at=datetime.fromisoformat(row["due_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        assignee_id=row["assignee_id"],
        assignee_name=row["assignee_name"],
        mode=Mode(row["mode"]),
        claim_due_at=dt(row["claim_due_at"]),
        flagged=bool(row["flagged"]),
        outcome=row["outcome"],
        webhook=WebhookStatus(**webhook) if webhook else None,
        version=row["version"],
        reasons=reasons,
    )


def audit_from(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        row["id"],
        row["case_id"],
        row["actor_id"],
        row["actor_name"],
        row["actor_kind"],
        row["action"],
        row["detail"],
        datetime.fromisoformat(row["at"]),
        row["subject_id"],
    )


def _case_values(c: Case) -> tuple[Any, ...]:
    return (
        c.id, c.thread_id, c.room, c.category, c.state.value, c.priority, ts(c.due_at),
        ts(c.created_at), ts(c.updated_at), c.assignee_id, c.assignee_name, c.mode.value,
        ts(c.claim_due_at), int(c.flagged), c.outcome, _webhook_json(c.webhook), c.version,
    )  # fmt: skip


class SqliteModeration(SqliteBase):
    # staff -------------------------------------------------------------------------------
    async def add_staff(self, staff: Staff) -> None:
        try:
            async with self._transaction() as db:
                await db.execute(
                    "INSERT INTO staff (id, email, name, role, password_hash, created_at,"
                    " failed_logins, locked_until, session_epoch)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (staff.id, staff.email, staff.name, staff.role.value, staff.password_hash,
                     ts(staff.created_at), staff.failed_logins, ts(staff.locked_until),
                     staff.session_epoch),
                )  # fmt: skip
        except sqlite3.IntegrityError as exc:
            raise Conflict("a staff account with this e-mail already exists") from exc

    async def get_staff(self, staff_id: str) -> Staff | None:
        row = await self._read_one("SELECT * FROM staff WHERE id = ?", (staff_id,))
        return _staff_from(row) if row else None

    async def get_staff_by_email(self, email: str) -> Staff | None:
        row = await self._read_one("SELECT * FROM staff WHERE email = ?", (email,))
        return _staff_from(row) if row else None

    async def save_staff(self, staff: Staff) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE staff SET name = ?, role = ?, password_hash = ?, failed_logins = ?,"
                " locked_until = ? WHERE id = ?",
                (staff.name, staff.role.value, staff.password_hash, staff.failed_logins,
                 ts(staff.locked_until), staff.id),
            )  # fmt: skip

    async def set_digest_lang(self, staff_id: str, lang: str | None) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE staff SET digest_lang = ? WHERE id = ?", (lang, staff_id))

    async def digest_recipients(self) -> list[Staff]:
        rows = await self._read_all(
            "SELECT * FROM staff WHERE digest_lang IS NOT NULL ORDER BY email", ()
        )
        return [_staff_from(r) for r in rows]

    async def end_staff_sessions(self, staff_id: str) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE staff SET session_epoch = session_epoch + 1 WHERE id = ?", (staff_id,)
            )

    async def count_sign_in_attempt(self, staff_id: str, now: datetime) -> Staff | None:
        """The increment and the lock are written in one transaction (the writer lock and
        BEGIN IMMEDIATE), so no other attempt sees the count without its lock."""
        async with self._transaction() as db:
            async with db.execute(
                "UPDATE staff SET failed_logins = failed_logins + 1"
                " WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) RETURNING *",
                (staff_id, ts(now)),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            staff = _staff_from(row)
            pause = lock_duration(staff.failed_logins)
            if pause is not None:
                staff.locked_until = now + pause
                await db.execute(
                    "UPDATE staff SET locked_until = ? WHERE id = ?",
                    (ts(staff.locked_until), staff_id),
                )
        return staff

    # cases -------------------------------------------------------------------------------
    async def _reasons(self, case_ids: list[str]) -> dict[str, list[Reason]]:
        found: dict[str, list[Reason]] = {cid: [] for cid in case_ids}
        if not case_ids:
            return found
        rows = await self._read_all(
            "SELECT * FROM case_reasons WHERE case_id IN"
            f" ({', '.join('?' * len(case_ids))}) ORDER BY pos",
            tuple(case_ids),
        )
        for r in rows:
            found[r["case_id"]].append(
                Reason(
                    r["code"],
                    r["score"],
                    tuple(json.loads(r["evidence"])),
                    datetime.fromisoformat(r["at"]),
                    r["verdict"],
                )
            )
        return found

    async def _cases(self, rows: list[sqlite3.Row]) -> list[Case]:
        reasons = await self._reasons([r["id"] for r in rows])
        return [_case_from(r, reasons[r["id"]]) for r in rows]

    async def get_case(self, case_id: str) -> Case | None:
        row = await self._read_one(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return (await self._cases([row]))[0] if row else None

    async def get_case_for_thread(self, thread_id: str) -> Case | None:
        row = await self._read_one(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE thread_id = ?", (thread_id,)
        )
        return (await self._cases([row]))[0] if row else None

    async def cases_of(self, thread_ids: list[str]) -> dict[str, Case]:
        if not thread_ids:
            return {}
        rows = await self._read_all(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE thread_id IN ({marks(len(thread_ids))})",
            tuple(thread_ids),
        )
        return {case.thread_id: case for case in await self._cases(rows)}

    @staticmethod
    async def _write_reasons(db: WriterConnection, case: Case) -> None:
        await db.execute("DELETE FROM case_reasons WHERE case_id = ?", (case.id,))
        await db.executemany(
            "INSERT INTO case_reasons (case_id, code, score, evidence, at, verdict, pos)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",  # pos: reasons read back in the case's order
            [(case.id, r.code, r.score, json.dumps(list(r.evidence), ensure_ascii=False),
              ts(r.at), r.verdict, pos) for pos, r in enumerate(case.reasons)],
        )  # fmt: skip

    async def insert_case(self, case: Case) -> Case:
        """Store a new case; if the thread already has one, return that one unchanged."""
        try:
            async with self._transaction() as db:
                await db.execute(
                    f"INSERT INTO cases ({CASE_COLUMNS})"
                    f" VALUES ({', '.join('?' * len(CASE_FIELDS))})",
                    _case_values(case),
                )
                await self._write_reasons(db, case)
        except sqlite3.IntegrityError:
            existing = await self.get_case_for_thread(case.thread_id)
            if existing is None:
                raise
            return existing
        return case

    async def update_case(self, case: Case) -> None:
        """Save a case read at `case.version`; Conflict if it changed meanwhile."""
        async with self._transaction() as db:
            sets = ", ".join(f"{f} = ?" for f in CASE_FIELDS if f not in ("id", "version"))
            values = [v for f, v in zip(CASE_FIELDS, _case_values(case), strict=True)
                      if f not in ("id", "version")]  # fmt: skip
            async with db.execute(
                f"UPDATE cases SET {sets}, version = version + 1 WHERE id = ? AND version = ?",
                (*values, case.id, case.version),
            ) as cur:
                if cur.rowcount != 1:
                    raise Stale("this case changed meanwhile; reload it and try again")
            await self._write_reasons(db, case)
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
        sql = f"SELECT {CASE_COLUMNS} FROM cases WHERE 1 = 1"
        params: list[Any] = []
        if states:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            params += [s.value for s in states]
        if reason:
            sql += " AND id IN (SELECT case_id FROM case_reasons WHERE code = ?)"
            params.append(reason)
        if room:
            sql += " AND room = ?"
            params.append(room)
        if category:
            sql += " AND category = ?"
            params.append(category)
        sql += " ORDER BY priority DESC, due_at LIMIT ?"
        params.append(limit)
        return await self._cases(await self._read_all(sql, tuple(params)))

    async def due_claims(self, now: datetime, limit: int = 100) -> list[Case]:
        return await self._cases(await self._read_all(DUE_CLAIMS_SQL, (ts(now), limit)))

    async def detector_feedback(self) -> list[tuple[str, str]]:
        rows = await self._read_all(
            "SELECT code, verdict FROM case_reasons WHERE verdict IS NOT NULL", ()
        )
        return [(r["code"], r["verdict"]) for r in rows]

    async def detector_feedback_texts(self) -> list[tuple[str, str, str]]:
        rows = await self._read_all(
            "SELECT t.body AS body, r.code AS code, r.verdict AS verdict FROM case_reasons r"
            " JOIN cases c ON c.id = r.case_id JOIN threads t ON t.id = c.thread_id"
            " WHERE r.verdict IS NOT NULL ORDER BY c.created_at, c.id, r.pos",
            (),
        )
        return [(r["body"], r["code"], r["verdict"]) for r in rows]

    async def add_detector_model(self, record: DetectorModelRecord) -> None:
        async with self._transaction(bulk=True) as db:  # a model's body is ~2 MB of JSON
            if record.active:
                await db.execute("UPDATE detector_models SET active = 0 WHERE active = 1")
            await db.execute(
                "INSERT INTO detector_models (id, version, created_at, active, feedback_count,"
                " scores, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, record.version, ts(record.created_at), int(record.active),
                 record.feedback_count, json.dumps(record.scores), record.body),
            )  # fmt: skip

    async def detector_models(self, limit: int = 10) -> list[DetectorModelRecord]:
        rows = await self._read_all(
            "SELECT id, version, created_at, active, feedback_count, scores, '' AS body"
            " FROM detector_models ORDER BY created_at DESC, id DESC LIMIT ?",
            (max(int(limit), 0),),
        )
        return [_model_from(r) for r in rows]

    async def active_detector_model(self) -> DetectorModelRecord | None:
        row = await self._read_one(
            "SELECT * FROM detector_models WHERE active = 1"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (),
        )
        return _model_from(row) if row is not None else None

    # audit -------------------------------------------------------------------------------
    async def add_audit(self, entry: AuditEntry) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO audit (id, case_id, actor_id, actor_name, actor_kind, action,"
                " detail, at, subject_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.id, entry.case_id, entry.actor_id, entry.actor_name, entry.actor_kind,
                 entry.action, entry.detail, ts(entry.at), entry.subject_id),
            )  # fmt: skip

    async def list_audit(self, case_id: str) -> list[AuditEntry]:
        rows = await self._read_all("SELECT * FROM audit WHERE case_id = ? ORDER BY at", (case_id,))
        return [audit_from(r) for r in rows]

    # sweeper and detector context --------------------------------------------------------
    async def due_threads(self, now: datetime, limit: int = 100) -> list[Thread]:
        """Threads whose next SLA check (nudge or escalation) is due: one indexed range."""
        return [thread_from(r) for r in await self._read_all(DUE_THREADS_SQL, (ts(now), limit))]

    async def save_thread_schedule(self, thread: Thread) -> None:
        """Store the SLA bookkeeping only (no version bump, no room event)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE threads SET next_check_at = ?, nudged = ? WHERE id = ?",
                (ts(thread.next_check_at), int(thread.nudged), thread.id),
            )

    async def recent_by_author(self, author_id: str, limit: int = 20) -> list[tuple[str, datetime]]:
        """The author's latest questions and answers (body, time), oldest first. Each side
        walks its (author_id, created_at) index for `limit` rows at most: read on the loop,
        the same for a first-time visitor and a helper with thousands of answers."""
        rows = await self._read_few(
            "SELECT body, created_at FROM ("
            " SELECT * FROM (SELECT body, created_at FROM threads WHERE author_id = ?"
            "  ORDER BY created_at DESC LIMIT ?)"
            " UNION ALL SELECT * FROM (SELECT body, created_at FROM messages WHERE author_id = ?"
            "  ORDER BY created_at DESC LIMIT ?)"
            ") ORDER BY created_at DESC LIMIT ?",
            (author_id, limit, author_id, limit, limit),
        )
        return [(r["body"], datetime.fromisoformat(r["created_at"])) for r in reversed(rows)]

    async def top_helpers(self, room: str, limit: int = 10) -> list[str]:
        """Visitors whose answers in this room were found helpful, most helpful first."""
        rows = await self._read_all(
            "SELECT author_id, SUM(votes) AS helpful FROM messages"
            " WHERE room = ? AND kind = 'answer' AND hidden = 0 AND visibility = 'public'"
            " GROUP BY author_id HAVING helpful > 0 ORDER BY helpful DESC LIMIT ?",
            (room, limit),
        )
        return [r["author_id"] for r in rows]


def _model_from(row: Any) -> DetectorModelRecord:
    return DetectorModelRecord(
        id=row["id"],
        version=row["version"],
        created_at=datetime.fromisoformat(row["created_at"]),
        active=bool(row["active"]),
        feedback_count=int(row["feedback_count"]),
        scores=json.loads(row["scores"]),
        body=row["body"],
    )
