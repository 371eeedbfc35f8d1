"""End to end in Chromium: a shopper reaches the privacy notice from the widget, downloads
their data and erases it; the room then shows their question as erased."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.test_widget_live import DESKTOP, choose_name, new_page, open_panel, product_url

pytestmark = pytest.mark.e2e


def test_a_shopper_downloads_then_erases_their_data(
    browser: Browser, live_server: Any, contexts: list[BrowserContext]
) -> None:
    url = product_url(live_server, "leurre-brochet-12")
    question = f"Le frein est-il progressif ? ({uuid.uuid4().hex[:6]})"
    page, errors = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    page.goto(url)
    panel = open_panel(page)
    panel.get_by_test_id("ask-input").fill(question)
    panel.get_by_test_id("ask-submit").click()
    choose_name(panel, "Maëlys")
    expect(panel.get_by_test_id("thread-item").filter(has_text=question)).to_be_visible()

    link = panel.get_by_test_id("privacy-link")  # the panel links to the notice
    expect(link).to_have_text("Confidentialité")
    with page.context.expect_page() as opened:
        link.click()
    notice = opened.value
    who = notice.get_by_test_id("privacy-who")
    expect(who).to_have_text("Vous êtes Maëlys dans ce navigateur.")
    with notice.expect_download() as download:
        notice.get_by_test_id("privacy-export").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["visitor"]["name"] == "Maëlys"
    assert [q["body"] for q in data["questions"]] == [question]

    notice.get_by_test_id("privacy-erase").click()
    notice.get_by_test_id("privacy-erase-yes").click()
    expect(notice.get_by_test_id("privacy-status")).to_have_text(
        "Vos données sont effacées. Ce navigateur ne garde plus votre identité."
    )
    # The open panel hears of it live: the question is emptied, the name a pseudonym.
    erased = panel.locator("[data-testid=thread-item] .ep-question.ep-erased").first
    expect(erased).to_have_text("Supprimé à la demande de son auteur.")
    expect(panel.get_by_test_id("thread-item").filter(has_text=question)).to_have_count(0)
    expect(panel.get_by_test_id("thread-item").filter(has_text="Maëlys")).to_have_count(0)
    assert errors == []
