"""End to end: brand staff review their best contributors in a real Chromium.

Contributors earn their points the real way (Socket.IO clients ask, answer, vote and accept);
one older contributor's points are dated last season, written through the store as an
operator's import would, so the period tabs have something to tell apart. A moderator signs
in on the console, reads the board and its chart, filters, opens a contributor, awards a
bonus, disqualifies and reinstates, and downloads the CSV.

Waiting is always Playwright's auto-waiting `expect(...)`: no sleeps.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
)

import rewards as rw
from app.domain.models import new_id, utcnow
from tests.support import PRODUCT, cid, connect, create_staff, new_visitor

pytestmark = pytest.mark.e2e

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TABLET: ViewportSize = {"width": 768, "height": 1024}
MODERATOR = ("modo-recompenses@boutique.example", "correct horse battery staple")
ROOM = "montre-maree"
HELPER = "Éloïse Févre"
SECOND = "Léo"
VETERAN = "Gaëlle d'Antan"
# docs/rewards.md defaults: answer 2, fast first answer 5, helpful vote 5, accepted 15
HELPER_POINTS = (2 + 5 + 5 + 15) + (2 + 5 + 5)
SECOND_POINTS = 2 + 5 + 5 + 15
VETERAN_POINTS = 120
REPORT_REASON = "Réponse copiée d'un autre site"


def run(coroutine: Any) -> Any:
    """Run an async helper to completion outside Playwright's own event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def seed(server: Any) -> dict[str, str]:
    """Three contributors: two from this week's threads, one from 40 days ago; Léo reports
    one of Éloïse's answers."""
    url = server.url
    made: dict[str, str] = {}
    clients = []
    try:

        async def person(name: str) -> Any:
            visitor = await new_visitor(url, name)
            client = await connect(url, visitor["token"])
            clients.append(client)
            joined = await client.call("join", {"room": ROOM, "product": PRODUCT})
            assert joined["ok"], joined
            made[name] = visitor["id"]
            return client

        camille, helper, second, hugo = [
            await person(n) for n in ("Camille", HELPER, SECOND, "Hugo")
        ]
        threads = [
            (camille, "Cette montre est-elle étanche pour la plongée ?", helper,
             "Oui, je plonge avec la mienne jusqu'à 30 m sans souci.", True),
            (camille, "Le bracelet est-il réglable pour un petit poignet ?", second,
             "Il se raccourcit facilement, comptez deux maillons de moins.", True),
            (hugo, "Les marées sont-elles programmées pour la Bretagne ?", helper,
             "Oui, Brest et Saint-Malo sont dans la liste des ports.", False),
        ]  # fmt: skip
        answered_by_helper = []
        for asker, question, answerer, answer, accept in threads:
            asked = await asker.call("ask", {"room": ROOM, "body": question, "client_id": cid()})
            assert asked["ok"] and not asked.get("held"), asked
            sent = await answerer.call(
                "answer", {"thread_id": asked["thread"]["id"], "body": answer, "client_id": cid()}
            )
            assert sent["ok"] and not sent.get("held"), sent
            if answerer is helper:
                answered_by_helper.append(sent["message"]["id"])
            voted = await asker.call("vote", {"message_id": sent["message"]["id"], "value": 1})
            assert voted["ok"], voted
            if accept:
                done = await asker.call("accept", {"message_id": sent["message"]["id"]})
                assert done["ok"], done
        reported = await second.call(
            "report", {"message_id": answered_by_helper[0], "reason": REPORT_REASON}
        )
        assert reported["ok"], reported
    finally:
        for client in clients:
            await client.sio.disconnect()

    # Last season's star: a staff bonus dated 40 days ago, appended to the ledger the way
    # the rewards service does (the server reads the ledger on every board request).
    veteran = await new_visitor(url, VETERAN)
    made[VETERAN] = veteran["id"]
    from app.store.sqlite import SqliteStore

    store = SqliteStore(server.overrides["database_url"].removeprefix("sqlite:///"))
    await store.open()
    try:
        entry = rw.bonus(
            rw.Actor(veteran["id"]),
            VETERAN_POINTS,
            staff_id="import",
            at=utcnow() - timedelta(days=40),
            note="Meilleure contributrice de la saison passée",
            bonus_id=new_id(),
        )
        await store.add_ledger_entries([entry])
    finally:
        await store.close()
    await create_staff(server.overrides["database_url"], *MODERATOR, "moderator")
    return made


def new_page(
    browser: Browser, contexts: list[BrowserContext], **options: Any
) -> tuple[Page, list[str]]:
    """A page in a fresh context and the problems it reports (script errors, CSP refusals)."""
    context = browser.new_context(accept_downloads=True, **options)
    contexts.append(context)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    return page, problems


def sign_in(page: Page, server: Any, lang: str = "fr") -> None:
    page.goto(f"{server.url}/staff/login?lang={lang}")
    page.locator("#sc-email").fill(MODERATOR[0])
    page.locator("#sc-password").fill(MODERATOR[1])
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/staff(\?.*)?$"))


def row(page: Page, name: str) -> Any:
    return page.get_by_test_id("contributor-row").filter(has_text=name)


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_staff_review_filter_reward_disqualify_and_export_contributors(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    ids = run(seed(server))
    page, problems = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")

    # Signed out: the page sends to the sign-in form.
    page.goto(f"{server.url}/staff/contributors")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    sign_in(page, server)
    page.goto(f"{server.url}/staff/contributors?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributeurs")
    # The console's section menu leads back to the queue and marks this page as current.
    sections = page.locator("header nav a[href^='/staff']")
    expect(sections.filter(has_text="Contributeurs")).to_have_attribute("aria-current", "page")
    expect(page.locator("header nav a[href='/staff']")).to_be_visible()
    expect(page.get_by_test_id("staff-role")).to_have_text("Modérateur")

    # All time (the default): the veteran leads, then this week's two helpers.
    table = page.get_by_test_id("contributors-table")
    expect(table).to_have_attribute("aria-busy", "false")
    rows = page.get_by_test_id("contributor-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(VETERAN)
    expect(rows.nth(1)).to_contain_text(HELPER)
    expect(rows.nth(2)).to_contain_text(SECOND)
    expect(row(page, HELPER).get_by_test_id("contributor-points")).to_have_text(str(HELPER_POINTS))
    expect(row(page, SECOND)).to_contain_text("100 %")  # acceptance rate, French format
    expect(page.get_by_test_id("contributor-count")).to_have_text("3 contributeurs")
    headers = table.locator("thead th")
    expect(headers).to_have_text(
        ["Rang", "Contributeur", "Points", "Titre", "Réponses", "Acceptées", "Utile / réponse"]
    )
    expect(page.get_by_role("tab", name="Depuis le début")).to_have_attribute(
        "aria-selected", "true"
    )
    chart = page.get_by_test_id("top-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_have_attribute("aria-label", re.compile(f"{VETERAN} {VETERAN_POINTS} points"))
    assert chart.bounding_box()["height"] > 60  # type: ignore[index]
    csv = page.get_by_test_id("csv-link")
    expect(csv).to_have_text("Télécharger CSV")
    expect(csv).to_have_attribute("href", "/api/v1/staff/contributors.csv?period=all")

    # This week: last season's points are left out; the URL and the CSV link follow.
    page.get_by_role("tab", name="Cette semaine").click()
    expect(page).to_have_url(re.compile(r"period=week"))
    expect(page.get_by_role("tab", name="Cette semaine")).to_have_attribute("aria-selected", "true")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(HELPER)
    expect(row(page, VETERAN)).to_have_count(0)
    expect(csv).to_have_attribute("href", "/api/v1/staff/contributors.csv?period=week")
    expect(chart).not_to_have_attribute("aria-label", re.compile(VETERAN))
    # Arrow keys move between the period tabs, as on any tab list.
    page.get_by_role("tab", name="Cette semaine").press("ArrowRight")
    expect(page).to_have_url(re.compile(r"period=month"))
    expect(page.get_by_role("tab", name="Ce mois-ci")).to_be_focused()
    expect(rows).to_have_count(2)
    page.get_by_role("tab", name="Ce mois-ci").press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"period=week"))

    # A room filter narrows the board and lands in the URL; clearing brings everyone back.
    page.get_by_label("Salon (produit)", exact=True).fill("ailleurs")
    expect(page).to_have_url(re.compile(r"room=ailleurs"))
    expect(page.get_by_test_id("board-empty")).to_be_visible()
    expect(rows).to_have_count(0)
    expect(csv).to_have_attribute("href", re.compile(r"period=week&room=ailleurs"))
    page.get_by_test_id("filter-clear").click()
    expect(rows).to_have_count(2)
    page.get_by_label("Catégorie", exact=True).fill(PRODUCT["category"])
    expect(page).to_have_url(re.compile(r"category=montres"))
    expect(rows).to_have_count(2)
    # A reload keeps the view.
    page.reload()
    expect(page.get_by_role("tab", name="Cette semaine")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Catégorie", exact=True)).to_have_value(PRODUCT["category"])
    expect(rows).to_have_count(2)
    page.get_by_test_id("filter-clear").click()
    expect(page).not_to_have_url(re.compile(r"category="))

    # The detail of a contributor: numbers, badges, points by reason, timeline, answers.
    opener = row(page, HELPER).get_by_role("button", name=f"Détails de {HELPER}")
    opener.click()
    detail = page.get_by_test_id("detail")
    expect(detail).to_be_visible()
    expect(page).to_have_url(re.compile(f"contributor={ids[HELPER]}"))
    name = page.get_by_test_id("detail-name")
    expect(name).to_have_text(HELPER)
    expect(name).to_be_focused()
    stats = page.get_by_test_id("detail-stats")
    expect(stats.locator("[data-stat=points]")).to_have_text(str(HELPER_POINTS))
    expect(stats.locator("[data-stat=answers]")).to_have_text("2")
    expect(stats.locator("[data-stat=acceptance_rate]")).to_have_text("50 %")
    expect(stats.locator("[data-stat=helpful_per_answer]")).to_have_text("1,00")
    expect(stats.locator("[data-stat=hidden_content]")).to_have_text("0")
    expect(stats.locator("[data-stat=reports_against]")).to_have_text("1")
    expect(stats.locator("[data-stat=median_first_answer_seconds]")).not_to_be_empty()
    expect(page.get_by_test_id("median-note")).to_contain_text("Médiane sur les 2 dernières")
    # The report against one of their answers: when, by whom, why, and the case to open.
    reports = page.get_by_test_id("report")
    expect(page.get_by_test_id("reports-summary")).to_have_text("1 signalement au total.")
    expect(reports).to_have_count(1)
    expect(reports.first).to_contain_text(REPORT_REASON)
    expect(reports.first).to_contain_text(f"Signalé par {SECOND}")
    case_link = reports.first.get_by_role("link", name="Ouvrir le dossier")
    expect(case_link).to_have_attribute("href", re.compile(r"^/staff/cases/[0-9a-f]{16}\?lang=fr$"))
    audit = page.get_by_test_id("audit-line")
    expect(page.get_by_test_id("detail-audit")).to_have_text(
        "Aucune action de l’équipe à son sujet pour l’instant."
    )
    badges = page.get_by_test_id("badge")
    expect(badges).to_have_text(["Première réponse", "Première réponse acceptée"])
    reasons = page.get_by_test_id("reason-row")
    expect(reasons.filter(has_text="Réponses acceptées")).to_contain_text("15")
    expect(
        page.locator("[data-testid=reason-row][data-reason=answer] .rw-reason__total")
    ).to_have_text("4")
    timeline = page.get_by_test_id("timeline-chart")
    expect(timeline).to_be_visible()
    expect(timeline).to_have_attribute("aria-label", re.compile(str(HELPER_POINTS)))
    expect(page.get_by_test_id("recent-answer")).to_have_count(2)
    expect(page.get_by_test_id("recent-answers")).to_contain_text("Saint-Malo")

    # A bonus needs a reason; then the points move in the panel and on the board.
    page.get_by_label("Points (1 à 500)").fill("25")
    page.get_by_role("button", name="Attribuer le bonus").click()
    expect(page.get_by_test_id("bonus-error")).to_have_text(
        "Indiquez le motif du bonus : le contributeur le verra."
    )
    expect(page.get_by_label("Motif affiché au contributeur")).to_be_focused()
    page.get_by_label("Motif affiché au contributeur").fill("Guide des tailles très détaillé")
    page.get_by_role("button", name="Attribuer le bonus").click()
    with_bonus = HELPER_POINTS + 25
    expect(page.get_by_test_id("detail-alert")).to_contain_text(
        f"Bonus de 25 points attribué à {HELPER}."
    )
    expect(stats.locator("[data-stat=points]")).to_have_text(str(with_bonus))
    expect(reasons.filter(has_text="Guide des tailles très détaillé")).to_contain_text("25")
    expect(audit).to_have_count(1)  # the bonus, with who gave it and why
    expect(audit.first).to_contain_text("Bonus attribué")
    expect(audit.first).to_contain_text("par modo-recompenses")
    expect(audit.first).to_contain_text("+25: Guide des tailles très détaillé")
    expect(row(page, HELPER).get_by_test_id("contributor-points")).to_have_text(str(with_bonus))
    expect(page.get_by_label("Motif affiché au contributeur")).to_have_value("")

    # Disqualify (confirmed): off the board, the panel says so; reinstate brings them back.
    page.get_by_test_id("disqualify").click()
    expect(page.get_by_test_id("confirm-text")).to_have_text(
        f"Disqualifier {HELPER} ? Cette personne n’apparaîtra plus dans aucun classement."
    )
    expect(page.get_by_test_id("confirm-yes")).to_be_focused()
    page.get_by_test_id("confirm-no").click()  # changed their mind: nothing happens
    expect(page.get_by_test_id("disqualify")).to_be_focused()
    expect(rows).to_have_count(2)
    page.get_by_test_id("disqualify").click()
    page.get_by_role("button", name="Oui, disqualifier").click()
    expect(page.get_by_test_id("detail-disqualified")).to_be_visible()
    expect(row(page, HELPER)).to_have_count(0)
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("reinstate")).to_be_focused()
    page.get_by_test_id("reinstate").click()
    page.get_by_role("button", name="Oui, réintégrer").click()
    expect(page.get_by_test_id("detail-disqualified")).to_be_hidden()
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(HELPER)
    expect(audit).to_have_count(3)  # newest first
    expect(audit.nth(0)).to_contain_text("Réintégration")
    expect(audit.nth(1)).to_contain_text("Mise hors classement")

    # Escape closes the panel; the focus goes back to the contributor's button.
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"contributor="))
    expect(row(page, HELPER).get_by_role("button", name=f"Détails de {HELPER}")).to_be_focused()

    # The CSV of this view: UTF-8 with a BOM, `;`-separated, accents intact.
    with page.expect_download() as info:
        csv.click()
    download = info.value
    assert download.suggested_filename.startswith("contributeurs-week-")
    assert download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert HELPER.encode("utf-8") in data
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Rang;Nom;Points;")
    assert lines[1].startswith(f"1;{HELPER};{with_bonus};")
    assert len(lines) == 3

    # Tablet width: nothing overflows sideways, the panel still works.
    page.set_viewport_size(TABLET)
    assert no_sideways_scroll(page)
    row(page, SECOND).get_by_test_id("contributor-open").click()
    expect(page.get_by_test_id("detail-name")).to_have_text(SECOND)
    expect(page.get_by_test_id("timeline-chart")).to_be_visible()
    assert no_sideways_scroll(page)
    page.get_by_test_id("detail-close").click()
    expect(detail).to_be_hidden()

    assert problems == []


def test_the_contributors_page_in_english_and_a_shared_link_to_a_contributor(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    ids = run(seed(server))
    page, problems = new_page(browser, contexts, viewport=TABLET, locale="en-GB")
    sign_in(page, server, "en")
    page.goto(f"{server.url}/staff/contributors?lang=en&period=week&contributor={ids[SECOND]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributors")
    expect(page.get_by_test_id("detail-name")).to_have_text(SECOND)
    expect(page.get_by_test_id("detail-name")).to_be_focused()
    expect(page.get_by_test_id("detail-stats").locator("[data-stat=acceptance_rate]")).to_have_text(
        "100%"
    )
    expect(page.get_by_test_id("reason-row").first).to_contain_text("Answers")
    expect(page.get_by_test_id("badge").first).to_have_text("First answer")
    expect(page.get_by_test_id("reports-summary")).to_have_text(
        "Nobody has reported their messages."
    )
    expect(page.get_by_test_id("detail-audit")).to_have_text("No staff action about them yet.")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_test_id("detail")).to_be_hidden()
    expect(page.get_by_role("tab", name="This week")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("csv-link")).to_have_text("Download CSV")
    expect(row(page, SECOND)).to_contain_text("Newcomer")
    expect(page.get_by_test_id("contributor-count")).to_have_text("2 contributors")
    assert no_sideways_scroll(page)
    assert problems == []


def test_staff_endorse_answers_from_the_contributor_panel_and_the_case_page(
    browser: Browser, server: Any, contexts: list[BrowserContext]
) -> None:
    ids = run(seed(server))
    page, problems = new_page(browser, contexts, viewport=DESKTOP, locale="fr-FR")
    sign_in(page, server)
    page.goto(f"{server.url}/staff/contributors?lang=fr&contributor={ids[HELPER]}")
    expect(page.get_by_test_id("detail-name")).to_have_text(HELPER)
    stats = page.get_by_test_id("detail-stats")
    expect(stats.locator("[data-stat=points]")).to_have_text(str(HELPER_POINTS))
    answers = page.get_by_test_id("recent-answer")
    expect(answers).to_have_count(2)
    expect(answers.get_by_test_id("endorse-button")).to_have_text(["Recommander", "Recommander"])

    # From the panel: the answer about the tide ports.
    tides = answers.filter(has_text="Saint-Malo").get_by_test_id("endorse-button")
    expect(tides).to_have_attribute("aria-label", f"Recommander la réponse de {HELPER}")
    tides.click()
    expect(page.get_by_test_id("detail-alert")).to_contain_text(
        f"Réponse recommandée : {HELPER} gagne 10 points."
    )
    expect(tides).to_have_text("Recommandée")
    expect(tides).to_have_attribute("aria-disabled", "true")
    expect(tides).to_be_focused()  # the panel reloaded around it; the focus stayed
    expect(stats.locator("[data-stat=points]")).to_have_text(str(HELPER_POINTS + 10))
    expect(page.locator("[data-testid=reason-row][data-reason=staff_endorsement]")).to_contain_text(
        "Recommandations de la marque"
    )
    audit = page.get_by_test_id("audit-line")
    expect(audit).to_have_count(1)
    expect(audit.first).to_contain_text("Réponse recommandée")
    expect(audit.first).to_contain_text("par modo-recompenses")
    expect(row(page, HELPER).get_by_test_id("contributor-points")).to_have_text(
        str(HELPER_POINTS + 10)
    )
    tides.press("Enter")  # endorsed already: nothing more happens
    expect(audit).to_have_count(1)

    # From the case page of the reported answer: endorse it there, and it stays endorsed.
    page.get_by_test_id("report").first.get_by_role("link", name="Ouvrir le dossier").click()
    expect(page).to_have_url(re.compile(r"/staff/cases/[0-9a-f]{16}"))
    message = page.get_by_test_id("message").filter(has_text="30 m")
    endorse = message.get_by_test_id("endorse-button")
    expect(endorse).to_have_text("Recommander")
    endorse.click()
    expect(page.get_by_test_id("alert")).to_contain_text(
        f"Réponse recommandée : {HELPER} gagne 10 points."
    )
    expect(endorse).to_have_text("Recommandée")
    expect(endorse).to_have_attribute("aria-disabled", "true")
    page.reload()
    expect(
        page.get_by_test_id("message").filter(has_text="30 m").get_by_test_id("endorse-button")
    ).to_have_text("Recommandée")

    # Back on the contributor: both answers endorsed, twice the points.
    page.goto(f"{server.url}/staff/contributors?lang=fr&contributor={ids[HELPER]}")
    expect(answers.get_by_test_id("endorse-button")).to_have_text(["Recommandée", "Recommandée"])
    expect(stats.locator("[data-stat=points]")).to_have_text(str(HELPER_POINTS + 20))
    expect(audit).to_have_count(2)
    assert problems == []
