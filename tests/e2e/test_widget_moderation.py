"""End to end: what the moderation features look like in the shopper's panel, in a real
Chromium against a fresh server per test.

- personal data: the asker is told why, the question stays between them and the shop's team;
- out-of-scope questions: the asker is told the team answers;
- reports: a shopper reports someone else's answer, once;
- staff: the "team joined" system line, the brand badge, and a private conversation that
  only the asker sees;
- a nudge to help with an unanswered question, and a ban explained to the banned shopper.

Waiting is Playwright's auto-waiting `expect(...)`; "never arrives" is asserted only after a
later event of the same room has arrived (events are delivered in order), so a check cannot
pass just because something is still on its way. Set ENTRAIDE_E2E_SHOTS=<folder> to keep
screenshots of the notice, the private message and the staff badge at 1280 and 375 px.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    APIRequestContext,
    Browser,
    BrowserContext,
    FrameLocator,
    Page,
    Playwright,
    WebSocketRoute,
    expect,
)

from tests.e2e.test_widget_live import (
    DESKTOP,
    PHONE,
    choose_name,
    new_page,
    open_panel,
    product_url,
    thread_with,
)
from tests.support import create_staff

pytestmark = pytest.mark.e2e

ROOM = "montre-maree"
MODERATOR = ("modo@boutique.example", "correct horse battery staple")
PERSONAL = (
    "Bonjour, est-elle vraiment étanche pour nager ? Écrivez-moi à "
    "camille.durand@example.com ou au 06 12 34 56 78."
)
OUT_OF_SCOPE = "Où est ma commande ? Je n'ai toujours pas reçu mon colis"
FRUSTRATED = "Toujours pas de réponse, c'est inadmissible !!! Ça fait 3 jours que j'attends"
NEVER = 1500  # ms: how long "it never shows up" is watched, once a later event has arrived


def shopper(
    browser: Browser, contexts: list[BrowserContext], server: Any, **options: Any
) -> tuple[Page, FrameLocator, list[str]]:
    """A French shopper with the product page open and the room loaded."""
    page, errors = new_page(browser, contexts, locale="fr-FR", **{"viewport": DESKTOP, **options})
    page.goto(product_url(server, ROOM))
    panel = open_panel(page)
    expect(panel.get_by_test_id("thread-list")).to_have_attribute("aria-busy", "false")
    return page, panel, errors


def ask(panel: FrameLocator, text: str, name: str | None = None) -> None:
    panel.get_by_test_id("ask-input").fill(text)
    panel.get_by_test_id("ask-submit").click()
    if name:
        choose_name(panel, name)
    expect(panel.get_by_test_id("ask-input")).to_have_value("")


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot at desktop and phone width when ENTRAIDE_E2E_SHOTS names a folder."""
    folder = os.environ.get("ENTRAIDE_E2E_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"))
    if size:
        page.set_viewport_size(size)


def test_personal_data_is_explained_and_stays_between_the_asker_and_the_team(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    asker_page, asker, asker_errors = shopper(browser, contexts, server)
    _, other, other_errors = shopper(browser, contexts, server)
    before = other.get_by_test_id("thread-item").count()

    ask(asker, PERSONAL, "Camille")
    notice = asker.get_by_test_id("ask-notice").get_by_test_id("notice")
    expect(notice).to_contain_text("informations personnelles")
    expect(notice).to_contain_text("adresse e-mail, numéro de téléphone")
    mine = thread_with(asker, "camille.durand@example.com")
    expect(mine).to_have_attribute("data-private", "true")
    expect(mine.get_by_test_id("private-label")).to_contain_text("Envoyée en privé à l’équipe")
    expect(mine.locator("article")).to_have_attribute(
        "aria-label", "Votre question, envoyée en privé à l’équipe de la boutique"
    )
    screenshot(asker_page, "notice-personal-data")

    # The asker has their ack: the other shopper never gets the question...
    items = other.get_by_test_id("thread-item")
    expect(items).to_have_count(before, timeout=NEVER)
    # ...and a later public question of the same room does arrive, after where it would have.
    ask(asker, "Le bracelet est-il en silicone ?")
    expect(thread_with(other, "Le bracelet est-il en silicone ?")).to_be_visible()
    expect(items).to_have_count(before + 1)
    expect(other.get_by_test_id("thread-list")).not_to_contain_text("camille.durand")
    expect(other.get_by_test_id("thread-list")).not_to_contain_text("06 12 34 56 78")

    # A public question replaces the notice; dismissing a notice gives focus back to the composer.
    expect(notice).to_have_count(0)
    ask(asker, PERSONAL)
    expect(notice).to_be_visible()
    notice.get_by_test_id("notice-dismiss").click()
    expect(notice).to_have_count(0)
    expect(asker.get_by_test_id("ask-input")).to_be_focused()
    assert asker_errors == [] and other_errors == []


def test_an_order_question_is_told_the_shop_team_answers(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    page, panel, errors = shopper(
        browser, contexts, server, viewport=PHONE, is_mobile=True, has_touch=True
    )
    ask(panel, OUT_OF_SCOPE, "Léa")
    notice = panel.get_by_test_id("notice")
    expect(notice).to_contain_text(re.compile(r"l.équipe de la boutique vous répond"))
    expect(notice).to_be_in_viewport()
    thread = thread_with(panel, "Où est ma commande")
    expect(thread).to_have_attribute("data-private", "false")  # public, with the team
    expect(thread.get_by_test_id("status-badge")).to_have_attribute("data-status", "escalated")
    expect(thread.get_by_test_id("status-badge")).to_have_text("Transmise à l’équipe")

    panel_frame = next(f for f in page.frames if "/widget/panel" in f.url)
    assert panel_frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []


def test_a_shopper_reports_someone_elses_answer_once(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    question = "Le verre est-il en saphir ?"
    answer = "Oui, verre saphir avec traitement antireflet : aucune rayure après un an."
    asker_page, asker, asker_errors = shopper(browser, contexts, server)
    _, helper, helper_errors = shopper(browser, contexts, server)

    ask(asker, question, "Bérénice")
    theirs = thread_with(helper, question)
    theirs.get_by_test_id("answer-input").fill(answer)
    theirs.get_by_test_id("answer-submit").click()
    choose_name(helper, "Antoine")
    own = theirs.get_by_test_id("answer-item").filter(has_text=answer)
    expect(own).to_be_visible()
    expect(own.get_by_test_id("report-button")).to_be_hidden()  # not on your own answer

    received = thread_with(asker, question).get_by_test_id("answer-item").filter(has_text=answer)
    report = received.get_by_test_id("report-button")
    expect(report).to_have_accessible_name("Signaler la réponse postée par Antoine")
    report.click()
    form = received.get_by_test_id("report-form")
    expect(form).to_be_visible()
    expect(report).to_have_attribute("aria-expanded", "true")
    expect(form.get_by_role("group", name="Pourquoi signalez-vous cette réponse ?")).to_be_visible()
    expect(form.get_by_label("Spam ou publicité")).to_be_focused()

    # Sending without a reason says what is missing; Escape closes the form.
    form.get_by_test_id("report-submit").click()
    expect(form.get_by_role("alert")).to_have_text("Choisissez une raison.")
    asker_page.keyboard.press("Escape")
    expect(form).to_be_hidden()
    expect(report).to_be_focused()

    report.click()
    form.get_by_label("Insulte").check()
    form.get_by_test_id("report-submit").click()
    expect(received.get_by_test_id("report-status")).to_have_text("Merci, l’équipe va vérifier.")
    expect(form).to_be_hidden()
    expect(report).to_have_text("Signalé")
    expect(report).to_have_attribute("aria-disabled", "true")
    expect(report).to_be_focused()

    # After a reload the panel has forgotten, the server has not.
    asker_page.reload()
    asker = open_panel(asker_page)
    received = thread_with(asker, question).get_by_test_id("answer-item").filter(has_text=answer)
    received.get_by_test_id("report-button").click()
    received.get_by_test_id("report-form").get_by_label("Hors sujet").check()
    received.get_by_test_id("report-submit").click()
    expect(received.get_by_test_id("report-status")).to_contain_text("déjà signalé")
    expect(received.get_by_test_id("report-button")).to_have_text("Signalé")

    # An answer with a phone number is kept between its author, the asker and the team.
    theirs.get_by_test_id("answer-input").fill("Appelez-moi au 06 12 34 56 78, je vous montre.")
    theirs.get_by_test_id("answer-submit").click()
    kept = theirs.get_by_test_id("answer-item").filter(has_text="06 12 34 56 78")
    expect(kept.get_by_test_id("visibility-badge")).to_have_text("Privé")
    expect(kept.get_by_test_id("visibility-note")).to_have_text(
        "Visible uniquement par vous, l’auteur de la question et l’équipe de la boutique"
    )
    expect(kept.get_by_test_id("report-button")).to_be_hidden()
    expect(theirs.get_by_test_id("answer-notice")).to_contain_text("numéro de téléphone")
    shown = thread_with(asker, question).get_by_test_id("answer-item").filter(has_text="06 12")
    expect(shown.get_by_test_id("visibility-note")).to_have_text(
        "Visible uniquement par vous, son auteur et l’équipe de la boutique"
    )
    expect(shown.get_by_test_id("vote-button")).to_be_hidden()
    expect(asker.get_by_test_id("toast")).to_contain_text("Antoine a répondu à votre question")
    assert asker_errors == [] and helper_errors == []


def run(coroutine: Any) -> Any:
    """Run an async helper to completion outside Playwright's own event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Staff:
    """A signed-in moderator using the staff JSON API (cookie kept by the request context)."""

    def __init__(self, request: APIRequestContext, csrf: str) -> None:
        self.request = request
        self.csrf = csrf

    def get(self, path: str) -> Any:
        response = self.request.get(path)
        assert response.ok, response.text()
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.request.post(path, data=body or {}, headers={"X-CSRF-Token": self.csrf})
        assert response.ok, response.text()
        return response.json()

    def case_for(self, thread_id: str) -> str:
        cases = self.get("/api/v1/staff/cases")["cases"]
        return next(c["id"] for c in cases if c["thread_id"] == thread_id)


@pytest.fixture
def staff(playwright: Playwright, server: Any) -> Iterator[Staff]:
    run(create_staff(server.overrides["database_url"], *MODERATOR, "moderator"))
    request = playwright.request.new_context(base_url=server.url)
    email, password = MODERATOR
    response = request.post("/api/v1/staff/login", data={"email": email, "password": password})
    assert response.ok, response.text()
    yield Staff(request, response.json()["csrf_token"])
    request.dispose()


def test_the_shop_team_joins_answers_with_its_badge_and_continues_privately(
    browser: Browser, server: Any, contexts: list[BrowserContext], staff: Staff
) -> None:
    asker_page, asker, asker_errors = shopper(browser, contexts, server)
    _, other, other_errors = shopper(browser, contexts, server)

    ask(asker, FRUSTRATED, "Camille")
    mine = thread_with(asker, "inadmissible")
    theirs = thread_with(other, "inadmissible")
    for thread in (mine, theirs):  # a frustrated question goes straight to the team
        expect(thread.get_by_test_id("status-badge")).to_have_text("Transmise à l’équipe")
    expect(asker.get_by_test_id("notice")).to_have_count(0)  # frustration is not shown to her

    case = staff.case_for(str(mine.get_attribute("data-thread-id")))
    staff.post(f"/api/v1/staff/cases/{case}/takeover")
    joined = "Un membre de l’équipe de la boutique a rejoint la conversation"
    for thread in (mine, theirs):
        expect(thread.get_by_test_id("system-line")).to_have_text(joined, use_inner_text=True)
        expect(thread.get_by_test_id("status-badge")).to_have_text("L’équipe répond")

    public = "Bonjour Camille, je regarde votre commande tout de suite."
    staff.post(f"/api/v1/staff/cases/{case}/reply", {"body": public})
    for thread in (mine, theirs):
        reply = thread.get_by_test_id("answer-item").filter(has_text=public)
        expect(reply.get_by_test_id("staff-badge")).to_have_text("Équipe de la boutique")
        expect(reply).to_contain_text("modo")
        expect(reply.get_by_test_id("vote-button")).to_be_hidden()
        expect(reply.get_by_test_id("report-button")).to_be_hidden()
    answered = "L’équipe de la boutique a répondu à votre question"
    expect(asker.get_by_test_id("toast").filter(has_text=answered)).to_be_visible()

    staff.post(f"/api/v1/staff/cases/{case}/private")
    secret = "Pouvez-vous me donner votre numéro de commande ici ?"
    staff.post(f"/api/v1/staff/cases/{case}/reply", {"body": secret})
    private = mine.get_by_test_id("answer-item").filter(has_text=secret)
    expect(private.get_by_test_id("visibility-badge")).to_have_text("Privé")
    expect(private.get_by_test_id("visibility-note")).to_have_text(
        "Visible uniquement par vous et l’équipe de la boutique"
    )
    expect(private.get_by_test_id("staff-badge")).to_be_visible()
    expect(asker.get_by_test_id("toast").filter(has_text="vous a répondu en privé")).to_be_visible()

    # Her follow-up stays private too: it contains an order number.
    mine.get_by_test_id("answer-input").fill("C'est la commande 4587213")
    mine.get_by_test_id("answer-submit").click()
    follow = mine.get_by_test_id("answer-item").filter(has_text="4587213")
    expect(follow.get_by_test_id("visibility-badge")).to_have_text("Privé")
    expect(mine.get_by_test_id("answer-notice")).to_contain_text("numéro de commande")
    screenshot(asker_page, "staff-private")

    # Resolving is a later room event: once the other shopper has it, the private messages
    # would have arrived before it if they had been broadcast.
    staff.post(f"/api/v1/staff/cases/{case}/resolve", {"outcome": "answered"})
    expect(theirs.get_by_test_id("status-badge")).to_have_attribute("data-status", "resolved")
    expect(theirs.get_by_test_id("system-line")).to_have_count(1)
    expect(theirs.get_by_test_id("answer-item")).to_have_count(1)  # the public reply only
    expect(theirs).not_to_contain_text(secret)
    expect(theirs).not_to_contain_text("4587213")
    expect(other.get_by_test_id("toast")).to_have_count(0)
    assert asker_errors == [] and other_errors == []


def test_a_nudge_leads_to_the_question_and_a_ban_is_explained(
    browser: Browser, server: Any, contexts: list[BrowserContext], staff: Staff
) -> None:
    """The sweeper nudges enthusiasts halfway to the SLA (too slow for a browser test), so the
    nudge is delivered here on the helper's socket exactly as the server would send it."""
    sockets: list[WebSocketRoute] = []

    def relay(ws: WebSocketRoute) -> None:
        ws.connect_to_server()  # no handlers: both directions pass through untouched
        sockets.append(ws)

    asker_page, asker, asker_errors = shopper(browser, contexts, server)
    helper_page, helper_errors = new_page(browser, contexts, viewport=PHONE, locale="fr-FR")
    helper_page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    helper_page.goto(product_url(server, ROOM))
    helper = open_panel(helper_page)

    question = "Peut-on changer la pile soi-même sans perdre l’étanchéité du boîtier ?"
    ask(asker, question, "Camille")
    thread = thread_with(helper, question)
    expect(thread).to_be_visible()
    thread_id = thread.get_attribute("data-thread-id")
    view = {"id": thread_id, "room": ROOM, "status": "open", "body": question, "held": False}
    nudge = {"type": "nudge", "room": ROOM, "thread_id": thread_id, "thread": view}
    sockets[-1].send("42" + json.dumps(["notification", nudge]))
    toast = helper.get_by_test_id("toast").filter(has_text="Une question attend une réponse")
    expect(toast).to_contain_text(f"« {question} »")
    toast.get_by_role("button", name="Voir").click()
    expect(thread.get_by_test_id("answer-input")).to_be_focused()
    expect(toast).to_have_count(0)

    # A banned shopper is told until when, in her language.
    visitor = json.loads(
        asker_page.frame_locator("iframe")
        .locator("body")
        .evaluate("() => localStorage.getItem('entraide.visitor')")
    )
    staff.post(f"/api/v1/staff/visitors/{visitor['id']}/ban", {"days": 1, "reason": "spam"})
    asker.get_by_test_id("ask-input").fill("Et le bracelet, il est en quoi ?")
    asker.get_by_test_id("ask-submit").click()
    expect(asker.get_by_test_id("alert")).to_contain_text(
        re.compile(r"Vous ne pouvez pas publier avant le \d{1,2} \w+")
    )
    assert asker_errors == [] and helper_errors == []
