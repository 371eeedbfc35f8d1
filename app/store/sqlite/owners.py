"""What the shop says its customers bought, and the questions sent to those owners.

`owner_asks` has one row per (question, owner e-mailed) plus, for a question with nobody to
ask, one row with an empty customer id: either way the question is not looked at again.
`threads_unanswered` (a partial index: open questions without an answer) keeps the
sweeper's search for questions to send small however many questions were ever answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domain.mail import ShopCustomer
from app.domain.models import Thread
from app.store.sqlite.base import SqliteBase, dt, ts
from app.store.sqlite.qa import THREAD_COLUMNS, thread_from

NOBODY = ""  # the customer id of the marker row of a question with no owner to ask


def _customer(r: Any) -> ShopCustomer:
    return ShopCustomer(r["customer_id"], r["email"], r["lang"], bool(r["owner_questions"]),
                        dt(r["updated_at"]), dt(r["consent_at"]))  # type: ignore[arg-type]  # fmt: skip


class SqliteOwners(SqliteBase):
    async def save_customer(self, customer: ShopCustomer, purchased: Sequence[str]) -> None:
        c = customer
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR REPLACE INTO shop_customers"
                " (customer_id, email, lang, owner_questions, updated_at, consent_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (c.customer_id, c.email, c.lang, int(c.owner_questions), ts(c.updated_at),
                 ts(c.consent_at)),
            )  # fmt: skip
            await db.executemany(
                "INSERT OR IGNORE INTO purchases (room, customer_id, at) VALUES (?, ?, ?)",
                [(room, c.customer_id, ts(c.updated_at)) for room in dict.fromkeys(purchased)],
            )

    async def get_customer(self, customer_id: str) -> ShopCustomer | None:
        row = await self._read_one(
            "SELECT * FROM shop_customers WHERE customer_id = ?", (customer_id,)
        )
        return None if row is None else _customer(row)

    async def purchases(self, customer_id: str) -> list[str]:
        rows = await self._read_all(
            "SELECT room FROM purchases WHERE customer_id = ? ORDER BY room", (customer_id,)
        )
        return [r["room"] for r in rows]

    async def has_purchased(self, customer_id: str, room: str) -> bool:
        row = await self._read_one(
            "SELECT 1 FROM purchases WHERE room = ? AND customer_id = ?", (room, customer_id)
        )
        return row is not None

    async def owners_of(self, room: str, limit: int, offset: int = 0) -> list[ShopCustomer]:
        rows = await self._read_all(
            "SELECT c.* FROM purchases AS p JOIN shop_customers AS c USING (customer_id)"
            " WHERE p.room = ? AND c.owner_questions = 1"
            " ORDER BY p.at DESC, c.customer_id LIMIT ? OFFSET ?",
            (room, limit, offset),
        )
        return [_customer(r) for r in rows]

    async def unanswered_threads(
        self, created_after: datetime, created_before: datetime, limit: int
    ) -> list[Thread]:
        rows = await self._read_all(
            f"SELECT {THREAD_COLUMNS} FROM threads INDEXED BY threads_unanswered"
            " WHERE answer_count = 0 AND status = 'open' AND held = 0"
            " AND created_at > ? AND created_at <= ?"
            " AND NOT EXISTS (SELECT 1 FROM owner_asks AS a WHERE a.thread_id = threads.id)"
            " ORDER BY created_at LIMIT ?",
            (ts(created_after), ts(created_before), limit),
        )
        return [thread_from(r) for r in rows]

    async def record_owner_asks(
        self, thread_id: str, asks: Sequence[tuple[str, str]], at: datetime
    ) -> None:
        rows = [(thread_id, customer, nonce, ts(at)) for customer, nonce in asks]
        async with self._transaction() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO owner_asks (thread_id, customer_id, nonce, asked_at)"
                " VALUES (?, ?, ?, ?)",
                rows or [(thread_id, NOBODY, None, ts(at))],
            )

    async def use_invitation(
        self, thread_id: str, customer_id: str, nonce: str, at: datetime
    ) -> bool:
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE owner_asks SET used_at = ? WHERE thread_id = ? AND customer_id = ?"
                " AND nonce = ? AND used_at IS NULL",
                (ts(at), thread_id, customer_id, nonce),
            )
            return cur.rowcount == 1
