"""Contract: addresses, consent records, the suppression list and the mail queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.mail import (
    Consent,
    EmailAddress,
    Mail,
    MailKind,
    MailStatus,
    Purpose,
    address_key,
)
from app.store.port import Store

from .conftest import Backend

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def address(visitor_id: str = "v1", email: str = "ana@example.org") -> EmailAddress:
    return EmailAddress(visitor_id, email, "fr", T0, nonce="n-" + visitor_id)


def consent(visitor_id: str = "v1", at: datetime = T0) -> Consent:
    return Consent(visitor_id, Purpose.ANSWERS, "M'écrire quand on me répond", "fr", at)


def mail(to: str = "ana@example.org", at: datetime = T0, **kw: object) -> Mail:
    return Mail(MailKind(kw.pop("kind", MailKind.ANSWER)), to, "Sujet", "texte", "<p>html</p>",
                next_at=at, created_at=at, **kw)  # type: ignore[arg-type]  # fmt: skip


async def test_an_address_is_confirmed_once_with_its_nonce(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    await store.save_address(address(), consent())
    assert await store.confirm_address("v1", "wrong", T0) is False
    found = await store.get_address("v1")
    assert found is not None and not found.confirmed and found.email == "ana@example.org"
    assert await store.confirm_address("v1", "n-v1", T0 + timedelta(minutes=1)) is True
    assert await store.confirm_address("v1", "n-v1", T0 + timedelta(minutes=2)) is False
    await store.close()
    reopened = backend.make()  # survives a reopen
    await reopened.open()
    found = await reopened.get_address("v1")
    assert found is not None and found.confirmed and found.nonce is None
    assert found.confirmed_at == T0 + timedelta(minutes=1)
    assert await reopened.get_address("v2") is None
    await reopened.close()


async def test_deleting_an_address_withdraws_consent_and_drops_its_pending_mail(
    store: Store,
) -> None:
    await store.save_address(address(), consent())
    await store.enqueue_mail(mail(visitor_id="v1"))
    await store.enqueue_mail(mail(to="other@example.org"))
    assert await store.delete_address("v1", T0 + timedelta(hours=1)) is True
    assert await store.delete_address("v1", T0 + timedelta(hours=2)) is False
    assert await store.get_address("v1") is None
    [record] = await store.list_consents("v1")
    assert record.text == "M'écrire quand on me répond" and record.given_at == T0
    assert record.withdrawn_at == T0 + timedelta(hours=1)
    assert (await store.mail_stats()).pending == 1  # only the other address's e-mail


async def test_consents_are_kept_oldest_first(store: Store) -> None:
    await store.save_address(address(), consent(at=T0))
    await store.save_address(address(email="new@example.org"), consent(at=T0 + timedelta(1)))
    assert [c.given_at for c in await store.list_consents("v1")] == [T0, T0 + timedelta(1)]
    assert await store.list_consents("v2") == []


async def test_the_suppression_list_is_per_address_and_kind(store: Store) -> None:
    key = address_key("Ana@Example.org ")
    assert key == address_key("ana@example.org")
    await store.suppress(key, MailKind.ANSWER, T0)
    await store.suppress(key, MailKind.ANSWER, T0)  # again: no error
    assert await store.is_suppressed(key, MailKind.ANSWER)
    assert not await store.is_suppressed(key, MailKind.CONFIRM)
    assert not await store.is_suppressed(address_key("bo@example.org"), MailKind.ANSWER)


async def test_claims_take_due_mail_once_oldest_first(store: Store) -> None:
    first, second = mail(at=T0), mail(at=T0 + timedelta(seconds=1))
    later = mail(at=T0 + timedelta(hours=1))
    for m in (second, later, first):
        await store.enqueue_mail(m)
    now = T0 + timedelta(minutes=1)
    claimed = await store.claim_mails(now, now + timedelta(minutes=5), 10)
    assert [m.id for m in claimed] == [first.id, second.id]
    assert claimed[0].subject == "Sujet" and claimed[0].html == "<p>html</p>"
    assert await store.claim_mails(now, now + timedelta(minutes=5), 10) == []  # leased
    # the lease runs out (the worker died): claimable again
    again = await store.claim_mails(now + timedelta(minutes=6), now + timedelta(minutes=11), 1)
    assert [m.id for m in again] == [first.id]


async def test_sent_failed_and_retried_mail_is_counted(store: Store) -> None:
    sent, retried, given_up = mail(), mail(), mail()
    for m in (sent, retried, given_up):
        await store.enqueue_mail(m)
    await store.mails_sent([sent.id], T0 + timedelta(seconds=5))
    await store.mail_failed(retried.id, 1, "421 try later", T0 + timedelta(minutes=1))
    await store.mail_failed(given_up.id, 5, "550 no such user", None)
    found = await store.get_mail(sent.id)
    assert found is not None and found.status is MailStatus.SENT and found.attempts == 1
    assert found.sent_at == T0 + timedelta(seconds=5)
    again = await store.get_mail(retried.id)
    assert again is not None and again.status is MailStatus.PENDING
    assert (again.attempts, again.last_error) == (1, "421 try later")
    assert again.next_at == T0 + timedelta(minutes=1)
    stats = await store.mail_stats()
    assert (stats.pending, stats.failed) == (1, 1)
    assert stats.last_error == "550 no such user"
    assert [m.id for m in await store.failed_mails(10)] == [given_up.id]
    assert await store.get_mail("nope") is None


async def test_mails_are_counted_per_address_and_thread_since_a_time(store: Store) -> None:
    await store.enqueue_mail(mail(thread_id="t1"))
    await store.enqueue_mail(mail(at=T0 + timedelta(minutes=10), thread_id="t1"))
    await store.enqueue_mail(mail(kind=MailKind.CONFIRM, at=T0 + timedelta(minutes=10)))
    await store.enqueue_mail(mail(to="bo@example.org", at=T0 + timedelta(minutes=10)))
    since = T0 + timedelta(minutes=5)
    assert await store.mails_since(since, to="ana@example.org") == 2
    assert await store.mails_since(since, to="ana@example.org", kind=MailKind.CONFIRM) == 1
    assert await store.mails_since(since, thread_id="t1") == 1
    assert await store.mails_since(T0, thread_id="t1", kind=MailKind.ANSWER) == 2
    assert await store.mails_since(since, thread_id="t2") == 0
