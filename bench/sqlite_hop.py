"""What a SQLite read by key costs through aiosqlite (a hop to its thread and back) and on
the event loop's own connection, in CPU per read, on one core; and what a unit of work of
UNIT_WRITES keyed writes costs through an aiosqlite writer (every statement a hop) and
through the store's writer (app/store/sqlite/writer.py: BEGIN and COMMIT on its thread, the
statements on the loop).

    taskset -c 0 .venv/bin/python bench/sqlite_hop.py [--reads 5000] [--units 1000]

A temp WAL database of 10,000 rows; the same primary-key reads both ways, uvloop as in the
server. The difference is what `SqliteBase._read_key` saves per read. The units run with
`synchronous=OFF` (CPU, not the disk, is measured), each BEGIN IMMEDIATE, UNIT_WRITES
`UPDATE ... WHERE id = ?`, COMMIT, as an ask's unit makes ~13 writer calls.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiosqlite
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/insights.py would shadow the `insights` package
from app.store.sqlite.writer import WriterConnection  # noqa: E402

ROWS = 10_000
UNIT_WRITES = 13


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def seed(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(str(i), "x" * 200) for i in range(ROWS)])
    db.commit()
    db.close()


async def measure(path: Path, reads: int) -> tuple[float, float]:
    sql = "SELECT id, v FROM t WHERE id = ?"
    hop = await aiosqlite.connect(path)
    start = cpu_seconds()
    for i in range(reads):
        await hop.execute_fetchall(sql, (str(i % ROWS),))
    through_thread = (cpu_seconds() - start) / reads
    await hop.close()
    own = sqlite3.connect(path)
    start = cpu_seconds()
    for i in range(reads):
        own.execute(sql, (str(i % ROWS),)).fetchone()
    on_loop = (cpu_seconds() - start) / reads
    own.close()
    return through_thread, on_loop


async def measure_units(path: Path, units: int) -> tuple[float, float]:
    sql = "UPDATE t SET v = ? WHERE id = ?"
    hop = await aiosqlite.connect(path, isolation_level=None)
    await hop.execute("PRAGMA synchronous=OFF")
    start = cpu_seconds()
    for u in range(units):
        await hop.execute("BEGIN IMMEDIATE")
        for k in range(UNIT_WRITES):
            await hop.execute(sql, ("y" * 200, str((u * UNIT_WRITES + k) % ROWS)))
        await hop.execute("COMMIT")
    through_thread = (cpu_seconds() - start) / units
    await hop.close()
    writer = await WriterConnection.connect(str(path))
    await writer.execute("PRAGMA synchronous=OFF")
    start = cpu_seconds()
    for u in range(units):
        await writer.begin()
        for k in range(UNIT_WRITES):
            await writer.execute(sql, ("z" * 200, str((u * UNIT_WRITES + k) % ROWS)))
        if (cancelled := await writer.commit()) is not None:
            raise cancelled
    on_loop = (cpu_seconds() - start) / units
    await writer.close()
    return through_thread, on_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=5000)
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    if not 0 < args.reads <= 100_000:
        parser.error("--reads must be in 1..100000")
    if not 0 < args.units <= 20_000:
        parser.error("--units must be in 1..20000")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hop.db"
        seed(path)
        wall = time.perf_counter()
        through_thread, on_loop = uvloop.run(measure(path, args.reads))
        print(f"aiosqlite (thread hop): {through_thread * 1e6:.1f} µs CPU per read")
        print(f"loop's own connection:  {on_loop * 1e6:.1f} µs CPU per read")
        print(f"ratio {through_thread / on_loop:.1f}x")
        unit_hops, unit_loop = uvloop.run(measure_units(path, args.units))
        print(
            f"unit of {UNIT_WRITES} writes, aiosqlite writer: {unit_hops * 1e6:.0f} µs CPU per unit"
        )
        print(
            f"unit of {UNIT_WRITES} writes, store's writer:   {unit_loop * 1e6:.0f} µs CPU per unit"
        )
        print(f"ratio {unit_hops / unit_loop:.1f}x, {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
