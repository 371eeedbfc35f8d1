"""End to end in Chromium: a shopper asks, opts in to e-mail, confirms from the e-mail,
leaves; an answer arrives by e-mail, and its link opens the product page on that thread.

The e-mails come through a real SMTP server on loopback; waiting is Playwright's
auto-waiting `expect(...)` and the mailbox's arrival condition: no sleeps.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.conftest import server_overrides
from tests.e2e.test_staff_console import create_staff, sign_in
from tests.e2e.test_widget_live import DESKTOP, choose_name, new_page, open_panel, product_url
from tests.mailbox import Mailbox, links, text_of
from tests.support import DEADLINE, LiveServer

pytestmark = pytest.mark.e2e
EMAIL = "camille@example.org"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[LiveServer]:
    srv = LiveServer(server_overrides(Path(tmp_path_factory.mktemp("mail")), smtp_url=mailbox.url))
    srv.overrides["public_url"] = srv.url
    srv.start()
    yield srv
    srv.stop()


def test_opt_in_confirm_and_the_answer_emails_link_opens_the_thread(
    browser: Browser, mail_server: LiveServer, mailbox: Mailbox, contexts: list[BrowserContext]
) -> None:
    url = product_url(mail_server, "canne-spinning-240")
    question = f"Livrée avec un étui rigide ? ({uuid.uuid4().hex[:6]})"
    answer = "Non, une housse en tissu seulement."

    asker_page, asker_errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    asker_page.goto(url)
    asker = open_panel(asker_page)
    asker.get_by_test_id("ask-input").fill(question)
    asker.get_by_test_id("ask-submit").click()
    choose_name(asker, "Camille")

    # After asking: the offer, with the consent text and a link to the privacy notice.
    offer = asker.get_by_test_id("email-offer")
    expect(offer).to_be_visible()
    expect(asker.get_by_test_id("email-consent")).to_contain_text("J'accepte de recevoir")
    expect(offer.get_by_role("link", name="Ce que nous faisons de vos données")).to_have_attribute(
        "href", re.compile(r"/privacy\?lang=fr$")
    )
    asker.get_by_test_id("email-input").fill("pas une adresse")
    asker.get_by_test_id("email-submit").click()
    expect(asker.locator("#ep-email-error")).to_have_text("Cette adresse e-mail semble incorrecte.")
    asker.get_by_test_id("email-input").fill(EMAIL)
    asker.get_by_test_id("email-submit").click()
    expect(asker.get_by_test_id("email-status")).to_contain_text(
        f"ouvrez l'e-mail envoyé à {EMAIL}"
    )
    expect(offer).to_be_hidden()

    [confirmation] = mailbox.wait_until(EMAIL)
    confirm = next(u for u in links(confirmation) if "/mail/confirm" in u)
    confirm_page = asker_page.context.new_page()
    confirm_page.goto(confirm)
    expect(confirm_page.get_by_test_id("mail-confirmed")).to_have_text("Adresse confirmée")
    confirm_page.close()

    # The asker leaves; a helper answers in their own browser.
    asker_page.close()
    helper_page, helper_errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    helper_page.goto(url)
    helper = open_panel(helper_page)
    expect(helper.get_by_test_id("presence")).to_have_text(re.compile(r"\b1 en ligne"))
    thread = helper.get_by_test_id("thread-item").filter(has_text=question)
    thread.get_by_test_id("answer-input").fill(answer)
    thread.get_by_test_id("answer-submit").click()
    choose_name(helper, "Hugo")
    expect(thread.get_by_test_id("answer-item").filter(has_text=answer)).to_be_visible()

    _, notice = mailbox.wait_until(EMAIL, 2)
    assert answer in text_of(notice)
    link = next(u for u in links(notice) if "#entraide-thread=" in u)
    assert link.startswith(f"{mail_server.url}/demo/canne-spinning-240")

    # The e-mail's link: the product page opens the panel on that thread, answer shown.
    back = asker_page.context.new_page()
    back.goto(link)
    expect(back.get_by_test_id("entraide-launcher")).to_have_attribute("aria-expanded", "true")
    panel = back.frame_locator("iframe")
    mine = panel.get_by_test_id("thread-item").filter(has_text=question)
    expect(mine.get_by_test_id("answer-item").filter(has_text=answer)).to_be_visible()
    expect(mine.locator("article")).to_be_focused()
    expect(mine).to_contain_text("Camille (vous)")

    # Next question: the address is on, no second offer.
    panel.get_by_test_id("ask-input").fill(f"Et le poids exact ? ({uuid.uuid4().hex[:6]})")
    panel.get_by_test_id("ask-submit").click()
    expect(panel.get_by_test_id("email-status")).to_have_text(
        f"Nous écrirons à {EMAIL} quand quelqu'un répondra à vos questions."
    )
    expect(panel.get_by_test_id("email-offer")).to_be_hidden()
    assert asker_errors == [] and helper_errors == []


def test_the_privacy_notice_in_both_languages(
    browser: Browser, mail_server: LiveServer, contexts: list[BrowserContext]
) -> None:
    page, errors = new_page(browser, contexts)
    page.goto(f"{mail_server.url}/privacy?lang=fr")
    expect(page.get_by_test_id("privacy-title")).to_have_text("Confidentialité")
    expect(page.locator("body")).to_contain_text("Jamais votre adresse IP")
    page.goto(f"{mail_server.url}/privacy?lang=en")
    expect(page.get_by_test_id("privacy-title")).to_have_text("Privacy notice")
    assert errors == []


def test_staff_see_emails_that_could_not_be_sent(
    browser: Browser, mail_server: LiveServer, mailbox: Mailbox, contexts: list[BrowserContext]
) -> None:
    mailbox.refuse.add("nobody@example.org")
    page, errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    visitor = page.request.post(f"{mail_server.url}/api/v1/visitors", data={"name": "Lou"}).json()
    sent = page.request.post(
        f"{mail_server.url}/api/v1/visitors/me/email",
        data={"email": "nobody@example.org", "lang": "fr"},
        headers={"Authorization": f"Bearer {visitor['token']}"},
    )
    assert sent.status == 202
    email, password = create_staff(mail_server)
    sign_in(page, mail_server, email, password)
    # The worker gives up at the 550 at once; the page reads the queue when it loads.
    deadline = time.monotonic() + DEADLINE
    while page.request.get(f"{mail_server.url}/api/v1/staff/mail").json()["failed"] < 1:
        assert time.monotonic() < deadline, "the refusal was not recorded"
        page.wait_for_timeout(50)  # polling the queue's state with a deadline
    page.reload()
    failure = page.get_by_test_id("mail-failure")
    expect(failure).to_contain_text("Confirmation d'adresse à nobody@example.org, 1 tentative(s)")
    expect(page.get_by_test_id("mail-counts")).to_contain_text("abandonnés : 1")
    assert errors == []
