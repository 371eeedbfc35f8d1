"""End to end: the staff console in a real Chromium, next to a shopper using the widget.

The issue's scenario: a visitor's frustrated question appears live in the moderation queue,
a moderator takes the thread over and replies, and the visitor sees the reply with the shop
team's badge. Staff accounts are made the operator's way, with `entraide create-staff`,
against the live server's own database.

Waiting is always Playwright's auto-waiting `expect(...)`: no sleeps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, FrameLocator, Page, expect

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 860}
TABLET = {"width": 768, "height": 1024}
FRUSTRATED = "Toujours pas de réponse, c'est inadmissible !!! Ça fait 3 jours que j'attends"


def new_page(
    browser: Browser, contexts: list[BrowserContext], **options: Any
) -> tuple[Page, list[str]]:
    """A page in a fresh context (own cookies, own socket) and the problems it reports:
    script errors, and console errors such as a Content-Security-Policy refusal."""
    context = browser.new_context(**options)
    contexts.append(context)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))

    def on_console(message: ConsoleMessage) -> None:
        # HTTP errors are logged too ("Failed to load resource": a 401 sign-in, no favicon);
        # what matters here is script trouble and policy refusals ("Refused to ...").
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    return page, problems


def create_staff(server: Any, role: str = "moderator") -> tuple[str, str]:
    """`entraide create-staff` on the live server's database; returns (email, password)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@boutique.example"
    password = "correct horse battery staple " + uuid.uuid4().hex[:6]
    env = {
        **os.environ,
        "ENTRAIDE_DATABASE_URL": server.overrides["database_url"],
        "ENTRAIDE_SECRET_KEY": server.overrides["secret_key"],
    }
    command = ["create-staff", "--email", email, "--password", password, "--role", role]
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return email, password


def sign_in(page: Page, server: Any, email: str, password: str, lang: str = "fr") -> None:
    page.goto(f"{server.url}/staff/login?lang={lang}")
    page.locator("#sc-email").fill(email)
    page.locator("#sc-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/staff(\?.*)?$"))


def open_panel(page: Page) -> FrameLocator:
    launcher = page.get_by_test_id("entraide-launcher")
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


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_visitor_is_sent_to_sign_in_and_a_wrong_password_is_refused(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    email, _ = create_staff(server)
    page, problems = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")

    # No staff cookie: the console, a case page and the staff API are closed.
    page.goto(f"{server.url}/staff")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    page.goto(f"{server.url}/staff/cases/does-not-matter")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    api = page.request.get(f"{server.url}/api/v1/staff/cases?state=open")
    assert api.status == 401
    assert api.json()["error"]["code"] == "unauthorized"

    # The sign-in form: labelled fields, no error yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Connexion à la console de modération"
    )
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    expect(page.get_by_test_id("login-error")).to_be_hidden()

    # A wrong password: the form comes back with an alert, the e-mail kept, no session.
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("not the password")
    page.get_by_test_id("login-submit").click()
    error = page.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).not_to_have_text("")
    expect(page.get_by_label("Adresse e-mail")).to_have_value(email)
    expect(page.get_by_label("Mot de passe")).to_have_value("")
    expect(page.get_by_label("Mot de passe")).to_have_attribute("aria-invalid", "true")
    page.goto(f"{server.url}/staff")
    expect(page).to_have_url(re.compile(r"/staff/login"))

    # The same page in English.
    page.goto(f"{server.url}/staff/login?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the moderation console")
    assert problems == []


def test_a_frustrated_question_is_taken_over_and_the_shopper_sees_the_staff_reply(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    email, password = create_staff(server, "moderator")
    question = f"{FRUSTRATED} ({uuid.uuid4().hex[:6]})"
    reply = "Bonjour, ici l'équipe de la boutique : votre montre part aujourd'hui."

    # The moderator signs in and watches the live queue.
    staff, staff_problems = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    sign_in(staff, server, email, password)
    expect(staff.get_by_role("heading", level=1)).to_have_text("File de modération")
    expect(staff.get_by_test_id("staff-role")).to_have_text("Modérateur")
    expect(staff.get_by_test_id("detectors")).to_have_count(0)  # admin only
    expect(staff.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(staff.get_by_test_id("case-list")).to_have_attribute("aria-busy", "false")
    rows = staff.get_by_test_id("case-row")
    expect(rows.filter(has_text=question)).to_have_count(0)

    # A shopper asks a frustrated question in the product's room.
    shopper, shopper_problems = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    shopper.goto(f"{server.url}/demo/montre-maree?lang=fr")
    panel = open_panel(shopper)
    panel.get_by_test_id("ask-input").fill(question)
    panel.get_by_test_id("ask-submit").click()
    choose_name(panel, "Camille")
    mine = panel.get_by_test_id("thread-item").filter(has_text=question)
    expect(mine).to_be_visible()

    # The case appears in the queue without a reload, with its reason explained.
    row = rows.filter(has_text=question)
    expect(row).to_be_visible()
    frustration = row.locator("[data-reason=frustration]")
    expect(frustration).to_be_visible()
    expect(frustration).to_contain_text("Frustration")
    expect(frustration).to_contain_text(re.compile(r"[01],\d\d"))  # score 0-1, French decimals
    expect(frustration).to_contain_text("inadmissible")  # evidence quotes the shopper
    expect(row.get_by_test_id("case-room")).to_have_text("montre-maree")
    expect(row.get_by_test_id("case-state")).to_have_attribute("data-state", "open")
    expect(row.get_by_test_id("case-due")).to_have_text(re.compile(r"dans|en retard|maintenant"))
    expect(row.get_by_test_id("claim-button")).to_be_visible()
    expect(staff.get_by_test_id("live")).to_contain_text("Nouveau dossier")

    # The filters narrow the list and land in the URL; a reason that does not apply hides it.
    staff.get_by_test_id("filter-reason").select_option("spam")
    expect(staff).to_have_url(re.compile(r"reason=spam"))
    expect(row).to_have_count(0)
    staff.get_by_test_id("filter-reason").select_option("frustration")
    expect(staff).to_have_url(re.compile(r"reason=frustration"))
    expect(row).to_be_visible()

    # The moderator opens the case: the thread, the reasons with their evidence, the audit.
    row.get_by_test_id("case-link").click()
    expect(staff).to_have_url(re.compile(r"/staff/cases/[^/?]+"))
    expect(staff.get_by_test_id("case-title")).to_contain_text("inadmissible")
    expect(staff.get_by_test_id("question")).to_contain_text(question)
    expect(staff.get_by_test_id("question")).to_contain_text("Camille")
    reason = staff.get_by_test_id("reasons").locator("[data-reason=frustration]")
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("inadmissible")
    audit = staff.get_by_test_id("audit-entry")
    expect(audit.first).to_be_visible()
    logged = audit.count()
    expect(staff.get_by_test_id("reply-form")).to_be_hidden()  # not taken over yet

    # Take over, then reply in the thread.
    takeover = staff.get_by_test_id("action-takeover")
    expect(takeover).to_be_visible()
    takeover.click()
    form = staff.get_by_test_id("reply-form")
    expect(form).to_be_visible()
    expect(staff.get_by_test_id("case-assignee")).to_have_text("Pris en charge par vous")
    expect(staff.get_by_test_id("reply-input")).to_be_focused()
    staff.get_by_test_id("reply-input").fill(reply)
    staff.get_by_test_id("reply-submit").click()
    sent = staff.get_by_test_id("message").filter(has_text=reply)
    expect(sent).to_be_visible()
    expect(sent.get_by_test_id("tag-staff")).to_have_text("Équipe de la boutique")
    expect(staff.get_by_test_id("reply-input")).to_have_value("")
    expect(audit.nth(logged)).to_be_visible()  # the take-over and the reply are audited

    # The shopper sees the reply live, with the shop team's badge.
    answer = mine.get_by_test_id("answer-item").filter(has_text=reply)
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("Équipe de la boutique")
    expect(answer.locator(".ep-rank--staff")).to_be_visible()

    # Usable at tablet width: nothing overflows sideways on the case page or the queue.
    staff.set_viewport_size(TABLET)
    expect(form).to_be_visible()
    assert no_sideways_scroll(staff)
    staff.get_by_test_id("back-to-queue").click()
    expect(staff).to_have_url(re.compile(r"/staff(\?.*)?$"))
    back = staff.get_by_test_id("case-row").filter(has_text=question)
    expect(back).to_be_visible()
    expect(back.get_by_test_id("case-assignee")).to_have_text("Pris en charge par vous")
    assert no_sideways_scroll(staff)

    assert staff_problems == []
    assert shopper_problems == []


def test_an_admin_sees_detector_precision_in_english(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    email, password = create_staff(server, "admin")
    page, problems = new_page(browser, contexts, viewport=DESKTOP, locale="en-GB")
    sign_in(page, server, email, password, lang="en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    expect(page.get_by_test_id("staff-role")).to_have_text("Administrator")
    detectors = page.get_by_test_id("detectors")
    expect(detectors.get_by_role("heading", level=2)).to_have_text("Detector precision")
    expect(detectors.get_by_role("columnheader")).to_have_text(
        [
            "Detector",
            "Confirmed",
            "False alarms",
            "Precision",
            "Model F1 (test part)",
            "Rules F1 (test part)",
        ]
    )
    expect(page.get_by_test_id("detector-rows").locator("tr").first).to_be_visible()
    # The learned model's version and scores (issue 13): one row per class it scores.
    expect(page.get_by_test_id("detector-model")).to_contain_text("Learned model")
    expect(page.get_by_test_id("detector-rows").locator("tr")).to_have_count(5)
    expect(page.get_by_test_id("queue-empty")).to_be_visible()  # a fresh shop: nothing waits

    # Signing out ends the session: the console sends us back to the sign-in page.
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/staff/login"))
    page.goto(f"{server.url}/staff")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    assert problems == []
