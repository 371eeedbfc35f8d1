"""Issue 12: the JSON reads rendered once per room seq (`app/web/snapshots.py`) against the
framework's floor, `/healthz`, in one run on one server core.

Goal (issue 12): `GET /api/v1/rooms/<key>/threads` on a room of 20 threads and 60 answers
(~37 KB) within 1.5x of `/healthz`'s requests per second, same run.

One server, `python -m app.cli run` pinned to `--server-core` with taskset (wrk and this
script stay on `--client-core`): a fresh SQLite file in a temp dir, `ENTRAIDE_SEMANTIC=off`,
`ENTRAIDE_SWEEPER=off`, write and visitor rate limits and the flood check out of the way,
127.0.0.1 only. Seeding goes through the public API, as a shop's visitors would: a Socket.IO
`join` opens the room, then `POST /api/v1/visitors`, `POST /api/v1/rooms/<key>/threads`
(`--threads` questions, one asker each), `POST /api/v1/threads/<id>/answers`
(`--answers` per thread, from different helpers) and, on every other thread, the asker's
`POST /api/v1/messages/<id>/accept`. Bodies are 300-400 characters (the texts of
bench/knowledge.py, a few sentences each), French and English.

Then `wrk -t1 -c<connections> -d<duration>s --latency` (bench/knowledge.py's `run_wrk`:
server CPU share and its core's busy share are read from /proc around each run) against:
`/healthz`, `/api/v1/rooms/<key>/threads` (200), `/api/v1/threads/<id>` (200) and the
threads list with `If-None-Match: <its ETag>` (304). An untimed warm-up run of each first,
then `--repeats` rounds, the order of the cases rotated each round, so a slow spell on this
shared machine does not always land on the same case. Reported per case: req/s of the best
and of the median round, each beside `/healthz`'s best and median; the median over rounds
of (case / `/healthz` of the same round); wrk's p50/p99; bytes per response; server CPU
and req/s per server CPU-second (what the handler costs, whatever else ran on the core).

    .venv/bin/python bench/reads.py
    .venv/bin/python bench/reads.py --repeats 3 --duration 5 --connections 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/insights.py would shadow the `insights` package

import aiohttp  # noqa: E402
import knowledge as kb  # noqa: E402  (bench/knowledge.py: texts, wrk runs, /proc readings)
import socketio  # noqa: E402

from app.factory import SNAPSHOT_TTL  # noqa: E402

ROOM = "montre-gps-trek5"
SHORT_ROOM = "sac-rando-40l"
TRIES = 5  # writes per listed question or answer, when moderation holds the generated text

# Sentences a shopper adds around a question (the question itself comes from kb.question).
# fmt: off
CONTEXT = {
    True: [
        "Je l'ai achetée il y a {m} mois sur votre site.",
        "Je fais surtout de la randonnée en montagne et un peu de trail le week-end.",
        "J'ai déjà fait une réinitialisation complète, sans changement.",
        "Le manuel n'en parle pas vraiment, ou alors je n'ai pas trouvé la page.",
        "Mon ancienne montre d'une autre marque n'avait pas ce problème.",
        "Le firmware est à jour d'après l'application.",
        "Je pars en trek de {d} jours le mois prochain, d'où ma question.",
        "J'ai posé la question au vendeur en magasin mais il n'a pas su me répondre.",
        "Merci d'avance pour vos retours !",
        "Si quelqu'un a le même modèle, son avis m'intéresse.",
    ],
    False: [
        "I bought it {m} months ago from this shop.",
        "I mostly hike in the mountains and do some trail running at weekends.",
        "I already did a full factory reset, no change.",
        "The manual does not really cover this, or I could not find the page.",
        "My previous watch from another brand did not have this issue.",
        "The app says the firmware is up to date.",
        "I am leaving on a {d} day trek next month, hence the question.",
        "I asked in the store but the seller did not know.",
        "Thanks in advance for any feedback!",
        "If anyone has the same model, I would love to hear from you.",
    ],
}
# fmt: on


def sized(
    first: Callable[[], str], more: Callable[[], str], chars: tuple[int, int], rng: random.Random
) -> str:
    """A sentence from `first` that fits, then sentences from `more` until the text is
    `chars` (low, high) characters long."""
    low, high = chars
    text = first()
    for _ in range(100):  # bounded: the first sentence that fits
        if len(text) <= high:
            break
        text = first()
    text = text[:high]
    for _ in range(200):  # bounded: a sentence that does not fit is skipped
        if len(text) >= low:
            break
        sentence = more()
        if len(text) + 1 + len(sentence) <= high:
            text += " " + sentence
    while len(text) < low:  # rare: pad with a short closing word
        text += " Merci." if rng.random() < 0.5 else " Thanks."
    return text[:high]


def question_body(rng: random.Random, fr: bool, chars: tuple[int, int]) -> str:
    def more() -> str:
        if rng.random() < 0.3:
            return kb.question(rng, fr)
        return rng.choice(CONTEXT[fr]).format(m=rng.randint(2, 24), d=rng.randint(3, 15))

    return sized(lambda: kb.question(rng, fr), more, chars, rng)


def answer_body(rng: random.Random, fr: bool, chars: tuple[int, int]) -> str:
    return sized(lambda: kb.answer(rng, fr), lambda: kb.answer(rng, fr), chars, rng)


# The server --------------------------------------------------------------------------------
def start(path: str, folder: str, core: str) -> tuple[subprocess.Popen[bytes], str]:
    """The server, with rate limits and the flood check out of the seeding's way."""
    extra = {
        "ENTRAIDE_WRITE_RATE": "100000/second",
        "ENTRAIDE_VISITOR_RATE": "100000/second",
        "ENTRAIDE_ROOM_RATE": "100000/second",
        # Helpers answer many threads in a row: the flood check would hold their answers.
        "ENTRAIDE_MODERATION": json.dumps(
            {"default": {"flood_messages": 1000000, "flood_window_seconds": 1}}
        ),
    }
    return kb.start_server(path, folder, core, extra_env=extra)


# Seeding through the public API ------------------------------------------------------------
async def post(
    http: aiohttp.ClientSession, url: str, data: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(url, json=data, headers=headers) as resp:
        body = await resp.json()
        if resp.status not in (200, 201):
            raise SystemExit(f"POST {url}: {resp.status} {body}")
        return dict(body)


async def seed(
    url: str, rooms: dict[str, tuple[int, int]], threads: int, answers: int, rng: random.Random
) -> dict[str, Any]:
    """Each room opened by a Socket.IO join, then its questions, answers and accepts over
    HTTP; returns each room's thread ids and how many writes came back held."""
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(url, transports=["websocket"], wait_timeout=30)
    try:
        for room in rooms:
            product = {"title": f"Produit {room}", "url": "", "category": "outdoor"}
            ack = await sio.call("join", {"room": room, "product": product}, timeout=30)
            if not (isinstance(ack, dict) and ack.get("ok")):
                raise SystemExit(f"join {room}: {ack}")
    finally:
        await sio.disconnect()
    timeout = aiohttp.ClientTimeout(total=30)
    ids: dict[str, list[str]] = {room: [] for room in rooms}
    held: list[str] = []  # bodies moderation held (rewritten: the list must show them all)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        # Enough helpers that none repeats itself: near-identical answers from one author
        # are held as spam (word-set Jaccard), and a held answer is not in the list.
        helpers = [
            await post(http, f"{url}/api/v1/visitors", {"name": f"{name} {n}"})
            for n in range(1, 6)
            for name in ("Hugo", "Inès", "Marc", "Sofia", "Tom", "Yasmine")
        ]
        for room, chars in rooms.items():
            for i in range(threads):
                fr = rng.random() < 0.7
                for _ in range(TRIES):  # a held question is not listed: ask another
                    asker = await post(http, f"{url}/api/v1/visitors", {"name": f"Client {i + 1}"})
                    asked = await post(
                        http, f"{url}/api/v1/rooms/{room}/threads",
                        {"body": question_body(rng, fr, chars), "client_id": uuid.uuid4().hex},
                        asker["token"],
                    )  # fmt: skip
                    thread = asked["thread"]
                    if not asked.get("held"):
                        break
                    held.append(thread["body"])
                first = None
                for helper in rng.sample(helpers, answers):
                    for _ in range(TRIES):  # nor is a held answer: write another
                        body = answer_body(rng, fr, chars)
                        answered = await post(
                            http, f"{url}/api/v1/threads/{thread['id']}/answers",
                            {"body": body, "client_id": uuid.uuid4().hex}, helper["token"],
                        )  # fmt: skip
                        if not answered.get("held"):
                            first = first or answered["message"]["id"]
                            break
                        held.append(body)
                if first and i % 2 == 0:
                    await post(http, f"{url}/api/v1/messages/{first}/accept", {}, asker["token"])
                ids[room].append(str(thread["id"]))
    return {"ids": ids, "held": held}


def settle(url: str, room: str, budget: float = 90.0) -> tuple[str, int, float]:
    """Wait until the room's list keeps its ETag across more than one snapshot lifetime
    (SNAPSHOT_TTL): rewards follow answers through the outbox, and ranks they change show
    only once a cached rendering expires. Returns (etag, changes seen, seconds waited)."""
    t0 = time.monotonic()
    seen: list[str] = []
    stable_since = t0
    while time.monotonic() - t0 < budget:
        etag = kb.get(f"{url}/api/v1/rooms/{room}/threads")[1]["etag"]
        if not seen or etag != seen[-1]:
            seen.append(etag)
            stable_since = time.monotonic()
        elif time.monotonic() - stable_since > SNAPSHOT_TTL + 2:
            return etag, len(seen) - 1, time.monotonic() - t0
        time.sleep(0.5)  # polling with a deadline
    raise SystemExit(f"{room}: the list's ETag kept changing for {budget:.0f} s: {seen}")


def describe(url: str, room: str, args: argparse.Namespace) -> int:
    """Print what the room's list holds; its size in bytes."""
    status, _, body = kb.get(f"{url}/api/v1/rooms/{room}/threads")
    assert status == 200, (status, body[:500])
    listed = json.loads(body)["threads"]
    shown = sum(len(t["messages"]) for t in listed)
    chars = [len(t["body"]) for t in listed] + [
        len(m["body"]) for t in listed for m in t["messages"]
    ]
    escapes = body.count(b"\\u")  # non-ASCII characters sent as \uXXXX
    print(
        f"- {room}: {len(listed)} threads, {shown} answers shown, bodies {min(chars)}-"
        f"{max(chars)} chars (mean {statistics.mean(chars):.0f}, {sum(chars):,} in all, each"
        f" sent twice: `body` and `html`); list body {len(body):,} bytes"
        f" ({len(body) / 1024:.1f} KiB; {escapes:,} \\u escapes)"
    )
    if len(listed) != args.threads or shown != args.threads * args.answers:
        raise SystemExit("the list does not show every thread and answer (held?)")
    return len(body)


def parse_chars(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


# Main ----------------------------------------------------------------------------------------
def main(args: argparse.Namespace) -> int:
    os.sched_setaffinity(0, {int(args.client_core)})  # the server gets its core alone
    if shutil.which(args.wrk) is None:
        raise SystemExit(f"{args.wrk} not found (apt-get install -y wrk)")
    if args.answers > 30:
        raise SystemExit("--answers: at most 30 (one answer per helper and thread)")
    rooms = {ROOM: parse_chars(args.chars)}
    if args.short_chars:
        rooms[SHORT_ROOM] = parse_chars(args.short_chars)
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="reads-bench-")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {' '.join(sys.argv)}")
    proc, url = start(f"{folder}/bench.db", folder, args.server_core)
    try:
        t0 = time.perf_counter()
        seeded = asyncio.run(seed(url, rooms, args.threads, args.answers, rng))
        print(
            f"seeded {len(rooms)} room(s) x {args.threads} threads x {args.answers} answers"
            f" through the API in {time.perf_counter() - t0:.1f} s ({len(seeded['held'])} held"
            " and written again)"
        )
        for body in seeded["held"]:
            print(f"  held: {body[:160]}")
        etag, changes, waited = settle(url, ROOM)
        print(
            f"{ROOM}'s list ETag stable after {waited:.0f} s ({changes} change(s) while the"
            f" outbox settled); ETag {etag}"
        )
        for room in rooms:
            describe(url, room, args)
        thread_id = seeded["ids"][ROOM][len(seeded["ids"][ROOM]) // 2]
        t_status, _, t_body = kb.get(f"{url}/api/v1/threads/{thread_id}")
        assert t_status == 200, (t_status, t_body[:500])
        print(f"- {ROOM}, one thread (3 answers): {len(t_body):,} bytes")

        threads_path = f"/api/v1/rooms/{ROOM}/threads"
        cases = [  # (row, path, wrk options)
            ("GET /healthz", "/healthz", []),
            (f"GET threads list, {args.chars} chars (200)", threads_path, []),
            (f"GET threads list, {args.chars} chars, If-None-Match (304)", threads_path,
             ["-H", f"If-None-Match: {etag}"]),
            ("GET /api/v1/threads/<id> (200)", f"/api/v1/threads/{thread_id}", []),
        ]  # fmt: skip
        if args.short_chars:
            cases.append(
                (f"GET threads list, {args.short_chars} chars (200)",
                 f"/api/v1/rooms/{SHORT_ROOM}/threads", [])
            )  # fmt: skip
        warm = ["-d2s"] if args.duration > 2 else []
        for _, target, extra in cases:  # untimed: a warm process, each response cached
            kb.run_wrk(f"{url}{target}", proc.pid, args, [*extra, *warm])
        results: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in cases}
        for round_ in range(args.repeats):
            shift = round_ % len(cases)
            for name, target, extra in cases[shift:] + cases[:shift]:
                if extra:  # the 304 case: the ETag must still be the room's
                    now = kb.get(f"{url}{target}", {"If-None-Match": etag})[0]
                    assert now == 304, f"the ETag changed during the run ({now})"
                results[name].append(kb.run_wrk(f"{url}{target}", proc.pid, args, extra))
        server_log = Path(folder, "server.log").read_text()[-2000:]
    finally:
        kb.stop_server(proc)
        shutil.rmtree(folder, ignore_errors=True)

    report(results, cases[0][0], args)
    if server_log.strip():
        print(f"\nserver log (tail):\n{server_log}")
    return 0


def report(results: dict[str, list[dict[str, Any]]], floor: str, args: argparse.Namespace) -> None:
    print(
        f"\nwrk -t1 -c{args.connections} -d{args.duration:g}s --latency on core"
        f" {args.client_core}, server on core {args.server_core}; {args.repeats} rounds, order"
        " rotated each round. 'x healthz' = /healthz req/s / this row's (the goal: <= 1.5 for"
        " the threads list); 'same-round' = median over rounds of that quotient taken within"
        " one round; latencies: median over rounds; per CPU-s = req/s / (server CPU % / 100)\n"
    )
    print(
        "| request | KiB/resp | req/s best | req/s median | each round | x healthz best |"
        " x healthz median | x healthz same-round | p50 ms | p99 ms | server CPU % |"
        " core busy % | req/s per server CPU-s | x healthz per CPU-s | bad | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    base = results[floor]
    base_best = max(r["rps"] for r in base)
    base_median = statistics.median(r["rps"] for r in base)
    base_per_cpu = statistics.median(r["rps"] / max(0.01, r["server_cpu"] / 100) for r in base)
    for name, runs in results.items():
        rps = [r["rps"] for r in runs]
        same = statistics.median(b["rps"] / r["rps"] for b, r in zip(base, runs, strict=True))
        per_cpu = statistics.median(r["rps"] / max(0.01, r["server_cpu"] / 100) for r in runs)
        busy = [r["core_busy"] for r in runs if r["core_busy"] is not None]
        print(
            f"| {name} | {statistics.median(r['bytes'] for r in runs) / 1024:.1f} |"
            f" {max(rps):,.0f} | {statistics.median(rps):,.0f} |"
            f" {', '.join(f'{x:,.0f}' for x in rps)} | {base_best / max(rps):.2f} |"
            f" {base_median / statistics.median(rps):.2f} | {same:.2f} |"
            f" {statistics.median(r['p50'] for r in runs):.2f} |"
            f" {statistics.median(r['p99'] for r in runs):.2f} |"
            f" {statistics.median(r['server_cpu'] for r in runs):.0f} |"
            f" {statistics.median(busy) if busy else float('nan'):.0f} | {per_cpu:,.0f} |"
            f" {base_per_cpu / per_cpu:.2f} | {sum(r['bad'] for r in runs)} |"
            f" {sum(r['errors'] for r in runs)} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=20, help="per room")
    parser.add_argument("--answers", type=int, default=3, help="per thread (at most 30)")
    parser.add_argument("--chars", default="300-400", help="body length range, main room")
    parser.add_argument(
        "--short-chars", default="40-80", help="a second room with shorter bodies ('' : none)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5, help="rounds of the wrk cases")
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--seed", type=int, default=20261204)
    sys.exit(main(parser.parse_args()))
