"""Rewards over the wire: a real thread earns points by docs/rewards.md's default rules, the
public board and "how my points were computed" show them, and brand staff review, export,
reward and disqualify contributors. One live server, real Socket.IO clients, real HTTP.

Rewards run before the acknowledgement returns, so the board is read right after an ack; the
reads still go through `eventually` (a deadline, never a sleep) so a future asynchronous
writer would not make these tests flaky, only slower to fail.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import server_overrides
from tests.support import PRODUCT, LiveServer, StaffClient, cid, eventually

ROOM = "montre-maree"
HELPER = "Éloïse Févre"
# docs/rewards.md defaults
ANSWER, HELPFUL, ACCEPTED, FAST = 2, 5, 15, 5


async def get(url: str, path: str, *, status: int = 200, **kwargs: Any) -> Any:
    async with aiohttp.ClientSession() as http, http.get(url + path, **kwargs) as resp:
        body = await resp.json(content_type=None)
        assert resp.status == status, (resp.status, body)
        return body


def owner(visitor: dict[str, Any]) -> dict[str, str]:
    """Headers of the visitor themselves: only they (and staff) read their whole ledger."""
    return {"Authorization": f"Bearer {visitor['token']}"}


def board_points(board: dict[str, Any]) -> dict[str, int]:
    return {e["user"]["id"]: e["points"] for e in board["entries"]}


async def leaderboard(url: str, **params: str) -> dict[str, Any]:
    result: dict[str, Any] = await get(url, "/api/v1/leaderboard", params=params)
    return result


async def helped_thread(people: Any) -> dict[str, Any]:
    """Camille asks, Éloïse answers; Camille votes helpful and accepts; Hugo, who has never
    posted, votes too (deferred until he takes part)."""
    camille, asker = await people("Camille")
    helper_visitor, helper = await people(HELPER)
    hugo, third = await people("Hugo")
    for client in (asker, helper, third):
        joined = await client.call("join", {"room": ROOM, "product": PRODUCT})
        assert joined["ok"], joined
    asked = await asker.call(
        "ask",
        {"room": ROOM, "body": "Cette montre est-elle étanche pour la plongée ?",
         "client_id": cid()},
    )  # fmt: skip
    assert asked["ok"] and not asked.get("held"), asked
    answered = await helper.call(
        "answer",
        {"thread_id": asked["thread"]["id"], "client_id": cid(),
         "body": "Oui, je plonge avec la mienne jusqu'à 30 m sans souci."},
    )  # fmt: skip
    assert answered["ok"] and not answered.get("held"), answered
    message_id = answered["message"]["id"]
    voted = await asker.call("vote", {"message_id": message_id, "value": 1})
    assert voted["ok"], voted
    accepted = await asker.call("accept", {"message_id": message_id})
    assert accepted["ok"] and accepted["thread"]["accepted_message_id"] == message_id
    third_vote = await third.call("vote", {"message_id": message_id, "value": 1})
    assert third_vote["ok"] and third_vote["message"]["votes"] == 2, third_vote
    return {
        "camille": camille, "asker": asker, "helper": helper_visitor, "helper_client": helper,
        "hugo": hugo, "third": third, "thread_id": asked["thread"]["id"],
        "message_id": message_id,
    }  # fmt: skip


async def test_a_helpful_accepted_answer_ranks_its_author_with_the_documented_points(
    people: Any, server: Any, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id = s["helper"]["id"]
    earned = ANSWER + FAST + HELPFUL + ACCEPTED  # Hugo's vote waits until he takes part

    board = await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == earned,
        "weekly board",
    )
    first = board["entries"][0]
    assert board["period"] == "week"
    assert first["rank"] == 1 and first["points"] == earned
    assert first["user"] == {
        "id": helper_id, "name": HELPER, "rank": "newcomer",
        "badges": ["first_answer", "first_accepted"],
    }  # fmt: skip
    # The asker earned nothing (asking and thanking are free), so is not on the board.
    assert s["camille"]["id"] not in board_points(board)
    for period in ("month", "all"):
        assert board_points(await leaderboard(server.url, period=period)) == {helper_id: earned}
    # Scopes: the room and the product's category hold the points; another room does not.
    assert board_points(await leaderboard(server.url, period="all", room=ROOM)) == {
        helper_id: earned
    }
    scoped = await leaderboard(server.url, period="week", category=PRODUCT["category"])
    assert board_points(scoped) == {helper_id: earned}
    assert (await leaderboard(server.url, period="week", room="ailleurs"))["entries"] == []

    # "How my points were computed", in French: one group per rule, in the rules' order.
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points?lang=fr", headers=owner(s["helper"])
    )
    assert explained["total"] == earned and explained["lang"] == "fr"
    assert explained["rank"] == {"code": "newcomer", "label": "Nouveau membre"}
    groups = {g["reason"]: g for g in explained["groups"]}
    assert [g["reason"] for g in explained["groups"]] == [
        "answer", "helpful_vote", "accepted", "fast_first_answer",
    ]  # fmt: skip
    assert {r: (g["count"], g["total"]) for r, g in groups.items()} == {
        "answer": (1, ANSWER),
        "helpful_vote": (1, HELPFUL),
        "accepted": (1, ACCEPTED),
        "fast_first_answer": (1, FAST),
    }
    assert groups["accepted"]["label"] == "Réponses acceptées"
    assert "+15" in groups["accepted"]["rule"]
    assert all(g["revoked_count"] == 0 for g in groups.values())
    entry = groups["helpful_vote"]["entries"][0]
    assert entry["ref_id"] == s["message_id"] and entry["thread_id"] == s["thread_id"]
    assert entry["revoked"] is None and entry["revoked_at"] is None
    assert entry["created_at"].endswith("Z")
    english = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points?lang=en", headers=owner(s["helper"])
    )
    assert english["rank"]["label"] == "Newcomer"
    assert english["groups"][0]["label"] != groups["answer"]["label"]

    # Hugo takes part (asks a question): his earlier vote now counts, dated today.
    asked = await s["third"].call(
        "ask", {"room": ROOM, "body": "Le bracelet est-il réglable ?", "client_id": cid()}
    )
    assert asked["ok"], asked
    board = await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == earned + HELPFUL,
        "the deferred vote released",
    )
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points?lang=en", headers=owner(s["helper"])
    )
    votes = next(g for g in explained["groups"] if g["reason"] == "helpful_vote")
    assert (votes["count"], votes["total"]) == (2, 2 * HELPFUL)

    # Staff see the same contributor with their numbers.
    rows = (await staff.get("/api/v1/staff/contributors", period="week"))["contributors"]
    assert [r["visitor_id"] for r in rows] == [helper_id]
    row = rows[0]
    assert row == {
        "rank": 1, "visitor_id": helper_id, "name": HELPER, "points": earned + HELPFUL,
        "rank_code": "newcomer", "rank_title": row["rank_title"], "answers": 1, "accepted": 1,
        "acceptance_rate": 1.0, "helpful_votes": 2, "helpful_per_answer": 2.0,
    }  # fmt: skip
    assert row["rank_title"] in ("Nouveau membre", "Newcomer")
    english = await staff.get("/api/v1/staff/contributors", period="week", lang="en")
    assert english["contributors"][0]["rank_title"] == "Newcomer"
    limited = await staff.get("/api/v1/staff/contributors", period="all", limit="1")
    assert len(limited["contributors"]) == 1


async def test_badges_are_notified_once_and_shown_with_standings(people: Any, server: Any) -> None:
    s = await helped_thread(people)
    helper, helper_id = s["helper_client"], s["helper"]["id"]
    first = await helper.wait_for("notification", lambda n: n.get("badge") == "first_answer")
    assert first["type"] == "badge"
    assert first["text"] == {"fr": "Nouveau badge\u00a0: Première réponse",
                             "en": "New badge: First answer"}  # fmt: skip
    await helper.wait_for("notification", lambda n: n.get("badge") == "first_accepted")
    # A second answer earns no badge again.
    asked = await s["asker"].call(
        "ask", {"room": ROOM, "body": "Et le bracelet, il se change ?", "client_id": cid()}
    )
    answered = await helper.call(
        "answer",
        {"thread_id": asked["thread"]["id"], "client_id": cid(), "body": "Oui, en 22 mm."},
    )
    assert answered["ok"], answered
    await server.settled()  # the ack does not wait for the answer's points
    explained = await get(server.url, f"/api/v1/visitors/{helper_id}/points?lang=fr")
    badges = [n["badge"] for n in helper.events("notification") if n["type"] == "badge"]
    assert sorted(badges) == ["first_accepted", "first_answer"]
    assert nobody_else_got_badges(s)

    assert [b["code"] for b in explained["badges"]] == ["first_answer", "first_accepted"]
    assert explained["badges"][0]["label"] == "Première réponse"
    assert explained["badges"][0]["description"]
    total = explained["total"]
    assert explained["standings"] == [
        {"period": period, "position": 1, "points": total} for period in ("week", "month", "all")
    ]
    board = await leaderboard(server.url, period="week")
    assert board["entries"][0]["user"]["badges"] == ["first_answer", "first_accepted"]
    asker_points = await get(server.url, f"/api/v1/visitors/{s['camille']['id']}/points")
    assert asker_points["badges"] == [] and asker_points["standings"] == []


QUESTIONS = (
    "Le verre est-il en saphir ?",
    "Quelle est la largeur du bracelet ?",
    "Does the crown screw down?",
    "La boucle est-elle déployante ?",
    "Is the lume bright at night?",
    "Le boîtier fait combien d'épaisseur ?",
)


async def test_a_contributor_is_never_shown_behind_themselves(people: Any, server: Any) -> None:
    """Standings read while the contributor's points land (an ack does not wait for the
    rewards): alone on the boards, they are first at every read. A position was once
    computed from their row read before an award and a count read after it."""
    s = await helped_thread(people)
    helper, helper_id = s["helper_client"], s["helper"]["id"]
    for n, question in enumerate(QUESTIONS):
        _, shopper = await people(f"Client {n}")  # one question each: no flood
        joined = await shopper.call("join", {"room": ROOM, "product": PRODUCT})
        assert joined["ok"], joined
        asked = await shopper.call("ask", {"room": ROOM, "body": question, "client_id": cid()})
        assert asked["ok"] and not asked.get("held"), asked
        answered = await helper.call(
            "answer",
            {"thread_id": asked["thread"]["id"], "client_id": cid(), "body": f"Oui, réponse {n}."},
        )
        assert answered["ok"], answered
        for _ in range(4):
            explained = await get(server.url, f"/api/v1/visitors/{helper_id}/points")
            assert {row["position"] for row in explained["standings"]} == {1}, explained


def nobody_else_got_badges(s: dict[str, Any]) -> bool:
    return not [
        n for c in (s["asker"], s["third"]) for n in c.events("notification")
        if n["type"] == "badge"
    ]  # fmt: skip


async def test_a_shop_configured_rule_changes_the_points_and_their_explanation(
    tmp_path: Path, people: Any
) -> None:
    """ENTRAIDE_POINTS: this shop pays 20 for an accepted answer and 3 per helpful vote, and
    lets one person give another 25 a day (the default 20 would cap 3 + 20 at 20)."""
    rules = '{"accepted": 20, "helpful_vote": 3, "daily_cap_per_giver": 25}'
    shop = LiveServer(server_overrides(tmp_path / "shop", points=rules))
    shop.start()
    try:
        s = await helped_thread(functools.partial(people, url=shop.url))
        helper_id = s["helper"]["id"]
        earned = ANSWER + FAST + 3 + 20
        board = await eventually(
            lambda: leaderboard(shop.url, period="all"),
            lambda b: board_points(b).get(helper_id) == earned,
            "the board with this shop's rules",
        )
        assert board["entries"][0]["points"] == earned
        explained = await get(
            shop.url, f"/api/v1/visitors/{helper_id}/points?lang=en", headers=owner(s["helper"])
        )
        groups = {g["reason"]: g for g in explained["groups"]}
        assert (groups["accepted"]["total"], groups["helpful_vote"]["total"]) == (20, 3)
        assert "+20" in groups["accepted"]["rule"] and "+3" in groups["helpful_vote"]["rule"]
    finally:
        shop.stop()


async def test_staff_review_csv_bonus_disqualify_and_hidden_answers(
    people: Any, server: Any, staff: StaffClient
) -> None:
    s = await helped_thread(people)
    helper_id, message_id = s["helper"]["id"], s["message_id"]
    earned = ANSWER + FAST + HELPFUL + ACCEPTED
    await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == earned,
        "weekly board",
    )

    # The CSV of the current view: UTF-8 with BOM, `;`, French headers, accents intact.
    async with staff.http.get(
        f"{server.url}/api/v1/staff/contributors.csv", params={"period": "week"}
    ) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/csv")
        disposition = resp.headers["Content-Disposition"]
        raw = await resp.read()
    assert "attachment" in disposition and 'filename="contributeurs-week-' in disposition
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert table[0][:3] == ["Rang", "Nom", "Points"]
    assert table[0][-1] == "Identifiant"
    assert table[1][:3] == ["1", HELPER, str(earned)]
    assert table[1][-1] == helper_id
    assert table[1][table[0].index("Taux d'acceptation")] == "1,0"  # decimal comma
    empty_room = await staff.http.get(
        f"{server.url}/api/v1/staff/contributors.csv", params={"period": "week", "room": "x"}
    )
    assert (await empty_room.read()).decode("utf-8-sig").count("\r\n") == 1  # headers only
    empty_room.release()

    # The contributor's detail.
    detail = await staff.get(f"/api/v1/staff/contributors/{helper_id}")
    assert detail["contributor"] == {
        "id": helper_id, "name": HELPER, "banned_until": None, "disqualified": False,
        "erased": False,
    }  # fmt: skip
    assert detail["stats"]["points"] == earned
    assert detail["stats"]["answers"] == 1 and detail["stats"]["accepted"] == 1
    assert detail["stats"]["hidden_content"] == 0
    median = detail["stats"]["median_first_answer_seconds"]
    assert median is not None and 0 <= median < 600
    assert detail["badges"] == ["first_answer", "first_accepted"]
    assert {g["reason"] for g in detail["by_reason"]} == {
        "answer", "helpful_vote", "accepted", "fast_first_answer",
    }  # fmt: skip
    assert detail["timeline"][-1]["points"] == earned
    assert [a["id"] for a in detail["recent_answers"]] == [message_id]
    assert detail["recent_answers"][0]["votes"] == 2
    assert detail["recent_answers"][0]["hidden"] is False

    # A bonus moves the board and is explained with its reason.
    note = "Guide des tailles très détaillé"
    given = await staff.post(
        f"/api/v1/staff/contributors/{helper_id}/bonus", {"points": 10, "note": note}
    )
    assert given["entry"]["points"] == 10 and given["entry"]["note"] == note
    with_bonus = earned + 10
    board = await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == with_bonus,
        "board after the bonus",
    )
    assert board["entries"][0]["user"]["id"] == helper_id
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points?lang=fr", headers=owner(s["helper"])
    )
    bonus = next(g for g in explained["groups"] if g["reason"] == "bonus")
    assert (bonus["count"], bonus["total"]) == (1, 10)
    assert note in bonus["entries"][0]["detail"]
    assert explained["total"] == with_bonus

    # Disqualified: off every board (public and staff), the ledger untouched; reinstated: back.
    out = await staff.post(f"/api/v1/staff/contributors/{helper_id}/disqualify")
    assert out == {"ok": True, "disqualified": True}
    for period in ("week", "month", "all"):
        assert helper_id not in board_points(await leaderboard(server.url, period=period))
    staff_rows = await staff.get("/api/v1/staff/contributors", period="week")
    assert helper_id not in [r["visitor_id"] for r in staff_rows["contributors"]]
    assert [d["id"] for d in staff_rows["disqualified"]] == [helper_id]  # still findable
    detail = await staff.get(f"/api/v1/staff/contributors/{helper_id}")
    assert detail["contributor"]["disqualified"] is True
    assert detail["stats"]["points"] == with_bonus
    explained = await get(server.url, f"/api/v1/visitors/{helper_id}/points")
    assert explained["total"] == with_bonus
    back = await staff.post(f"/api/v1/staff/contributors/{helper_id}/reinstate")
    assert back == {"ok": True, "disqualified": False}
    assert board_points(await leaderboard(server.url, period="week"))[helper_id] == with_bonus

    # Hiding the answer takes back every point it earned (not the bonus); restoring returns them.
    hidden = await staff.post(f"/api/v1/staff/messages/{message_id}/hide")
    assert hidden["message"]["hidden"] is True
    await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == 10,
        "board after hiding the answer",
    )
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points?lang=fr", headers=owner(s["helper"])
    )
    assert explained["total"] == 10
    accepted = next(g for g in explained["groups"] if g["reason"] == "accepted")
    assert (accepted["count"], accepted["total"]) == (0, 0)
    assert (accepted["revoked_count"], accepted["revoked_points"]) == (1, ACCEPTED)
    assert "masqué" in accepted["entries"][0]["revoked"]  # why, in the visitor's language
    assert accepted["entries"][0]["revoked_at"] is not None
    detail = await staff.get(f"/api/v1/staff/contributors/{helper_id}")
    assert detail["stats"]["points"] == 10
    assert detail["stats"]["hidden_content"] == 1
    assert detail["recent_answers"][0]["hidden"] is True
    assert detail["badges"] == []  # badges are derived from active entries

    restored = await staff.post(f"/api/v1/staff/messages/{message_id}/restore")
    assert restored["message"]["hidden"] is False
    await eventually(
        lambda: leaderboard(server.url, period="week"),
        lambda b: board_points(b).get(helper_id) == with_bonus,
        "board after restoring the answer",
    )
    explained = await get(
        server.url, f"/api/v1/visitors/{helper_id}/points", headers=owner(s["helper"])
    )
    assert all(g["revoked_count"] == 0 for g in explained["groups"])


@pytest.mark.parametrize(
    "body",
    [
        {"points": 0, "note": "merci"},
        {"points": 501, "note": "merci"},
        {"points": -5, "note": "merci"},
        {"points": "5", "note": "merci"},
        {"points": 5.5, "note": "merci"},
        {"points": {"$ne": 1}, "note": "merci"},
        {"points": True, "note": "merci"},
        {"points": 5},
        {"points": 5, "note": ""},
        {"points": 5, "note": "x" * 301},
        {"points": 5, "note": "merci", "visitor_id": "0" * 16},
        ["points", 5],
    ],
)
async def test_a_bad_bonus_is_refused_and_changes_nothing(
    people: Any, server: Any, staff: StaffClient, body: Any
) -> None:
    visitor, _ = await people("Inès")
    async with staff.http.post(
        f"{server.url}/api/v1/staff/contributors/{visitor['id']}/bonus",
        json=body,
        headers={"X-CSRF-Token": staff.csrf},
    ) as resp:
        error = await resp.json(content_type=None)
        assert resp.status == 400, (resp.status, error)
    assert isinstance(error["error"]["code"], str) and error["error"]["code"]
    assert (await get(server.url, f"/api/v1/visitors/{visitor['id']}/points"))["total"] == 0


async def test_unknown_contributors_actions_and_periods(
    people: Any, server: Any, staff: StaffClient
) -> None:
    visitor, _ = await people("Inès")
    base = f"{server.url}/api/v1/staff/contributors"

    async def status(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": staff.csrf}
        async with staff.http.request(method, url, headers=headers, **kwargs) as resp:
            return resp.status, await resp.json(content_type=None)

    cases = [
        ("POST", f"{base}/{visitor['id']}/promote", {}, 404),  # unknown action
        ("POST", f"{base}/not-an-id/disqualify", {}, 404),
        ("POST", f"{base}/{'f' * 16}/disqualify", {}, 404),  # well-formed, nobody
        ("POST", f"{base}/{'f' * 16}/bonus", {"points": 5, "note": "x"}, 404),
        ("POST", f"{base}/ZZZZ/bonus", {"points": 5, "note": "x"}, 404),
        ("GET", f"{base}/not-an-id", None, 404),
        ("GET", f"{base}/{'0' * 16}", None, 404),
        ("GET", f"{base}/{visitor['id'].upper()}", None, 404),
        ("GET", f"{base}?period=year", None, 400),
        ("GET", f"{base}.csv?period=year", None, 400),
        ("GET", f"{base}?period=week&limit=0", None, 400),
        ("GET", f"{base}?period=week&limit=101", None, 400),
        ("GET", f"{base}?period=week&sort=points", None, 400),  # unknown parameter
        ("GET", f"{server.url}/api/v1/leaderboard?period=year", None, 400),
        ("GET", f"{server.url}/api/v1/leaderboard?period=", None, 400),
        ("GET", f"{server.url}/api/v1/leaderboard?room={'r' * 101}", None, 400),
        ("GET", f"{server.url}/api/v1/visitors/not-an-id/points", None, 404),
        ("GET", f"{server.url}/api/v1/visitors/{'0' * 16}/points", None, 404),
        ("GET", f"{server.url}/api/v1/visitors/{visitor['id']}/points?lang=de", None, 400),
    ]
    for method, url, body, expected in cases:
        got, error = (
            await status(method, url, json=body) if body is not None else await status(method, url)
        )
        assert got == expected, (method, url, got, error)
        assert isinstance(error, dict) and error["error"]["code"], (url, error)
        assert isinstance(error["error"].get("message"), str), (url, error)
    # An empty board is an empty list, not an error.
    assert (await leaderboard(server.url, period="week"))["entries"] == []


async def test_staff_endpoints_need_a_staff_session_and_writes_need_the_csrf_token(
    people: Any, server: Any, staff: StaffClient
) -> None:
    visitor, _ = await people("Inès")
    token = {"Authorization": f"Bearer {visitor['token']}"}
    vid = visitor["id"]
    reads = [
        "/api/v1/staff/contributors?period=week",
        "/api/v1/staff/contributors.csv?period=week",
        f"/api/v1/staff/contributors/{vid}",
    ]
    writes = [
        (f"/api/v1/staff/contributors/{vid}/bonus", {"points": 500, "note": "moi-même"}),
        (f"/api/v1/staff/contributors/{vid}/disqualify", {}),
        (f"/api/v1/staff/contributors/{vid}/reinstate", {}),
    ]
    async with aiohttp.ClientSession() as http:  # no staff cookie
        for headers in ({}, token):
            for path in reads:
                async with http.get(server.url + path, headers=headers) as resp:
                    assert resp.status == 401, (path, headers)
                    assert (await resp.json())["error"]["code"] == "unauthorized"
            for path, body in writes:
                async with http.post(server.url + path, json=body, headers=headers) as resp:
                    assert resp.status == 401, (path, headers)
                    assert (await resp.json())["error"]["code"] == "unauthorized"
    # Signed in, but without the CSRF header: refused, nothing written.
    for path, body in writes:
        async with staff.http.post(server.url + path, json=body) as resp:
            assert resp.status == 403, path
            assert (await resp.json())["error"]["code"] == "forbidden"
    assert (await get(server.url, f"/api/v1/visitors/{vid}/points"))["total"] == 0
    detail = await staff.get(f"/api/v1/staff/contributors/{vid}")
    assert detail["contributor"]["disqualified"] is False
    # The public board needs nobody.
    await get(server.url, "/api/v1/leaderboard?period=all")


async def test_an_admin_may_review_contributors_too(
    people: Any, server: Any, admin: StaffClient
) -> None:
    visitor, _ = await people("Inès")
    await admin.post(
        f"/api/v1/staff/contributors/{visitor['id']}/bonus", {"points": 3, "note": "bienvenue"}
    )
    rows = (await admin.get("/api/v1/staff/contributors", period="all"))["contributors"]
    assert [(r["name"], r["points"]) for r in rows] == [("Inès", 3)]
