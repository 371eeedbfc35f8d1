"""End to end: rewards as a shopper sees them in the panel, in a real Chromium against a fresh
server per test.

Shopper A asks, shopper B answers; A votes the answer helpful and accepts it (A took part by
asking, so the vote counts at once). B then reads "My points" (one group per reason, the
rule, the entries, a total that is their sum), finds themselves first among this week's "Top
contributors" of the product, and sees their rank next to their name. A moderator's bonus
takes B past 50 points: B's panel says so live, and the rank pill follows.

Waiting is Playwright's auto-waiting `expect(...)` (and, for "the accept is recorded", the
accept's acknowledgement frame on A's socket): no sleeps. Set ENTRAIDE_E2E_SHOTS=<folder> to
keep screenshots of both sheets at 1280 and 375 px.
"""

from __future__ import annotations

import asyncio
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FrameLocator,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    WebSocket,
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
MODERATOR = ("modo-points@boutique.example", "correct horse battery staple")
QUESTION = "Le bracelet convient-il à un poignet de 16 cm ?"
ANSWER = "Oui, j'ai un poignet de 16 cm et il reste deux crans de marge."
# docs/rewards.md, default rules: answer 2, helpful vote 5, accepted 15, fast first answer 5.
# The vote and the accept are different kinds of thanks (no halving) and make exactly the
# daily cap of 20 points from one person to another.
EXPECTED = {"answer": 2, "helpful_vote": 5, "accepted": 15, "fast_first_answer": 5}
BONUS = 30  # 27 + 30 = 57: past the Helper / Contributeur threshold of 50


def run(coroutine: Any) -> Any:
    """Run an async helper to completion outside Playwright's own event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def shopper(
    browser: Browser, contexts: list[BrowserContext], server: Any, **options: Any
) -> tuple[Page, FrameLocator, list[str], list[WebSocket]]:
    """A French shopper on the product page with the room loaded, and their page's sockets."""
    page, errors = new_page(browser, contexts, locale="fr-FR", **{"viewport": DESKTOP, **options})
    sockets: list[WebSocket] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.goto(product_url(server, ROOM))
    panel = open_panel(page)
    expect(panel.get_by_test_id("thread-list")).to_have_attribute("aria-busy", "false")
    return page, panel, errors, sockets


def panel_frame(page: Page) -> Any:
    return next(f for f in page.frames if "/widget/panel" in f.url)


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot at desktop and phone width when ENTRAIDE_E2E_SHOTS names a folder."""
    folder = os.environ.get("ENTRAIDE_E2E_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    sizes: list[tuple[str, ViewportSize]] = [
        ("1280", {"width": DESKTOP["width"], "height": DESKTOP["height"]}),
        ("375", {"width": PHONE["width"], "height": PHONE["height"]}),
    ]
    for label, viewport in sizes:
        page.set_viewport_size(viewport)
        # Nothing overflows sideways, whatever the width.
        assert panel_frame(page).evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"))
    if size:
        page.set_viewport_size(size)


def group(dialog: Locator, reason: str) -> Locator:
    return dialog.locator(f"[data-testid=points-group][data-reason={reason}]")


def test_points_ranking_rank_pills_and_promotion(
    browser: Browser, server: Any, contexts: list[BrowserContext], playwright: Playwright
) -> None:
    asker_page, asker, asker_errors, asker_sockets = shopper(browser, contexts, server)
    helper_page, helper, helper_errors, _ = shopper(browser, contexts, server)

    # Nobody has points yet: the board says so; "My points" needs an identity.
    expect(helper.get_by_test_id("my-points")).to_be_hidden()
    helper.get_by_test_id("top-contributors").click()
    board = helper.get_by_role("dialog", name="Meilleurs contributeurs")
    expect(board).to_be_visible()
    expect(board.get_by_test_id("leaders-empty")).to_contain_text(
        "Personne n’a encore gagné de points sur ce produit pour cette période."
    )
    expect(board.get_by_role("radio", name="Cette semaine")).to_be_checked()
    helper_page.keyboard.press("Escape")
    expect(board).to_be_hidden()
    expect(helper.get_by_test_id("top-contributors")).to_be_focused()

    # A asks, B answers: B's answer carries a "Nouveau membre" pill on both sides.
    asker.get_by_test_id("ask-input").fill(QUESTION)
    asker.get_by_test_id("ask-submit").click()
    choose_name(asker, "Camille")
    theirs = thread_with(helper, QUESTION)
    theirs.get_by_test_id("answer-input").fill(ANSWER)
    theirs.get_by_test_id("answer-submit").click()
    choose_name(helper, "Hugo")
    own_answer = theirs.get_by_test_id("answer-item").filter(has_text=ANSWER)
    received = thread_with(asker, QUESTION).get_by_test_id("answer-item").filter(has_text=ANSWER)
    for answer in (own_answer, received):
        pill = answer.get_by_test_id("rank")
        expect(pill).to_have_text("Nouveau membre")
        expect(pill).to_have_attribute("data-rank", "newcomer")
    expect(own_answer).to_contain_text("Hugo (vous)")
    expect(helper.get_by_test_id("my-points")).to_be_visible()
    message_id = str(received.get_attribute("data-message-id"))
    helper_id = panel_frame(helper_page).evaluate(
        "JSON.parse(localStorage.getItem('entraide.visitor')).id"
    )

    # A votes (the pressed state comes with the ack) and accepts; the points are written
    # before the accept is acknowledged, so wait for that frame on A's socket.
    vote = received.get_by_test_id("vote-button")
    vote.click()
    expect(vote).to_have_attribute("aria-pressed", "true")
    socket = [s for s in asker_sockets if not s.is_closed()][-1]
    acked = re.compile(r'^43\d+\[\{"ok":\s*true.*"accepted_message_id":\s*"' + message_id + '"')
    with socket.expect_event("framereceived", predicate=lambda p: bool(acked.match(str(p)))):
        received.get_by_test_id("accept-button").click()
    expect(own_answer.get_by_test_id("accepted-badge")).to_be_visible()
    # B is told about the badges the answer and the accept earned.
    for badge in ("Première réponse", "Première réponse acceptée"):
        expect(
            helper.get_by_test_id("toast").filter(has_text=f"Nouveau badge\u00a0: {badge}").first
        ).to_be_attached()

    # B opens "My points": one group per reason, in the rules' order, summing to the total.
    helper.get_by_test_id("my-points").click()
    points = helper.get_by_role("dialog", name="Mes points")
    expect(points).to_be_visible()
    expect(points.get_by_test_id("points-close")).to_be_focused()
    total = sum(EXPECTED.values())
    assert total == 27
    expect(points.get_by_test_id("points-total")).to_have_text(f"{total} points")
    expect(points.get_by_test_id("points-rank")).to_have_text("Nouveau membre")
    expect(points.get_by_test_id("points-badges").locator("li")).to_have_text(
        ["Première réponse", "Première réponse acceptée"]
    )
    expect(points.get_by_test_id("points-standings")).to_have_text(
        "n°\u00a01 cette semaine · n°\u00a01 ce mois-ci · n°\u00a01 depuis le début"
    )
    groups = points.get_by_test_id("points-group")
    expect(groups).to_have_count(len(EXPECTED))
    assert [g.get_attribute("data-reason") for g in groups.all()] == list(EXPECTED)
    shown = sum(int(str(g.get_attribute("data-points"))) for g in groups.all())
    assert shown == int(str(points.get_by_test_id("points-total").get_attribute("data-points")))
    for reason, value in EXPECTED.items():
        expect(group(points, reason).get_by_test_id("points-group-total")).to_have_text(
            f"+{value} points"
        )
        expect(group(points, reason).get_by_test_id("points-group-count")).to_have_text(
            "Compté une fois"
        )
        expect(group(points, reason).get_by_test_id("points-group-revoked")).to_be_hidden()
    expect(group(points, "answer").locator("h3")).to_have_text("Réponses")
    expect(group(points, "helpful_vote").get_by_test_id("points-group-rule")).to_contain_text(
        "+5 quand quelqu'un trouve votre réponse utile"
    )

    # Entries are collapsed until asked for; one leads back to the question.
    fast = group(points, "fast_first_answer")
    entry = fast.get_by_test_id("points-entry")
    expect(entry).to_be_hidden()
    fast.get_by_text("Voir le détail (1)").click()
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("+5")
    expect(entry).to_contain_text(re.compile(r"réponse en \d+ min \(limite 10 min\)"))
    expect(entry.get_by_role("button", name="Voir la question")).to_be_visible()
    points.locator(".ep-sheet__body").evaluate("body => { body.scrollTop = 0; }")
    screenshot(helper_page, "rewards-my-points")

    # Tab stays inside the sheet; Escape closes it and gives focus back.
    close = points.get_by_test_id("points-close")
    close.focus()
    helper_page.keyboard.press("Shift+Tab")
    expect(entry.get_by_role("button", name="Voir la question")).to_be_focused()
    helper_page.keyboard.press("Tab")
    expect(close).to_be_focused()
    helper_page.keyboard.press("Escape")
    expect(points).to_be_hidden()
    expect(helper.get_by_test_id("my-points")).to_be_focused()

    # This week's top contributors of the product: B first, highlighted in B's own panel.
    helper.get_by_test_id("top-contributors").click()
    expect(board).to_be_visible()
    board.get_by_role("radio", name="Cette semaine").check()
    first = board.get_by_test_id("leader").first
    expect(first).to_have_attribute("data-user-id", helper_id)
    expect(first).to_have_attribute("aria-current", "true")
    expect(first).to_contain_text("Hugo (vous)")
    expect(first.get_by_test_id("leader-points")).to_have_text("27 points")
    expect(first.get_by_test_id("rank")).to_have_text("Nouveau membre")
    expect(first.get_by_test_id("leader-badges").locator("li")).to_have_text(
        ["Première réponse", "Première réponse acceptée"]
    )
    expect(board.get_by_test_id("leader")).to_have_count(1)  # asking earns nothing
    board.get_by_role("radio", name="Depuis toujours").check()
    expect(board.get_by_role("radio", name="Depuis toujours")).to_be_checked()
    expect(first).to_have_attribute("data-user-id", helper_id)
    board.get_by_role("radio", name="Cette semaine").check()
    expect(board.get_by_role("radio", name="Cette semaine")).to_be_checked()
    screenshot(helper_page, "rewards-top-contributors")
    board.get_by_test_id("leaders-close").click()
    expect(board).to_be_hidden()
    expect(helper.get_by_test_id("top-contributors")).to_be_focused()

    # A sees the same board, without the highlight.
    asker.get_by_test_id("top-contributors").click()
    their_first = asker.get_by_test_id("leader").first
    expect(their_first).to_have_attribute("data-user-id", helper_id)
    expect(their_first).not_to_have_attribute("aria-current", "true")
    expect(their_first).to_contain_text("Hugo")
    asker_page.keyboard.press("Escape")

    # A moderator's bonus takes B past 50 points: B is told live, and their pills follow.
    run(create_staff(server.overrides["database_url"], *MODERATOR, "moderator"))
    staff = playwright.request.new_context(base_url=server.url)
    try:
        email, password = MODERATOR
        login = staff.post("/api/v1/staff/login", data={"email": email, "password": password})
        assert login.ok, login.text()
        bonus = staff.post(
            f"/api/v1/staff/contributors/{helper_id}/bonus",
            data={"points": BONUS, "note": "Merci"},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert bonus.ok, bonus.text()
    finally:
        staff.dispose()

    toast = helper.get_by_test_id("toast").filter(has_text="Vous êtes maintenant Contributeur")
    expect(toast).to_be_visible()
    expect(own_answer.get_by_test_id("rank")).to_have_text("Contributeur")
    screenshot(helper_page, "rewards-rank-toast")
    toast.get_by_test_id("toast-action").click()  # "Voir mes points"
    expect(points).to_be_visible()
    expect(points.get_by_test_id("points-total")).to_have_text(f"{total + BONUS} points")
    expect(points.get_by_test_id("points-rank")).to_have_text("Contributeur")
    expect(group(points, "bonus").get_by_test_id("points-group-total")).to_have_text(
        f"+{BONUS} points"
    )
    group(points, "bonus").get_by_text("Voir le détail (1)").click()
    expect(group(points, "bonus").get_by_test_id("points-entry")).to_contain_text("Merci")
    helper_page.keyboard.press("Escape")
    expect(points).to_be_hidden()

    # After a reload, the server's own data shows the new rank to both shoppers.
    for page in (helper_page, asker_page):
        page.reload()
        panel = open_panel(page)
        answer = thread_with(panel, QUESTION).get_by_test_id("answer-item").filter(has_text=ANSWER)
        expect(answer.get_by_test_id("rank")).to_have_text("Contributeur")
        expect(answer.get_by_test_id("rank")).to_have_attribute("data-rank", "helper")

    assert asker_errors == [] and helper_errors == []
