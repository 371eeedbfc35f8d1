"""Addresses, consent records, the suppression list and the mail queue.

`mails` is the queue and its history: `mails_due` (status, next_at) finds what to send and
counts each status; a sent e-mail's `next_at` is when it was sent, so "sent in the last day"
is a range of the same index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from app.domain.mail import (
    Consent,
    EmailAddress,
    Mail,
    MailKind,
    MailStats,
    MailStatus,
    Purpose,
)
from app.domain.models import utcnow
from app.store.sqlite.base import SqliteBase, dt, ts

MAIL_COLUMNS = (
    "id, kind, to_addr, subject, text, html, unsubscribe_url, visitor_id, thread_id, status,"
    " attempts, next_at, last_error, created_at, sent_at"
)


def _mail(r: Any) -> Mail:
    return Mail(
        kind=MailKind(r["kind"]), to=r["to_addr"], subject=r["subject"], text=r["text"],
        html=r["html"], unsubscribe_url=r["unsubscribe_url"], visitor_id=r["visitor_id"],
        thread_id=r["thread_id"], status=MailStatus(r["status"]), attempts=r["attempts"],
        next_at=dt(r["next_at"]), last_error=r["last_error"],  # type: ignore[arg-type]
        created_at=dt(r["created_at"]), sent_at=dt(r["sent_at"]), id=r["id"],  # type: ignore[arg-type]
    )  # fmt: skip


def _consent(r: Any) -> Consent:
    return Consent(r["subject_id"], Purpose(r["purpose"]), r["text"], r["lang"],
                   dt(r["given_at"]), dt(r["withdrawn_at"]), r["id"])  # type: ignore[arg-type]  # fmt: skip


class SqliteMail(SqliteBase):
    async def save_address(self, address: EmailAddress, consent: Consent) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR REPLACE INTO email_addresses"
                " (visitor_id, email, lang, created_at, nonce, confirmed_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (address.visitor_id, address.email, address.lang, ts(address.created_at),
                 address.nonce, ts(address.confirmed_at)),
            )  # fmt: skip
            await self.save_consent(consent)

    async def get_address(self, visitor_id: str) -> EmailAddress | None:
        r = await self._read_one(
            "SELECT * FROM email_addresses WHERE visitor_id = ?", (visitor_id,)
        )
        if r is None:
            return None
        return EmailAddress(r["visitor_id"], r["email"], r["lang"], dt(r["created_at"]),  # type: ignore[arg-type]
                            r["nonce"], dt(r["confirmed_at"]))  # fmt: skip

    async def confirm_address(self, visitor_id: str, nonce: str, at: datetime) -> bool:
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE email_addresses SET confirmed_at = ?, nonce = NULL"
                " WHERE visitor_id = ? AND nonce = ?",
                (ts(at), visitor_id, nonce),
            )
            return cur.rowcount == 1

    async def delete_address(self, visitor_id: str, at: datetime) -> bool:
        async with self._transaction() as db:
            cur = await db.execute(
                "DELETE FROM email_addresses WHERE visitor_id = ? RETURNING email", (visitor_id,)
            )
            row = await cur.fetchone()
            await cur.close()
            if row is None:
                return False
            await db.execute(
                "UPDATE consents SET withdrawn_at = ? WHERE subject_id = ?"
                " AND withdrawn_at IS NULL",
                (ts(at), visitor_id),
            )
            await db.execute(
                "DELETE FROM mails WHERE to_addr = ? AND status = ?",
                (row["email"], MailStatus.PENDING.value),
            )
            return True

    async def save_consent(self, consent: Consent) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR REPLACE INTO consents (id, subject_id, purpose, text, lang, given_at,"
                " withdrawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (consent.id, consent.subject_id, consent.purpose.value, consent.text,
                 consent.lang, ts(consent.given_at), ts(consent.withdrawn_at)),
            )  # fmt: skip

    async def list_consents(self, subject_id: str) -> list[Consent]:
        rows = await self._read_all(
            "SELECT * FROM consents WHERE subject_id = ? ORDER BY given_at, id", (subject_id,)
        )
        return [_consent(r) for r in rows]

    async def suppress(self, key: str, kind: MailKind, at: datetime) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO mail_suppressions (key, kind, at) VALUES (?, ?, ?)",
                (key, kind.value, ts(at)),
            )

    async def is_suppressed(self, key: str, kind: MailKind) -> bool:
        row = await self._read_one(
            "SELECT 1 FROM mail_suppressions WHERE key = ? AND kind = ?", (key, kind.value)
        )
        return row is not None

    async def enqueue_mail(self, mail: Mail) -> None:
        async with self._transaction() as db:
            await db.execute(
                f"INSERT INTO mails ({MAIL_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                (mail.id, mail.kind.value, mail.to, mail.subject, mail.text, mail.html,
                 mail.unsubscribe_url, mail.visitor_id, mail.thread_id, mail.status.value,
                 mail.attempts, ts(mail.next_at), mail.last_error, ts(mail.created_at),
                 ts(mail.sent_at)),
            )  # fmt: skip

    async def claim_mails(self, now: datetime, lease_until: datetime, limit: int) -> list[Mail]:
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE mails SET next_at = ? WHERE id IN (SELECT id FROM mails INDEXED BY"
                " mails_due WHERE status = ? AND next_at <= ?"
                f" ORDER BY next_at, created_at, id LIMIT ?) RETURNING {MAIL_COLUMNS}",
                (ts(lease_until), MailStatus.PENDING.value, ts(now), limit),
            )
            rows = await cur.fetchall()
            await cur.close()
        return sorted((_mail(r) for r in rows), key=lambda m: (m.created_at, m.id))

    async def mails_sent(self, mail_ids: Sequence[str], at: datetime) -> None:
        async with self._transaction() as db:
            await db.executemany(
                "UPDATE mails SET status = ?, sent_at = ?, next_at = ?, attempts = attempts + 1"
                " WHERE id = ?",
                [(MailStatus.SENT.value, ts(at), ts(at), mail_id) for mail_id in mail_ids],
            )

    async def mail_failed(
        self, mail_id: str, attempts: int, error: str, retry_at: datetime | None
    ) -> None:
        status = MailStatus.PENDING if retry_at is not None else MailStatus.FAILED
        async with self._transaction() as db:
            await db.execute(
                "UPDATE mails SET status = ?, attempts = ?, last_error = ?,"
                " next_at = ? WHERE id = ?",
                (status.value, attempts, error[:500], ts(retry_at or utcnow()), mail_id),
            )

    async def get_mail(self, mail_id: str) -> Mail | None:
        row = await self._read_one(f"SELECT {MAIL_COLUMNS} FROM mails WHERE id = ?", (mail_id,))
        return None if row is None else _mail(row)

    async def mails_since(
        self, since: datetime, *, to: str | None = None, thread_id: str | None = None,
        kind: MailKind | None = None,
    ) -> int:  # fmt: skip
        sql, params = "SELECT COUNT(*) AS n FROM mails WHERE created_at >= ?", [ts(since)]
        for column, value in (("to_addr", to), ("thread_id", thread_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind.value)
        row = await self._read_one(sql, tuple(params))
        return int(row["n"])

    async def mail_stats(self) -> MailStats:
        now = utcnow()
        counts = {}
        for status, since in ((MailStatus.PENDING, None), (MailStatus.FAILED, None),
                              (MailStatus.SENT, now - timedelta(days=1))):  # fmt: skip
            row = await self._read_one(
                "SELECT COUNT(*) AS n FROM mails INDEXED BY mails_due WHERE status = ?"
                " AND next_at >= ?",
                (status.value, ts(since) if since else ""),
            )
            counts[status] = int(row["n"])
        last = await self._read_one(
            "SELECT last_error, next_at FROM mails INDEXED BY mails_due WHERE status = ?"
            " AND last_error IS NOT NULL ORDER BY next_at DESC LIMIT 1",
            (MailStatus.FAILED.value,),
        )
        return MailStats(
            counts[MailStatus.PENDING], counts[MailStatus.FAILED], counts[MailStatus.SENT],
            last["last_error"] if last else None, dt(last["next_at"]) if last else None,
        )  # fmt: skip

    async def failed_mails(self, limit: int) -> list[Mail]:
        rows = await self._read_all(
            f"SELECT {MAIL_COLUMNS} FROM mails INDEXED BY mails_due WHERE status = ?"
            " ORDER BY next_at DESC LIMIT ?",
            (MailStatus.FAILED.value, limit),
        )
        return [_mail(r) for r in rows]
