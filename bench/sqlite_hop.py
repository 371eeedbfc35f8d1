"""What a SQLite read by key costs through aiosqlite (a hop to its thread and back) and on
the event loop's own connection, in CPU per read, on one core.

    taskset -c 0 .venv/bin/python bench/sqlite_hop.py [--reads 5000]

A temp WAL database of 10,000 rows; the same primary-key reads both ways, uvloop as in the
server. The difference is what `SqliteBase._read_key` saves per read.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

import aiosqlite
import uvloop

ROWS = 10_000


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=5000)
    args = parser.parse_args()
    if not 0 < args.reads <= 100_000:
        parser.error("--reads must be in 1..100000")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hop.db"
        seed(path)
        wall = time.perf_counter()
        through_thread, on_loop = uvloop.run(measure(path, args.reads))
        print(f"aiosqlite (thread hop): {through_thread * 1e6:.1f} µs CPU per read")
        print(f"loop's own connection:  {on_loop * 1e6:.1f} µs CPU per read")
        print(f"ratio {through_thread / on_loop:.1f}x, {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
