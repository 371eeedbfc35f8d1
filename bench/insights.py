"""Brand insights at scale: `InsightsService.report` over a store of 1,000,000 questions.

Generates per-question facts (`insights.facts.ThreadFacts`) for `--threads` questions over
`--days` days in 50 rooms (seeded: ~85% answered with long-tailed first-answer times, ~15%
of them by staff, ~10% escalated, ~5% frustrated, ~40% rated, 3-8 topic terms per question
from a Zipf-skewed vocabulary of 200 stems per room, ~1% not counted), stores them in a
`SqliteStore` on a temp file, then times, bounded by `--iterations` and `--budget`:

- the whole report (headline, by day, by product, topics with their examples) for the last
  30 days, the last 30 days of one room, and the last 90 days;
- as a reference on the same data in the same run: the same 30-day counts as one aggregate
  that reads the whole table (`NOT INDEXED`), the "compute from scratch per request" way.

Also timed alone, to say which part of the report is slow: the store's counts, its
first-answer histogram, its top terms and the topics step (top terms, term questions for
this period and the previous one, titles and examples).

Loading: the first 50,000 facts go through `save_thread_facts` in batches of 5,000 (timed:
the adapter's rate); the rest are written with the same SQL (same columns, same values, `ts`
for `created_at`, terms only for counted questions) in transactions of 100,000, which makes
the same rows in a fraction of the time. Checks once that the 30-day headline equals
`SELECT COUNT(*) FROM insight_facts WHERE counted = 1 AND day BETWEEN ? AND ?`.

    .venv/bin/python bench/insights.py                      # 1,000,000 questions, 3 years
    .venv/bin/python bench/insights.py --threads 100000 --days 365 --iterations 10
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.models import Room  # noqa: E402
from app.factory import create_app  # noqa: E402
from app.services.insights import TOP_TERMS  # noqa: E402
from app.store.sqlite.insights import (  # noqa: E402
    INSERT_FACT_SQL,
    INSERT_TERM_SQL,
    fact_row,
    term_rows,
)
from insights.facts import ThreadFacts  # noqa: E402
from insights.topics import LATEST, window  # noqa: E402

ROOMS = [f"produit-{i:02d}" for i in range(50)]
CATEGORIES = ["montres", "sacs", "cannes", "leurres", "vetements", "chaussures", "outils", "jeux"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def facts(n: int, days: int, today: date, rng: random.Random) -> list[ThreadFacts]:
    vocab = {room: [f"{room[-2:]}t{k}" for k in range(200)] for room in ROOMS}
    weights = [1 / (k + 1) for k in range(200)]
    made = []
    for i in range(n):
        room = (
            ROOMS[min(49, int(rng.paretovariate(1.2)) - 1)]
            if rng.random() < 0.5
            else rng.choice(ROOMS)
        )
        day = today - timedelta(days=rng.randrange(days))
        answered = rng.random() < 0.85
        rated = answered and rng.random() < 0.4
        made.append(
            ThreadFacts(
                thread_id=f"q{i:08d}",
                room=room,
                category=CATEGORIES[ROOMS.index(room) % 8],
                day=day.isoformat(),
                created_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                counted=rng.random() > 0.01,
                first_answer_seconds=int(rng.lognormvariate(6.5, 1.3)) if answered else None,
                answered_by=("staff" if rng.random() < 0.15 else "community") if answered else None,
                escalated=rng.random() < 0.10,
                resolved=answered and rng.random() < 0.5,
                frustrated=rng.random() < 0.05,
                helpful=(rng.random() < 0.8) if rated else None,
                would_have_contacted=(rng.random() < 0.4) if rated else None,
                terms=tuple(dict.fromkeys(rng.choices(vocab[room], weights, k=rng.randint(3, 8)))),
            )
        )
    return made


def bulk_insert(path: str, rows: list[ThreadFacts]) -> None:
    """The rows `save_thread_facts` writes (its own SQL and row functions), in bigger
    transactions."""
    db = sqlite3.connect(path)
    try:
        with db:
            db.executemany(INSERT_FACT_SQL, [fact_row(f) for f in rows])
            db.executemany(INSERT_TERM_SQL, term_rows(rows))
    finally:
        db.close()


def database_mib(folder: str) -> float:
    return sum(os.path.getsize(p) for p in Path(folder).glob("bench.db*")) / 2**20


async def timed(call: Any, iterations: int, budget: float) -> list[float]:
    times: list[float] = []
    deadline = time.monotonic() + budget
    for _ in range(iterations):
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        await call()
        times.append((time.perf_counter() - t0) * 1000)
    return times


async def main(args: argparse.Namespace) -> int:
    folder = tempfile.mkdtemp(prefix="insights-bench-")
    path = f"{folder}/bench.db"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {' '.join(sys.argv)}")
    try:
        app = create_app(
            {"database_url": f"sqlite:///{path}", "secret_key": "x" * 40, "sweeper": "off"}
        )
        store, insights = app.services.store, app.services.insights
        await store.open()
        for i, key in enumerate(ROOMS):
            await store.ensure_room(
                Room(
                    key=key,
                    title=f"Produit {i}",
                    url=f"https://shop.example/{key}",
                    category=CATEGORIES[i % 8],
                    created_at=datetime.now(UTC),
                )
            )
        today = insights.today()
        t0 = time.perf_counter()
        rows = facts(args.threads, args.days, today, random.Random(args.seed))
        made_s = time.perf_counter() - t0
        first = rows[: args.adapter_rows]
        t0 = time.perf_counter()
        for i in range(0, len(first), 5_000):
            await store.save_thread_facts(first[i : i + 5_000])
        adapter_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(len(first), len(rows), 100_000):
            bulk_insert(path, rows[i : i + 100_000])
        bulk_s = time.perf_counter() - t0
        size = database_mib(folder)
        terms = sum(len(f.terms) for f in rows if f.counted)
        print(
            f"generated {len(rows):,} facts ({terms:,} terms) in {made_s:.1f} s;"
            f" save_thread_facts: {len(first):,} in {adapter_s:.1f} s"
            f" ({len(first) / adapter_s:,.0f}/s); the other {len(rows) - len(first):,} in"
            f" {bulk_s:.1f} s ({(len(rows) - len(first)) / max(bulk_s, 1e-9):,.0f}/s);"
            f" seeding {made_s + adapter_s + bulk_s:.1f} s in all; database {size:,.0f} MiB"
        )
        # The generated facts are the bench's, not the server's: a million objects left in
        # this heap made every full garbage collection pause reports by ~350 ms.
        del rows, first
        gc.collect()

        q30 = insights.query(None, None, None, None)
        q30room = insights.query(None, None, ROOMS[0], None)
        q90 = insights.query((today - timedelta(days=89)).isoformat(), None, None, None)
        db = sqlite3.connect(path)
        direct = db.execute(
            "SELECT COUNT(*) FROM insight_facts WHERE counted = 1 AND day BETWEEN ? AND ?",
            (q30.start.isoformat(), q30.end.isoformat()),
        ).fetchone()[0]
        doc = await insights.report(q30)
        assert doc["questions"] == direct, (doc["questions"], direct)
        print(
            f"30 days: {direct:,} questions, {len(doc['topics'])} topics, checked against COUNT(*)"
        )

        async def full_scan() -> None:
            # The columns insight_counts computes, reading the whole table.
            db.execute(
                "SELECT day, room, COUNT(*), SUM(first_answer_seconds IS NOT NULL),"
                " SUM(answered_by = 'community'), SUM(answered_by = 'staff'), SUM(escalated),"
                " SUM(resolved), SUM(frustrated), SUM(helpful IS NOT NULL), SUM(helpful = 1),"
                " SUM(helpful = 1 AND would_have_contacted = 1)"
                " FROM insight_facts NOT INDEXED WHERE counted = 1 AND day BETWEEN ? AND ?"
                " GROUP BY day, room",
                (q30.start.isoformat(), q30.end.isoformat()),
            ).fetchall()

        async def top_terms() -> None:
            latest = window(q30, await store.nth_latest_day(q30, LATEST))
            await store.top_terms(latest, TOP_TERMS)

        cases = {
            "report, 30 days": lambda: insights.report(q30),
            "report, 30 days, one room": lambda: insights.report(q30room),
            "report, 90 days": lambda: insights.report(q90),
            "counts only, 30 days (store)": lambda: store.insight_counts(q30),
            "histogram only, 30 days (store)": lambda: store.first_answer_histogram(q30),
            "window + top terms, 30 days (store)": top_terms,
            "topics step, 30 days": lambda: insights._topics(q30),
            "reference: full scan, 30-day counts": full_scan,
        }
        results = {
            name: await timed(call, args.iterations, args.budget) for name, call in cases.items()
        }
        db.close()
        print("\n| case | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
        for name, times in results.items():
            print(
                f"| {name} | {len(times)} | {statistics.median(times):.1f} | "
                f"{pct(times, 95):.1f} | {max(times):.1f} |"
            )
        ref = results["reference: full scan, 30-day counts"]
        print()
        for name in ("report, 30 days", "counts only, 30 days (store)"):
            ours = results[name]
            p50 = statistics.median(ours) / statistics.median(ref)
            p95 = pct(ours, 95) / pct(ref, 95)
            print(f"{name} / full scan: p50 {p50:.3f}, p95 {p95:.3f}")
        await store.close()
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case at most")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--adapter-rows", type=int, default=50_000, help="facts saved via save_thread_facts"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
