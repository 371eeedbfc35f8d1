"""Leaderboards: the SQLite store's per-board totals vs Redis sorted sets.

Generates a realistic points ledger (default 1,000,000 entries, 100,000 contributors,
~6 months, 50 rooms in 8 categories, Zipf-skewed activity, ~2% revoked), loads it into
a `SqliteStore` on a temp file (its `board_totals` recomputed by `rebuild_boards()`, timed;
it works in transactions of `REBUILD_VISITORS` visitors) and into Redis through
`RedisLeaderboards.rebuild()` (timed, while another process writes),
checks that both agree with each other and with the reference `rewards.leaderboard`, then
times:

- top-50 reads (`StoreLeaderboards.top` vs `RedisLeaderboards.top`): all-time, this month,
  this week (global), one room and one category (all-time);
- rank reads (`.position`) for sampled contributors (heavy and tail), global and one room,
  and the last place of the global board (the most rows ahead: the store's worst case);
- the write side: `add_ledger_entries([entry])` (ledger row + its 9 bucket UPSERTs) next to
  a replica of the pre-totals body (ledger row only), and `RedisLeaderboards.record`;
- a cheap read (`store.ping()`) queued behind a board read; the staff contributors list's
  store part (`ledger_counts`, `points_totals` of the all-time top 50);
- `contributor_stats` (badges: read before and after every award, and for the titles and
  badges of a public board when `RewardsService.shown_stats` has them not cached) for the
  most active contributor, for median ones, and for the all-time top 50 (the leaderboard
  endpoint's cold read), checked against `rewards.badges.stats_for` of their whole ledgers;
- revocations: hiding one answer (a heavy and a typical contributor) and banning a heavy
  contributor, then restoring, each through `add_revocations` + `RedisLeaderboards.recompute`
  as `RewardsService._revoke` does (the store shifts the flipped entries' buckets, and
  recounts a visitor with more than `RECOUNT_OVER` flips at once: a ban).

    .venv/bin/python bench/leaderboards.py                     # 1M entries, 100k people
    .venv/bin/python bench/leaderboards.py --entries 50000 --contributors 5000 --reps 50

Method: store and Redis are timed in the same run,
alternating call by call, and reported as ratios; every loop is bounded by a repetition
count *and* a time budget; Redis is a private `redis-server` on a free loopback port
(`--save "" --appendonly no`); the whole run is bounded by `--timeout`. The Python process
is pinned to core 0 and redis-server to core 1 (`--no-pin` to disable); the CPU that other
processes took during the measurements is reported. The temp directory, redis-server and
the probe writer are removed/stopped on exit, on failure, on Ctrl-C/SIGTERM and on timeout.

Loading: the store's `add_ledger_entries` is timed on the first 5,000 entries (the
adapter's path); the rest goes through the adapter's writer connection with its own
INSERT statement and row format (`INSERT_ENTRY_SQL`, `entry_values`), with the ledger's
secondary indexes dropped and recreated from the adapter's SCHEMA afterwards. That path
bypasses the board totals, so `store.rebuild_boards()` then recomputes them (what opening a
database from before `board_totals` does, and the store part of `rebuild-leaderboards`).
Revocations and disqualifications go through the adapter (`add_revocations`,
`set_disqualified`). Every read goes through the adapters.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import gc
import itertools
import math
import multiprocessing
import os
import queue
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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from redis.asyncio import Redis  # noqa: E402

from app.adapters.redis_leaderboards import RedisLeaderboards  # noqa: E402
from app.services.leaderboards import StoreLeaderboards  # noqa: E402
from app.store.sqlite import SqliteStore  # noqa: E402
from app.store.sqlite.base import SCHEMA  # noqa: E402
from app.store.sqlite.boards import REBUILD_VISITORS, RECOUNT_OVER  # noqa: E402
from app.store.sqlite.ledger_rows import INSERT_ENTRY_SQL, LEDGER_COLUMNS, entry_values  # noqa: E402
from app.store.sqlite.rewards import SqliteRewards  # noqa: E402
from rewards.badges import ContributorStats, stats_for  # noqa: E402
from rewards.leaderboard import (  # noqa: E402
    Board,
    BoardRow,
    board_for,
    leaderboard,
)
from rewards.ledger import (  # noqa: E402
    LedgerEntry,
    Revocation,
    restore,
    revoke,
    snapshot,
    staff_person,
)
from rewards.periods import PARIS, Period  # noqa: E402
from rewards.rules import Reason, RevokeReason  # noqa: E402

NOW = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)  # Sunday 20:00 in Paris: a full week
SPAN_DAYS = 182
ROOMS = 50
CATEGORIES = ("shoes", "outerwear", "beauty", "home", "kids", "sport", "electronics", "garden")
ADAPTER_SAMPLE = 5_000  # entries loaded through add_ledger_entries, to time that path
BULK_BATCH = 50_000
REVOCATION_BATCH = 2_000
WARMUP = 3
PROBE_GAP_S = 0.5  # the probe writer's pause between two writes during the rebuild
PROBE_MAX_WRITES = 2_000
# The statements `SqliteRewards.rebuild_boards` walks the ledger with, per chunk of
# REBUILD_VISITORS visitors (their text with sample bounds, for their plans: tracing the
# writer during the rebuild would add a callback per INSERT). Constant columns.
REBUILD_SELECTS = [
    "SELECT MAX(visitor_id) AS last FROM (SELECT DISTINCT visitor_id FROM ledger"  # noqa: S608
    f" WHERE visitor_id > '8' ORDER BY visitor_id LIMIT {REBUILD_VISITORS})",
    f"SELECT {LEDGER_COLUMNS} FROM ledger"  # noqa: S608
    " WHERE visitor_id > '8' AND visitor_id <= '8050' AND revoked_at IS NULL AND points > 0",
]

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

    @property
    def board(self) -> Board:
        return board_for(self.period, NOW, room=self.room, category=self.category)


async def run_case(
    case: Case,
    store_lb: StoreLeaderboards,
    redis_lb: RedisLeaderboards,
    reps: int,
    budget_s: float,
) -> None:
    """Alternate store and Redis call by call (order flipped every rep); compare results."""
    board = case.board

    def calls(i: int) -> tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]:
        if case.kind == "top":
            return (
                lambda: store_lb.top(board, limit=50),
                lambda: redis_lb.top(board, limit=50),
            )
        visitor = case.visitors[i % len(case.visitors)]
        return (
            lambda: store_lb.position(visitor, board),
            lambda: redis_lb.position(visitor, board),
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


async def check_agree(
    cases: list[Case], store_lb: StoreLeaderboards, redis_lb: RedisLeaderboards
) -> list[str]:
    """Top-50 cases where the store and Redis differ (empty: they agree)."""
    differ = []
    for case in cases:
        a = rows_key(await store_lb.top(case.board, limit=50))
        b = rows_key(await redis_lb.top(case.board, limit=50))
        if a != b:
            differ.append(case.name)
    return differ


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
    await writer.execute("PRAGMA cache_size=-2000")  # back to the app's settings
    await writer.execute("PRAGMA synchronous=FULL")
    times["checkpoint_s"] = time.perf_counter() - t0
    times["indexes"] = len(indexes)
    # The bulk path bypassed the totals (they hold the sample only): recompute them, as
    # opening a database from before `board_totals` does.
    t0 = time.perf_counter()
    times["board_rows"] = await store.rebuild_boards()
    times["rebuild_boards_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    await writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    times["checkpoint2_s"] = time.perf_counter() - t0
    return times


def _explain(path: str, sql_list: list[str]) -> dict[str, list[str]]:
    # A fresh connection: Python's sqlite3 caches prepared statements by text, and a cached
    # EXPLAIN is not re-prepared after a schema change (it reads no table).
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


async def old_add_ledger_entry(store: SqliteStore, entry: LedgerEntry) -> None:
    """Bench replica of `add_ledger_entries` before 5364d0b (ledger row and the revocation
    mirror, no bucket UPSERTs): the same-run baseline for the write cost."""
    async with store._transaction() as db:
        await db.execute(INSERT_ENTRY_SQL, entry_values(entry))
        await SqliteRewards._refresh(db, [entry.id])


def db_size_mb(workdir: Path) -> float:
    return sum(p.stat().st_size for p in workdir.glob("bench.db*")) / 2**20


# --- another process writing during `rebuild-leaderboards` ---------------------------------


@dataclass
class Probe:
    at_s: float  # since the rebuild started
    phase: str  # "store" (rebuild_boards running) | "copy" (copy to Redis and swap)
    ping_ms: float
    write_ms: float
    outcome: str


def probe_writer(
    db_path: str,
    port: int,
    seed: int,
    authors: list[str],
    rooms: dict[str, str],
    core: int | None,
    ready: Any,
    go: Any,
    stop: Any,
    out: Any,
) -> None:
    """A second process with the app's own adapters on the same SQLite file and Redis,
    doing what a vote does (`add_ledger_entries` then `record`) every PROBE_GAP_S while
    the bench process runs `RedisLeaderboards.rebuild()` (as `entraide rebuild-leaderboards`
    does next to a running server). Bounded by PROBE_MAX_WRITES and by `stop`."""
    if core is not None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {core})
    asyncio.run(_probe_writer(db_path, port, seed, authors, rooms, ready, go, stop, out))


async def _probe_writer(
    db_path: str,
    port: int,
    seed: int,
    authors: list[str],
    rooms: dict[str, str],
    ready: Any,
    go: Any,
    stop: Any,
    out: Any,
) -> None:
    store = SqliteStore(db_path)
    await store.open()
    redis = Redis(host="127.0.0.1", port=port)
    lb = RedisLeaderboards(redis, store)
    rng = random.Random(seed)
    room_keys = sorted(rooms)
    try:
        ready.set()
        if not await asyncio.to_thread(go.wait, 600):
            return
        for _ in range(PROBE_MAX_WRITES):
            if stop.is_set():
                break
            started = time.monotonic()
            ping_ms, _ = await timed(store.ping())
            room = rng.choice(room_keys)
            entry = new_vote(rng, rng.choice(authors), rng.choice(authors), room, rooms[room])
            t0 = time.perf_counter()
            stored: list[LedgerEntry] = []
            try:
                stored = await store.add_ledger_entries([entry])
                await lb.record(stored)
                outcome = "ok"
            except Exception as exc:  # reported, not raised: the probe must go on
                outcome = f"{type(exc).__name__}: {exc}"
            write_ms = (time.perf_counter() - t0) * 1000
            out.put((started, ping_ms, write_ms, outcome, stored))
            await asyncio.sleep(PROBE_GAP_S)
    finally:
        await redis.aclose()
        await store.close()
        out.put(None)  # the end: the bench drains the queue up to here


@dataclass
class RebuildRun:
    kept: int = 0
    total_s: float = 0.0
    store_s: float = 0.0
    probes: list[Probe] = field(default_factory=list)
    written: list[LedgerEntry] = field(default_factory=list)
    others_pct: float = 0.0


async def rebuild_with_probe(
    store: SqliteStore,
    redis_lb: RedisLeaderboards,
    redis_pid: int,
    port: int,
    data: Dataset,
    seed: int,
    pin: bool,
) -> RebuildRun:
    """`RedisLeaderboards.rebuild()`, timed in all and for its store part
    (`rebuild_boards`), while another process writes votes."""
    ctx = multiprocessing.get_context("spawn")
    ready, go, stop = ctx.Event(), ctx.Event(), ctx.Event()
    out: Any = ctx.Queue()
    authors = data.contributors[: min(1000, len(data.contributors))]
    proc = ctx.Process(
        target=probe_writer,
        args=(
            store._path,
            port,
            seed,
            authors,
            data.room_category,
            1 if pin else None,
            ready,
            go,
            stop,
            out,
        ),
        daemon=True,
    )
    proc.start()

    def kill_probe() -> None:
        if proc.is_alive():
            proc.kill()
            proc.join(5)

    _cleanups.append(kill_probe)
    # Drain the queue while the probe runs: a child process cannot exit while its queue's
    # pipe (64 KiB, ~110 of these items) is full, and what it still buffers is lost if it
    # is killed then.
    items: list[Any] = []

    def collect() -> None:
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            try:
                item = out.get(timeout=1)
            except queue.Empty:
                if not proc.is_alive():
                    break
                continue
            if item is None:
                break
            items.append(item)

    collector = threading.Thread(target=collect, name="probe-collector", daemon=True)
    collector.start()
    run = RebuildRun()
    if not await asyncio.to_thread(ready.wait, 120):
        raise RuntimeError("probe writer did not start within 120 s")
    original = store.rebuild_boards
    marks: dict[str, float] = {}

    async def store_part() -> int:
        marks["store_start"] = time.monotonic()
        try:
            return await original()
        finally:
            marks["store_end"] = time.monotonic()

    store.rebuild_boards = store_part  # type: ignore[method-assign]
    try:
        with CpuWatch(redis_pid) as cpu:
            t0 = time.monotonic()
            go.set()
            run.kept = await redis_lb.rebuild()
            run.total_s = time.monotonic() - t0
            stop.set()
            await asyncio.to_thread(collector.join, 60)
            await asyncio.to_thread(proc.join, 30)
    finally:
        del store.rebuild_boards  # the class's method again
        stop.set()
        go.set()
    if collector.is_alive() or proc.is_alive():
        raise RuntimeError("the probe writer did not finish: its writes are not all known")
    kill_probe()
    run.others_pct = cpu.others_pct
    run.store_s = marks["store_end"] - marks["store_start"]
    for started, ping_ms, write_ms, outcome, stored in items:
        if started > t0 + run.total_s:
            phase = "after"
        elif started < marks["store_end"]:
            phase = "store"
        else:
            phase = "copy"
        run.probes.append(Probe(started - t0, phase, ping_ms, write_ms, outcome))
        run.written.extend(stored)
    return run


# --- revocations ------------------------------------------------------------------------------


@dataclass
class Revoking:
    """One kind of revocation, done then undone `reps` times, as `RewardsService` does:
    read the entries, make the records, `add_revocations`, then `recompute` on Redis."""

    name: str
    store: Samples = field(default_factory=Samples)  # ledger read + add_revocations
    redis: Samples = field(default_factory=Samples)  # RedisLeaderboards.recompute
    records: list[int] = field(default_factory=list)


async def revoke_and_time(
    store: SqliteStore,
    redis_lb: RedisLeaderboards,
    into: Revoking,
    at: datetime,
    *,
    undo: bool,
    ref_id: str | None = None,
    visitor_id: str | None = None,
) -> None:
    reason = RevokeReason.CONTENT_HIDDEN if ref_id is not None else RevokeReason.AUTHOR_BANNED
    act = restore if undo else revoke
    t0 = time.perf_counter()
    if ref_id is not None:
        entries = await store.ledger_entries(ref_ids=[ref_id])
    else:
        entries = await store.ledger_entries(visitor_id=visitor_id)
    records = act(entries, at=at, reason=reason, ref_id=ref_id, visitor_id=visitor_id)
    await store.add_revocations(records)
    into.store.ms.append((time.perf_counter() - t0) * 1000)
    changed = {r.entry_id for r in records}
    ms, _ = await timed(redis_lb.recompute([e for e in entries if e.id in changed]))
    into.redis.ms.append(ms)
    into.records.append(len(records))


async def longest_ping(store: SqliteStore, task: asyncio.Task[Any], limit: int = 1000) -> float:
    """The longest of back-to-back `store.ping()` calls made while `task` runs (at least
    one): how long a cheap read can wait behind it on the one reader connection."""
    worst = 0.0
    for _ in range(limit):
        worst = max(worst, (await timed(store.ping()))[0])
        if task.done():
            break
    return worst


async def answers_of(store: SqliteStore, visitor_id: str) -> list[str]:
    """Message ids of this visitor's active, rewarded answers (oldest first)."""
    mine = await store.ledger_entries(visitor_id=visitor_id)
    return [e.ref_id for e in mine if e.reason == Reason.ANSWER and e.active and e.points]


# --- main -----------------------------------------------------------------------------------


def fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


# The previous run of this bench (design before 5364d0b: aggregates over the ledger; file
# bench/leaderboards.md at 5364d0b), same dataset at the default size: (p50, p95, p99, mean).
BEFORE: dict[str, tuple[float, float, float, float]] = {
    "top-50, all-time, global": (1587, 1829, 2034, 1612),
    "top-50, this month, global": (108, 163, 170, 115),
    "top-50, this week, global": (31.11, 34.39, 42.65, 31.65),
    "top-50, all-time, room room-00 (busiest)": (171, 264, 272, 190),
    "top-50, all-time, category shoes": (231, 363, 383, 250),
    "rank, all-time, global": (1772, 2296, 2372, 1820),
    "rank, all-time, room room-00": (237, 320, 330, 245),
    "add_ledger_entries": (1.33, 3.14, 13.33, 1.78),
    "record": (0.604, 0.965, 1.23, 0.649),
    "ping after top": (2108, 2387, 2387, 2147),
    "staff": (2564, 2565, 2565, 2529),
}
BEFORE_LOAD = {"redis_rebuild_s": 402.6, "revocations_s": 3.0, "adapter_s": 0.51}
# The run of this bench in 7a27ecb (per-bucket totals of 5364d0b, before the revocation shift,
# the chunked rebuild and `contributor_stats` in one round trip; others' CPU 23-128%), same
# dataset at the default size: (p50, p99) per case, store side; seconds for the loading.
PREVIOUS: dict[str, tuple[float, float]] = {
    "top-50, all-time, global": (0.204, 0.449),
    "top-50, this month, global": (0.233, 0.477),
    "top-50, this week, global": (0.204, 0.491),
    "top-50, all-time, room room-00 (busiest)": (0.201, 1.16),
    "top-50, all-time, category shoes": (0.204, 1.05),
    "rank, all-time, global": (1.27, 26.15),
    "rank, all-time, room room-00": (0.760, 10.05),
    "rank, all-time, global, last place": (15.97, 65.12),
    "add_ledger_entries": (2.06, 23.63),
    "baseline": (0.845, 17.09),
    "record": (0.685, 29.43),
    "idle": (0.089, 0.598),
    "ping20": (0.256, 0.950),
    "ping20_read": (0.290, 0.780),
    "ping0": (0.200, 1.09),
    "ping_last": (15.98, 23.05),
    "ping_last_read": (16.61, 24.91),
    "disq": (0.095, 0.456),
    "counts": (195, 1376),
    "totals": (0.459, 4.92),
    "staff_old": (2317, 2741),
}
# revocations (store p50, Redis p50) and loading steps (s), same run
PREVIOUS_REVOKE: dict[str, tuple[float, float]] = {
    "hide heavy": (426, 38.37),
    "restore heavy": (430, 48.49),
    "hide typical": (5.90, 2.77),
    "restore typical": (2.68, 1.88),
    "ban": (2897, 210),
    "unban": (2657, 338),
}
PREVIOUS_LOAD = {
    "gen_s": 14.0,
    "adapter_s": 0.83,
    "insert_s": 12.8,
    "index_s": 5.5,
    "rebuild_boards_s": 144.8,
    "revocations_s": 58.4,
    "redis_rebuild_s": 179.4,
    "redis_store_s": 125.6,
    "redis_copy_s": 53.8,
}


def row(name: str, m: dict[str, float], extra: str = "") -> str:
    return (
        f"| {name} | {m['n']} | {fmt(m['p50'])} | {fmt(m['p95'])} | {fmt(m['p99'])} "
        f"| {fmt(m['mean'])} |{extra}"
    )


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
    with CpuWatch(redis_proc.pid) as load_cpu:
        load = await load_store(store, data.entries)
        log(f"store loaded: {load}")
        t0 = time.perf_counter()
        for k in range(0, len(data.revocations), REVOCATION_BATCH):
            await store.add_revocations(data.revocations[k : k + REVOCATION_BATCH])
        revoke_s = time.perf_counter() - t0
    log(f"revocations applied in {revoke_s:.1f} s (others' CPU {load_cpu.others_pct:.0f}%)")
    # disqualified: one of the top contributors and one from the middle
    dq = [data.contributors[2], data.contributors[min(500, len(data.contributors) - 1)]]
    dq = dq[: args.disqualified]
    for visitor in dq:
        await store.set_disqualified(visitor, True)
    db_mb = db_size_mb(workdir)
    board_rows = (await store._read_one("SELECT COUNT(*) AS n FROM board_totals", ()))["n"]
    log(f"db {db_mb:.0f} MB, board_totals {board_rows:,} rows")

    redis = Redis(host="127.0.0.1", port=port)
    try:
        redis_lb = RedisLeaderboards(redis, store)
        store_lb = StoreLeaderboards(store)
        rebuild = await rebuild_with_probe(
            store, redis_lb, redis_proc.pid, port, data, args.seed + 3, pin
        )
        ok = sum(1 for p in rebuild.probes if p.outcome == "ok")
        log(
            f"redis rebuild: {rebuild.kept:,} rows in {rebuild.total_s:.1f} s (store part "
            f"{rebuild.store_s:.1f} s); probe writes {ok}/{len(rebuild.probes)} ok"
        )
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
        # Writes that straddle the swap can count twice (a documented window): seen here?
        straddled = await check_agree(top_cases, store_lb, redis_lb)
        if straddled:
            log(f"after the rebuild, store and Redis differ on {straddled}: resetting")
            await redis_lb.recompute(rebuild.written)

        # every ledger row is known: the generated ones and the probe's stored writes
        in_ledger = (await store._read_one("SELECT COUNT(*) AS n FROM ledger", ()))["n"]
        assert in_ledger == len(data.entries) + len(rebuild.written), (
            f"ledger has {in_ledger:,} rows, expected {len(data.entries):,} + "
            f"{len(rebuild.written)} probe writes"
        )
        # agreement with the reference (rewards.leaderboard over the effective view)
        revoked = {r.entry_id for r in data.revocations}
        active = [e for e in data.entries if e.id not in revoked] + rebuild.written
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
            got_store = rows_key(await store_lb.top(case.board, limit=50))
            got_redis = rows_key(await redis_lb.top(case.board, limit=50))
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
        all_board = top_cases[0].board
        global_size = board_sizes[top_cases[0].name]
        last = (await store_lb.top(all_board, limit=1, offset=global_size - 1))[0].visitor_id
        pos_cases = [
            Case("rank, all-time, global", "position", "all", visitors=global_visitors),
            Case(
                f"rank, all-time, room {busiest}",
                "position",
                "all",
                room=busiest,
                visitors=room_visitors,
            ),
            Case(
                f"rank, all-time, global, last place (#{global_size:,})",
                "position",
                "all",
                visitors=[last],
            ),
        ]
        # typical contributors for the one-answer revocation: the median of the activity
        mid = len(data.contributors) // 2
        typical = data.contributors[mid : mid + 50]
        entries_n, revocations_n = len(data.entries), len(data.revocations)
        del active, revoked
        data.entries.clear()
        data.revocations.clear()
        gc.collect()

        # query plans of the adapter's board statements, captured as it runs them
        traced: list[str] = []
        reader = store._reader
        assert reader is not None
        await reader.set_trace_callback(traced.append)
        top50 = await store_lb.top(all_board, limit=50)
        await store_lb.top(top_cases[2].board, limit=50)
        await store_lb.top(top_cases[3].board, limit=50)
        await store_lb.position(top50[0].visitor_id, all_board)
        await store_lb.position(last, all_board)
        await store.ledger_counts([r.visitor_id for r in top50])
        await store.contributor_stats([r.visitor_id for r in top50])
        await store.board_rows_of(top50[0].visitor_id)
        await store.board_page(None, 5000)
        await reader.set_trace_callback(None)
        wanted = [s for s in traced if "board_totals" in s or "GROUP BY visitor_id, reason" in s]
        query_plans = await plans(store, [*wanted, *REBUILD_SELECTS])

        others = wait_for_quiet(redis_proc.pid, args.quiet_wait)
        log(
            f"measuring: {args.reps} reps per case, budget {args.case_budget:.0f} s per case"
            f" (others' CPU before: {others:.0f}%)"
        )
        with CpuWatch(redis_proc.pid) as read_cpu:
            for case in top_cases + pos_cases:
                reps = args.reps if len(case.visitors) != 1 else min(args.reps, 200)
                await run_case(case, store_lb, redis_lb, reps, args.case_budget)
                s, r = case.store.summary(), case.redis.summary()
                log(f"{case.name}: store p50 {s['p50']:.3f} ms, redis p50 {r['p50']:.3f} ms")

        # side measurements on the app schema
        side: dict[str, Samples] = defaultdict(Samples)
        with CpuWatch(redis_proc.pid) as side_cpu:
            for _ in range(100):
                side["idle"].ms.append((await timed(store.ping()))[0])
                side["disq"].ms.append((await timed(store.disqualified()))[0])
            for _ in range(args.hol_trials):  # as before 5364d0b: one ping, 20 ms later
                task = asyncio.create_task(timed(store_lb.top(all_board, limit=50)))
                await asyncio.sleep(0.02)
                side["ping20"].ms.append((await timed(store.ping()))[0])
                side["ping20_read"].ms.append((await task)[0])
            for what, call in (
                ("ping0", lambda: store_lb.top(all_board, limit=50)),
                ("ping_last", lambda: store_lb.position(last, all_board)),
            ):
                for _ in range(args.hol_trials):  # pings back to back while the read runs
                    task = asyncio.create_task(timed(call()))
                    await asyncio.sleep(0)
                    side[what].ms.append(await longest_ping(store, task))
                    side[what + "_read"].ms.append((await task)[0])
            ids = [r.visitor_id for r in top50]
            deadline = time.monotonic() + args.case_budget
            for _ in range(args.staff_reps):
                if time.monotonic() > deadline:
                    break
                ms, counts = await timed(store.ledger_counts(ids))
                side["counts"].ms.append(ms)
                side["totals"].ms.append((await timed(store.points_totals(ids)))[0])
            staff_entries = 0
            ref_stats: dict[str, ContributorStats] = {}
            for _ in range(3):  # the path before 5364d0b: each contributor's whole ledger
                t0 = time.perf_counter()
                staff_entries = 0
                whole: dict[str, Counter[str]] = {}
                for r in top50:
                    mine = await store.ledger_entries(visitor_id=r.visitor_id)
                    staff_entries += len(mine)
                    whole[r.visitor_id] = Counter(e.reason.value for e in mine if e.active)
                    ref_stats[r.visitor_id] = stats_for(mine, r.visitor_id)
                side["staff_old"].ms.append((time.perf_counter() - t0) * 1000)
            assert counts == {v: dict(c) for v, c in whole.items()}, "ledger_counts differs"
            # contributor_stats: read before and after every award (badges), and by the
            # public board for the names it shows (cached 30 s by `shown_stats`; timed cold)
            most = data.contributors[0]
            deadline = time.monotonic() + args.case_budget
            top_stats: dict[str, ContributorStats] = {}
            for i in range(args.stats_reps):
                if time.monotonic() > deadline:
                    break
                one = typical[i % len(typical)]
                side["stats_heavy"].ms.append((await timed(store.contributor_stats([most])))[0])
                side["stats_median"].ms.append((await timed(store.contributor_stats([one])))[0])
                ms, top_stats = await timed(store.contributor_stats(ids))
                side["stats_top50"].ms.append(ms)
            assert top_stats == ref_stats, "contributor_stats of the top 50 != stats_for"
            stats_sizes: dict[str, int] = {}
            for v in [most, *typical]:
                mine = await store.ledger_entries(visitor_id=v)
                stats_sizes[v] = len(mine)
                got = (await store.contributor_stats([v]))[v]
                assert got == stats_for(mine, v), f"contributor_stats({v}) != stats_for"
        log(f"side measurements: { {k: v.summary()['p50'] for k, v in side.items()} }")

        # write side: a new vote dated in the current week, per entry, as the service does;
        # alternating with the pre-totals replica (a 0-point twin, so no board counts it)
        wrng = random.Random(args.seed + 2)
        store_w, old_w, redis_w = Samples(), Samples(), Samples()
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
                twin = replace(new_vote(wrng, author, voter, room, entry.category or ""), points=0)
                if i % 2:
                    old_w.ms.append((await timed(old_add_ledger_entry(store, twin)))[0])
                ms, stored = await timed(store.add_ledger_entries([entry]))
                store_w.ms.append(ms)
                ms, _ = await timed(redis_lb.record(stored))
                redis_w.ms.append(ms)
                if i % 2 == 0:
                    old_w.ms.append((await timed(old_add_ledger_entry(store, twin)))[0])
        differ = await check_agree(top_cases, store_lb, redis_lb)
        assert not differ, f"store and Redis disagree after the writes: {differ}"
        log("after the writes, store and Redis still agree")

        # revocations, each undone after: one answer (heavy, typical), a ban (heavy)
        target = data.contributors[0]  # the most active (never disqualified here)
        heavy_answers = await answers_of(store, target)
        hrng = random.Random(args.seed + 4)
        picks = hrng.sample(heavy_answers, min(args.revocation_reps, len(heavy_answers)))
        typical_picks = []
        for v in typical[: args.revocation_reps]:
            mine = await answers_of(store, v)
            if mine:
                typical_picks.append(mine[0])
        at = NOW + timedelta(minutes=1)
        hide_heavy = Revoking(f"hide one answer of the most active contributor ({target})")
        hide_typical = Revoking("hide one answer of a typical (median) contributor")
        ban = Revoking(f"ban the most active contributor ({target}): all their entries")
        unhide_heavy = Revoking("restore that answer (heavy)")
        unhide_typical = Revoking("restore that answer (typical)")
        unban = Revoking("lift the ban (restore all their entries)")
        target_entries = len(await store.ledger_entries(visitor_id=target))
        with CpuWatch(redis_proc.pid) as revoke_cpu:
            for hide, unhide, msgs in (
                (hide_heavy, unhide_heavy, picks),
                (hide_typical, unhide_typical, typical_picks),
            ):
                deadline = time.monotonic() + args.case_budget / 3
                for msg in msgs:
                    if time.monotonic() > deadline:
                        break
                    await revoke_and_time(store, redis_lb, hide, at, undo=False, ref_id=msg)
                    await revoke_and_time(store, redis_lb, unhide, at, undo=True, ref_id=msg)
            deadline = time.monotonic() + args.case_budget / 3
            for _ in range(args.ban_reps):
                if time.monotonic() > deadline:
                    break
                await revoke_and_time(store, redis_lb, ban, at, undo=False, visitor_id=target)
                banned = await store_lb.position(target, all_board)
                assert banned is None and await redis_lb.position(target, all_board) is None
                await revoke_and_time(store, redis_lb, unban, at, undo=True, visitor_id=target)
        differ = await check_agree(top_cases, store_lb, redis_lb)
        assert not differ, f"store and Redis disagree after the revocations: {differ}"
        back = (
            await store_lb.position(target, all_board),
            await redis_lb.position(target, all_board),
        )
        assert back[0] is not None and back[1] is not None and back[0][0] == back[1][0]
        log("after the revocations, store and Redis still agree")
    finally:
        await redis.aclose()

    # --- report -----------------------------------------------------------------------------
    default_size = (
        args.entries == 1_000_000
        and args.contributors == 100_000
        and args.seed == 20261122
        and args.zipf == 0.8
    )
    st = data.stats
    reasons = st["reasons"]
    out.append(f"## Leaderboards: SQLite store totals vs Redis ({entries_n:,} ledger entries)\n")
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
        + f". board_totals rows: {board_rows:,}."
    )
    out.append(
        "\n'before' columns: the first run of this bench, on the design before 5364d0b "
        "(aggregates over the ledger), same dataset; bench/leaderboards.md at 5364d0b. "
        "'7a27ecb' columns: the previous run (per-bucket totals, before the revocation shift, "
        "the chunked rebuild and the one-round-trip `contributor_stats`; others' CPU 23-128% "
        "during it), bench/leaderboards.md at 7a27ecb.\n"
        if default_size
        else "\n(not the default size: no 'before' or '7a27ecb' numbers)\n"
    )
    bl = BEFORE_LOAD if default_size else {}
    pl = PREVIOUS_LOAD if default_size else {}

    def before(key: str) -> str:
        b = BEFORE.get(key) if default_size else None
        return f" {fmt(b[0])} / {fmt(b[2])} |" if b else " - |"

    def previous(key: str) -> str:
        b = PREVIOUS.get(key.split(" (#")[0]) if default_size else None
        return f" {fmt(b[0])} / {fmt(b[1])} |" if b else " - |"

    def prev_s(key: str) -> str:
        return f"{pl[key]} s" if key in pl else "-"

    out.append("### Loading and rebuilds\n")
    out.append("| step | time | 7a27ecb | before |")
    out.append("|---|---|---|---|")
    out.append(f"| generate the ledger (Python objects) | {gen_s:.1f} s | {prev_s('gen_s')} | |")
    rate = load["adapter_n"] / load["adapter_s"]
    out.append(
        f"| store `add_ledger_entries`, first {load['adapter_n']:,} entries (batches of 1,000;"
        f" ledger rows + bucket UPSERTs) | {load['adapter_s']:.2f} s ({rate:,.0f} entries/s) "
        f"| {prev_s('adapter_s')} | {bl.get('adapter_s', '-')} s |"
    )
    out.append(
        f"| store bulk insert of the other {entries_n - load['adapter_n']:,} (executemany, "
        f"{load['indexes']:.0f} ledger indexes dropped, synchronous=OFF; bench only) "
        f"| {load['insert_s']:.1f} s | {prev_s('insert_s')} | |"
    )
    out.append(
        f"| store: recreate the ledger indexes from SCHEMA | {load['index_s']:.1f} s "
        f"| {prev_s('index_s')} | |"
    )
    out.append(f"| store: WAL checkpoint | {load['checkpoint_s']:.1f} s | | |")
    out.append(
        f"| **store `rebuild_boards()`** ({load['board_rows']:,.0f} rows; transactions of "
        f"{REBUILD_VISITORS} visitors; app settings: synchronous=FULL, default cache) "
        f"| **{load['rebuild_boards_s']:.1f} s** | {prev_s('rebuild_boards_s')} (one "
        "transaction) | |"
    )
    out.append(f"| store: WAL checkpoint after it | {load['checkpoint2_s']:.1f} s | | |")
    out.append(
        f"| store `add_revocations`, {revocations_n:,} records (batches of "
        f"{REVOCATION_BATCH:,}; shifts the flipped entries' buckets, recounts a visitor with "
        f"more than {RECOUNT_OVER} flips in a batch) | {revoke_s:.1f} s "
        f"| {prev_s('revocations_s')} | {bl.get('revocations_s', '-')} s |"
    )
    out.append(
        f"| **`RedisLeaderboards.rebuild()`** in all ({rebuild.kept:,} rows) "
        f"| **{rebuild.total_s:.1f} s** | {prev_s('redis_rebuild_s')} "
        f"| {bl.get('redis_rebuild_s', '-')} s (replay) |"
    )
    out.append(
        f"| of which store `rebuild_boards()` | {rebuild.store_s:.1f} s "
        f"| {prev_s('redis_store_s')} | |"
    )
    out.append(
        f"| of which copy to `lb-rebuild:*` sets + swap + resets | "
        f"{rebuild.total_s - rebuild.store_s:.1f} s | {prev_s('redis_copy_s')} | |"
    )
    out.append(
        f"\nCPU while loading (store steps): others {load_cpu.others_pct:.0f}%; during "
        f"`rebuild()`: others {rebuild.others_pct:.0f}% (includes the probe writer process). "
        f"SQLite file (with WAL): {db_mb:.0f} MB. Redis: {n_keys:,} keys, used_memory "
        f"{info['used_memory'] / 2**20:.0f} MB.\n"
    )
    out.append(
        f"Another process (the app's adapters on the same file and Redis) wrote one vote "
        f"every {PROBE_GAP_S} s during `rebuild()` (`add_ledger_entries` + `record`):\n"
    )
    out.append(
        "| phase | writes | ok | failed | write ms p50 / max | ping ms p50 / max | first error |"
    )
    out.append("|---|---|---|---|---|---|---|")
    for phase in ("store", "copy", "after"):
        ps = [p for p in rebuild.probes if p.phase == phase]
        if not ps:
            continue
        good = [p for p in ps if p.outcome == "ok"]
        bad = [p for p in ps if p.outcome != "ok"]
        w = Samples([p.write_ms for p in ps]).summary()
        pg = Samples([p.ping_ms for p in ps]).summary()
        out.append(
            f"| {phase} | {len(ps)} | {len(good)} | {len(bad)} | {fmt(w['p50'])} / "
            f"{fmt(max(p.write_ms for p in ps))} | {fmt(pg['p50'])} / "
            f"{fmt(max(p.ping_ms for p in ps))} | {bad[0].outcome if bad else ''} |"
        )
    out.append(
        f"\n(store = issued while `rebuild_boards()` ran, in transactions of "
        f"{REBUILD_VISITORS} visitors; copy = during the copy to Redis and the swap; after = "
        "once `rebuild()` had returned."
        + (
            " 7a27ecb, one transaction: store phase 24 writes, 2 ok, 22 `database is "
            "locked`, write p50 5,018 ms.) "
            if default_size
            else ") "
        )
        + (
            f"After the rebuild store and Redis differed on {straddled} (a write straddling "
            "the swap); `recompute` of the probe's entries fixed it."
            if straddled
            else "After the rebuild, store == Redis on every top-50 case, the probe's "
            "successful writes counted once (== reference)."
        )
        + "\n"
    )
    out.append(f"### Reads (ms; {args.reps} reps per case unless the budget stopped it)\n")
    out.append(
        "| case | n | store p50 | p95 | p99 | mean | 7a27ecb: store p50 / p99 "
        "| before: store p50 / p99 | Redis p50 | p95 | p99 | mean | Redis/store (p50) | (mean) |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in top_cases + pos_cases:
        s, r = case.store.summary(), case.redis.summary()
        flag = " (budget)" if case.stopped_by_budget else ""
        out.append(
            f"| {case.name} | {s['n']}{flag} | {fmt(s['p50'])} | {fmt(s['p95'])} | "
            f"{fmt(s['p99'])} | {fmt(s['mean'])} |{previous(case.name)}{before(case.name)} "
            f"{fmt(r['p50'])} | "
            f"{fmt(r['p95'])} | {fmt(r['p99'])} | {fmt(r['mean'])} | "
            f"{r['p50'] / s['p50']:.2f} | {r['mean'] / s['mean']:.2f} |"
        )
    out.append(
        f"\nCPU during the reads ({read_cpu.wall:.0f} s): this process + redis-server "
        f"{read_cpu.own_pct:.0f}% of one core; other processes {read_cpu.others_pct:.0f}% "
        f"(of {os.cpu_count()} cores = {100 * (os.cpu_count() or 1)}%)."
        f" Pinned: {'python core 0, redis-server core 1' if pin else 'no'}.\n"
    )
    out.append("### Writes: one new helpful vote (5 points), per entry (ms)\n")
    out.append("| step | n | p50 | p95 | p99 | mean | 7a27ecb: p50 / p99 | before: p50 / p99 |")
    out.append("|---|---|---|---|---|---|---|---|")
    for name, smp, key in (
        (
            "store `add_ledger_entries([entry])` (ledger row + 9 bucket UPSERTs, synchronous=FULL)",
            store_w,
            "add_ledger_entries",
        ),
        (
            "same-run baseline: ledger row only (replica of the pre-5364d0b body)",
            old_w,
            "baseline",
        ),
        ("Redis `record([entry])` (9 boards, one Lua call)", redis_w, "record"),
    ):
        out.append(row(name, smp.summary(), previous(key) + before(key)))
    out.append(
        f"\nCPU during the writes ({write_cpu.wall:.0f} s): own {write_cpu.own_pct:.0f}%, "
        f"others {write_cpu.others_pct:.0f}%.\n"
    )
    out.append("### Side measurements on the app schema (ms)\n")
    out.append("| what | n | p50 | p95 | p99 | mean | 7a27ecb: p50 / p99 | before: p50 / p99 |")
    out.append("|---|---|---|---|---|---|---|---|")
    typical_n = [n for v, n in stats_sizes.items() if v != most]
    for name, key, bkey in (
        ("`store.ping()` (SELECT 1 on the reader), idle", "idle", ""),
        (
            "`store.ping()` issued 20 ms after an all-time `top()` started",
            "ping20",
            "ping after top",
        ),
        ("  that `top()` itself", "ping20_read", ""),
        ("longest `store.ping()` while an all-time `top()` runs (back to back)", "ping0", ""),
        ("  that `top()` itself", "ping0_read", ""),
        ("longest `store.ping()` while the last place's rank is read", "ping_last", ""),
        ("  that `position()` itself", "ping_last_read", ""),
        ("`store.disqualified()` (each Redis `top`/`position` reads it)", "disq", ""),
        ("staff list, store part: `ledger_counts` of the all-time top 50", "counts", "staff"),
        ("staff list, store part: `points_totals` of the all-time top 50", "totals", ""),
        (
            f"  same-run baseline: `ledger_entries(visitor_id)` for each of the 50 "
            f"({staff_entries:,} entries; the path before 5364d0b)",
            "staff_old",
            "",
        ),
        (
            f"`contributor_stats([v])`, the most active contributor ({stats_sizes[most]:,} "
            "entries)",
            "stats_heavy",
            "",
        ),
        (
            f"`contributor_stats([v])`, median contributors ({len(typical_n)} in turn, "
            f"{min(typical_n):,}-{max(typical_n):,} entries)",
            "stats_median",
            "",
        ),
        (
            f"`contributor_stats` of the all-time top 50 ({staff_entries:,} entries): the "
            "public board's cold read",
            "stats_top50",
            "",
        ),
    ):
        out.append(row(name, side[key].summary(), previous(key) + before(bkey)))
    out.append(f"\nCPU during these: others {side_cpu.others_pct:.0f}%.\n")
    out.append(
        "### Revocations, each undone right after (ms; store = ledger read + "
        "`add_revocations`, Redis = `recompute`)\n"
    )
    out.append(
        f"The most active contributor has {target_entries:,} entries. `add_revocations` "
        "shifts the buckets of the entries whose state flipped (subtract/add; `reached_at` "
        "looked up when the entry was the latest), and recounts a visitor from all their "
        f"active entries when more than {RECOUNT_OVER} of theirs flip at once (a ban).\n"
    )
    out.append(
        "| what | n | records | store p50 | p95 | max | Redis p50 | p95 | max "
        "| 7a27ecb: store p50 / Redis p50 |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for rv, key in (
        (hide_heavy, "hide heavy"),
        (unhide_heavy, "restore heavy"),
        (hide_typical, "hide typical"),
        (unhide_typical, "restore typical"),
        (ban, "ban"),
        (unban, "unban"),
    ):
        s, r = rv.store.summary(), rv.redis.summary()
        recs = f"{min(rv.records):,}–{max(rv.records):,}" if rv.records else "-"
        pr = PREVIOUS_REVOKE.get(key) if default_size else None
        out.append(
            f"| {rv.name} | {s['n']} | {recs} | {fmt(s['p50'])} | {fmt(s['p95'])} | "
            f"{fmt(max(rv.store.ms, default=math.nan))} | {fmt(r['p50'])} | {fmt(r['p95'])} | "
            f"{fmt(max(rv.redis.ms, default=math.nan))} | "
            + (f"{fmt(pr[0])} / {fmt(pr[1])} |" if pr else "- |")
        )
    out.append(f"\nCPU during these: others {revoke_cpu.others_pct:.0f}%.\n")
    out.append("### Query plans of the store's board statements (app/ schema)\n")
    for sql, lines in query_plans.items():
        short = sql if len(sql) < 400 else sql[:400] + " ..."
        out.append("```")
        out.append(short)
        out.extend(lines)
        out.append("```")
    out.append(
        "\nChecks: for every top-50 case, store == Redis == `rewards.leaderboard` (visitor, "
        "points, reached_at second) after loading and the rebuild (with the probe's writes); "
        "store == Redis on every timed call (top-50 lists and rank, points, second for every "
        "sampled contributor); `ledger_counts` == counts from the whole ledgers; "
        "`contributor_stats` == `rewards.badges.stats_for` of the whole ledgers (the top 50, "
        "the most active, the median ones); store == "
        "Redis again after the writes and after the revocations (a banned contributor off "
        "both boards, back at the same rank on both after the ban is lifted)."
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--contributors", type=int, default=100_000)
    p.add_argument("--reps", type=int, default=1000, help="timed calls per read case")
    p.add_argument("--writes", type=int, default=3000, help="timed new votes")
    p.add_argument("--case-budget", type=float, default=240.0, help="seconds per case, at most")
    p.add_argument("--timeout", type=float, default=5400.0, help="whole run, seconds")
    p.add_argument("--disqualified", type=int, default=2, choices=(0, 1, 2))
    p.add_argument("--quiet-wait", type=float, default=120.0, help="max s to wait for idle CPUs")
    p.add_argument("--hol-trials", type=int, default=20, help="pings behind a board read")
    p.add_argument("--staff-reps", type=int, default=50, help="ledger_counts calls")
    p.add_argument("--stats-reps", type=int, default=200, help="contributor_stats rounds")
    p.add_argument("--revocation-reps", type=int, default=20, help="answers hidden per kind")
    p.add_argument("--ban-reps", type=int, default=3, help="ban + unban cycles")
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
    command = " ".join([".venv/bin/python bench/leaderboards.py", *(argv or sys.argv[1:])])
    print(
        f"\nCommand: `{command}`"
        f" — total {time.monotonic() - started:.0f} s, {os.cpu_count()} cores, "
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
