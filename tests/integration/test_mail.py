"""E-mail to askers who left, through the public protocol and a real SMTP server on
loopback: double opt-in, answer e-mails (at most one per question per 15 minutes, none while
the asker is connected), one-click unsubscribe, failures staff can see, and bad input."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.conftest import MODERATOR, SECRET
from tests.mailbox import Mailbox, html_of, links, text_of
from tests.support import PRODUCT, LiveServer, StaffClient, cid, eventually

ROOM = "montre-peche"
ASKER = "camille@example.org"


@pytest.fixture
def server(mail_server: LiveServer) -> LiveServer:
    """Every fixture of this module (people, staff) talks to the server that sends e-mail."""
    return mail_server


def auth(visitor: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {visitor['token']}"}


async def call(server: LiveServer, method: str, path: str, visitor: dict[str, Any] | None = None,
               **kw: Any) -> tuple[int, Any]:  # fmt: skip
    headers = auth(visitor) if visitor else {}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, server.url + path, headers=headers, **kw) as resp,
    ):
        body = await resp.text()
        try:
            return resp.status, await resp.json(content_type=None)
        except ValueError:
            return resp.status, body


async def ask(client: Any, body: str) -> dict[str, Any]:
    ack = await client.call("ask", {"room": ROOM, "body": body, "client_id": cid()})
    assert ack["ok"], ack
    return ack["thread"]  # type: ignore[no-any-return]


async def answer(client: Any, thread: dict[str, Any], body: str) -> None:
    ack = await client.call("answer", {"thread_id": thread["id"], "body": body, "client_id": cid()})
    assert ack["ok"], ack


async def subscribe_and_confirm(server: LiveServer, mailbox: Mailbox, visitor: dict[str, Any],
                                email: str = ASKER) -> None:  # fmt: skip
    status, body = await call(server, "POST", "/api/v1/visitors/me/email", visitor,
                              json={"email": email, "lang": "fr"})  # fmt: skip
    assert status == 202 and body == {"email": email, "confirmed": False, "lang": "fr"}, body
    [confirmation] = await mailbox.wait_for(email)
    confirm = next(u for u in links(confirmation) if "/mail/confirm" in u)
    status, page = await call(server, "GET", urlsplit(confirm).path + "?" + urlsplit(confirm).query)
    assert status == 200 and "Adresse confirmée" in page, page


async def mail_status(staff: StaffClient) -> dict[str, Any]:
    return await staff.get("/api/v1/staff/mail")  # type: ignore[no-any-return]


async def test_an_asker_who_left_gets_one_email_per_question_after_confirming(
    server: LiveServer, mailbox: Mailbox, people: Any, staff: StaffClient
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    thread = await ask(asking, "Le bracelet est-il réglable ?")
    status, body = await call(server, "POST", "/api/v1/visitors/me/email", asker,
                              json={"email": ASKER, "lang": "fr"})  # fmt: skip
    assert status == 202, body

    [confirmation] = await mailbox.wait_for(ASKER)
    assert confirmation["Subject"].startswith("Confirmez votre adresse")
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    confirm = next(u for u in links(confirmation) if "/mail/confirm" in u)
    assert confirm.startswith(server.url + "/mail/confirm?token=")
    assert confirm.replace("&amp;", "&") in html_of(confirmation).replace("&amp;", "&")

    # Not confirmed yet: an answer to the absent asker sends nothing.
    await asking.sio.disconnect()
    await answer(helping, thread, "Oui, avec l'outil fourni.")
    await server.settled()
    assert (await mail_status(staff))["pending"] == 0
    assert len(mailbox.to(ASKER)) == 1

    status, page = await call(server, "GET", confirm.removeprefix(server.url))
    assert status == 200 and "Adresse confirmée" in page and ASKER in page
    status, page = await call(server, "GET", confirm.removeprefix(server.url))
    assert status == 400 and "Ce lien ne fonctionne pas" in page  # a confirmation works once
    status, body = await call(server, "GET", "/api/v1/visitors/me/email", asker)
    assert body["email"] == ASKER and body["confirmed"] is True and body["available"] is True

    await answer(helping, thread, "Et la boucle se change sans outil.")
    _, notice = await mailbox.wait_for(ASKER, 2)
    assert notice["Subject"] == "Nouvelle réponse à votre question sur Montre de pêche"
    assert "Et la boucle se change sans outil." in text_of(notice)
    assert "Hugo" in text_of(notice)
    assert f"{PRODUCT['url']}#entraide-thread={thread['id']}" in links(notice)
    assert notice["List-Unsubscribe"].startswith(f"<{server.url}/mail/unsubscribe?token=")
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Et la boucle se change sans outil." in html_of(notice)

    # Within 15 minutes, more answers to the same question send nothing more.
    await answer(helping, thread, "Le bracelet fait 22 mm.")
    await server.settled()
    await eventually(lambda: mail_status(staff), lambda s: s["pending"] == 0, "queue drained")
    assert len(mailbox.to(ASKER)) == 2


async def test_no_email_while_the_asker_is_connected(
    server: LiveServer, mailbox: Mailbox, people: Any, staff: StaffClient
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    await subscribe_and_confirm(server, mailbox, asker)
    thread = await ask(asking, "Quelle taille de cadran ?")
    await answer(helping, thread, "42 mm.")
    await server.settled()
    await eventually(lambda: mail_status(staff), lambda s: s["pending"] == 0, "queue drained")
    assert len(mailbox.to(ASKER)) == 1  # the confirmation only


async def test_one_click_unsubscribe_stops_answer_emails(
    server: LiveServer, mailbox: Mailbox, people: Any, staff: StaffClient
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    await subscribe_and_confirm(server, mailbox, asker)
    first = await ask(asking, "Étanche à quelle profondeur ?")
    second = await ask(asking, "Le verre est-il en saphir ?")
    await asking.sio.disconnect()
    await answer(helping, first, "100 mètres.")
    _, notice = await mailbox.wait_for(ASKER, 2)

    target = notice["List-Unsubscribe"].strip("<>")
    status, page = await call(server, "GET", target.removeprefix(server.url))
    assert status == 200 and "<form" in page  # a person confirms with a button
    for _ in range(2):  # RFC 8058: the mail client POSTs; again is harmless
        status, page = await call(server, "POST", target.removeprefix(server.url),
                                  data={"List-Unsubscribe": "One-Click"})  # fmt: skip
        assert status == 200 and "désinscrit" in page, page

    await answer(helping, second, "Oui, saphir.")
    await server.settled()
    await eventually(lambda: mail_status(staff), lambda s: s["pending"] == 0, "queue drained")
    assert len(mailbox.to(ASKER)) == 2


async def test_removing_the_address_stops_everything(
    server: LiveServer, mailbox: Mailbox, people: Any, staff: StaffClient
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    await subscribe_and_confirm(server, mailbox, asker)
    thread = await ask(asking, "Livrée avec une pile ?")
    status, _ = await call(server, "DELETE", "/api/v1/visitors/me/email", asker)
    assert status == 204
    status, body = await call(server, "GET", "/api/v1/visitors/me/email", asker)
    assert body["email"] is None and body["confirmed"] is False
    await asking.sio.disconnect()
    await answer(helping, thread, "Oui.")
    await server.settled()
    assert (await mail_status(staff))["pending"] == 0
    assert len(mailbox.to(ASKER)) == 1


async def test_a_refused_address_is_given_up_and_shown_to_staff(
    server: LiveServer, mailbox: Mailbox, people: Any, staff: StaffClient
) -> None:
    mailbox.refuse.add("nobody@example.org")
    mailbox.defer.add("later@example.org")
    refused, _ = await people("Camille")
    deferred, _ = await people("Hugo")
    for visitor, email in ((refused, "nobody@example.org"), (deferred, "later@example.org")):
        status, body = await call(server, "POST", "/api/v1/visitors/me/email", visitor,
                                  json={"email": email, "lang": "en"})  # fmt: skip
        assert status == 202, body
    status = await eventually(
        lambda: mail_status(staff), lambda s: s["failed"] == 1 and s["pending"] == 1,
        "one refused, one deferred",
    )  # fmt: skip
    [failure] = status["failures"]
    assert failure["to"] == "nobody@example.org" and failure["kind"] == "confirm"
    assert failure["last_error"].startswith("recipient refused") and failure["attempts"] == 1
    assert status["last_error"] == failure["last_error"]
    code, ready = await call(server, "GET", "/readyz")
    assert code == 200 and ready["details"]["mail"]["failed"] == 1  # reported, still ready


async def test_bad_addresses_and_tokens_are_refused_and_store_nothing(
    server: LiveServer, mailbox: Mailbox, people: Any, staff: StaffClient
) -> None:
    visitor, _ = await people("Camille")
    for body in (
        {"email": "pas-une-adresse", "lang": "fr"},
        {"email": "a@b", "lang": "fr"},
        {"email": "x" * 250 + "@example.org", "lang": "fr"},
        {"email": "camille@example.org\r\nBcc: all@example.org", "lang": "fr"},
        {"email": ["camille@example.org"], "lang": "fr"},
        {"email": "camille@example.org", "lang": "de"},
        {"email": "camille@example.org", "lang": "fr", "admin": True},
        {},
    ):
        status, answer_ = await call(server, "POST", "/api/v1/visitors/me/email", visitor,
                                     json=body)  # fmt: skip
        assert status == 400 and answer_["error"]["code"] == "invalid", (body, answer_)
    status, answer_ = await call(server, "POST", "/api/v1/visitors/me/email", None,
                                 json={"email": ASKER})  # fmt: skip
    assert status == 401, answer_
    status, answer_ = await call(server, "POST", "/api/v1/visitors/me/email", visitor,
                                 data="not json")  # fmt: skip
    assert status == 400, answer_
    status, mine = await call(server, "GET", "/api/v1/visitors/me/email", visitor)
    assert mine["email"] is None

    # Tokens: tampered, cut, foreign (a confirmation token used to unsubscribe), expired.
    await subscribe_and_confirm(server, mailbox, visitor)
    [confirmation] = mailbox.to(ASKER)
    confirm = next(u for u in links(confirmation) if "/mail/confirm" in u)
    token = parse_qs(urlsplit(confirm).query)["token"][0]

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 8 * 86400

    expired = URLSafeTimedSerializer(SECRET, salt="entraide.mail.confirm",
                                     signer=EightDaysAgo).dumps([visitor["id"], "n"])  # fmt: skip
    for path in (
        f"/mail/confirm?token={token[:-3]}abc",
        f"/mail/confirm?token={token[:20]}",
        "/mail/confirm",
        f"/mail/confirm?token={expired}",
        f"/mail/unsubscribe?token={token}",
    ):
        status, page = await call(server, "GET", path)
        assert status == 400 and "Ce lien ne fonctionne pas" in page, (path, page)
    status, page = await call(server, "POST", f"/mail/unsubscribe?token={token}")
    assert status == 400
    # Too many confirmations to one address in a day: refused, nothing sent.
    other, _ = await people("Hugo")
    for _ in range(3):
        status, _body = await call(server, "POST", "/api/v1/visitors/me/email", other,
                               json={"email": "hugo@example.org"})  # fmt: skip
        assert status == 202
    status, body = await call(server, "POST", "/api/v1/visitors/me/email", other,
                              json={"email": "hugo@example.org"})  # fmt: skip
    assert status == 429 and body["error"]["code"] == "rate_limited", body
    await mailbox.wait_for("hugo@example.org", 3)
    await eventually(lambda: mail_status(staff), lambda s: s["pending"] == 0, "queue drained")
    assert len(mailbox.to("hugo@example.org")) == 3


async def test_without_smtp_the_shop_offers_no_email(tmp_path: Any) -> None:
    from tests.conftest import server_overrides
    from tests.support import new_visitor

    plain = LiveServer(server_overrides(tmp_path))
    plain.start()
    try:
        visitor = await new_visitor(plain.url, "Camille")
        status, body = await call(plain, "GET", "/api/v1/visitors/me/email", visitor)
        assert status == 200 and body["available"] is False
        status, body = await call(plain, "POST", "/api/v1/visitors/me/email", visitor,
                                  json={"email": ASKER})  # fmt: skip
        assert status == 503 and body["error"]["code"] == "unavailable", body
        status, page = await call(plain, "GET", "/mail/confirm?token=x")
        assert status == 400 and "<form" not in page
        status, ready = await call(plain, "GET", "/readyz")
        assert "details" not in ready
    finally:
        plain.stop()


async def test_an_address_that_unsubscribed_gets_no_more_confirmations(
    server: LiveServer, mailbox: Mailbox, people: Any
) -> None:
    """Someone typed a stranger's address: the stranger's one click ends it for good."""
    visitor, _ = await people("Camille")
    status, _body = await call(server, "POST", "/api/v1/visitors/me/email", visitor,
                               json={"email": "stranger@example.org", "lang": "en"})  # fmt: skip
    assert status == 202
    [confirmation] = await mailbox.wait_for("stranger@example.org")
    assert confirmation["Subject"] == "Confirm your address to hear about answers"
    target = confirmation["List-Unsubscribe"].strip("<>")
    status, page = await call(server, "POST", target.removeprefix(server.url),
                              data={"List-Unsubscribe": "One-Click"})  # fmt: skip
    assert status == 200 and "You are unsubscribed" in page
    status, body = await call(server, "POST", "/api/v1/visitors/me/email", visitor,
                              json={"email": "Stranger@Example.org", "lang": "en"})  # fmt: skip
    assert status == 403 and body["error"]["code"] == "forbidden", body
    assert len(mailbox.to("stranger@example.org")) == 1


async def test_staff_who_opt_in_get_the_weekly_digest_by_email(
    server: LiveServer, mailbox: Mailbox, staff: StaffClient
) -> None:
    async def digest_choice(body: Any, csrf: bool = True) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": staff.csrf} if csrf else {}
        async with staff.http.put(server.url + "/api/v1/staff/me/digest", json=body,
                                  headers=headers) as resp:  # fmt: skip
            return resp.status, await resp.json()

    for bad in ({"lang": "de"}, {}, {"lang": "fr", "extra": 1}, {"lang": ["fr"]}):
        status, body = await digest_choice(bad)
        assert status == 400 and body["error"]["code"] == "invalid", (bad, body)
    assert (await digest_choice({"lang": "fr"}, csrf=False))[0] == 403
    assert await digest_choice({"lang": "fr"}) == (200, {"digest_lang": "fr"})
    assert (await staff.get("/api/v1/staff/me"))["staff"]["digest_lang"] == "fr"

    async def monday_job(day: int) -> Any:
        assert server.app is not None
        digests, loop = server.app.services.digests, server.app.services.dispatcher.loop
        assert loop is not None
        at = datetime(2026, 11, day, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
        done = asyncio.run_coroutine_threadsafe(digests.tick(at), loop)
        return await asyncio.wrap_future(done)

    assert await monday_job(16) is not None  # the week before: W46 (the sweeper made W48)
    modo = MODERATOR[0]
    [digest] = await mailbox.wait_for(modo)
    assert digest["Subject"] == "Entraide : la semaine 2026-W46"
    assert "Ne plus recevoir ce récapitulatif" in html_of(digest)
    assert "/staff/insights/digest?week=2026-W46" in text_of(digest)
    target = digest["List-Unsubscribe"].strip("<>")
    async with (
        aiohttp.ClientSession() as http,
        http.post(target, data={"List-Unsubscribe": "One-Click"}) as resp,
    ):
        assert resp.status == 200
    assert await monday_job(9) is not None  # another week's digest: not e-mailed any more
    await eventually(lambda: mail_status(staff), lambda s: s["pending"] == 0, "queue drained")
    assert len(mailbox.to(modo)) == 1


async def test_a_separate_worker_process_sends_the_queue(tmp_path: Any, mailbox: Mailbox) -> None:
    """Scaled out: web processes do not send (`ENTRAIDE_MAIL_WORKER=off`); `entraide sweep`
    (the Procfile's worker) sends what any process queued."""
    from tests.conftest import server_overrides
    from tests.support import new_visitor

    web = LiveServer(server_overrides(tmp_path, smtp_url=mailbox.url, mail_worker="off",
                                      sweeper="off"))  # fmt: skip
    web.overrides["public_url"] = web.url
    web.start()
    try:
        visitor = await new_visitor(web.url, "Camille")
        status, _ = await call(web, "POST", "/api/v1/visitors/me/email", visitor,
                               json={"email": ASKER, "lang": "fr"})  # fmt: skip
        assert status == 202
        await web.settled()
        assert mailbox.to(ASKER) == []  # the web process does not send
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENTRAIDE_")}
        env.update(ENTRAIDE_DATABASE_URL=web.overrides["database_url"],
                   ENTRAIDE_SECRET_KEY=SECRET, ENTRAIDE_SMTP_URL=mailbox.url,
                   ENTRAIDE_PUBLIC_URL=web.url,
                   ENTRAIDE_DIGEST_DIR=str(tmp_path / "digests"))  # fmt: skip
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "sweep", "--once", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(worker.communicate(), 60)
        assert worker.returncode == 0, err.decode()
        [confirmation] = await mailbox.wait_for(ASKER)
        assert confirmation["Subject"].startswith("Confirmez votre adresse")
    finally:
        web.stop()
