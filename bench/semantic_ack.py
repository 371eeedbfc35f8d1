"""Issue 11: what look-alikes by meaning cost the ask path. The aim: ask acks' p99 with
embeddings on no worse than 1.2x without.

One run starts a real Entraide server (`python -m app.cli run`, pinned to `--server-core`
with taskset; this script and its clients stay on `--client-core`) twice, on a fresh SQLite
file each time, seeded alike: once with `ENTRAIDE_SEMANTIC=off`, once with `=on` (the order
of `--modes`). Everything on 127.0.0.1; rate limits and moderation's flood check out of the
way (`ENTRAIDE_WRITE_RATE`, `ENTRAIDE_VISITOR_RATE`, `ENTRAIDE_MODERATION`), sweeper off.

Seeding (untimed): `--threads` answered questions in one room (bench/knowledge.py's
generator and store-API seeding: ~70% French, each with one or two answers and an accepted
one). With semantic on, the server's start-up backfill embeds them: the bench polls the
`vectors` table (a read-only sqlite3 connection, every 0.5 s) until every answered thread of
the room has a vector, and reports how long that took (from the server's start and from its
first /healthz answer).

Then, per server: `--shoppers` visitors and `--helpers` helpers (created over HTTP, each a
Socket.IO client on the websocket transport with its token, all joined to the room, as the
widget does). Untimed warm-up; then a quiet check: `--quiet` drafts (the load's kind) sent
one at a time to `GET /api/v1/rooms/<room>/similar?q=`, to see which share answers
"semantic" when the embedding thread is idle (the rest: nothing passed the display floor).

The load, for each `--think` value in turn (same server, one after the other), for
`--seconds` and at most `--cycles` cycles per shopper: each shopper, like the widget
(static/js/widget/ask.js: a request 300 ms after the last keystroke, drafts of 3 characters
or more), "types" a question in 2 or 3 pauses: 2-3 `similar` requests with growing prefixes
of the question (cut at word boundaries), 300 ms apart, open loop (each at its time, whether
the previous one answered or not: the widget aborts it client-side, the server still does
the work); 500 ms after the last one it emits `ask` and waits for the ack; then thinks
uniform(0.5, 1.5) x `think` seconds (cut short at the load's end) and starts again (each
shopper starts at a random offset in the first `think` seconds). Each question acknowledged
(and not held) is answered by a helper 1-3 s later (`answer` with an ack), so the server's
indexer embeds newly answered questions during the run and `similar` reloads the room's
vectors (at most every 2 s).

Reported per mode and load: ack p50/p95/p99/max of `ask` and `answer`, `similar` latency
(all, and split by the match it answered), the share of "semantic" and "lexical" answers
(under load the service also answers lexically when its embedding thread has more than 4
drafts already waiting: compare with the quiet check), errors, the server's CPU share and its core's
busy share during the load, this process's CPU share (the clients), the server's RSS, and
how long after the load the indexer had embedded every answered question. Then the on/off
ratios of the percentiles. Numbers from one run; compare within a run.

    .venv/bin/python bench/semantic_ack.py
    .venv/bin/python bench/semantic_ack.py --threads 500 --seconds 20 --think 10   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import knowledge as kb  # noqa: E402  (bench/knowledge.py: the room's texts and seeding)
import socketio  # noqa: E402

ROOM = kb.BIG
ACK_TIMEOUT = 30.0
DEBOUNCE = 0.3  # the widget's SIMILAR_DEBOUNCE_MS
READ = 0.5  # from the last suggestions request to `ask`
MIN_DRAFT = 3  # the widget asks for suggestions from 3 characters


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# texts -----------------------------------------------------------------------------------
def typed(rng: random.Random) -> tuple[str, list[str], bool]:
    """(question, the drafts its shopper's pauses send, French?): 2 or 3 growing prefixes cut
    at word boundaries, the last one the whole question."""
    fr = rng.random() < 0.7
    text = kb.question(rng, fr)
    words = text.split()
    cuts = [0.35, 0.7, 1.0] if rng.random() < 0.5 else [0.55, 1.0]
    drafts: list[str] = []
    for cut in cuts:
        draft = " ".join(words[: max(1, round(len(words) * cut))])
        if len(draft) >= MIN_DRAFT and draft not in drafts:
            drafts.append(draft)
    return text, drafts, fr


# the server ------------------------------------------------------------------------------
def start(path: str, folder: str, core: str, semantic: str) -> tuple[subprocess.Popen[bytes], str]:
    """The server, with rate limits and the flood check out of the load's way."""
    extra = {
        "ENTRAIDE_WRITE_RATE": "100000/second",
        "ENTRAIDE_VISITOR_RATE": "100000/second",
        # A helper answers hundreds of questions: the flood check would hold them.
        "ENTRAIDE_MODERATION": json.dumps(
            {"default": {"flood_messages": 1000000, "flood_window_seconds": 1}}
        ),
    }
    return kb.start_server(path, folder, core, semantic, extra_env=extra,
                           log_name=f"server-{semantic}.log")  # fmt: skip


def counts(path: str) -> tuple[int, int]:
    """(answered published threads of the room, of them with a vector), read-only."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        answered, embedded = db.execute(
            "SELECT COUNT(*), COUNT(v.ref) FROM threads t LEFT JOIN vectors v"
            " ON v.ref = 'thread:' || t.id WHERE t.room = ? AND t.status IN"
            " ('answered', 'resolved') AND t.held = 0 AND t.seq > 0 AND t.body != ''",
            (ROOM,),
        ).fetchone()
        return int(answered), int(embedded)
    except sqlite3.OperationalError:  # no vectors table (semantic never ran): none embedded
        row = db.execute(
            "SELECT COUNT(*) FROM threads WHERE room = ? AND status IN ('answered', 'resolved')",
            (ROOM,),
        ).fetchone()
        return int(row[0]), 0
    finally:
        db.close()


def wait_embedded(path: str, timeout: float) -> float | None:
    """Seconds until every answered thread of the room has a vector (None: timed out)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        answered, embedded = counts(path)
        if answered and embedded >= answered:
            return time.monotonic() - t0
        time.sleep(0.5)  # polling the database with a deadline
    return None


def ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


# the clients -----------------------------------------------------------------------------
@dataclass
class Stats:
    similar: list[tuple[float, int, str]] = field(default_factory=list)  # ms, status, match
    ask: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    held: int = 0
    last_answer: float = 0.0  # time.monotonic() of the last answer's ack


@dataclass
class Person:
    sio: socketio.AsyncClient
    events: int = 0


async def person(http: aiohttp.ClientSession, url: str, name: str) -> Person:
    async with http.post(f"{url}/api/v1/visitors", json={"name": name}) as resp:
        assert resp.status == 201, await resp.text()
        token = (await resp.json())["token"]
    sio = socketio.AsyncClient(reconnection=False)
    who = Person(sio)

    def seen(_data: Any) -> None:
        who.events += 1

    sio.on("event", seen)
    await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
    ack = await sio.call("join", {"room": ROOM}, timeout=ACK_TIMEOUT)
    assert ack.get("ok"), ack
    return who


async def similar(http: aiohttp.ClientSession, url: str, draft: str, stats: Stats) -> None:
    t0 = time.perf_counter()
    try:
        async with http.get(f"{url}/api/v1/rooms/{ROOM}/similar", params={"q": draft}) as r:
            body = await r.json() if r.status == 200 else {}
            status = r.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        stats.errors[f"similar {type(exc).__name__}"] += 1
        return
    stats.similar.append(((time.perf_counter() - t0) * 1000, status, str(body.get("match"))))


async def shopper(
    who: Person,
    http: aiohttp.ClientSession,
    url: str,
    rng: random.Random,
    stats: Stats,
    answers: asyncio.Queue[tuple[float, str, bool]],
    think: float,
    end: float,
    cycles: int,
) -> None:
    await asyncio.sleep(rng.uniform(0, think))
    for _ in range(cycles):
        if time.monotonic() > end:
            return
        text, drafts, fr = typed(rng)
        start = time.monotonic()
        pending = []
        for k, draft in enumerate(drafts):
            await asyncio.sleep(max(0.0, start + k * DEBOUNCE - time.monotonic()))
            pending.append(asyncio.create_task(similar(http, url, draft, stats)))
        await asyncio.sleep(
            max(0.0, start + (len(drafts) - 1) * DEBOUNCE + READ - time.monotonic())
        )
        t0 = time.perf_counter()
        try:
            ack = await who.sio.call(
                "ask",
                {"room": ROOM, "body": text, "client_id": os.urandom(8).hex(),
                 "lang": "fr" if fr else "en"},
                timeout=ACK_TIMEOUT,
            )  # fmt: skip
        except TimeoutError:
            stats.errors["ask timeout"] += 1
            ack = None
        if ack is not None:
            if ack.get("ok"):
                stats.ask.append((time.perf_counter() - t0) * 1000)
                if ack.get("held"):
                    stats.held += 1
                else:
                    ready = time.monotonic() + rng.uniform(1.0, 3.0)
                    answers.put_nowait((ready, ack["thread"]["id"], fr))
            else:
                stats.errors[f"ask {ack.get('error', {}).get('code', ack)}"] += 1
        await asyncio.gather(*pending)
        # Think, but not past the load's end (the next cycle would not start anyway).
        await asyncio.sleep(min(rng.uniform(0.5, 1.5) * think, max(0.0, end - time.monotonic())))


async def helper(
    who: Person,
    rng: random.Random,
    stats: Stats,
    answers: asyncio.Queue[tuple[float, str, bool]],
    stop: float,
) -> None:
    """Answer questions from the queue at their time until it is empty after `stop`."""
    while True:
        try:
            ready, thread_id, fr = answers.get_nowait()
        except asyncio.QueueEmpty:
            if time.monotonic() > stop:
                return
            await asyncio.sleep(0.05)  # polling a local queue with a deadline
            continue
        await asyncio.sleep(max(0.0, ready - time.monotonic()))
        t0 = time.perf_counter()
        try:
            ack = await who.sio.call(
                "answer",
                {"thread_id": thread_id, "body": kb.answer(rng, fr),
                 "client_id": os.urandom(8).hex()},
                timeout=ACK_TIMEOUT,
            )  # fmt: skip
        except TimeoutError:
            stats.errors["answer timeout"] += 1
            continue
        if ack.get("ok"):
            stats.answer.append((time.perf_counter() - t0) * 1000)
            stats.last_answer = time.monotonic()
        else:
            stats.errors[f"answer {ack.get('error', {}).get('code', ack)}"] += 1


async def load(
    url: str, path: str, pid: int, args: argparse.Namespace, mode: str
) -> dict[str, Any]:
    """Clients, warm-up, quiet check, then each load in turn; what each one measured."""
    rng = random.Random(args.seed)
    out: dict[str, Any] = {"loads": []}
    timeout = aiohttp.ClientTimeout(total=ACK_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=args.shoppers * 3)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        shoppers = [await person(http, url, f"Client {i}") for i in range(args.shoppers)]
        helpers = [await person(http, url, f"Aide {i}") for i in range(args.helpers)]
        everyone = shoppers + helpers
        try:
            # Warm-up (untimed): first calls pay for imports, caches, the room's vectors.
            warm = Stats()
            queue: asyncio.Queue[tuple[float, str, bool]] = asyncio.Queue()
            for i in range(10):
                text, drafts, fr = typed(rng)
                for draft in drafts:
                    await similar(http, url, draft, warm)
                ack = await shoppers[i].sio.call(
                    "ask", {"room": ROOM, "body": text, "client_id": os.urandom(8).hex()},
                    timeout=ACK_TIMEOUT,
                )  # fmt: skip
                assert ack.get("ok"), ack
                queue.put_nowait((0.0, ack["thread"]["id"], fr))
            await helper(helpers[0], rng, warm, queue, 0.0)
            # Quiet check: one draft at a time, the embedding thread otherwise idle.
            quiet = Stats()
            rq = random.Random(args.seed + 7)
            quiet_drafts = [d for _ in range(args.quiet) for d in typed(rq)[1]][: args.quiet]
            for draft in quiet_drafts:
                await similar(http, url, draft, quiet)
            out["quiet"] = quiet
            for think in args.think:
                if mode == "on":  # the warm-up's (or the previous load's) answers indexed
                    wait_embedded(path, 60)
                stats = Stats()
                answers: asyncio.Queue[tuple[float, str, bool]] = asyncio.Queue()
                for who in everyone:
                    who.events = 0
                began = time.monotonic()
                end = began + args.seconds
                cpu0, core0, self0 = ticks(pid), kb.core_ticks(args.server_core), os.times()
                tasks = [
                    asyncio.create_task(
                        shopper(who, http, url, random.Random(rng.random()), stats, answers,
                                think, end, args.cycles)
                    )
                    for who in shoppers
                ]  # fmt: skip
                # Helpers keep answering until the last question asked is answered.
                helping = [
                    asyncio.create_task(
                        helper(who, random.Random(rng.random()), stats, answers, end + 4.0)
                    )
                    for who in helpers
                ]
                await asyncio.wait_for(asyncio.gather(*tasks), args.seconds + 3 * ACK_TIMEOUT)
                asked_until = time.monotonic()
                await asyncio.wait_for(asyncio.gather(*helping), 3 * ACK_TIMEOUT + 10)
                wall = time.monotonic() - began
                cpu1, core1, self1 = ticks(pid), kb.core_ticks(args.server_core), os.times()
                hz = os.sysconf("SC_CLK_TCK")
                answered_at = time.monotonic()
                caught_up = wait_embedded(path, 120) if mode == "on" else None
                out["loads"].append({
                    "think": think, "stats": stats, "wall": wall,
                    "asking": asked_until - began,
                    "server_cpu": (cpu1 - cpu0) / hz / wall * 100,
                    "core_busy": (core1[0] - core0[0]) / max(1, core1[1] - core0[1]) * 100,
                    "client_cpu": (self1.user + self1.system - self0.user - self0.system)
                    / wall * 100,
                    "events": sum(w.events for w in everyone),
                    "caught_up": caught_up,
                    "caught_up_after": None if caught_up is None
                    else answered_at + caught_up - stats.last_answer,
                    "rss": kb.rss(pid),
                })  # fmt: skip
        finally:
            for who in everyone:
                with contextlib.suppress(Exception):
                    await who.sio.disconnect()
    return out


def run_mode(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix=f"semantic-ack-{mode}-")
    path = f"{folder}/bench.db"
    try:
        seed_args = argparse.Namespace(threads=args.threads, small_threads=0, faq=0)
        asyncio.run(kb.seed(path, seed_args, random.Random(args.seed)))
        spawned = time.monotonic()
        proc, url = start(path, folder, args.server_core, mode)
        ready = time.monotonic() - spawned
        try:
            result: dict[str, Any] = {"ready": ready, "rss_start": kb.rss(proc.pid)}
            if mode == "on":
                took = wait_embedded(path, args.backfill_timeout)
                if took is None:
                    raise SystemExit(f"backfill not done within {args.backfill_timeout} s")
                result["backfill"] = took
                result["backfill_from_spawn"] = took + ready
            result["embedded"] = counts(path)
            result.update(asyncio.run(load(url, path, proc.pid, args, mode)))
            return result
        finally:
            kb.stop_server(proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# reporting -------------------------------------------------------------------------------
def cells(values: list[float]) -> str:
    if not values:
        return "0 | - | - | - | -"
    return (
        f"{len(values)} | {pct(values, 50):.1f} | {pct(values, 95):.1f} | {pct(values, 99):.1f}"
        f" | {max(values):.1f}"
    )


def shares(stats: Stats) -> str:
    found = Counter(m for _, status, m in stats.similar if status == 200)
    total = sum(found.values())
    return ", ".join(f"{m} {n}/{total} ({n / max(1, total):.0%})" for m, n in found.most_common())


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    for mode, r in results.items():
        line = f"- `ENTRAIDE_SEMANTIC={mode}`: /healthz after {r['ready']:.1f} s"
        line += f", RSS at start {r['rss_start']['VmRSS']:.0f} MiB"
        if "backfill" in r:
            line += (
                f"; backfill of {r['embedded'][1]:,} answered threads: done"
                f" {r['backfill']:.1f} s after /healthz ({r['backfill_from_spawn']:.1f} s after"
                f" spawn, {r['embedded'][1] / r['backfill_from_spawn']:.0f} threads/s)"
            )
        quiet: Stats = r["quiet"]
        q = [ms for ms, _, _ in quiet.similar]
        line += (
            f"; quiet check ({len(q)} drafts one at a time): similar p50 {pct(q, 50):.1f} ms,"
            f" p95 {pct(q, 95):.1f} ms, {shares(quiet)}"
        )
        print(line)
    print()
    modes = list(results)
    for i, think in enumerate(args.think):
        print(
            f"Load {i + 1}: {args.shoppers} shoppers, think {think:g} s (x0.5-1.5), {args.helpers}"
            f" helpers, {args.seconds:g} s\n"
        )
        print(
            "| mode | what | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|"
        )
        for mode in modes:
            ld = results[mode]["loads"][i]
            st: Stats = ld["stats"]
            sim = [ms for ms, status, _ in st.similar]
            print(f"| {mode} | ask ack | {cells(st.ask)} |")
            print(f"| {mode} | answer ack | {cells(st.answer)} |")
            print(f"| {mode} | similar (all) | {cells(sim)} |")
            for match in sorted({m for _, _, m in st.similar}):
                part = [ms for ms, status, m in st.similar if m == match and status == 200]
                print(f"| {mode} | similar, {match} | {cells(part)} |")
        print()
        for mode in modes:
            ld = results[mode]["loads"][i]
            st = ld["stats"]
            bad = Counter(status for _, status, _ in st.similar if status != 200)
            caught = (
                ""
                if ld["caught_up_after"] is None
                else f"; every answered question embedded {ld['caught_up_after']:.1f} s after"
                " the last answer's ack (polled every 0.5 s)"
            )
            print(
                f"- {mode}: {len(st.ask) / ld['asking']:.1f} asks/s,"
                f" {len(st.similar) / ld['asking']:.1f} similar/s,"
                f" {len(st.answer) / ld['wall']:.1f} answers/s; similar answers: {shares(st)};"
                f" errors {dict(st.errors) or 0}, non-200 {dict(bad) or 0}, held {st.held};"
                f" server CPU {ld['server_cpu']:.0f}% (core {args.server_core} busy"
                f" {ld['core_busy']:.0f}%), clients' CPU {ld['client_cpu']:.0f}%, room events"
                f" received {ld['events']:,}; server RSS {ld['rss']['VmRSS']:.0f} MiB{caught}"
            )
        if "off" in results and "on" in results:
            off, on = results["off"]["loads"][i]["stats"], results["on"]["loads"][i]["stats"]
            print("\n| on/off | p50 | p95 | p99 |\n|---|---|---|---|")
            for name, a, b in (
                ("ask ack", on.ask, off.ask),
                ("answer ack", on.answer, off.answer),
                ("similar", [x[0] for x in on.similar], [x[0] for x in off.similar]),
            ):
                ratios = [pct(a, q) / pct(b, q) for q in (50, 95, 99)]
                print(f"| {name} | " + " | ".join(f"{x:.2f}" for x in ratios) + " |")
        print()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2000, help="answered, seeded")
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--helpers", type=int, default=5)
    parser.add_argument(
        "--think",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[10.0, 30.0],
        help="seconds between a shopper's questions (comma list: one load each)",
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="per load")
    parser.add_argument("--cycles", type=int, default=100, help="questions per shopper at most")
    parser.add_argument("--quiet", type=int, default=60, help="drafts of the quiet check")
    parser.add_argument("--modes", default="off,on")
    parser.add_argument("--backfill-timeout", type=float, default=600.0)
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not set(modes) <= {"off", "on"} or not 1 <= args.shoppers <= 500:
        parser.error("--modes: off and/or on; --shoppers 1..500")
    if not 0 < args.seconds <= 600 or not 1 <= args.helpers <= 50:
        parser.error("--seconds 0..600, --helpers 1..50")
    os.sched_setaffinity(0, {int(args.client_core)})
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {' '.join(sys.argv)}")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    results = {mode: run_mode(mode, args) for mode in modes}
    print(f"load average at the end: {os.getloadavg()[0]:.2f}\n")
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
