"""Leaderboard reads: the SQLite store's aggregate queries vs Redis sorted sets.

Generates a realistic points ledger (default 1,000,000 entries, 100,000 contributors,
~6 months, 50 rooms in 8 categories, Zipf-skewed activity, ~2% revoked), loads it into
a `SqliteStore` on a temp file and into Redis through `RedisLeaderboards.rebuild()`, checks
that both agree with each other and with the reference `rewards.leaderboard`, then times:

- top-50 reads (`StoreLeaderboards.top` vs `RedisLeaderboards.top`): all-time, this month,
  this week (global), one room and one category (all-time);
- rank reads (`.position`) for sampled contributors (heavy and tail), global and one room;
- the write side: `RedisLeaderboards.record([entry])` per new entry (the vote/accept path),
  next to the store's own `add_ledger_entries([entry])`.

    .venv/bin/python bench/leaderboards.py                     # 1M entries, 100k people
    .venv/bin/python bench/leaderboards.py --entries 50000 --contributors 5000 --reps 50

Method (see /work/shared/performance.md): store and Redis are timed in the same run,
alternating call by call, and reported as ratios; every loop is bounded by a repetition
count *and* a per-case time budget; Redis is a private `redis-server` on a free loopback
port (`--save "" --appendonly no`); the whole run is bounded by `--timeout`. The Python
process is pinned to core 0 and redis-server to core 1 (`--no-pin` to disable); the CPU that
other processes took during the measurements is reported. The temp directory and
redis-server are removed/stopped on exit, on failure, on Ctrl-C/SIGTERM and on timeout.

Loading: the store's `add_ledger_entries` is timed on the first 5,000 entries (the
adapter's path); the rest goes through the adapter's writer connection with its own
INSERT statement and row format (`INSERT_ENTRY_SQL`, `entry_values`), with the ledger's
secondary indexes dropped and recreated from the adapter's SCHEMA afterwards. Revocations
and disqualifications go through the adapter (`add_revocations`, `set_disqualified`).
Every read goes through the adapters.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import gc
import itertools
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from redis.asyncio import Redis  # noqa: E402

from app import keys  # noqa: E402
from app.services.leaderboards import RedisLeaderboards, StoreLeaderboards  # noqa: E402
from app.store.port import BoardRow  # noqa: E402
from app.store.sqlite import SqliteStore  # noqa: E402
from app.store.sqlite.base import SCHEMA  # noqa: E402
from app.store.sqlite.rewards import INSERT_ENTRY_SQL, entry_values, stamp  # noqa: E402
from rewards.leaderboard import boards_for, leaderboard, leaderboard_score  # noqa: E402
from rewards.ledger import LedgerEntry, Revocation, snapshot, staff_person  # noqa: E402
from rewards.periods import PARIS, Period, period_key  # noqa: E402
from rewards.rules import Reason, RevokeReason  # noqa: E402

NOW = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)  # Sunday 20:00 in Paris: a full week
SPAN_DAYS = 182
ROOMS = 50
CATEGORIES = ("shoes", "outerwear", "beauty", "home", "kids", "sport", "electronics", "garden")
ADAPTER_SAMPLE = 5_000  # entries loaded through add_ledger_entries, to time that path
BULK_BATCH = 50_000
REVOCATION_BATCH = 2_000
WARMUP = 3

_cleanups: list[Callable[[], None]] = []
_cleanup_lock = threading.Lock()


def log(msg: str) -> None:
    print(f"[lb {datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def cleanup() -> None:
    with _cleanup_lock:
        while _cleanups:
            fn = _cleanups.pop()
            with contextlib.suppress(Exception):
                fn()


# --- dataset --------------------------------------------------------------------------------


@dataclass
class Dataset:
    entries: list[LedgerEntry]
    revocations: list[Revocation]
    contributors: list[str]  # by activity rank: index 0 is the most active
    room_keys: list[str]
    room_category: dict[str, str]
    room_visitors: Counter[str]  # visitor -> entries in the busiest room
    stats: dict[str, Any] = field(default_factory=dict)


class Hex:
    """Deterministic 16-hex ids shaped like `app.domain.models.new_id`."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def __call__(self) -> str:
        while True:
            value = f"{self._rng.getrandbits(64):016x}"
            if value not in self._seen:
                self._seen.add(value)
                return value


def zipf_cum(n: int, s: float) -> list[float]:
    return list(itertools.accumulate((k + 1) ** -s for k in range(n)))


def pick(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def generate(
    n_entries: int, n_contributors: int, seed: int, revoked_share: float, zipf_s: float
) -> Dataset:
    """A ledger shaped like the real rules (docs/rewards.md), `n_entries` long.

    Per answer: the answer (2 points; the author's 40 points per day cap gives 0-point
    entries to the most active), helpful votes (mostly 5; halved 2 or 1 for repeated
    thanks, 0 when capped), the asker's accept (30%, 15), a fast first answer (15%, 5) and
    a staff endorsement (1%, 10); plus staff bonuses (0.05% of entries, some without a
    room). Every contributor answers at least once; the rest of the answers follow a Zipf
    law over contributors; rooms are Zipf-skewed too and contributors keep to a home room.
    Revocations: hidden answers (every entry about them), withdrawn votes and a few banned
    contributors, ~`revoked_share` of the entries in all.
    """
    rng = random.Random(seed)
    new_id = Hex(rng)
    start = NOW - timedelta(days=SPAN_DAYS)
    span_s = SPAN_DAYS * 86400
    contributors = [new_id() for _ in range(n_contributors)]
    room_keys = [f"room-{i:02d}" for i in range(ROOMS)]
    room_category = {r: CATEGORIES[i % len(CATEGORIES)] for i, r in enumerate(room_keys)}
    room_cum = zipf_cum(ROOMS, 1.0)
    people_cum = zipf_cum(n_contributors, zipf_s)
    home = [room_keys[pick(rng, room_cum)] for _ in range(n_contributors)]
    busiest = room_keys[0]

    rule_answer = snapshot(Reason.ANSWER, value=2, cap=40, capped=0)
    rule_answer_capped = snapshot(Reason.ANSWER, value=2, cap=40, capped=1)

    def thanks_rule(reason: Reason, value: int, nth: int, capped: int) -> str:
        return snapshot(
            reason, value=value, nth=nth, factor=0.5, window_days=30, cap=20, capped=capped
        )

    # helpful vote points: (points, nth, capped) with weights
    vote_kinds = [(5, 1, 0), (2, 2, 0), (1, 3, 0), (0, 1, 1)]
    vote_weights = [88, 7, 3, 2]
    vote_rules = {k: thanks_rule(Reason.HELPFUL_VOTE, 5, k[1], k[2]) for k in vote_kinds}
    accept_kinds = [(15, 1, 0), (7, 2, 0)]
    accept_rules = {k: thanks_rule(Reason.ACCEPTED, 15, k[1], k[2]) for k in accept_kinds}
    rule_fast = snapshot(Reason.FAST_FIRST_ANSWER, value=5, within_min=10, waited_s=240)
    rule_endorse = snapshot(Reason.STAFF_ENDORSEMENT, value=10)
    rule_bonus = snapshot(Reason.BONUS, max=500)
    n_votes_cum = list(itertools.accumulate([45, 30, 13, 7, 3, 1, 1]))
    staff = [f"staff-{i}" for i in range(5)]
    hide_p = revoked_share * 0.75
    withdraw_p = 0.008
    # a few banned contributors, from the middle and the tail (never the top 1,000)
    banned = set(rng.sample(contributors[min(1000, n_contributors // 2) :], 20))

    entries: list[LedgerEntry] = []
    revocations: list[Revocation] = []
    room_visitors: Counter[str] = Counter()
    answer_points_day: dict[tuple[str, int], int] = defaultdict(int)
    n_answers = 0

    def at_offset(base: datetime, seconds: float) -> datetime | None:
        value = base + timedelta(seconds=seconds)
        return value if value < NOW else None

    revoked_ids: set[str] = set()

    def revoke(entry: LedgerEntry, reason: RevokeReason) -> None:
        if entry.id in revoked_ids:
            return
        revoked_ids.add(entry.id)
        later = entry.created_at + timedelta(hours=rng.uniform(0.1, 72))
        revocations.append(Revocation(entry.id, min(later, NOW), reason))

    while len(entries) < n_entries:
        if rng.random() < 0.0005:  # a staff bonus
            who = contributors[pick(rng, people_cum)]
            room = rng.choice(room_keys) if rng.random() < 0.5 else None
            bonus_id = new_id()
            entries.append(
                LedgerEntry(
                    id=f"bonus:{bonus_id}",
                    visitor_id=who,
                    person=f"visitor:{who}",
                    points=rng.choice((10, 20, 25, 50, 100)),
                    reason=Reason.BONUS,
                    rule=rule_bonus,
                    ref_kind="bonus",
                    ref_id=bonus_id,
                    room=room,
                    category=room_category[room] if room else None,
                    giver_id=(s := rng.choice(staff)),
                    giver_person=staff_person(s),
                    note="Great help during the sales",
                    created_at=start + timedelta(seconds=rng.uniform(0, span_s)),
                )
            )
            if room == busiest:
                room_visitors[who] += 1
            continue
        rank = n_answers if n_answers < n_contributors else pick(rng, people_cum)
        n_answers += 1
        author = contributors[rank]
        room = home[rank] if rng.random() < 0.6 else room_keys[pick(rng, room_cum)]
        category = room_category[room]
        msg, thread = new_id(), new_id()
        answered = start + timedelta(seconds=rng.uniform(0, span_s))
        person = f"visitor:{author}"
        lang = "fr" if rng.random() < 0.7 else "en"
        about: list[LedgerEntry] = []

        def add(
            id_: str,
            points: int,
            reason: Reason,
            rule: str,
            at: datetime,
            giver: str | None = None,
            giver_person: str | None = None,
            *,
            _author: str = author,
            _person: str = person,
            _msg: str = msg,
            _thread: str = thread,
            _room: str = room,
            _category: str = category,
            _about: list[LedgerEntry] = about,
            _lang: str = lang,
        ) -> LedgerEntry:
            entry = LedgerEntry(
                id=id_,
                visitor_id=_author,
                person=_person,
                points=points,
                reason=reason,
                rule=rule,
                ref_kind="message",
                ref_id=_msg,
                thread_id=_thread,
                room=_room,
                category=_category,
                giver_id=giver,
                giver_person=giver_person,
                lang=_lang if reason == Reason.ANSWER else None,
                created_at=at,
            )
            _about.append(entry)
            return entry

        day = (answered - start).days
        earned = answer_points_day[(author, day)]
        points = max(0, min(2, 40 - earned))
        answer_points_day[(author, day)] = earned + points
        add(
            f"answer:{msg}#1",
            points,
            Reason.ANSWER,
            rule_answer if points == 2 else rule_answer_capped,
            answered,
        )
        if rng.random() < 0.15:
            add(f"fast_first_answer:{thread}#1", 5, Reason.FAST_FIRST_ANSWER, rule_fast, answered)
        voters: set[str] = set()  # one vote per person per answer
        for _ in range(pick(rng, n_votes_cum)):
            when = at_offset(answered, rng.expovariate(1 / 86400))
            voter = contributors[rng.randrange(n_contributors)]
            if when is None or voter == author or voter in voters:
                continue
            voters.add(voter)
            kind = rng.choices(vote_kinds, vote_weights)[0]
            add(
                f"helpful_vote:{msg}:visitor:{voter}#1",
                kind[0],
                Reason.HELPFUL_VOTE,
                vote_rules[kind],
                when,
                voter,
                f"visitor:{voter}",
            )
        if rng.random() < 0.30:
            when = at_offset(answered, rng.expovariate(1 / 21600))
            if when is not None:
                asker = new_id()
                kind = accept_kinds[0] if rng.random() < 0.97 else accept_kinds[1]
                add(
                    f"accepted:{msg}:visitor:{asker}#1",
                    kind[0],
                    Reason.ACCEPTED,
                    accept_rules[kind],
                    when,
                    asker,
                    f"visitor:{asker}",
                )
        if rng.random() < 0.01:
            when = at_offset(answered, rng.expovariate(1 / 172800))
            if when is not None:
                s = rng.choice(staff)
                add(
                    f"staff_endorsement:{msg}#1",
                    10,
                    Reason.STAFF_ENDORSEMENT,
                    rule_endorse,
                    when,
                    s,
                    staff_person(s),
                )
        about = about[: n_entries - len(entries)]
        entries.extend(about)
        if room == busiest:
            room_visitors[author] += len(about)
        for entry in about:
            if entry.reason == Reason.HELPFUL_VOTE and rng.random() < withdraw_p:
                revoke(entry, RevokeReason.VOTE_WITHDRAWN)
        if rng.random() < hide_p:
            for entry in about:
                revoke(entry, RevokeReason.CONTENT_HIDDEN)
    # banned contributors lose everything they earned (one revocation per entry)
    for entry in entries:
        if entry.visitor_id in banned:
            revoke(entry, RevokeReason.AUTHOR_BANNED)

    reasons = Counter(e.reason.value for e in entries)
    stats = {
        "answers": n_answers,
        "reasons": dict(reasons),
        "zero_point": sum(1 for e in entries if e.points == 0),
        "revoked": len(revoked_ids),
        "revoked_by": dict(Counter(r.reason.value for r in revocations)),
        "no_room": sum(1 for e in entries if e.room is None),
        "visitors": len({e.visitor_id for e in entries}),
        "first": min(e.created_at for e in entries),
        "last": max(e.created_at for e in entries),
    }
    return Dataset(
        entries, revocations, contributors, room_keys, room_category, room_visitors, stats
    )


# --- services: redis-server, temp dir, CPU accounting -------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(workdir: Path, core: int | None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    _cleanups.append(stop)
    if core is not None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(proc.pid, {core})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("redis-server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not answer within 15 s")


def _cpu_ticks() -> dict[str, int]:
    """Busy jiffies per cpu line of /proc/stat (user+nice+system+irq+softirq+steal)."""
    busy = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *vals = line.split()
            v = [int(x) for x in vals]
            busy[name] = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return busy


def _proc_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


class CpuWatch:
    """CPU used by processes other than this one and redis-server, over a window."""

    def __init__(self, redis_pid: int) -> None:
        self.redis_pid = redis_pid
        self.hz = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuWatch:
        self.t0 = time.monotonic()
        self.sys0 = _cpu_ticks()
        self.own0 = _proc_ticks(os.getpid()) + _proc_ticks(self.redis_pid)
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.monotonic() - self.t0
        sys1 = _cpu_ticks()
        own1 = _proc_ticks(os.getpid()) + _proc_ticks(self.redis_pid)
        total = sum(sys1[c] - self.sys0.get(c, 0) for c in sys1) / self.hz
        own = (own1 - self.own0) / self.hz
        self.wall = wall
        self.own_pct = 100 * own / wall if wall else 0.0
        self.others_pct = max(0.0, 100 * (total - own) / wall) if wall else 0.0


# --- timing ---------------------------------------------------------------------------------


def pct(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_ms:
        return math.nan
    k = max(1, math.ceil(p / 100 * len(sorted_ms)))
    return sorted_ms[k - 1]


@dataclass
class Samples:
    ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        s = sorted(self.ms)
        return {
            "n": len(s),
            "p50": pct(s, 50),
            "p95": pct(s, 95),
            "p99": pct(s, 99),
            "mean": sum(s) / len(s) if s else math.nan,
        }


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = await call
    return (time.perf_counter() - t0) * 1000, result


def rows_key(rows: list[BoardRow]) -> list[tuple[str, int, int]]:
    """(visitor, points, reached_at to the second): what both boards must agree on."""
    return [(r.visitor_id, r.points, int(r.reached_at.timestamp())) for r in rows]


@dataclass
class Case:
    name: str
    kind: str  # "top" | "position"
    period: Period
    room: str | None = None
    category: str | None = None
    visitors: list[str] = field(default_factory=list)
    store: Samples = field(default_factory=Samples)
    redis: Samples = field(default_factory=Samples)
    stopped_by_budget: bool = False


async def run_case(
    case: Case,
    store_lb: StoreLeaderboards | SummaryBoards,
    redis_lb: RedisLeaderboards,
    reps: int,
    budget_s: float,
) -> None:
    """Alternate store and Redis call by call (order flipped every rep); compare results."""

    def calls(i: int) -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]:
        if case.kind == "top":
            kw: dict[str, Any] = {"room": case.room, "category": case.category, "limit": 50}
            return (
                lambda: store_lb.top(case.period, NOW, **kw),
                lambda: redis_lb.top(case.period, NOW, **kw),
            )
        visitor = case.visitors[i % len(case.visitors)]
        kw = {"room": case.room, "category": case.category}
        return (
            lambda: store_lb.position(visitor, case.period, NOW, **kw),
            lambda: redis_lb.position(visitor, case.period, NOW, **kw),
        )

    def same(a: Any, b: Any) -> bool:
        if case.kind == "top":
            return rows_key(a) == rows_key(b)
        if a is None or b is None:
            return a is None and b is None
        return (a[0], *rows_key([a[1]])[0]) == (b[0], *rows_key([b[1]])[0])

    for i in range(WARMUP):
        s_call, r_call = calls(i)
        await s_call()
        await r_call()
    deadline = time.monotonic() + budget_s
    for i in range(reps):
        if time.monotonic() > deadline:
            case.stopped_by_budget = True
            break
        s_call, r_call = calls(i)
        if i % 2 == 0:
            s_ms, s_res = await timed(s_call())
            r_ms, r_res = await timed(r_call())
        else:
            r_ms, r_res = await timed(r_call())
            s_ms, s_res = await timed(s_call())
        if not same(s_res, r_res):
            raise AssertionError(f"{case.name}: store and Redis disagree: {s_res} != {r_res}")
        case.store.ms.append(s_ms)
        case.redis.ms.append(r_ms)


# --- loading --------------------------------------------------------------------------------


async def load_store(store: SqliteStore, entries: list[LedgerEntry]) -> dict[str, float]:
    times: dict[str, float] = {}
    sample = entries[:ADAPTER_SAMPLE]
    t0 = time.perf_counter()
    for k in range(0, len(sample), 1000):
        await store.add_ledger_entries(sample[k : k + 1000])
    times["adapter_s"] = time.perf_counter() - t0
    times["adapter_n"] = len(sample)
    rest = entries[ADAPTER_SAMPLE:]
    writer = store._writer
    assert writer is not None
    t0 = time.perf_counter()
    await writer.execute("PRAGMA synchronous=OFF")
    await writer.execute("PRAGMA cache_size=-262144")
    async with writer.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger'"
        " AND sql IS NOT NULL"
    ) as cur:
        indexes = [r[0] for r in await cur.fetchall()]
    async with store._transaction() as db:
        for name in indexes:
            await db.execute(f'DROP INDEX "{name}"')
        for k in range(0, len(rest), BULK_BATCH):
            await db.executemany(
                INSERT_ENTRY_SQL, [entry_values(e) for e in rest[k : k + BULK_BATCH]]
            )
    times["insert_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await writer.executescript(SCHEMA)  # recreates the dropped indexes, as defined
    times["index_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await writer.execute("PRAGMA cache_size=-2000")
    await writer.execute("PRAGMA synchronous=FULL")
    times["checkpoint_s"] = time.perf_counter() - t0
    times["indexes"] = len(indexes)
    return times


def _explain(path: str, sql_list: list[str]) -> dict[str, list[str]]:
    # A fresh connection: Python's sqlite3 caches prepared statements by text, and a cached
    # EXPLAIN is not re-prepared after a schema change (it reads no table), so the store's
    # own reader would show a stale plan after CREATE INDEX.
    out: dict[str, list[str]] = {}
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        for sql in sql_list:
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in db.execute("EXPLAIN QUERY PLAN " + sql):
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            out[sql] = lines
    return out


async def plans(store: SqliteStore, sql_list: list[str]) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the statements the adapter ran (captured by a trace callback)."""
    return await asyncio.to_thread(_explain, store._path, list(dict.fromkeys(sql_list)))


async def pipelined_replay(redis: Redis, redis_lb: RedisLeaderboards, store: SqliteStore) -> int:
    """What `rebuild()` does, with the same Lua script and keys, 1,000 entries per pipeline.

    A candidate for a faster `rebuild-leaderboards`: `rebuild()` awaits one round trip per
    entry. Not atomic with respect to concurrent writers (neither is `rebuild()`).
    """
    async for key in redis.scan_iter(match=keys.leaderboard_pattern(), count=500):
        await redis.delete(key)
    replayed = 0
    after: str | None = None
    while True:
        page = await store.ledger_page(after, 1000)
        if not page:
            return replayed
        async with redis.pipeline(transaction=False) as pipe:
            for e in page:
                if e.active and e.points:
                    await redis_lb._add(
                        keys=[RedisLeaderboards._key(b) for b in boards_for(e)],
                        args=[e.visitor_id, e.points, leaderboard_score(0, e.created_at)],
                        client=pipe,
                    )
            await pipe.execute()
        replayed += len(page)
        after = page[-1].id


def wait_for_quiet(redis_pid: int, max_wait: float, threshold_pct: float = 25.0) -> float:
    """Wait (bounded) until other processes use less than `threshold_pct` CPU over 2 s.

    Returns the others' CPU share seen last. The machine may be shared with other work.
    """
    deadline = time.monotonic() + max_wait
    while True:
        with CpuWatch(redis_pid) as w:
            time.sleep(2)
        if w.others_pct < threshold_pct or time.monotonic() > deadline:
            return w.others_pct
        log(f"other processes use {w.others_pct:.0f}% CPU: waiting (up to {max_wait:.0f} s)")


# Candidate indexes (not in app/): the all-time boards group by visitor without table reads.
EXPERIMENT_INDEXES = (
    "CREATE INDEX IF NOT EXISTS x_board_by_visitor ON ledger (visitor_id, points, created_at)"
    " WHERE revoked_at IS NULL AND points > 0",
    "CREATE INDEX IF NOT EXISTS x_board_by_room_visitor"
    " ON ledger (room, visitor_id, points, created_at) WHERE revoked_at IS NULL AND points > 0",
    "CREATE INDEX IF NOT EXISTS x_board_by_category_visitor"
    " ON ledger (category, visitor_id, points, created_at) WHERE revoked_at IS NULL AND points > 0",
)


# Candidate 2 (not in app/): per-board totals kept by the store, like the Redis sorted sets.
# `score` is `rewards.leaderboard_score(points, reached_at)`, so one index gives the order.
# score(p, r) = p * 2**32 + 2**32 - 1 - (unix seconds of r - unix seconds of 2020-01-01)
SUMMARY_DDL = (
    "CREATE TABLE IF NOT EXISTS x_board_totals (board TEXT NOT NULL, visitor_id TEXT NOT NULL,"
    " points INTEGER NOT NULL, reached_at TEXT NOT NULL, score INTEGER NOT NULL,"
    " PRIMARY KEY (board, visitor_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS x_board_totals_rank"
    " ON x_board_totals (board, score DESC, visitor_id DESC)",
)
SUMMARY_FILL = (
    "INSERT INTO x_board_totals (board, visitor_id, points, reached_at, score)"
    " SELECT ?1, visitor_id, total, reached, total * 4294967296 + 4294967295"
    " - (CAST(strftime('%s', substr(reached, 1, 19)) AS INTEGER) - 1577836800) FROM ("
    " SELECT visitor_id, SUM(points) AS total, MAX(created_at) AS reached FROM ledger"
    " WHERE revoked_at IS NULL AND points > 0 AND (?2 IS NULL OR room = ?2) GROUP BY visitor_id)"
)
SUMMARY_UPSERT = (
    "INSERT INTO x_board_totals (board, visitor_id, points, reached_at, score)"
    " VALUES (?1, ?2, ?3, ?4, ?3 * 4294967296 + 4294967295"
    " - (CAST(strftime('%s', substr(?4, 1, 19)) AS INTEGER) - 1577836800))"
    " ON CONFLICT (board, visitor_id) DO UPDATE SET points = points + excluded.points,"
    " reached_at = max(reached_at, excluded.reached_at),"
    " score = (points + excluded.points) * 4294967296 + 4294967295"
    " - (CAST(strftime('%s', substr(max(reached_at, excluded.reached_at), 1, 19)) AS INTEGER)"
    " - 1577836800)"
)
SUMMARY_TOP = (
    "SELECT visitor_id, points, reached_at FROM x_board_totals"
    " WHERE board = ? AND visitor_id NOT IN (SELECT visitor_id FROM disqualified)"
    " ORDER BY score DESC, visitor_id DESC LIMIT ? OFFSET ?"
)
SUMMARY_MINE = (
    "SELECT points, reached_at, score FROM x_board_totals WHERE board = ? AND visitor_id = ?"
    " AND visitor_id NOT IN (SELECT visitor_id FROM disqualified)"
)
SUMMARY_AHEAD = (
    "SELECT (SELECT COUNT(*) FROM x_board_totals WHERE board = ?1 AND score > ?2"
    "  AND visitor_id NOT IN (SELECT visitor_id FROM disqualified))"
    " + (SELECT COUNT(*) FROM x_board_totals WHERE board = ?1 AND score = ?2 AND visitor_id > ?3"
    "  AND visitor_id NOT IN (SELECT visitor_id FROM disqualified))"
)


class SummaryBoards:
    """Reads of candidate 2 through the store's reader connection (same path as the adapter)."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    @staticmethod
    def key(period: Period, now: datetime, room: str | None, category: str | None) -> str:
        return keys.leaderboard(period_key(period, now), room=room, category=category)

    async def fill(self, period: Period, room: str | None) -> None:
        async with self._store._transaction() as db:
            await db.execute(SUMMARY_FILL, (self.key(period, NOW, room, None), room))

    async def top(
        self, period: Period, now: datetime, *, room: str | None, category: str | None,
        limit: int, offset: int = 0,
    ) -> list[BoardRow]:  # fmt: skip
        rows = await self._store._read_all(
            SUMMARY_TOP,
            (self.key(period, now, room, category), limit, offset),
        )
        return [BoardRow(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    async def position(
        self, visitor_id: str, period: Period, now: datetime, *, room: str | None,
        category: str | None,
    ) -> tuple[int, BoardRow] | None:  # fmt: skip
        board = self.key(period, now, room, category)
        mine = await self._store._read_one(SUMMARY_MINE, (board, visitor_id))
        if mine is None:
            return None
        ahead = await self._store._read_one(SUMMARY_AHEAD, (board, mine[2], visitor_id))
        return ahead[0] + 1, BoardRow(visitor_id, mine[0], datetime.fromisoformat(mine[1]))

    async def append(self, entry: LedgerEntry) -> None:
        """Candidate write path: the ledger row and its 9 buckets in one transaction."""
        at = stamp(entry.created_at)
        rows = [
            (keys.leaderboard(b.key, room=b.room, category=b.category), entry.visitor_id,
             entry.points, at)
            for b in boards_for(entry)
        ]  # fmt: skip
        async with self._store._transaction() as db:
            await db.execute(INSERT_ENTRY_SQL, entry_values(entry))
            await db.executemany(SUMMARY_UPSERT, rows)


def new_vote(rng: random.Random, author: str, voter: str, room: str, category: str) -> LedgerEntry:
    """A helpful vote (5 points) on a new answer, dated in the last 24 hours."""
    msg = f"{rng.getrandbits(64):016x}"
    return LedgerEntry(
        id=f"helpful_vote:{msg}:visitor:{voter}#1",
        visitor_id=author,
        person=f"visitor:{author}",
        points=5,
        reason=Reason.HELPFUL_VOTE,
        rule="helpful_vote value=5 nth=1 factor=0.5 window_days=30 cap=20 capped=0",
        ref_kind="message",
        ref_id=msg,
        thread_id=f"{rng.getrandbits(64):016x}",
        room=room,
        category=category,
        giver_id=voter,
        giver_person=f"visitor:{voter}",
        created_at=NOW - timedelta(seconds=rng.uniform(1, 86400)),
    )


def db_size_mb(workdir: Path) -> float:
    return sum(p.stat().st_size for p in workdir.glob("bench.db*")) / 2**20


# --- main -----------------------------------------------------------------------------------


def fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


async def bench(args: argparse.Namespace, workdir: Path) -> str:
    pin = not args.no_pin and len(os.sched_getaffinity(0)) >= 2
    if pin:
        os.sched_setaffinity(0, {0})
    redis_proc, port = start_redis(workdir, 1 if pin else None)
    log(f"redis-server pid {redis_proc.pid} on 127.0.0.1:{port}")

    t0 = time.perf_counter()
    data = generate(args.entries, args.contributors, args.seed, 0.02, args.zipf)
    gen_s = time.perf_counter() - t0
    st = data.stats
    log(f"generated {len(data.entries):,} entries in {gen_s:.1f} s: {st}")

    store = SqliteStore(str(workdir / "bench.db"))
    await store.open()
    _cleanups.append(lambda: None)  # the temp dir removal closes everything that is left
    try:
        return await _bench(args, workdir, store, redis_proc, port, data, gen_s, pin)
    finally:
        await store.close()


async def _bench(
    args: argparse.Namespace,
    workdir: Path,
    store: SqliteStore,
    redis_proc: subprocess.Popen[bytes],
    port: int,
    data: Dataset,
    gen_s: float,
    pin: bool,
) -> str:
    out: list[str] = []
    load = await load_store(store, data.entries)
    log(f"store loaded: {load}")
    t0 = time.perf_counter()
    for k in range(0, len(data.revocations), REVOCATION_BATCH):
        await store.add_revocations(data.revocations[k : k + REVOCATION_BATCH])
    revoke_s = time.perf_counter() - t0
    # disqualified: one of the top contributors and one from the middle
    dq = [data.contributors[2], data.contributors[min(500, len(data.contributors) - 1)]]
    dq = dq[: args.disqualified]
    for visitor in dq:
        await store.set_disqualified(visitor, True)
    db_mb = db_size_mb(workdir)
    log(f"revocations applied in {revoke_s:.1f} s; db {db_mb:.0f} MB")

    redis = Redis(host="127.0.0.1", port=port)
    try:
        redis_lb = RedisLeaderboards(redis, store)
        store_lb = StoreLeaderboards(store)
        redis_loads: list[tuple[str, int, float]] = []
        for mode in ("pipelined", "rebuild") if args.redis_load == "both" else (args.redis_load,):
            t0 = time.perf_counter()
            if mode == "rebuild":
                replayed = await redis_lb.rebuild()
            else:
                replayed = await pipelined_replay(redis, redis_lb, store)
            elapsed = time.perf_counter() - t0
            redis_loads.append((mode, replayed, elapsed))
            log(f"redis {mode}: {replayed:,} entries in {elapsed:.1f} s")
        info = await redis.info("memory")
        n_keys = await redis.dbsize()

        busiest = data.room_keys[0]
        category = data.room_category[busiest]
        top_cases = [
            Case("top-50, all-time, global", "top", "all"),
            Case("top-50, this month, global", "top", "month"),
            Case("top-50, this week, global", "top", "week"),
            Case(f"top-50, all-time, room {busiest} (busiest)", "top", "all", room=busiest),
            Case(f"top-50, all-time, category {category}", "top", "all", category=category),
        ]

        # agreement with the reference (rewards.leaderboard over the effective view)
        revoked = {r.entry_id for r in data.revocations}
        active = [e for e in data.entries if e.id not in revoked]
        disq = frozenset(dq)
        board_sizes: dict[str, int] = {}
        for case in top_cases:
            ref = leaderboard(
                active,
                case.period,
                NOW,
                room=case.room,
                category=case.category,
                limit=None,
                disqualified=disq,
            )
            board_sizes[case.name] = len(ref)
            want = [(s.visitor_id, s.points, int(s.reached_at.timestamp())) for s in ref[:50]]
            kw: dict[str, Any] = {"room": case.room, "category": case.category, "limit": 50}
            got_store = rows_key(await store_lb.top(case.period, NOW, **kw))
            got_redis = rows_key(await redis_lb.top(case.period, NOW, **kw))
            if got_store != want:
                for i, (a, b) in enumerate(zip(got_store, want, strict=False)):
                    if a != b:
                        log(f"first difference at {i}: store {a} ref {b}")
                        break
                log(f"redis==store {got_redis == got_store}")
            assert got_store == want, f"{case.name}: store differs from the reference"
            assert got_redis == want, f"{case.name}: Redis differs from the reference"
            assert len(want) == min(50, len(ref)) and len(want) > 0
        log("top-50 agree: store == Redis == rewards.leaderboard for every case")

        # rank-read samples: half heavy (top 1,000 by activity), half anyone
        rng = random.Random(args.seed + 1)
        heavy = data.contributors[: min(1000, len(data.contributors))]
        n = max(2, args.reps)
        global_visitors = [
            rng.choice(heavy) if i % 2 == 0 else rng.choice(data.contributors) for i in range(n)
        ]
        in_room = [v for v, _ in data.room_visitors.most_common()]
        room_heavy = in_room[: max(1, len(in_room) // 100)]
        room_visitors = [
            rng.choice(room_heavy) if i % 2 == 0 else rng.choice(in_room) for i in range(n)
        ]
        pos_cases = [
            Case("rank, all-time, global", "position", "all", visitors=global_visitors),
            Case(
                f"rank, all-time, room {busiest}",
                "position",
                "all",
                room=busiest,
                visitors=room_visitors,
            ),
        ]
        del active, revoked
        entries_n, revocations_n = len(data.entries), len(data.revocations)
        data.entries.clear()
        data.revocations.clear()
        gc.collect()

        # query plans of the adapter's board statements, captured as it runs them
        traced: list[str] = []
        reader = store._reader
        assert reader is not None
        await reader.set_trace_callback(traced.append)
        await store_lb.top("all", NOW, room=None, category=None, limit=50)
        await store_lb.top("week", NOW, room=None, category=None, limit=50)
        await store_lb.top("all", NOW, room=busiest, category=None, limit=50)
        await store_lb.position(global_visitors[0], "all", NOW, room=None, category=None)
        await reader.set_trace_callback(None)
        board_sql = [s for s in traced if "GROUP BY" in s or "SUM(points)" in s]
        query_plans = await plans(store, board_sql)

        others = wait_for_quiet(redis_proc.pid, args.quiet_wait)
        log(
            f"measuring: {args.reps} reps per case, budget {args.case_budget:.0f} s per case"
            f" (others' CPU before: {others:.0f}%)"
        )
        with CpuWatch(redis_proc.pid) as read_cpu:
            for case in top_cases + pos_cases:
                await run_case(case, store_lb, redis_lb, args.reps, args.case_budget)
                s, r = case.store.summary(), case.redis.summary()
                log(f"{case.name}: store p50 {s['p50']:.2f} ms, redis p50 {r['p50']:.3f} ms")

        # side measurements on the app schema
        idle_ping, blocked_ping, disq_reads = Samples(), Samples(), Samples()
        for _ in range(100):
            idle_ping.ms.append((await timed(store.ping()))[0])
            disq_reads.ms.append((await timed(store.disqualified()))[0])
        for _ in range(args.hol_trials):  # a cheap read queued behind an all-time board
            board = asyncio.create_task(
                store_lb.top("all", NOW, room=None, category=None, limit=50)
            )
            await asyncio.sleep(0.02)
            blocked_ping.ms.append((await timed(store.ping()))[0])
            await board
        staff_page, staff_entries = Samples(), 0
        top50 = await store_lb.top("all", NOW, room=None, category=None, limit=50)
        for _ in range(3):  # what the staff contributors page reads for an all-time top 50
            t0 = time.perf_counter()
            staff_entries = 0
            for row in top50:
                staff_entries += len(await store.ledger_entries(visitor_id=row.visitor_id))
            staff_page.ms.append((time.perf_counter() - t0) * 1000)
        log(f"ping behind a board: {blocked_ping.summary()}; staff page {staff_page.summary()}")

        # write side: a new vote dated in the current week, per entry, as the service does
        wrng = random.Random(args.seed + 2)
        store_w, redis_w = Samples(), Samples()
        contributors = data.contributors
        with CpuWatch(redis_proc.pid) as write_cpu:
            deadline = time.monotonic() + args.case_budget
            for i in range(args.writes):
                if time.monotonic() > deadline:
                    break
                author = (
                    wrng.choice(heavy)
                    if i % 2 == 0
                    else contributors[wrng.randrange(len(contributors))]
                )
                voter = contributors[wrng.randrange(len(contributors))]
                room = data.room_keys[wrng.randrange(ROOMS)]
                entry = new_vote(wrng, author, voter, room, data.room_category[room])
                ms, stored = await timed(store.add_ledger_entries([entry]))
                store_w.ms.append(ms)
                ms, _ = await timed(redis_lb.record(stored))
                redis_w.ms.append(ms)
        for case in top_cases[:3]:
            kw = {"room": case.room, "category": case.category, "limit": 50}
            a = rows_key(await store_lb.top(case.period, NOW, **kw))
            b = rows_key(await redis_lb.top(case.period, NOW, **kw))
            assert a == b, f"{case.name}: store and Redis disagree after the writes"
        log("after the writes, store and Redis still agree")

        exp_cases: list[Case] = []
        exp_plans: dict[str, list[str]] = {}
        exp_index_s = 0.0
        if args.experiment:
            writer = store._writer
            assert writer is not None
            t0 = time.perf_counter()
            for ddl in EXPERIMENT_INDEXES:
                await writer.execute(ddl)
            exp_index_s = time.perf_counter() - t0
            traced.clear()
            await reader.set_trace_callback(traced.append)
            await store_lb.top("all", NOW, room=None, category=None, limit=50)
            await store_lb.top("week", NOW, room=None, category=None, limit=50)
            await store_lb.top("all", NOW, room=busiest, category=None, limit=50)
            await store_lb.top("all", NOW, room=None, category=category, limit=50)
            await store_lb.position(global_visitors[0], "all", NOW, room=None, category=None)
            await reader.set_trace_callback(None)
            exp_plans = await plans(store, [s for s in traced if "GROUP BY" in s])
            exp_reps = min(args.reps, args.experiment_reps)
            with CpuWatch(redis_proc.pid) as exp_cpu:
                for case in top_cases + pos_cases:
                    fresh = Case(case.name, case.kind, case.period, case.room, case.category,
                                 case.visitors)  # fmt: skip
                    await run_case(fresh, store_lb, redis_lb, exp_reps, args.case_budget / 2)
                    exp_cases.append(fresh)
                    s = fresh.store.summary()
                    log(f"[experiment] {fresh.name}: store p50 {s['p50']:.2f} ms")

        sum_cases: list[Case] = []
        sum_plans: dict[str, list[str]] = {}
        sum_build_s = 0.0
        sum_write, plain_write = Samples(), Samples()
        if args.experiment:
            summary = SummaryBoards(store)
            writer = store._writer
            assert writer is not None
            t0 = time.perf_counter()
            for ddl in SUMMARY_DDL:
                await writer.execute(ddl)
            await summary.fill("all", None)
            await summary.fill("all", busiest)
            sum_build_s = time.perf_counter() - t0
            traced.clear()
            await reader.set_trace_callback(traced.append)
            await summary.top("all", NOW, room=None, category=None, limit=50)
            await summary.position(global_visitors[-1], "all", NOW, room=None, category=None)
            await reader.set_trace_callback(None)
            sum_plans = await plans(store, [s for s in traced if "x_board_totals" in s])
            exp_reps = min(args.reps, max(args.experiment_reps, 200))
            for case in (top_cases[0], top_cases[3], *pos_cases):
                fresh = Case(case.name, case.kind, case.period, case.room, case.category,
                             case.visitors)  # fmt: skip
                await run_case(fresh, summary, redis_lb, exp_reps, args.case_budget / 2)
                sum_cases.append(fresh)
                s = fresh.store.summary()
                log(f"[summary] {fresh.name}: store p50 {s['p50']:.3f} ms")
            deadline = time.monotonic() + args.case_budget / 2
            for i in range(min(args.writes, 1000)):
                if time.monotonic() > deadline:
                    break
                room = data.room_keys[wrng.randrange(ROOMS)]
                author = contributors[wrng.randrange(len(contributors))]
                voter = contributors[wrng.randrange(len(contributors))]
                a = new_vote(wrng, author, voter, room, data.room_category[room])
                b = new_vote(wrng, author, voter, room, data.room_category[room])
                if i % 2:
                    plain_write.ms.append((await timed(store.add_ledger_entries([a])))[0])
                    sum_write.ms.append((await timed(summary.append(b)))[0])
                else:
                    sum_write.ms.append((await timed(summary.append(b)))[0])
                    plain_write.ms.append((await timed(store.add_ledger_entries([a])))[0])
    finally:
        await redis.aclose()

    # --- report -----------------------------------------------------------------------------
    st = data.stats
    reasons = st["reasons"]
    out.append(f"## Leaderboards: SQLite store vs Redis ({entries_n:,} ledger entries)\n")
    out.append(
        f"Dataset: {entries_n:,} entries, {st['visitors']:,} contributors with entries "
        f"(of {len(data.contributors):,}), {st['answers']:,} answers, "
        f"{st['first']:%Y-%m-%d} .. {st['last']:%Y-%m-%d %H:%M} UTC; now = {NOW:%Y-%m-%d %H:%M} "
        f"UTC ({NOW.astimezone(PARIS):%a %H:%M} Paris); {ROOMS} rooms in {len(CATEGORIES)} "
        f"categories; Zipf s={args.zipf}; seed {args.seed}."
    )
    out.append(
        "Reasons: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
        + f"; 0-point entries {st['zero_point']:,}; without a room {st['no_room']:,}."
    )
    out.append(
        f"Revoked: {st['revoked']:,} entries ({100 * st['revoked'] / entries_n:.2f}%; "
        + ", ".join(f"{k} {v:,}" for k, v in st["revoked_by"].items())
        + f"); {revocations_n:,} revocation records; disqualified: {len(dq)}."
    )
    out.append(
        "Board sizes (visitors with points > 0): "
        + "; ".join(f"{k.split(', ', 1)[1]} {v:,}" for k, v in board_sizes.items())
        + "."
    )
    out.append("")
    out.append("### Loading\n")
    out.append("| step | time |")
    out.append("|---|---|")
    out.append(f"| generate the ledger (Python objects) | {gen_s:.1f} s |")
    rate = load["adapter_n"] / load["adapter_s"]
    out.append(
        f"| store `add_ledger_entries`, first {load['adapter_n']:,} entries (batches of 1,000)"
        f" | {load['adapter_s']:.2f} s ({rate:,.0f} entries/s; 1M would take "
        f"~{1_000_000 / rate / 60:.1f} min) |"
    )
    out.append(
        f"| store bulk insert of the other {entries_n - load['adapter_n']:,} (executemany, "
        f"{load['indexes']:.0f} ledger indexes dropped, synchronous=OFF) "
        f"| {load['insert_s']:.1f} s |"
    )
    out.append(f"| store: recreate the ledger indexes from SCHEMA | {load['index_s']:.1f} s |")
    out.append(f"| store: WAL checkpoint | {load['checkpoint_s']:.1f} s |")
    out.append(
        f"| store `add_revocations`, {revocations_n:,} records (batches of "
        f"{REVOCATION_BATCH:,}) | {revoke_s:.1f} s |"
    )
    for mode, replayed, elapsed in redis_loads:
        what = (
            "`RedisLeaderboards.rebuild()` (one awaited Lua call per active non-zero entry)"
            if mode == "rebuild"
            else "same replay, same Lua script, pipelined 1,000 entries at a time (bench only)"
        )
        out.append(
            f"| Redis {what}, {replayed:,} entries | {elapsed:.1f} s "
            f"({replayed / elapsed:,.0f} entries/s) |"
        )
    out.append(
        f"\nSQLite file (with WAL): {db_mb:.0f} MB. Redis: {n_keys:,} sorted sets, "
        f"used_memory {info['used_memory'] / 2**20:.0f} MB.\n"
    )
    out.append(f"### Reads (ms; {args.reps} reps per case unless the budget stopped it)\n")
    out.append(
        "| case | n | store p50 | p95 | p99 | mean | Redis p50 | p95 | p99 | mean "
        "| Redis/store (p50) | (mean) |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in top_cases + pos_cases:
        s, r = case.store.summary(), case.redis.summary()
        flag = " (budget)" if case.stopped_by_budget else ""
        out.append(
            f"| {case.name} | {s['n']}{flag} | {fmt(s['p50'])} | {fmt(s['p95'])} | "
            f"{fmt(s['p99'])} | {fmt(s['mean'])} | {fmt(r['p50'])} | {fmt(r['p95'])} | "
            f"{fmt(r['p99'])} | {fmt(r['mean'])} | {r['p50'] / s['p50']:.4f} | "
            f"{r['mean'] / s['mean']:.4f} |"
        )
    out.append(
        f"\nCPU during the reads ({read_cpu.wall:.0f} s): this process + redis-server "
        f"{read_cpu.own_pct:.0f}% of one core; other processes {read_cpu.others_pct:.0f}% "
        f"(of {os.cpu_count()} cores = {100 * (os.cpu_count() or 1)}%)."
        f" Pinned: {'python core 0, redis-server core 1' if pin else 'no'}.\n"
    )
    out.append("### Writes: one new helpful vote (5 points), per entry (ms)\n")
    out.append("| step | n | p50 | p95 | p99 | mean |")
    out.append("|---|---|---|---|---|---|")
    for name, smp in (
        ("store `add_ledger_entries([entry])` (synchronous=FULL)", store_w),
        ("Redis `record([entry])` (9 boards, one Lua call)", redis_w),
    ):
        s = smp.summary()
        out.append(
            f"| {name} | {s['n']} | {fmt(s['p50'])} | {fmt(s['p95'])} | {fmt(s['p99'])} "
            f"| {fmt(s['mean'])} |"
        )
    out.append(
        f"\nCPU during the writes ({write_cpu.wall:.0f} s): own {write_cpu.own_pct:.0f}%, "
        f"others {write_cpu.others_pct:.0f}%.\n"
    )
    out.append("### Side measurements on the app schema (ms)\n")
    out.append("| what | n | p50 | p95 | p99 | mean |")
    out.append("|---|---|---|---|---|---|")
    for name, smp in (
        ("`store.ping()` (SELECT 1 on the reader), idle", idle_ping),
        ("`store.ping()` issued 20 ms after an all-time `top()` started", blocked_ping),
        ("`store.disqualified()` (each Redis `top`/`position` reads it)", disq_reads),
        (
            f"staff contributors page, store part: `ledger_entries(visitor_id)` for each of "
            f"the all-time top 50 ({staff_entries:,} entries)",
            staff_page,
        ),
    ):
        m = smp.summary()
        out.append(
            f"| {name} | {m['n']} | {fmt(m['p50'])} | {fmt(m['p95'])} | {fmt(m['p99'])} "
            f"| {fmt(m['mean'])} |"
        )
    out.append("")
    if exp_cases:
        out.append(
            "### Experiment (not in app/): three more partial covering indexes, store only\n"
        )
        out.append("```sql")
        out.extend(ddl + ";" for ddl in EXPERIMENT_INDEXES)
        out.append("```")
        out.append(
            f"Built in {exp_index_s:.1f} s on the loaded ledger. Same cases, same checks "
            f"(store == Redis on every call); CPU: others {exp_cpu.others_pct:.0f}%.\n"
        )
        out.append(
            "| case | n | store p50 | p95 | p99 | mean | before: p50 | store p50 now/before "
            "| Redis p50 | Redis/store (p50) |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for case, fresh in zip(top_cases + pos_cases, exp_cases, strict=True):
            b, s, r = case.store.summary(), fresh.store.summary(), fresh.redis.summary()
            out.append(
                f"| {fresh.name} | {s['n']} | {fmt(s['p50'])} | {fmt(s['p95'])} | "
                f"{fmt(s['p99'])} | {fmt(s['mean'])} | {fmt(b['p50'])} | "
                f"{s['p50'] / b['p50']:.3f} | {fmt(r['p50'])} | {r['p50'] / s['p50']:.4f} |"
            )
        out.append("\nPlans with the experimental indexes:\n")
        for sql, lines in exp_plans.items():
            out.append("```")
            out.append(sql if len(sql) < 400 else sql[:400] + " ...")
            out.extend(lines)
            out.append("```")
        out.append("")
    if sum_cases:
        out.append(
            "### Experiment (not in app/): per-board totals table in SQLite, like the sorted sets\n"
        )
        out.append("```sql")
        out.extend(ddl + ";" for ddl in SUMMARY_DDL)
        out.append("-- filled from the ledger per board; on each new entry, for its 9 buckets:")
        out.append(SUMMARY_UPSERT + ";")
        out.append("```")
        out.append(
            f"Filled for the two all-time boards measured (global, {busiest}) in "
            f"{sum_build_s:.1f} s. Reads through the store's reader connection; same checks "
            f"(== Redis on every call).\n"
        )
        out.append(
            "| case | n | p50 | p95 | p99 | mean | app store p50 | Redis p50 | Redis/this (p50) |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|")
        before = {c.name: c for c in top_cases + pos_cases}
        for fresh in sum_cases:
            m, r = fresh.store.summary(), fresh.redis.summary()
            out.append(
                f"| {fresh.name} | {m['n']} | {fmt(m['p50'])} | {fmt(m['p95'])} | "
                f"{fmt(m['p99'])} | {fmt(m['mean'])} | "
                f"{fmt(before[fresh.name].store.summary()['p50'])} | {fmt(r['p50'])} | "
                f"{r['p50'] / m['p50']:.2f} |"
            )
        out.append("\nWrite cost, one new vote, alternating (ms):\n")
        out.append("| step | n | p50 | p95 | p99 | mean |")
        out.append("|---|---|---|---|---|---|")
        for name, smp in (
            ("`add_ledger_entries([entry])` (app)", plain_write),
            ("ledger row + 9 bucket UPSERTs, one transaction", sum_write),
        ):
            m = smp.summary()
            out.append(
                f"| {name} | {m['n']} | {fmt(m['p50'])} | {fmt(m['p95'])} | {fmt(m['p99'])} "
                f"| {fmt(m['mean'])} |"
            )
        out.append("\nPlans:\n")
        for sql, lines in sum_plans.items():
            out.append("```")
            out.append(sql)
            out.extend(lines)
            out.append("```")
        out.append("")
    out.append("### Query plans of the store's board statements (app/ schema)\n")
    for sql, lines in query_plans.items():
        short = sql if len(sql) < 400 else sql[:400] + " ..."
        out.append("```")
        out.append(short)
        out.extend(lines)
        out.append("```")
    out.append(
        "\nChecks: for every top-50 case, store == Redis == `rewards.leaderboard` (visitor, "
        "points, reached_at second) before the reads; store == Redis on every timed call "
        "(top-50 lists and rank, points, second for every sampled contributor); store == "
        "Redis again after the writes."
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--contributors", type=int, default=100_000)
    p.add_argument("--reps", type=int, default=200, help="timed calls per read case")
    p.add_argument("--writes", type=int, default=3000, help="timed record() calls")
    p.add_argument("--case-budget", type=float, default=240.0, help="seconds per case, at most")
    p.add_argument("--timeout", type=float, default=5400.0, help="whole run, seconds")
    p.add_argument("--disqualified", type=int, default=2, choices=(0, 1, 2))
    p.add_argument(
        "--redis-load",
        choices=("rebuild", "pipelined", "both"),
        default="both",
        help="how Redis is filled: RedisLeaderboards.rebuild(), a pipelined replay, or both"
        " (pipelined first, then rebuild(), which drops and replays; the reads use its result)",
    )
    p.add_argument("--quiet-wait", type=float, default=120.0, help="max s to wait for idle CPUs")
    p.add_argument(
        "--no-experiment",
        dest="experiment",
        action="store_false",
        help="skip the candidate-index experiment",
    )
    p.add_argument("--experiment-reps", type=int, default=50)
    p.add_argument("--hol-trials", type=int, default=10, help="pings behind a board read")
    p.add_argument("--zipf", type=float, default=0.8, help="activity skew exponent")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--no-pin", action="store_true", help="do not pin to cores 0/1")
    p.add_argument("--tmpdir", default=None, help="where the SQLite file goes (disk, not tmpfs)")
    args = p.parse_args(argv)
    if args.entries < 1000 or args.contributors < 10 or args.contributors > args.entries:
        p.error("need entries >= 1000 and 10 <= contributors <= entries")

    workdir = Path(tempfile.mkdtemp(prefix="entraide-lb-", dir=args.tmpdir))
    _cleanups.append(lambda: shutil.rmtree(workdir, ignore_errors=True))

    def on_timeout() -> None:
        log(f"TIMEOUT after {args.timeout:.0f} s: stopping redis-server, removing {workdir}")
        cleanup()
        os._exit(3)

    watchdog = threading.Timer(args.timeout, on_timeout)
    watchdog.daemon = True
    watchdog.start()

    def on_signal(signum: int, _frame: object) -> None:
        log(f"signal {signum}: cleaning up")
        cleanup()
        os._exit(130)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    try:
        report = asyncio.run(bench(args, workdir))
    finally:
        watchdog.cancel()
        cleanup()
    print(report)
    print(
        f"\nCommand: `.venv/bin/python bench/leaderboards.py {' '.join(argv or sys.argv[1:])}`"
        f" — total {time.monotonic() - started:.0f} s, {os.cpu_count()} cores, "
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
