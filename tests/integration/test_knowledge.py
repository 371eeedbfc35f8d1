"""Knowledge through the public protocol: staff promote resolved threads to the FAQ (edit,
remove, audited), look-alikes with language and score, suggested replies on the case page,
and the crawlable answer pages, snippet and sitemap, validated strictly as HTML with their
JSON-LD parsed; held, hidden, private and erased content never appears; hostile content
renders inert."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import aiohttp
import html5lib

from tests.support import PRODUCT, LiveServer, StaffClient, cid

ROOM = "montre-peche"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
HOSTILE = ('<script>alert("x")</script><img src=x onerror=alert(1)> <b><i>pas fermé '
           "</div></p>&amp; « guillemets » " + "très long " * 150)  # fmt: skip


async def get(server: LiveServer, path: str, **headers: str) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as http, http.get(server.url + path, headers=headers) as r:
        return r.status, await r.text(), r.headers


def strict_html(text: str) -> Any:
    """Parse with the HTML5 algorithm, failing on any parse error."""
    return html5lib.HTMLParser(strict=True).parse(text)


def assert_inert(document: Any) -> None:
    """No script but JSON-LD, no event handler, no image: hostile text stayed text."""
    for element in document.iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        assert tag != "img", "an <img> came through"
        if tag == "script":
            assert element.get("type") == "application/ld+json"
        assert not any(str(name).startswith("on") for name in element.attrib), element.attrib


def json_ld(text: str) -> list[Any]:
    return [json.loads(block) for block in LD.findall(text)]


async def resolved_thread(
    people: Any, question: str, answer: str, *also: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A question with `answer` accepted, and the other answers `also` given before."""
    _, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        assert (await client.call("join", {"room": ROOM, "product": PRODUCT}))["ok"]
    thread = (await asking.call("ask", {"room": ROOM, "body": question, "client_id": cid()}))[
        "thread"
    ]
    acks = [
        await helping.call("answer", {"thread_id": thread["id"], "body": body, "client_id": cid()})
        for body in (answer, *also)
    ]
    assert (await asking.call("accept", {"message_id": acks[0]["message"]["id"]}))["ok"]
    return thread, [a["message"] for a in acks]


async def test_staff_promote_edit_and_remove_faq_entries(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    angry = "Le bracelet a cassé en 2 jours, c'est inadmissible !!! Quelle solution ?"
    thread, _ = await resolved_thread(people, angry, "Le SAV le remplace sous garantie.")
    case = (await staff.get("/api/v1/staff/cases"))["cases"][0]
    created = await staff.post(f"/api/v1/staff/threads/{thread['id']}/faq", status=201)
    faq = created["faq"]
    assert (faq["question"], faq["answer"], faq["lang"]) == (
        angry, "Le SAV le remplace sous garantie.", "fr",
    )  # fmt: skip
    edited = await staff.post(f"/api/v1/staff/threads/{thread['id']}/faq",
                              {"question": "Que faire si le bracelet casse ?"})  # fmt: skip
    assert edited["faq"]["id"] == faq["id"] and edited["faq"]["question"].startswith("Que faire")
    public = (await get(server, f"/api/v1/rooms/{ROOM}/faq"))[1]
    assert [e["question"] for e in json.loads(public)["faq"]] == [
        "Que faire si le bracelet casse ?"
    ]
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    assert detail["faq"]["id"] == faq["id"]
    assert [a["action"] for a in detail["audit"]][-2:] == ["faq_promote", "faq_edit"]

    async with staff.http.delete(server.url + f"/api/v1/staff/faq/{faq['id']}",
                                 headers={"X-CSRF-Token": staff.csrf}) as resp:  # fmt: skip
        assert resp.status == 204
    async with staff.http.delete(server.url + f"/api/v1/staff/faq/{faq['id']}",
                                 headers={"X-CSRF-Token": staff.csrf}) as resp:  # fmt: skip
        assert resp.status == 404
    assert json.loads((await get(server, f"/api/v1/rooms/{ROOM}/faq"))[1])["faq"] == []
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    assert detail["faq"] is None and detail["audit"][-1]["action"] == "faq_remove"


async def test_promoting_refuses_what_cannot_be_an_faq(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    _, asking = await people("Camille")
    await asking.call("join", {"room": ROOM, "product": PRODUCT})
    open_one = (await asking.call("ask", {"room": ROOM, "body": "Étanche ?", "client_id": cid()}))[
        "thread"
    ]
    await staff.post(f"/api/v1/staff/threads/{open_one['id']}/faq", status=409)  # unanswered
    await staff.post("/api/v1/staff/threads/0123456789abcdef/faq", status=404)
    async with staff.http.post(server.url + "/api/v1/staff/threads/nope/faq",
                               headers={"X-CSRF-Token": staff.csrf}) as resp:  # fmt: skip
        assert resp.status == 404
    thread, _ = await resolved_thread(people, "La pile ?", "Une CR2032.")
    for bad in ({"question": ""}, {"question": 3}, {"answer": "x" * 30_000}, {"other": 1}):
        await staff.post(f"/api/v1/staff/threads/{thread['id']}/faq", bad, status=400)
    async with staff.http.post(server.url + f"/api/v1/staff/threads/{thread['id']}/faq",
                               data="[", headers={"X-CSRF-Token": staff.csrf}) as resp:  # fmt: skip
        assert resp.status == 400
    async with staff.http.post(server.url + f"/api/v1/staff/threads/{thread['id']}/faq") as resp:
        assert resp.status == 403  # no CSRF token
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.url + f"/api/v1/staff/threads/{thread['id']}/faq") as resp,
    ):
        assert resp.status == 401
    assert json.loads((await get(server, f"/api/v1/rooms/{ROOM}/faq"))[1])["faq"] == []


async def test_similar_finds_answers_and_faq_with_language_and_score(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    thread, _ = await resolved_thread(people, "Is the strap adjustable?", "Yes, with the tool.")
    await staff.post(f"/api/v1/staff/threads/{thread['id']}/faq", status=201)
    status, text, _ = await get(server, f"/api/v1/rooms/{ROOM}/similar?q=strap%20adjustable")
    found = json.loads(text)
    assert status == 200
    [match] = found["threads"]
    assert match["id"] == thread["id"] and match["lang"] == "en" and 0 < match["score"] <= 1
    [entry] = found["faq"]
    assert entry["lang"] == "en" and entry["score"] == 1.0


async def test_the_case_page_suggests_replies_from_earlier_answers(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    await resolved_thread(people, "Le bracelet est-il réglable ?", "Oui, avec l'outil fourni.")
    _, asking = await people("Léa")
    await asking.call("join", {"room": ROOM, "product": PRODUCT})
    angry = "Bracelet trop grand, c'est inadmissible !!! réglable ?"
    await asking.call("ask", {"room": ROOM, "client_id": cid(), "body": angry})
    case = (await staff.get("/api/v1/staff/cases"))["cases"][0]
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    [suggestion] = detail["suggestions"]
    assert suggestion["kind"] == "answer" and suggestion["text"] == "Oui, avec l'outil fourni."


async def test_public_pages_show_only_readable_content_as_valid_html_and_json_ld(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    thread, messages = await resolved_thread(
        people, "Le verre est-il en saphir ?", HOSTILE, "Réponse cachée par l'équipe"
    )
    # A hidden answer and a held question must never appear.
    await staff.post(f"/api/v1/staff/messages/{messages[1]['id']}/hide")
    _, asking = await people("Léa")
    await asking.call("join", {"room": ROOM, "product": PRODUCT})
    private = "Mon adresse : 3 rue des Lilas, lea@exemple.fr"
    held = await asking.call("ask", {"room": ROOM, "client_id": cid(), "body": private})
    assert held["held"] is True
    await server.settled()

    status, page, headers = await get(server, f"/q/{ROOM}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    strict_html(page)
    assert "saphir" in page and "Réponse cachée" not in page and "Lilas" not in page
    assert_inert(strict_html(page))
    assert f'<link rel="canonical" href="{PRODUCT["url"]}">' in page
    assert 'name="robots"' not in page

    status, page, headers = await get(server, f"/q/{ROOM}/{thread['id']}")
    assert status == 200
    assert_inert(strict_html(page))
    [qa] = json_ld(page)
    assert qa["@type"] == "QAPage" and qa["mainEntity"]["name"] == "Le verre est-il en saphir ?"
    assert qa["mainEntity"]["acceptedAnswer"]["text"] == HOSTILE.strip()  # data, not markup
    assert qa["mainEntity"]["answerCount"] == 1
    etag = headers["ETag"]
    assert "max-age" in headers["Cache-Control"]
    status, _, _ = await get(server, f"/q/{ROOM}/{thread['id']}", **{"If-None-Match": etag})
    assert status == 304
    assert (await get(server, f"/q/{ROOM}/{held['thread']['id']}"))[0] == 404
    assert (await get(server, f"/q/{ROOM}/not-an-id"))[0] == 404
    assert (await get(server, "/q/no-such-room"))[0] == 404
    assert (await get(server, "/q/bad%20key!"))[0] == 404

    # An open question's page exists but asks not to be indexed; so does an empty room's.
    opened = await asking.call("ask", {"room": ROOM, "body": "Et la boucle ?", "client_id": cid()})
    status, page, _ = await get(server, f"/q/{ROOM}/{opened['thread']['id']}")
    assert status == 200 and '<meta name="robots" content="noindex">' in page
    strict_html(page)
    _, other = await people("Nina")
    await other.call("join", {"room": "canne-carpe", "product": PRODUCT})
    status, page, _ = await get(server, "/q/canne-carpe")
    assert status == 200 and 'content="noindex"' in page

    status, fragment, _ = await get(server, f"/api/v1/rooms/{ROOM}/snippet?lang=en")
    assert status == 200
    html5lib.HTMLParser(strict=True).parseFragment(fragment)
    assert "saphir" in fragment and "Réponse cachée" not in fragment and "Lilas" not in fragment

    status, xml, _ = await get(server, "/q/sitemap.xml")
    locs = [
        e.text  # our own server's output: no hostile XML to defuse
        for e in ET.fromstring(xml).iter(f"{{{SITEMAP}}}loc")  # noqa: S314
    ]
    assert f"{server.url}/q/{ROOM}" in locs and f"{server.url}/q/{ROOM}/{thread['id']}" in locs
    assert not any(held["thread"]["id"] in (loc or "") for loc in locs)
    assert "canne-carpe" not in xml  # nothing answered there

    # Hiding the question takes it off every public page at once (the cache follows).
    await staff.post(f"/api/v1/staff/threads/{thread['id']}/hide")
    await server.settled()
    assert (await get(server, f"/q/{ROOM}/{thread['id']}"))[0] == 404
    assert "saphir" not in (await get(server, f"/q/{ROOM}"))[1]


async def test_this_answered_my_question_counts_in_the_insights(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    thread, _ = await resolved_thread(people, "La pile est fournie ?", "Oui, une CR2032.")
    faq = (await staff.post(f"/api/v1/staff/threads/{thread['id']}/faq", status=201))["faq"]

    async def served(body: Any, room: str = ROOM) -> int:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{server.url}/api/v1/rooms/{room}/self-served", json=body) as resp,
        ):
            return resp.status

    assert await served({"faq_id": faq["id"]}) == 201
    assert await served({"thread_id": thread["id"]}) == 201
    _, asking = await people("Léa")
    await asking.call("join", {"room": ROOM, "product": PRODUCT})
    unanswered = await asking.call("ask", {"room": ROOM, "body": "Et le bracelet ?",
                                           "client_id": cid()})  # fmt: skip
    for body, status in (
        ({"thread_id": unanswered["thread"]["id"]}, 404),
        ({"thread_id": "0123456789abcdef"}, 404),
        ({}, 400),
        ({"faq_id": faq["id"], "thread_id": thread["id"]}, 400),
        ({"faq_id": "not an id"}, 400),
        (["x"], 400),
    ):
        assert await served(body) == status, body
    assert await served({"faq_id": faq["id"]}, room="no-such-room") == 404
    doc = await staff.get("/api/v1/staff/insights")
    assert doc["self_served"] == 2 and "self_served" in doc["definitions"]
    async with staff.http.get(server.url + "/api/v1/staff/insights.csv") as resp:
        header = (await resp.text()).lstrip("\ufeff").splitlines()[0].split(";")
    assert header[-1] == "self_served"
