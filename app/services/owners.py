"""Ask the owners: a question nobody answered is e-mailed to people who bought the product.

The shop's server tells us who bought what (`save_customer`, behind the shop API key) and
whether the customer agreed, with the shop, to be asked. The sweeper's `tick` finds
questions unanswered for `owner_ask_after` (moderation thresholds, per category) and e-mails
up to OWNERS_PER_QUESTION consenting owners (never the asker, at most one such e-mail per
owner per OWNER_EVERY), each with a one-use, 7-day invitation that opens the thread in the
widget as a verified owner (`redeem`). A question is looked at once.

The job paces its writes: WRITE_CHUNK questions (with their e-mails) per commit, then a
WRITE_PAUSE before the next commit of the same tick, so a backlog (a thousand questions due
at once) is asked at most ~10 questions a second and the chat's writes, which share the
database's single writer (SQLite), never queue behind a run of the job's commits
(bench/README.md, issue 10). A tick with WRITE_CHUNK due questions or fewer does not wait.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from typing import Any

from app.domain.errors import Invalid, Unauthorized, Unavailable
from app.domain.mail import (
    OWNER_EVERY,
    OWNER_LOOKBACK,
    OWNERS_PER_QUESTION,
    MailKind,
    ShopCustomer,
    address_key,
)
from app.domain.models import Thread, utcnow
from app.services import payloads as p
from app.services.mail_compose import MailComposer
from app.store.port import MailUnit
from moderation.thresholds import CategoryThresholds

BATCH = 50  # questions looked at per tick
PAGES = 10  # pages of not-yet-due questions a tick may skip to find due ones
WRITE_CHUNK = 5  # questions recorded (with their e-mails) per commit
WRITE_PAUSE = 0.5  # seconds between two commits of a tick
OWNER_PAGE, OWNER_PAGES = 20, 10  # owners of a product looked at per question: up to 200


class Owners:
    def __init__(
        self,
        store: MailUnit,
        composer: MailComposer | None,
        thresholds: CategoryThresholds,
        queued: asyncio.Event,
        shop_api_key: str | None,
    ) -> None:
        self._store = store
        self._composer = composer
        self._thresholds = thresholds
        self._queued = queued
        self._key = shop_api_key

    # the shop's purchase feed ------------------------------------------------------------
    def check_key(self, token: str | None) -> None:
        """The Bearer token must be ENTRAIDE_SHOP_API_KEY (compared in constant time)."""
        if self._key is None:
            raise Unavailable("the shop API is not set up (ENTRAIDE_SHOP_API_KEY)")
        if token is None or not hmac.compare_digest(token.encode(), self._key.encode()):
            raise Unauthorized("send Authorization: Bearer <the shop API key>")

    async def save_customer(self, data: Any) -> tuple[ShopCustomer, list[str]]:
        """Upsert a customer and add their purchases; returns them and all they bought."""
        cmd = p.parse(p.ShopCustomerIn, data)
        email = p.normalized_email(cmd.email)
        now = utcnow()
        customer = ShopCustomer(cmd.customer_id, email, cmd.lang, cmd.owner_questions, now,
                                now if cmd.owner_questions else None)  # fmt: skip
        await self._store.save_customer(customer, cmd.purchased)
        return customer, await self._store.purchases(customer.customer_id)

    # the sweeper's job ---------------------------------------------------------------------
    async def tick(self) -> int:
        """E-mail the owners of questions that waited long enough; how many questions."""
        if self._composer is None:
            return 0
        now = utcnow()
        thresholds = [self._thresholds.default, *self._thresholds.categories.values()]
        soonest = min(t.owner_ask_after for t in thresholds)
        handled, after = 0, now - OWNER_LOOKBACK
        for _ in range(PAGES):  # past questions whose category waits longer (not due yet)
            page = await self._store.unanswered_threads(after, now - soonest, BATCH)
            due = [t for t in page if now - t.created_at
                   >= self._thresholds.for_category(t.category).owner_ask_after]  # fmt: skip
            if due:
                await self._ask_owners(self._composer, due)
                handled += len(due)
            if handled or len(page) < BATCH:
                break
            after = page[-1].created_at
        return handled

    async def _ask_owners(self, composer: MailComposer, threads: list[Thread]) -> None:
        """Choose every question's owners (reads), then record them and queue the e-mails
        in one unit of work: one commit for the page, not one per question."""
        plans = []
        today: set[str] = set()  # addresses chosen in this page: one e-mail a day each
        for thread in threads:
            room = await self._store.get_room(thread.room)
            chosen = await self._choose(thread, today) if room is not None else []
            today.update(owner.email for owner, _ in chosen)
            plans.append((thread, room, chosen))
        # Composed before writing: the writer lock is held for the inserts only, and for at
        # most WRITE_CHUNK questions at a time, WRITE_PAUSE apart.
        composed = [
            (thread, chosen, [
                composer.owner(owner, thread, room,
                               composer.links.invite_token(thread.id, owner.customer_id, nonce))
                for owner, nonce in chosen if room is not None
            ])
            for thread, room, chosen in plans
        ]  # fmt: skip
        for start in range(0, len(composed), WRITE_CHUNK):
            if start:
                await asyncio.sleep(WRITE_PAUSE)  # pacing: let the chat's writes through
            chunk = composed[start : start + WRITE_CHUNK]
            async with self._store.atomic():
                for thread, chosen, mails in chunk:
                    await self._store.record_owner_asks(
                        thread.id, [(o.customer_id, nonce) for o, nonce in chosen], utcnow()
                    )
                    for mail in mails:
                        await self._store.enqueue_mail(mail)
            if any(mails for _, _, mails in chunk):
                self._queued.set()  # the mail worker starts on this chunk during the pause

    async def _choose(self, thread: Thread, today: set[str]) -> list[tuple[ShopCustomer, str]]:
        """Up to OWNERS_PER_QUESTION owners to ask, newest buyers first, page by page (the
        newest may all have had today's e-mail), each with a fresh invitation nonce."""
        asker = await self._store.get_visitor(thread.author_id)
        asker_customer = asker.shopper_id if asker else None
        since = utcnow() - OWNER_EVERY
        chosen: list[tuple[ShopCustomer, str]] = []
        for page in range(OWNER_PAGES):
            owners = await self._store.owners_of(thread.room, OWNER_PAGE, page * OWNER_PAGE)
            for owner in owners:
                if len(chosen) == OWNERS_PER_QUESTION:
                    break
                if owner.customer_id == asker_customer or owner.email in today:
                    continue  # never the asker; one e-mail a day
                if await self._store.is_suppressed(address_key(owner.email), MailKind.OWNER):
                    continue
                if await self._store.mails_since(since, to=owner.email, kind=MailKind.OWNER):
                    continue  # one such e-mail per owner per day
                chosen.append((owner, secrets.token_urlsafe(12)))
            if len(chosen) == OWNERS_PER_QUESTION or len(owners) < OWNER_PAGE:
                break
        return chosen

    # the invitation ------------------------------------------------------------------------
    async def redeem(self, token: object) -> str:
        """The customer id an owner's invitation vouches for; once per invitation."""
        if self._composer is None:
            raise Unavailable("this shop does not send e-mail")
        try:
            thread_id, customer_id, nonce = self._composer.links.read_invite(token)
        except Invalid as exc:
            raise Invalid(exc.message, field="invite") from None
        if not await self._store.use_invitation(thread_id, customer_id, nonce, utcnow()):
            raise Invalid("this invitation was already used", field="invite")
        return customer_id
