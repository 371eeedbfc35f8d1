"""End to end: the asker rates the answer in the widget, and brand staff read the
insights page, whose tiles say what the API says. Real Chromium, real server; no sleeps
(Playwright's auto-waiting `expect`)."""

from __future__ import annotations

import asyncio
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect

from tests.support import create_staff

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
STAFF = ("insights@boutique.example", "correct horse battery staple")
ROOM = "waders-respirants"


def run(coroutine: Any) -> Any:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def new_page(browser: Browser, contexts: list[BrowserContext]) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")  # type: ignore[arg-type]
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def open_panel(page: Page, server: Any) -> FrameLocator:
    page.goto(f"{server.url}/demo/{ROOM}?lang=fr")
    page.get_by_test_id("entraide-launcher").click()
    panel = page.frame_locator("iframe")
    expect(panel.get_by_test_id("presence")).to_be_visible()
    return panel


def name_yourself(panel: FrameLocator, name: str) -> None:
    panel.get_by_test_id("name-input").fill(name)
    panel.get_by_test_id("name-submit").click()
    expect(panel.get_by_test_id("name-dialog")).to_be_hidden()


def sign_in(page: Page, server: Any) -> None:
    page.goto(f"{server.url}/staff/login?lang=fr")
    page.locator("#sc-email").fill(STAFF[0])
    page.locator("#sc-password").fill(STAFF[1])
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/staff(\?.*)?$"))


@pytest.fixture(scope="module")
def staff_account(live_server: Any) -> None:
    run(create_staff(live_server.overrides["database_url"], *STAFF, "moderator"))


def test_the_asker_rates_the_answer_and_staff_see_it_counted(
    browser: Browser, live_server: Any, contexts: list[BrowserContext], staff_account: None
) -> None:
    question = f"Les chaussons taillent-ils grand ? ({uuid.uuid4().hex[:6]})"
    asker_page, asker_errors = new_page(browser, contexts)
    helper_page, helper_errors = new_page(browser, contexts)
    asker, helper = open_panel(asker_page, live_server), open_panel(helper_page, live_server)

    asker.get_by_test_id("ask-input").fill(question)
    asker.get_by_test_id("ask-submit").click()
    name_yourself(asker, "Camille")
    mine = asker.get_by_test_id("thread-item").filter(has_text=question)
    expect(mine).to_be_visible()
    expect(mine.get_by_test_id("rating")).to_be_hidden()  # nothing to rate yet

    theirs = helper.get_by_test_id("thread-item").filter(has_text=question)
    theirs.get_by_test_id("answer-input").fill("Plutôt grand : prenez une pointure en dessous.")
    theirs.get_by_test_id("answer-submit").click()
    name_yourself(helper, "Hugo")
    expect(theirs.get_by_test_id("answer-item")).to_be_visible()
    expect(theirs.get_by_test_id("rating")).to_be_hidden()  # only the asker rates

    rating = mine.get_by_test_id("rating")
    expect(rating).to_be_visible()
    expect(rating).to_contain_text("Cette réponse vous a-t-elle aidé ?")
    rating.get_by_test_id("rate-helpful-yes").click()
    expect(rating.get_by_test_id("rate-helpful-yes")).to_have_attribute("aria-pressed", "true")
    expect(rating).to_contain_text("auriez-vous contacté le service client")
    rating.get_by_test_id("rate-contact-yes").click()
    expect(rating.get_by_test_id("rating-thanks")).to_have_text(
        "Merci : votre réponse aide la boutique."
    )

    staff_page, staff_errors = new_page(browser, contexts)
    sign_in(staff_page, live_server)
    run(live_server.settled())  # the facts are kept by a bus listener after the ack
    doc = staff_page.request.get(f"{live_server.url}/api/v1/staff/insights?room={ROOM}").json()
    assert (doc["ratings"], doc["csat"], doc["deflected_contacts"]) == (1, 1.0, 1), doc

    # A change of mind replaces the rating; the second answer is kept.
    rating.get_by_test_id("rate-helpful-no").click()
    expect(rating.get_by_test_id("rate-helpful-no")).to_have_attribute("aria-pressed", "true")
    expect(rating.get_by_test_id("rate-helpful-yes")).to_have_attribute("aria-pressed", "false")
    expect(rating.get_by_test_id("rate-contact-yes")).to_have_attribute("aria-pressed", "true")
    run(live_server.settled())
    doc = staff_page.request.get(f"{live_server.url}/api/v1/staff/insights?room={ROOM}").json()
    assert (doc["ratings"], doc["csat"], doc["deflected_contacts"]) == (1, 0.0, 0), doc
    assert asker_errors == helper_errors == staff_errors == []


def test_the_insights_page_shows_the_api_numbers_for_the_chosen_period(
    browser: Browser, live_server: Any, contexts: list[BrowserContext], staff_account: None
) -> None:
    page, errors = new_page(browser, contexts)
    sign_in(page, live_server)
    page.get_by_test_id("nav-insights").click()
    expect(page).to_have_url(re.compile(r"/staff/insights"))
    tiles = page.get_by_test_id("tiles")
    expect(tiles).to_have_attribute("aria-busy", "false")

    api = page.request.get(f"{live_server.url}/api/v1/staff/insights").json()
    assert api["questions"] > 0  # the other browser tests asked questions on this server
    for key in ("questions", "answer_rate", "csat", "deflected_contacts"):
        shown = page.get_by_test_id(f"tile-{key}").get_attribute("data-value")
        assert (float(shown) if shown else None) == api[key], (key, shown, api[key])
    expect(page.get_by_test_id("tile-questions")).to_contain_text(str(api["questions"]))
    expect(page.get_by_test_id("tile-answer_rate")).to_have_attribute("title", re.compile("sur"))
    period = api["period"]
    expect(page.get_by_test_id("insights-csv")).to_have_attribute(
        "href", f"/api/v1/staff/insights.csv?from={period['from']}&to={period['to']}"
    )
    expect(page.get_by_test_id("room-row").first).to_be_visible()
    expect(page.get_by_test_id("insights-chart")).to_have_attribute("aria-label", re.compile(r"\d"))
    expect(page.get_by_test_id("insights-rates-chart")).to_have_attribute(
        "aria-label", re.compile("Satisfaction")
    )

    page.get_by_test_id("days-7").click()
    expect(page.get_by_test_id("days-7")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d\d-\d\d&to="))
    week = page.request.get(
        f"{live_server.url}/api/v1/staff/insights?" + page.url.split("?", 1)[1]
    ).json()
    expect(page.get_by_test_id("tile-questions")).to_have_attribute(
        "data-value", str(week["questions"])
    )
    assert errors == []
