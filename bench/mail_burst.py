"""A burst of e-mails against chat acknowledgements: does draining 1,000 answer (or owner)
e-mails through the mail queue slow the acks of chat writes?

    .venv/bin/python bench/mail_burst.py                      # 1,000 askers, 20 answers/s, 10 s
    .venv/bin/python bench/mail_burst.py --askers 200 --seconds 5 --rate 10   # a quick look
    .venv/bin/python bench/mail_burst.py --burst owners       # 1,000 "ask the owners" e-mails

What runs, all on 127.0.0.1:
- an SMTP sink (aiosmtpd) in a child process (this script with `--sink PORT`), so receiving
  and parsing e-mails does not take the server's GIL, as a real mail server would not; it
  reports each e-mail (its arrival time, and the link of a confirmation) on its stdout;
- the app (`create_app` under uvicorn on a thread: tests.support.LiveServer) on a temp
  SQLite file, sending through the sink, with write/visitor rate limits and moderation's
  flood check out of the way (helpers post hundreds of answers), the sweeper off.

Setup: `--rooms` rooms (and one for the measured stream) are opened by a host client
(Socket.IO `join`). `--askers` visitors each ask a question over HTTP
(`POST /api/v1/rooms/<key>/threads`) and give an address (`POST /api/v1/visitors/me/email`);
the app e-mails them a confirmation and the bench confirms every address by calling the link
found in that e-mail (`GET /mail/confirm`), through the app's own path, so setup also drains
one round of e-mails. These askers never open a socket, so an answer to their question queues
one e-mail each. As many askers again ask without an address (phase C's targets), and
`--plain-questions` more in the stream's room (what the measured stream answers: no e-mail).

Phase A: `--stream-helpers` helper clients, in turn, emit `answer` on the plain questions at
`--rate` per second (open loop: each emit at its own time, whether earlier acks came back or
not) for `--seconds`; each ack's latency is the time from emit to ack. One helper posting the
whole stream would make each answer dearer as the run goes on (the rewards read the helper's
last day of points at every answer), so a longer phase would look slower for that alone.
Phase B: at t=0, `--burst-clients` clients post one answer to each asker's question, each
client back to back (this queues `--askers` e-mails, through the answer listener), while the
same steady stream runs, from t=0 until at least `--seconds` have passed and the sink has
every answer e-mail (at most `--drain-timeout`). Rows B1/B2/B3 split the stream's acks by
when they were emitted: while the burst was being posted, until the drain, after it. The mail
queue is sampled on the server's loop every 0.5 s.
Phase C (control, `--no-control` skips it): the same burst on the questions whose askers gave
no address, beside the same stream for as long as B took to drain: B / C is what the e-mails
add beyond the answers' own work.
A shopper with the stream's room open records when each stream answer reaches them live
(`event` message.created), from its emit: the after-commit delivery, which acks do not wait for.

`--burst owners` (the issue's wording: owner/asker e-mails, with the measured stream the only
chat write load): `--askers` (N) customers are fed through the shop API
(`POST /api/v1/shop/customers`, Bearer key), customer i owning room i only, with consent;
N visitors with no address each ask one question in room i (N rooms, one owner each: each
owner gets exactly one e-mail, under the one-per-owner-per-day limit). `owner_ask_after` is
0.001 min and the sweeper is off. Every `owners.tick()` call runs on the server's loop inside
`store.after_commit_reads()` (its reads on the second reader connection, as the sweeper's job
runs). Setup first calls it on the plain questions, which have nobody to ask, so that they are
looked at and done before the owner questions exist. Phase A as above; phase B: at t=0 the
bench calls `owners.tick()` back to back (50 questions a call) until N questions are handled,
while the same steady stream runs, until at least `--seconds` have passed and the sink has the
N owner e-mails. B1 is while the ticks ran, B2 after the last tick until the drain. No phase C.
`--owners-process` (owners only): phase B's ticks run in a separate Python process (this
script with `--owners-child`: `create_app` with the server's settings on the same SQLite file
(WAL), the store opened, `owners.tick()` back to back inside `store.after_commit_reads()`), as
the scale setup's worker process does beside web processes with `ENTRAIDE_SWEEPER=off`. The
child is started and its store opened after phase A, before t=0. The server (still the
LiveServer thread) only serves the stream and its MailWorker sends the e-mails: that worker
wakes on its own process's queue only, so it finds the child's e-mails by polling (every
5 s, then batch after batch while it finds full batches of 50). The setup's ticks (on the plain
questions) still run on the server's loop.
`--mail-in-child` (with `--owners-process`): the server gets `mail_worker="off"` (it sends
nothing) and the child also runs the MailWorker (`build_mail_worker`, `worker.run()` as a task
inside `store.after_commit_reads()`, as `entraide sweep` does), from `go` until the bench has
seen the N e-mails at the sink (or the drain timeout): then it tells the child to stop, which
waits (at most 30 s) until its queue has nothing pending, cancels the worker and exits, all
before phase B's report. Setup sends no e-mail in owners mode (the askers give no address).

Every loop is bounded in count and by a deadline. Latencies come from one run and the
ratios compare phases of that run. The clients run in this process, beside the server's
thread (as in the tests): their own work shares the GIL with the server's, in every phase.
Exits 1 when the burst does not drain within `--drain-timeout` or the queue does not end at
0 pending / 0 failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from app.domain.mail import MailStats
    from tests.support import Client, LiveServer

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
LINK = re.compile(r"https?://[^\s\"'<>]+")
ACK_TIMEOUT = 30.0  # seconds: an ack later than this counts as failed
STEP_TIMEOUT = 120.0  # seconds: any one setup step
WORDS = (
    "bracelet montre cadran étanche plongée acier titane verre saphir pile batterie "
    "boucle maillon taille poignet réglage heure date alarme chrono lumière nuit écran "
    "sangle cuir silicone garantie couleur noir bleu vert poids léger solide rayure "
    "boîtier couronne aiguille marée boussole altimètre baromètre capteur synchronisation"
).split()
STREAM_ROOM = "montre-plongee-suivi"  # the measured stream's questions, and the watcher
SHOP_KEY = "bench-shop-key-" + "k" * 25  # ENTRAIDE_SHOP_API_KEY (24+ characters)
PRODUCT = {
    "title": "Montre de plongée",
    "url": "https://shop.example/montre",
    "category": "montres",
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.sample(WORDS, words))


# The SMTP sink (child process) ------------------------------------------------------------
def run_sink(port: int) -> int:
    """`--sink PORT`: accept every e-mail; print `<monotonic> confirm <link>` for a
    confirmation, `<monotonic> other <rcpt>` for anything else; stop when stdin closes."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    from aiosmtpd.controller import Controller

    lock = threading.Lock()

    def report(line: str) -> None:
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            at = time.monotonic()  # system-wide on Linux: comparable with the parent's clock
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            body = message.get_body(preferencelist=("plain",))
            text = str(body.get_content()) if body is not None else ""
            link = next((u for u in LINK.findall(text) if "/mail/confirm" in u), None)
            if link:
                report(f"{at:.6f} confirm {link}")
            else:
                report(f"{at:.6f} other {','.join(envelope.rcpt_tos)}")
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    report("ready")
    sys.stdin.read()  # until the parent closes our stdin
    controller.stop()
    return 0


class Sink:
    """The sink process and what it reported, read on a thread."""

    def __init__(self, port: int) -> None:
        self.url = f"smtp://127.0.0.1:{port}"
        self.confirms: list[str] = []
        self.others: list[float] = []  # arrival times (time.monotonic)
        self.recipients: list[str] = []  # of those e-mails
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--sink", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self._proc.stdout is not None
        threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True).start()
        if not self._ready.wait(STEP_TIMEOUT):
            self.stop()
            raise SystemExit("the SMTP sink did not start")

    def _read(self, out: IO[str]) -> None:
        for line in out:
            at, _, rest = line.strip().partition(" ")
            kind, _, value = rest.partition(" ")
            with self._lock:
                if at == "ready":
                    self._ready.set()
                elif kind == "confirm":
                    self.confirms.append(value)
                else:
                    self.others.append(float(at))
                    self.recipients.append(value)

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return len(self.confirms), len(self.others)

    def arrivals(self) -> list[float]:
        with self._lock:
            return list(self.others)

    def addresses(self) -> list[str]:
        with self._lock:
            return list(self.recipients)

    def stop(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(15)
        except subprocess.TimeoutExpired:
            self._proc.terminate()  # our own child, by its handle
            self._proc.wait(15)


# Helpers on both loops ---------------------------------------------------------------------
async def on_server(server: LiveServer, work: Coroutine[Any, Any, T], within: float) -> T:
    """Run `work` on the server's loop (its store connections live there)."""
    assert server.app is not None
    loop = server.app.services.dispatcher.loop
    assert loop is not None, "the server is not dispatching"
    done = asyncio.run_coroutine_threadsafe(work, loop)
    return await asyncio.wait_for(asyncio.wrap_future(done), within)


async def mail_stats(server: LiveServer) -> MailStats:
    assert server.app is not None
    return await on_server(server, server.app.services.mail.stats(), 30.0)


async def until(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool],
    what: str,
    within: float,
    every: float = 0.05,
) -> float:
    """Poll `check` until it holds (seconds waited), or fail after `within` seconds."""
    start = time.monotonic()
    while True:
        held = check()
        if not isinstance(held, bool):
            held = await held
        if held:
            return time.monotonic() - start
        if time.monotonic() - start > within:
            raise TimeoutError(f"{what}: not within {within:.0f} s")
        await asyncio.sleep(every)  # polling with a deadline


async def settle(server: LiveServer, within: float) -> None:
    """Listeners caught up and the mail queue empty."""
    assert server.app is not None
    await on_server(server, server.app.services.dispatcher.idle(), within)

    async def empty() -> bool:
        return (await mail_stats(server)).pending == 0

    await until(empty, "mail queue empty", within, every=0.2)


def pressure(kind: str) -> float | None:
    """Microseconds some task waited for `kind` (cpu, io) since boot (Linux PSI)."""
    try:
        first = Path(f"/proc/pressure/{kind}").read_text().splitlines()[0]
    except OSError:
        return None
    return float(first.rpartition("total=")[2])


# Setup -------------------------------------------------------------------------------------
@dataclass
class Setup:
    asker_threads: list[str]  # askers with a confirmed address: the burst of phase B
    control_threads: list[str]  # as many askers without one: the burst of phase C
    plain_threads: list[str]  # what the measured stream answers
    seconds: float
    confirm_drain: float | None  # seconds from the first question to the last confirmation


async def open_rooms(server: LiveServer, rooms: list[str], concurrency: int) -> None:
    """A host client joins each room (Socket.IO `join` opens it), `concurrency` at a time."""
    from tests.support import connect, new_visitor

    host = await new_visitor(server.url, "Hôte")
    client = await connect(server.url, host["token"])
    gate = asyncio.Semaphore(concurrency)

    async def join(room: str) -> None:
        async with gate:
            ack = await client.call("join", {"room": room, "product": PRODUCT})
            assert ack["ok"], ack

    try:
        await asyncio.wait_for(asyncio.gather(*(join(r) for r in rooms)), STEP_TIMEOUT)
    finally:
        await client.sio.disconnect()


async def prepare(server: LiveServer, sink: Sink, args: argparse.Namespace) -> Setup:
    """`--burst answers`: askers with confirmed addresses, as many without, plain questions."""
    import aiohttp

    began = time.monotonic()
    rng = random.Random(args.seed)
    rooms = [f"montre-plongee-{i}" for i in range(args.rooms)]
    await open_rooms(server, [*rooms, STREAM_ROOM], 1)

    gate = asyncio.Semaphore(args.concurrency)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def post(path: str, body: dict[str, Any], token: str | None, status: int) -> Any:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with http.post(server.url + path, json=body, headers=headers) as resp:
                assert resp.status == status, (path, resp.status, await resp.text())
                return await resp.json()

        async def asker(i: int, email: bool, room: str) -> str:
            async with gate:
                visitor = await post("/api/v1/visitors", {"name": f"Client {i}"}, None, 201)
                body = {
                    "body": f"Question {i} : {sentence(rng, 8)} ?",
                    "client_id": f"question-{i:06d}",
                }
                asked = await post(f"/api/v1/rooms/{room}/threads", body, visitor["token"], 201)
                assert not asked.get("held"), asked
                if email:
                    address = {"email": f"client{i}@example.org", "lang": "fr"}
                    await post("/api/v1/visitors/me/email", address, visitor["token"], 202)
                return str(asked["thread"]["id"])

        subscribed_at = time.monotonic()
        n, plain = args.askers, args.plain_questions
        asking = [asker(i, i < n, rooms[i % len(rooms)]) for i in range(2 * n)]
        asking += [asker(2 * n + i, False, STREAM_ROOM) for i in range(plain)]
        threads = await asyncio.wait_for(asyncio.gather(*asking), STEP_TIMEOUT)
        await until(lambda: sink.counts()[0] >= n, "confirmation e-mails", STEP_TIMEOUT)
        confirm_drain = time.monotonic() - subscribed_at

        async def confirm(link: str) -> None:
            parts = urlsplit(link.replace("&amp;", "&"))
            async with gate, http.get(f"{server.url}{parts.path}?{parts.query}") as resp:
                page = await resp.text()
                assert resp.status == 200 and "Adresse confirmée" in page, (resp.status, link)

        links = list(sink.confirms)
        assert len(links) == n, f"{len(links)} confirmation e-mails"
        await asyncio.wait_for(asyncio.gather(*(confirm(u) for u in links)), STEP_TIMEOUT)
    await settle(server, STEP_TIMEOUT)
    return Setup(
        threads[:n], threads[n : 2 * n], threads[2 * n :], time.monotonic() - began, confirm_drain
    )


async def tick_owners(server: LiveServer, questions: int, within: float) -> tuple[list[Ack], int]:
    """Call `owners.tick()` on the server's loop back to back until `questions` are handled
    (or a call handles none, or `within` seconds pass); each call timed as an Ack. Each call
    reads inside `store.after_commit_reads()`, as the sweeper's job does (app/factory.py)."""
    from app.services.owners import BATCH

    assert server.app is not None
    owners, store = server.app.services.owners, server.app.services.store

    async def tick() -> int:
        with store.after_commit_reads():  # the second reader connection, as the sweeper's
            return await owners.tick()

    end = time.monotonic() + within
    calls: list[Ack] = []
    handled = 0
    for _ in range(questions // BATCH + 2):
        if handled >= questions or time.monotonic() > end:
            break
        sent = time.monotonic()
        t0 = time.perf_counter()
        got = await on_server(server, tick(), max(1.0, end - time.monotonic()))
        calls.append(Ack(sent, (time.perf_counter() - t0) * 1000, got > 0))
        handled += got
        if not got:
            break
    return calls, handled


async def prepare_owners(server: LiveServer, sink: Sink, args: argparse.Namespace) -> Setup:
    """`--burst owners`: N consenting customers, customer i owning room i; the plain questions
    looked at by `owners.tick()` (nobody to ask); then one question in each of the N rooms,
    asked by a visitor with no address."""
    import aiohttp

    began = time.monotonic()
    rng = random.Random(args.seed)
    n, plain = args.askers, args.plain_questions
    rooms = [f"montre-proprio-{i}" for i in range(n)]
    await open_rooms(server, [STREAM_ROOM, *rooms], args.concurrency)

    gate = asyncio.Semaphore(args.concurrency)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def post(path: str, body: dict[str, Any], auth: str | None, status: int) -> Any:
            headers = {"Authorization": f"Bearer {auth}"} if auth else {}
            async with gate, http.post(server.url + path, json=body, headers=headers) as resp:
                assert resp.status == status, (path, resp.status, await resp.text())
                return await resp.json()

        async def asker(i: int, room: str) -> str:
            visitor = await post("/api/v1/visitors", {"name": f"Client {i}"}, None, 201)
            body = {
                "body": f"Question {i} : {sentence(rng, 8)} ?",
                "client_id": f"question-{i:06d}",
            }
            asked = await post(f"/api/v1/rooms/{room}/threads", body, visitor["token"], 201)
            assert not asked.get("held"), asked
            return str(asked["thread"]["id"])

        async def owner(i: int) -> None:
            customer = {
                "customer_id": f"proprio-{i:06d}",
                "email": f"proprio{i}@example.org",
                "lang": "fr",
                "purchased": [rooms[i]],
                "owner_questions": True,
            }
            saved = await post("/api/v1/shop/customers", customer, SHOP_KEY, 200)
            assert saved["purchased"] == [rooms[i]] and saved["owner_questions"], saved

        asking = [asker(n + i, STREAM_ROOM) for i in range(plain)]
        plain_threads = await asyncio.wait_for(asyncio.gather(*asking), STEP_TIMEOUT)
        # The plain questions are looked at now (STREAM_ROOM has no owners: nothing is sent),
        # so the burst's ticks handle only the owner questions. They must be older than
        # owner_ask_after (0.06 s) first: try again, briefly, while a tick finds fewer.
        looked_at, deadline = 0, time.monotonic() + STEP_TIMEOUT
        for _ in range(plain + int(STEP_TIMEOUT / 0.1)):
            if looked_at >= plain or time.monotonic() > deadline:
                break
            _, got = await tick_owners(server, plain - looked_at, STEP_TIMEOUT)
            looked_at += got
            if not got:
                await asyncio.sleep(0.1)  # bounded by count and deadline
        assert looked_at == plain, f"{looked_at} of {plain} plain questions looked at"
        await asyncio.wait_for(asyncio.gather(*(owner(i) for i in range(n))), STEP_TIMEOUT)
        asking = [asker(i, rooms[i]) for i in range(n)]
        owner_threads = await asyncio.wait_for(asyncio.gather(*asking), STEP_TIMEOUT)
    await settle(server, STEP_TIMEOUT)
    assert sink.counts() == (0, 0), f"e-mails in setup: {sink.counts()}"
    return Setup(list(owner_threads), [], list(plain_threads), time.monotonic() - began, None)


# The measured stream and the burst -----------------------------------------------------------
@dataclass
class Ack:
    sent: float  # time.monotonic() at emit
    ms: float
    ok: bool
    message_id: str | None = None


async def timed_answer(client: Client, thread_id: str, body: str) -> Ack:
    sent = time.monotonic()
    t0 = time.perf_counter()
    try:
        ack = await client.sio.call(
            "answer",
            {"thread_id": thread_id, "body": body, "client_id": os.urandom(8).hex()},
            timeout=ACK_TIMEOUT,
        )
        ok = bool(ack.get("ok")) and not ack.get("held")
        message_id = str(ack["message"]["id"]) if ok else None
    except TimeoutError:
        ok, message_id = False, None
    return Ack(sent, (time.perf_counter() - t0) * 1000, ok, message_id)


async def steady(
    clients: list[Client],
    threads: list[str],
    rate: float,
    start: float,
    go_on: Callable[[float], bool],
    rng: random.Random,
    max_count: int,
) -> list[Ack]:
    """Emit `answer` k at start + k/rate (open loop) while go_on(elapsed) holds, from the
    stream's helpers in turn."""
    tasks: list[asyncio.Task[Ack]] = []
    for k in range(max_count):
        at = start + k / rate
        if not go_on(at - start):
            break
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        body = f"Réponse {k} : {sentence(rng, 9)}."
        client, thread = clients[k % len(clients)], threads[k % len(threads)]
        tasks.append(asyncio.create_task(timed_answer(client, thread, body)))
    return list(await asyncio.gather(*tasks))


async def post_burst(clients: list[Client], threads: list[str], rng: random.Random) -> list[Ack]:
    """One answer to each thread: client j takes threads j, j+C, ... back to back."""

    async def one(j: int) -> list[Ack]:
        return [
            await timed_answer(clients[j], t, f"Voici : {sentence(rng, 10)} ({i}).")
            for i, t in enumerate(threads[j :: len(clients)])
        ]

    done = await asyncio.gather(*(one(j) for j in range(len(clients))))
    return [a for acks in done for a in acks]


# A burst: its timed calls, what it did (for the report) and how many of it (for a rate).
Fire = Callable[[], Awaitable[tuple[list[Ack], str, int]]]


def answer_burst(clients: list[Client], threads: list[str], rng: random.Random) -> Fire:
    async def fire() -> tuple[list[Ack], str, int]:
        answers = await post_burst(clients, threads, rng)
        return answers, f"{len(answers)} burst answers posted", len(answers)

    return fire


class OwnersChild:
    """`--owners-process`: owners.tick() in a child process on the same SQLite file. Started
    (app built, store opened) by `start()`; `fire()` tells it to go and reads one line per
    tick call: `<monotonic at call> <ms> <handled>`, then `done`."""

    def __init__(self, config: dict[str, Any], questions: int, within: float, mail: bool) -> None:
        self.config, self.questions, self.within, self.mail = config, questions, within, mail
        self._proc: subprocess.Popen[str] | None = None

    def _line(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise SystemExit(f"the owners child ended (exit {self._proc.poll()})")
        return line.strip()

    def _spawn(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--owners-child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self._proc.stdin is not None
        order = {
            "config": self.config,
            "questions": self.questions,
            "within": self.within,
            "mail": self.mail,
        }
        self._proc.stdin.write(json.dumps(order) + "\n")
        self._proc.stdin.flush()

    async def start(self) -> None:
        self._spawn()
        ready = await asyncio.wait_for(asyncio.to_thread(self._line), STEP_TIMEOUT)
        assert ready == "ready", ready

    async def fire(self) -> tuple[list[Ack], str, int]:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write("go\n")
        self._proc.stdin.flush()
        calls: list[Ack] = []
        handled = 0
        for _ in range(self.questions + 3):  # at most one line per call, and `done`
            line = await asyncio.wait_for(asyncio.to_thread(self._line), self.within + 30)
            if line == "done":
                break
            sent, ms, got = line.split()
            calls.append(Ack(float(sent), float(ms), int(got) > 0))
            handled += int(got)
        what = f"{len(calls)} owners.tick() calls (own process) handled {handled} questions"
        if self.mail:
            what += " (its MailWorker sending)"
        return calls, what, handled

    def stop(self) -> str | None:
        """Close its stdin (the child's worker, if any, finishes the pending e-mails, at most
        30 s) and wait for it to exit; the pending count it reported (`stopped <pending>`)."""
        if self._proc is None:
            return None
        proc, self._proc = self._proc, None
        try:  # communicate() closes its stdin
            out, _ = proc.communicate(timeout=45)
        except subprocess.TimeoutExpired:
            proc.terminate()  # our own child, by its handle
            out, _ = proc.communicate(timeout=15)
        lines = [line for line in (out or "").splitlines() if line.startswith("stopped ")]
        return lines[-1].removeprefix("stopped ") if lines else None


async def owners_child() -> int:
    """`--owners-child`: read the order (JSON line) on stdin, build the app on the same
    database, open the store, print `ready`; on `go`, tick back to back until the questions
    are handled (or a call handles none, or the deadline), one line per call; `done`."""
    sys.path.insert(0, str(ROOT))
    from app.factory import build_mail_worker, create_app
    from app.services.owners import BATCH

    order = json.loads(sys.stdin.readline())
    app = create_app(order["config"])
    owners, store = app.services.owners, app.services.store
    await store.open()
    sending: asyncio.Task[None] | None = None
    try:
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 1
        questions, end = int(order["questions"]), time.monotonic() + float(order["within"])
        if order.get("mail"):
            worker = build_mail_worker(app.services)
            assert worker is not None, "no smtp_url"
            with store.after_commit_reads():  # as `entraide sweep` runs it
                sending = asyncio.create_task(worker.run())
        handled = 0
        for _ in range(questions // BATCH + 2):
            if handled >= questions or time.monotonic() > end:
                break
            sent = time.monotonic()
            t0 = time.perf_counter()
            with store.after_commit_reads():  # the second reader connection, as the sweeper's
                got = await owners.tick()
            print(f"{sent:.6f} {(time.perf_counter() - t0) * 1000:.3f} {got}", flush=True)
            handled += got
            if not got:
                break
        print("done", flush=True)
        if sending is not None:
            # Send until the bench closes stdin (it has seen the e-mails at the sink), at
            # most until the deadline; then until nothing is pending (the last batch's sends
            # are recorded after the sink has them), at most 30 s.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.to_thread(sys.stdin.readline), max(end - time.monotonic(), 1.0)
                )
            pending, last = -1, time.monotonic() + 30
            for _ in range(301):
                pending = (await app.services.mail.stats()).pending
                if pending == 0 or time.monotonic() > last:
                    break
                await asyncio.sleep(0.1)  # bounded by count and deadline
            print(f"stopped {pending}", flush=True)
    finally:
        if sending is not None:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
        await store.close()
    return 0


def owner_burst(server: LiveServer, questions: int, within: float) -> Fire:
    async def fire() -> tuple[list[Ack], str, int]:
        calls, handled = await tick_owners(server, questions, within)
        return calls, f"{len(calls)} owners.tick() calls handled {handled} questions", handled

    return fire


@dataclass
class Burst:
    """One burst phase; times in seconds from its t=0."""

    stream: list[Ack]
    answers: list[Ack]  # the burst's calls: answers, or owners.tick() calls
    what: str  # what the burst did, for the report
    done: int  # how many (answers posted, questions handled), for a rate
    mails: int  # e-mails expected at the sink
    start: float  # time.monotonic() at t=0
    posted: float  # the last burst ack
    caught_up: float | None  # the after-commit listeners had delivered the whole burst
    drained: float | None  # the sink had every e-mail (None: no e-mail expected, or timeout)
    arrivals: list[float]  # e-mails at the sink, from t=0
    # (t, pending, queued since t=0) every 0.5 s: queued = pending + sent - sent before t=0
    queue: list[tuple[float, int, int]] = field(default_factory=list)

    def split(self, end: float) -> tuple[list[Ack], list[Ack], list[Ack], list[Ack]]:
        """The stream's acks from t=0 to `end`, while the burst was posted, after, beyond."""
        within = [a for a in self.stream if a.sent - self.start <= end]
        during = [a for a in within if a.sent - self.start <= self.posted]
        after = [a for a in within if a.sent - self.start > self.posted]
        beyond = [a for a in self.stream if a.sent - self.start > end]
        return within, during, after, beyond


async def burst_phase(
    server: LiveServer,
    sink: Sink,
    measured: list[Client],
    fire: Fire,
    plain: list[str],
    args: argparse.Namespace,
    rng: random.Random,
    *,
    mails: int,
    window: float,
) -> Burst:
    """Fire the burst at t=0 beside the steady stream; the stream runs for `window` seconds,
    and on until the sink has `mails` more e-mails (at most `--drain-timeout`)."""
    assert server.app is not None
    dispatcher = server.app.services.dispatcher
    want = sink.counts()[1] + mails
    sent_before = (await mail_stats(server)).sent
    queue: list[tuple[float, int, int]] = []
    start = time.monotonic()
    drained_at: float | None = None

    def go_on(elapsed: float) -> bool:
        waiting = mails > 0 and drained_at is None
        return elapsed < window or (waiting and elapsed < args.drain_timeout)

    async def watch() -> None:
        nonlocal drained_at
        while mails and time.monotonic() < start + args.drain_timeout + 1:
            arrived = sink.arrivals()
            if len(arrived) >= want:
                drained_at = arrived[want - 1]
                return
            stats = await mail_stats(server)
            at = time.monotonic() - start
            queue.append((at, stats.pending, stats.pending + stats.sent - sent_before))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    max_count = int(args.rate * max(window, args.drain_timeout)) + 1
    stream = asyncio.create_task(steady(measured, plain, args.rate, start, go_on, rng, max_count))
    answers, what, done = await fire()
    posted = max((a.sent + a.ms / 1000 for a in answers), default=start) - start
    try:  # the listeners' backlog: idle is set once they have nothing left to deliver
        await on_server(server, dispatcher.idle(), args.drain_timeout)
        caught_up: float | None = time.monotonic() - start
    except TimeoutError:
        caught_up = None
    await watcher
    acks = await stream
    arrivals = [t - start for t in sink.arrivals()[want - mails :]]
    drained = None if drained_at is None else drained_at - start
    return Burst(acks, answers, what, done, mails, start, posted, caught_up, drained, arrivals,
                 queue)  # fmt: skip


# Report ------------------------------------------------------------------------------------
def row(name: str, acks: list[Ack]) -> str:
    ms = [a.ms for a in acks if a.ok]
    bad = len(acks) - len(ms)
    count = f"{len(ms)}" + (f" (+{bad} failed)" if bad else "")
    if not ms:
        return f"| {name} | {count} | - | - | - | - |"
    return (
        f"| {name} | {count} | {pct(ms, 50):.1f} | {pct(ms, 95):.1f} | {pct(ms, 99):.1f}"
        f" | {max(ms):.1f} |"
    )


def ratio(name: str, acks: list[Ack], base: list[Ack]) -> str:
    ms, ref = [a.ms for a in acks if a.ok], [a.ms for a in base if a.ok]
    if not ms or not ref:
        return f"{name}: -"
    return f"{name}: p50 {pct(ms, 50) / pct(ref, 50):.2f}, p99 {pct(ms, 99) / pct(ref, 99):.2f}"


class Watcher:
    """A visitor with the stream's room open: when each new message reached them live."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.seen: dict[str, float] = {}  # message id -> time.monotonic() at receipt
        client.sio.on("event", self._event)  # replaces the recording handler

    def _event(self, data: Any) -> None:
        if isinstance(data, dict) and data.get("type") == "message.created":
            self.seen[str(data["data"]["id"])] = time.monotonic()

    def row(self, name: str, acks: list[Ack]) -> str:
        lags = [
            (self.seen[a.message_id] - a.sent) * 1000 for a in acks if a.message_id in self.seen
        ]
        missing = sum(1 for a in acks if a.ok and a.message_id not in self.seen)
        if not lags:
            return f"| {name} | 0 | - | - | - | - | {missing} |"
        return (
            f"| {name} | {len(lags)} | {pct(lags, 50):.0f} | {pct(lags, 95):.0f}"
            f" | {pct(lags, 99):.0f} | {max(lags):.0f} | {missing} |"
        )


def seconds(value: float | None) -> str:
    return "not within the timeout" if value is None else f"t={value:.2f} s"


def describe(name: str, phase: Burst, args: argparse.Namespace) -> None:
    n = phase.mails
    rate = f" ({phase.done / phase.posted:.0f}/s)" if phase.posted > 0 else ""
    print(
        f"{name}: {phase.what} by t={phase.posted:.2f} s{rate};"
        f" listeners caught up at {seconds(phase.caught_up)}"
    )
    if not phase.queue and phase.drained is None and not phase.arrivals:
        return
    arrivals = sorted(phase.arrivals)
    gaps = [(b - a, a) for a, b in itertools.pairwise(arrivals)]
    gap, gap_at = max(gaps, default=(0.0, 0.0))
    peak = max(phase.queue, key=lambda s: s[1], default=(0.0, 0, 0))
    queued = next((t for t, _, q in phase.queue if q >= n), None)
    last = phase.queue[-1] if phase.queue else (0.0, 0, 0)
    print(
        f"   mail queue (sampled every 0.5 s): peak {peak[1]} pending at t={peak[0]:.1f} s; "
        + (
            f"all {n} queued by t={queued:.1f} s"
            if queued is not None
            else f"{last[2]} queued at the last sample, t={last[0]:.1f} s"
        )
    )
    if phase.drained is None:
        print(
            f"   drain NOT DONE: {len(arrivals)} of {n} e-mails at the sink after"
            f" {args.drain_timeout:g} s"
        )
        return
    print(
        f"   drain: first e-mail at t={arrivals[0]:.2f} s, all {n} at t={phase.drained:.2f} s"
        f" ({n / phase.drained:.0f} e-mails/s from t=0), {phase.drained - phase.posted:.2f} s"
        f" after the burst's last call returned; longest gap between two arrivals {gap:.2f} s"
        f" (from t={gap_at:.2f} s)"
    )


async def run(args: argparse.Namespace) -> int:
    from tests.support import LiveServer, connect, free_port, new_visitor

    rng = random.Random(args.seed)
    owners_mode = args.burst == "owners"
    folder = tempfile.mkdtemp(prefix="mail-burst-")
    sink = Sink(free_port())
    # Helpers post hundreds of answers: the flood check would hold them.
    thresholds: dict[str, float] = {"flood_messages": 1000000, "flood_window_seconds": 1}
    config: dict[str, Any] = {
        "database_url": f"sqlite:///{folder}/bench.db",
        "secret_key": "bench-secret-" + "x" * 27,  # 40 characters
        "smtp_url": sink.url,
        "write_rate": "100000/second",
        "visitor_rate": "100000/second",
        "sweeper": "off",
    }
    if owners_mode:
        thresholds["owner_ask_after_minutes"] = 0.001
        config["shop_api_key"] = SHOP_KEY
        config["room_rate"] = "100000/second"  # the host opens N rooms
        if args.mail_in_child:
            config["mail_worker"] = "off"  # the child process sends
    config["moderation"] = json.dumps({"default": thresholds})
    server = LiveServer(config)
    server.overrides["public_url"] = server.url
    child = (
        OwnersChild(dict(server.overrides), args.askers, args.drain_timeout, args.mail_in_child)
        if owners_mode and args.owners_process
        else None
    )
    child_end: str | None = None
    clients: list[Client] = []
    psi: dict[str, tuple[float | None, float | None, float]] = {}

    def mark(name: str) -> None:
        psi[name] = (pressure("cpu"), pressure("io"), time.monotonic())

    try:
        server.start()
        setup = await (prepare_owners if owners_mode else prepare)(server, sink, args)
        helper_count = 0 if owners_mode else args.burst_clients
        stream_names = [f"Aide mesurée {j}" for j in range(args.stream_helpers)]
        for name in (*stream_names, *(f"Aide {j}" for j in range(helper_count))):
            visitor = await new_visitor(server.url, name)
            clients.append(await connect(server.url, visitor["token"]))
        measured, plain = clients[: args.stream_helpers], setup.plain_threads
        shopper = await new_visitor(server.url, "Client qui regarde")
        clients.append(await connect(server.url, shopper["token"]))
        watcher = Watcher(clients[-1])
        ack = await watcher.client.call("join", {"room": STREAM_ROOM, "product": PRODUCT})
        assert ack["ok"], ack
        helpers = clients[args.stream_helpers : args.stream_helpers + helper_count]
        n = args.askers
        fire = (
            (child.fire if child is not None else owner_burst(server, n, args.drain_timeout))
            if owners_mode
            else answer_burst(helpers, setup.asker_threads, rng)
        )
        # Warm-up (untimed): first calls pay for imports and caches.
        warm = time.monotonic()
        await steady(measured, plain, args.rate, warm, lambda e: e < 1.0, rng, int(args.rate) + 1)
        await settle(server, STEP_TIMEOUT)

        mark("A")
        start = time.monotonic()
        count = int(args.rate * args.seconds) + 1
        alone = await steady(
            measured, plain, args.rate, start, lambda e: e < args.seconds, rng, count
        )
        mark("A end")
        await settle(server, STEP_TIMEOUT)
        if sink.counts()[1]:
            print(f"warning: {sink.counts()[1]} e-mails before the burst (expected none)")
        if child is not None:
            await child.start()  # app built and store opened before t=0
            await asyncio.sleep(1.0)  # its start-up's CPU out of phase B

        mark("B")
        with_mail = await burst_phase(
            server,
            sink,
            measured,
            fire,
            plain,
            args,
            rng,
            mails=n,
            window=args.seconds,
        )
        mark("B end")
        if child is not None:  # the drain seen (or timed out): its worker is done
            child_end = await asyncio.to_thread(child.stop)
        control: Burst | None = None
        if with_mail.drained is not None:
            await settle(server, STEP_TIMEOUT)
            if not args.no_control and not owners_mode:
                mark("C")
                control = await burst_phase(
                    server,
                    sink,
                    measured,
                    answer_burst(helpers, setup.control_threads, rng),
                    plain,
                    args,
                    rng,
                    mails=0,
                    window=with_mail.drained,
                )
                mark("C end")
                await settle(server, STEP_TIMEOUT)
        stats = await mail_stats(server)
        recipients = sink.addresses()
    finally:
        if child is not None:
            child.stop()
        for client in clients:
            if client.sio.connected:
                await client.sio.disconnect()
        if server.app is not None:
            server.stop()
        sink.stop()
        shutil.rmtree(folder, ignore_errors=True)

    def stalls(phase: str) -> str:
        (c0, i0, t0), (c1, i1, t1) = psi[phase], psi[f"{phase} end"]
        if None in (c0, c1, i0, i1):
            return f"{phase} n/a"
        assert c0 is not None and c1 is not None and i0 is not None and i1 is not None
        return f"{phase} {(c1 - c0) / 1e6 / (t1 - t0):.0%} / {(i1 - i0) / 1e6 / (t1 - t0):.0%}"

    if owners_mode:
        print(
            f"setup: {n} consenting owners (shop API), one question in each of their {n} rooms"
            f" by askers with no address, {args.plain_questions} plain questions (looked at by"
            f" a tick before, nobody to ask): {setup.seconds:.1f} s"
        )
    else:
        print(
            f"setup: {n} askers with confirmed addresses, {n} without, {args.plain_questions}"
            f" plain questions, in {args.rooms} rooms: {setup.seconds:.1f} s; the {n}"
            f" confirmation e-mails were at the sink {setup.confirm_drain or 0:.1f} s after"
            " the first question"
        )
    print(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU / I/O pressure"
        " (some) during " + ", ".join(stalls(p) for p in ("A", "B", "C") if f"{p} end" in psi)
    )
    print()
    end = with_mail.drained if with_mail.drained is not None else args.drain_timeout
    b_all, b1, b2, b3 = with_mail.split(end)
    print(f"Measured stream: `answer` acks at {args.rate:g}/s on questions with no e-mail.")
    print()
    print("| phase | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(row(f"A: stream alone, {args.seconds:g} s", alone))
    if owners_mode:
        print(row(f"B: {n} owner e-mails, t=0 to drained", b_all))
        print(row("B1: while owners.tick() ran", b1))
        print(row("B2: after the last tick, until drained", b2))
    else:
        print(row(f"B: {n} answers that e-mail, t=0 to drained", b_all))
        print(row("B1: while the burst was posted", b1))
        print(row("B2: after the last burst ack, until drained", b2))
    if b3:
        print(row("B3: after the drain", b3))
    if control is not None:
        c_all, c1, c2, _ = control.split(end)
        print(row(f"C: {n} answers, no e-mail, same window", c_all))
        print(row("C1: while the burst was posted", c1))
        print(row("C2: after the last burst ack", c2))
    if owners_mode:
        where = "child process" if child is not None else "server's loop"
        if args.mail_in_child:
            where += ", which also sent"
        print(row(f"(B's owners.tick() calls, {where}, {len(with_mail.answers)})",
                  with_mail.answers))  # fmt: skip
    else:
        print(row(f"(B's burst acks, {args.burst_clients} clients)", with_mail.answers))
    if control is not None:
        print(row(f"(C's burst acks, {args.burst_clients} clients)", control.answers))
    print()
    pairs = [("B / A", b_all, alone), ("B1 / A", b1, alone), ("B2 / A", b2, alone)]
    if control is not None:
        pairs += [("B / C", b_all, c_all), ("B1 / C1", b1, c1), ("B2 / C2", b2, c2)]
    for name, acks, base in pairs:
        print(ratio(name, acks, base))
    describe("B", with_mail, args)
    if control is not None:
        describe("C", control, args)
    print()
    print(
        "Live delivery of the stream's answers to a shopper with that room open (`event`"
        " message.created), from emit:"
    )
    print()
    print("| phase | n | p50 ms | p95 ms | p99 ms | max ms | not delivered |")
    print("|---|---|---|---|---|---|---|")
    print(watcher.row("A", alone))
    print(watcher.row("B", b_all))
    print(watcher.row("B1", b1))
    print(watcher.row("B2", b2))
    if control is not None:
        print(watcher.row("C", c_all))
        print(watcher.row("C1", c1))
        print(watcher.row("C2", c2))
    print()
    print(
        f"mail queue at the end: pending {stats.pending}, failed {stats.failed},"
        f" sent (last day) {stats.sent}"
    )
    if args.mail_in_child:
        print(f"the child process's worker at its stop: pending {child_end or 'not reported'}")
    ok = with_mail.drained is not None and stats.pending == 0 and stats.failed == 0
    if owners_mode:
        owners = {a for a in recipients if a.startswith("proprio")}
        print(
            f"at the sink: {len(recipients)} e-mails, {len(owners)} distinct owner addresses"
            f" (of {n})"
        )
        ok = ok and len(recipients) == n == len(owners)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--burst",
        choices=("answers", "owners"),
        default="answers",
        help="what e-mails: answers to askers (default), or owners.tick() asking owners",
    )
    parser.add_argument(
        "--askers",
        type=int,
        default=1000,
        help="e-mails in the burst (owners: owners, rooms and questions, one each)",
    )
    parser.add_argument("--rooms", type=int, default=4, help="answers: the askers' rooms")
    parser.add_argument(
        "--plain-questions",
        type=int,
        default=50,
        help="questions the measured stream answers (askers with no address)",
    )
    parser.add_argument("--rate", type=float, default=20.0, help="measured answers a second")
    parser.add_argument(
        "--stream-helpers",
        type=int,
        default=20,
        help="helpers who post the measured stream in turn (1: one helper posts it all, whose "
        "rewards history, read at every answer, then grows with the run's length)",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="phase A; B at least this")
    parser.add_argument("--burst-clients", type=int, default=4, help="answers: who post")
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=120.0,
        help="seconds for the burst's e-mails to reach the sink",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP requests in setup")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--no-control", action="store_true", help="skip phase C (the same burst, no e-mail)"
    )
    parser.add_argument(
        "--owners-process",
        action="store_true",
        help="owners: run phase B's owners.tick() calls in a separate process (same SQLite file)",
    )
    parser.add_argument(
        "--mail-in-child",
        action="store_true",
        help="with --owners-process: the server does not send (mail_worker off), the child does",
    )
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--owners-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        return run_sink(args.sink)
    if args.owners_child:
        return asyncio.run(owners_child())
    if args.owners_process and args.burst != "owners":
        parser.error("--owners-process goes with --burst owners")
    if args.mail_in_child and not args.owners_process:
        parser.error("--mail-in-child goes with --owners-process")
    if min(args.askers, args.burst_clients, args.plain_questions, args.stream_helpers) < 1 or (
        args.rate <= 0
    ):
        parser.error(
            "--askers, --rate, --burst-clients, --plain-questions and --stream-helpers must be "
            "positive"
        )
    sys.path.insert(0, str(ROOT))  # tests.support
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
