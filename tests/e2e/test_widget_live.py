"""End to end: the demo shop's product page, the one-tag widget and the live Q&A panel,
driven in a real Chromium. Two shoppers in separate browser contexts (separate storage,
separate sockets) ask, answer, vote and accept, and each sees the other's actions live.

Waiting is always Playwright's auto-waiting `expect(...)`: no sleeps.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
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

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}


def new_page(
    browser: Browser, contexts: list[BrowserContext], **options: Any
) -> tuple[Page, list[str]]:
    """A page in a fresh context (own storage, own socket) and the script errors it raises."""
    context = browser.new_context(**options)
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def product_url(server: Any, key: str, lang: str = "fr") -> str:
    return f"{server.url}/demo/{key}?lang={lang}"


def open_panel(page: Page) -> FrameLocator:
    launcher = page.get_by_test_id("entraide-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.frame_locator("iframe")
    expect(panel.get_by_test_id("presence")).to_be_visible()
    return panel


def choose_name(panel: FrameLocator, name: str) -> None:
    dialog = panel.get_by_test_id("name-dialog")
    expect(dialog).to_be_visible()
    panel.get_by_test_id("name-input").fill(name)
    panel.get_by_test_id("name-submit").click()
    expect(dialog).to_be_hidden()


def thread_with(panel: FrameLocator, text: str) -> Any:
    return panel.get_by_test_id("thread-item").filter(has_text=text)


def test_two_shoppers_ask_answer_vote_and_accept_live(
    browser: Browser, live_server: Any, contexts: list[BrowserContext]
) -> None:
    url = product_url(live_server, "canne-spinning-240")
    question = f"Peut-on la monter avec un moulinet 3000 ? ({uuid.uuid4().hex[:6]})"
    answer = "Oui, un 3000 l'équilibre très bien, je l'utilise ainsi depuis un an."

    asker_page, asker_errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    helper_page, helper_errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    asker_page.goto(url)
    helper_page.goto(url)
    asker = open_panel(asker_page)
    helper = open_panel(helper_page)
    expect(asker.get_by_test_id("presence")).to_have_text(re.compile(r"\b2 en ligne"))

    # The asker writes a question; posting asks for a display name first.
    asker.get_by_test_id("ask-input").fill(question)
    asker.get_by_test_id("ask-submit").click()
    choose_name(asker, "Camille")
    mine = thread_with(asker, question)
    expect(mine).to_be_visible()
    expect(asker.get_by_test_id("ask-input")).to_have_value("")
    expect(mine.get_by_test_id("status-badge")).to_have_attribute("data-status", "open")
    expect(mine.get_by_test_id("resolve-button")).to_be_visible()

    # The helper sees it appear live, without reloading.
    theirs = thread_with(helper, question)
    expect(theirs).to_be_visible()
    expect(theirs).to_contain_text("Camille")
    expect(theirs.get_by_test_id("status-badge")).to_have_text("En attente de réponse")
    expect(theirs.get_by_test_id("resolve-button")).to_be_hidden()

    theirs.get_by_test_id("answer-input").fill(answer)
    theirs.get_by_test_id("answer-submit").click()
    choose_name(helper, "Hugo")
    helper_answer = theirs.get_by_test_id("answer-item").filter(has_text=answer)
    expect(helper_answer).to_be_visible()
    expect(helper_answer.get_by_test_id("vote-button")).to_be_disabled()  # no self-votes
    expect(helper_answer.get_by_test_id("accept-button")).to_be_hidden()  # not the asker

    # The asker sees the answer live, is notified, and the thread is now "answered".
    asker_answer = mine.get_by_test_id("answer-item").filter(has_text=answer)
    expect(asker_answer).to_be_visible()
    expect(asker_answer).to_contain_text("Hugo")
    expect(asker.get_by_test_id("toast")).to_contain_text("Hugo a répondu à votre question")
    expect(mine.get_by_test_id("status-badge")).to_have_attribute("data-status", "answered")

    # Typing in a thread shows "X is typing…" to the others in the room.
    mine.get_by_test_id("answer-input").press_sequentially("Merci")
    expect(theirs.get_by_test_id("typing")).to_have_text("Camille est en train d’écrire…")
    mine.get_by_test_id("answer-input").fill("")

    # A helpful vote counts once and shows up on both sides.
    vote = asker_answer.get_by_test_id("vote-button")
    expect(vote).to_have_text("Utile (0)")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_have_text("Utile (1)")
    expect(helper_answer.get_by_test_id("vote-button")).to_have_text("Utile (1)")

    # The asker accepts the answer: both see the thread resolved and the answer marked.
    accept = asker_answer.get_by_test_id("accept-button")
    expect(accept).to_be_visible()
    accept.click()
    for thread in (mine, theirs):
        expect(thread.get_by_test_id("status-badge")).to_have_text("Résolue")
        expect(thread.get_by_test_id("status-badge")).to_have_attribute("data-status", "resolved")
        expect(thread.get_by_test_id("accepted-badge")).to_be_visible()
        expect(thread.get_by_test_id("answer-form")).to_be_hidden()
    expect(accept).to_be_hidden()
    expect(mine.get_by_test_id("resolve-button")).to_be_hidden()

    # Drafting a similar question suggests the answered one; choosing it shows the thread.
    helper.get_by_test_id("ask-input").fill("moulinet 3000 sur cette canne ?")
    suggestion = helper.get_by_test_id("similar-item").filter(has_text=question)
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(theirs.locator("article")).to_be_focused()

    # A reload resumes from the store: same thread, same state, identity kept.
    asker_page.reload()
    asker = open_panel(asker_page)
    mine = thread_with(asker, question)
    expect(mine.get_by_test_id("status-badge")).to_have_attribute("data-status", "resolved")
    expect(mine).to_contain_text("Camille (vous)")

    assert asker_errors == []
    assert helper_errors == []


def test_phone_width_launcher_opens_a_usable_full_screen_panel(
    browser: Browser, live_server: Any, contexts: list[BrowserContext]
) -> None:
    page, errors = new_page(browser, contexts, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(product_url(live_server, "waders-respirants", lang="en"))
    launcher = page.get_by_test_id("entraide-launcher")
    expect(launcher).to_have_text("Questions? Ask the community")
    panel = open_panel(page)

    frame = page.locator("iframe")
    box = frame.bounding_box()
    assert box is not None
    assert box["width"] == PHONE["width"] and box["height"] == PHONE["height"]

    ask = panel.get_by_test_id("ask-input")
    expect(ask).to_be_editable()
    ask.fill("Do they run small? I wear a 42.")
    expect(ask).to_have_value("Do they run small? I wear a 42.")
    submit = panel.get_by_test_id("ask-submit")
    expect(submit).to_be_in_viewport()
    submit.click()
    choose_name(panel, "Oliver")
    expect(thread_with(panel, "Do they run small? I wear a 42.")).to_be_visible()

    # Nothing overflows sideways at 375 px.
    panel_frame = next(f for f in page.frames if "/widget/panel" in f.url)
    assert panel_frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The panel's own close button gives the page back.
    panel.get_by_test_id("panel-close").click()
    expect(frame).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()
    assert errors == []


def test_keyboard_only_reaches_the_launcher_and_opens_the_panel(
    browser: Browser, live_server: Any, contexts: list[BrowserContext]
) -> None:
    page, errors = new_page(browser, contexts, viewport=DESKTOP)
    page.goto(product_url(live_server, "montre-maree"))
    launcher = page.get_by_test_id("entraide-launcher")
    expect(launcher).to_be_visible()

    # Tab through the page like a keyboard user until the launcher has focus.
    focusable = page.evaluate(
        "document.querySelectorAll('a[href], button, input, textarea, select').length"
    )
    for _ in range(focusable + 2):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    expect(launcher).to_be_focused()

    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.frame_locator("iframe")
    expect(panel.locator("#ep-title")).to_be_focused()  # focus moved into the panel

    page.keyboard.press("Tab")
    expect(panel.get_by_test_id("panel-close")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_test_id("ask-input")).to_be_focused()
    page.keyboard.type("Est-elle étanche sous la douche ?")
    expect(panel.get_by_test_id("ask-input")).to_have_value("Est-elle étanche sous la douche ?")

    # Escape closes the panel and returns focus to the launcher.
    page.keyboard.press("Escape")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()
    assert errors == []


@pytest.fixture
def other_device(playwright: Playwright, live_server: Any) -> Iterator[APIRequestContext]:
    """A shopper on another device, using the public HTTP API."""
    request = playwright.request.new_context(base_url=live_server.url)
    yield request
    request.dispose()


def api_post(request: APIRequestContext, path: str, body: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = request.post(path, data=body, headers=headers)
    assert response.ok, response.text()
    return response.json()


def test_a_lost_live_event_is_recovered_by_rejoining_with_since(
    browser: Browser,
    live_server: Any,
    contexts: list[BrowserContext],
    other_device: APIRequestContext,
) -> None:
    """The panel applies events by seq: on a gap it re-joins with `since` and gets `missed`."""
    marker = uuid.uuid4().hex[:8]
    lost = f"Question perdue en route {marker} ?"
    after = f"Question suivante {marker} ?"
    dropped: list[str] = []

    def relay(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if isinstance(message, str) and lost in message and not dropped:
                dropped.append(message)  # the network "loses" this one event
                return
            ws.send(message)

        server.on_message(to_page)

    page, errors = new_page(browser, contexts, viewport=DESKTOP)
    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    page.goto(product_url(live_server, "leurre-brochet-12"))
    panel = open_panel(page)
    expect(panel.get_by_test_id("thread-list")).to_have_attribute("aria-busy", "false")

    other = api_post(other_device, "/api/v1/visitors", {"name": "Léa"})
    for n, body in enumerate((lost, after)):
        api_post(
            other_device,
            "/api/v1/rooms/leurre-brochet-12/threads",
            {"body": body, "client_id": f"e2e-{marker}-{n}"},
            other["token"],
        )
    expect(thread_with(panel, after)).to_be_visible()
    expect(thread_with(panel, lost)).to_be_visible()  # recovered from the join's `missed`
    assert len(dropped) == 1
    assert errors == []


def test_inline_mount_keeps_the_host_page_clean(
    browser: Browser, live_server: Any, contexts: list[BrowserContext]
) -> None:
    """data-target mounts the room inline; no globals, styles or launcher leak into the page."""
    shop = f"{live_server.url}/e2e-shop/inline"  # same origin: the default frame-ancestors
    html = f"""<!doctype html><html lang="en"><head><title>Shop</title>
      <style>div {{ margin: 40px; }} button {{ display: none; }}</style></head>
      <body><h1>Fly reel</h1><div id="questions"></div>
      <script src="{live_server.url}/static/widget.js" data-product="moulinet-mouche-e2e"
        data-title="Fly reel" data-target="#questions" data-height="520" async></script>
      </body></html>"""
    page, errors = new_page(browser, contexts, viewport=DESKTOP)
    page.route(shop, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(shop)

    panel = page.frame_locator("#questions iframe")
    expect(panel.get_by_test_id("presence")).to_be_visible()
    expect(panel.get_by_test_id("empty")).to_be_visible()  # a brand-new room
    expect(panel.get_by_test_id("panel-close")).to_be_hidden()  # nothing to close inline
    expect(page.get_by_test_id("entraide-launcher")).to_have_count(0)
    box = page.locator("[data-entraide-widget]").bounding_box()
    assert box is not None and box["height"] == 520  # data-height, border included

    leaks = page.evaluate(
        """() => ({
            io: typeof window.io,
            sheets: document.styleSheets.length,
            adopted: document.adoptedStyleSheets.length,
            hostMargin: getComputedStyle(document.querySelector('[data-entraide-widget]')).margin,
        })"""
    )
    assert leaks == {"io": "undefined", "sheets": 1, "adopted": 0, "hostMargin": "0px"}
    assert errors == []


def test_the_panel_reconnects_after_a_server_restart_and_catches_up(
    browser: Browser, server: Any, contexts: list[BrowserContext], playwright: Playwright
) -> None:
    """Nothing is lost across a restart: the socket reconnects and re-joins with `since`."""
    page, errors = new_page(browser, contexts, viewport=DESKTOP)
    page.goto(product_url(server, "montre-maree"))
    panel = open_panel(page)
    question = "Le bracelet est-il remplaçable ?"
    panel.get_by_test_id("ask-input").fill(question)
    panel.get_by_test_id("ask-submit").click()
    choose_name(panel, "Thomas")
    mine = thread_with(panel, question)
    expect(mine).to_be_visible()
    thread_id = mine.get_attribute("data-thread-id")

    server.stop()
    expect(panel.get_by_test_id("connection")).to_have_text(
        "Connexion perdue. Reconnexion en cours…"
    )
    server.start()

    request = playwright.request.new_context(base_url=server.url)
    try:
        helper = api_post(request, "/api/v1/visitors", {"name": "Chloé"})
        api_post(
            request,
            f"/api/v1/threads/{thread_id}/answers",
            {"body": "Oui, tout bracelet de 22 mm convient.", "client_id": "e2e-restart-1"},
            helper["token"],
        )
    finally:
        request.dispose()

    expect(mine.get_by_test_id("answer-item")).to_contain_text("tout bracelet de 22 mm")
    expect(mine.get_by_test_id("status-badge")).to_have_attribute("data-status", "answered")
    expect(panel.get_by_test_id("connection")).to_be_hidden()
    assert errors == []
