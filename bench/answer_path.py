"""The rewarded write path: answer, helpful vote and accept, timed through the services.

Every answer, vote and accept runs the rewards listeners before it returns (ledger entries,
board totals, Redis when configured, rank and badge checks). This measures that path
in-process on a real SQLite file (synchronous=FULL), with no network, for two checkouts
on the same load:

    .venv/bin/python bench/answer_path.py --reference <commit>   # e.g. the previous release

The reference commit is exported (`git archive`) to a temp folder and driven by the same
script in a child process, one after the other. The load: one room; 40 helpers of whom
one, "heavy", already has `--heavy-entries` ledger entries (a top contributor of a big
shop: their stats and totals are the expensive ones); per iteration a shopper asks, a
helper answers (the heavy one every fifth time), another shopper votes the answer helpful
and the asker accepts it. Texts vary (moderation would hold a flood of identical ones).
Back to back by default (a saturated process: the ratio is one of throughput); `--rate N`
spreads the 4N writes of N iterations a second evenly, as steady traffic would; `--settle`
times each ack on an idle process. Bounded by `--iterations` and `--budget` seconds per
run. Reports p50/p95/p99 per step and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "bracelet montre cadran étanche plongée acier titane verre saphir pile batterie "
    "boucle maillon taille poignet réglage heure date alarme chrono lumière nuit écran "
    "sangle cuir silicone garantie couleur noir bleu vert poids léger solide rayure "
    "boîtier couronne aiguille marée boussole altimètre baromètre capteur synchronisation"
).split()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def drive(args: argparse.Namespace) -> dict[str, Any]:
    """One run against the checkout on sys.path (this one or an exported reference)."""
    from app.factory import create_app

    folder = tempfile.mkdtemp(prefix="answer-path-")
    try:
        app = create_app(
            {
                "database_url": f"sqlite:///{folder}/bench.db",
                "secret_key": "x" * 40,
                "write_rate": "100000/second",
                "visitor_rate": "100000/second",
                "sweeper": "off",
                # One shopper asks many questions here: flood checks would hold most of them.
                "moderation": '{"default": {"flood_messages": 1000000, "flood_window_seconds": 1}}',
            }
        )
        svc = app.services
        await svc.store.open()
        try:
            dispatcher = getattr(svc, "dispatcher", None)
            if dispatcher is None:  # before the outbox: listeners ran inside each write
                return await _load(svc, args)
            # The outbox: listeners (rewards) run beside the writes, as in the server, and
            # compete with them for the loop and the writer; acks do not wait for them.
            async with dispatcher.running(recover_all=True):
                result = await _load(svc, args)
                t0 = time.perf_counter()
                await dispatcher.idle()
                result["drain_ms"] = (time.perf_counter() - t0) * 1000
                result["top"] = await _top(svc, result.pop("heavy_id"))
                return result
        finally:
            await svc.store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _load(svc: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Seed the room and the heavy contributor, then time answer, vote and accept."""
    from datetime import UTC, datetime, timedelta

    from app.services import payloads as p
    from rewards.ledger import LedgerEntry
    from rewards.rules import Reason

    rng = random.Random(args.seed)
    room = p.Join(room="montre-maree", product=p.ProductInfo(title="Montre", category="montres"))
    if hasattr(svc.qa, "open_room"):  # the one write path: rooms opened explicitly
        await svc.qa.open_room(room)
    else:
        await svc.qa.join(room)

    async def visitor(name: str) -> Any:
        made, _ = await svc.identity.create_visitor(name)
        return made

    helpers = [await visitor(f"Aide {i}") for i in range(40)]
    shoppers = [await visitor(f"Client {i}") for i in range(40)]
    heavy = helpers[0]
    start = datetime.now(UTC) - timedelta(days=150)
    history = [
        LedgerEntry(
            id=f"seed:{i}", visitor_id=heavy.id, person=f"visitor:{heavy.id}",
            points=5, reason=Reason.HELPFUL_VOTE if i % 3 else Reason.ANSWER,
            rule="seed", ref_kind="message", ref_id=f"seed-m{i // 3}", thread_id=None,
            room="montre-maree", category="montres", giver_id=None,
            giver_person=f"visitor:g{i % 700}" if i % 3 else None,
            lang="fr" if i % 2 else "en", note=None,
            created_at=start + timedelta(seconds=i * 600),
        )
        for i in range(args.heavy_entries)
    ]  # fmt: skip
    for i in range(0, len(history), 2000):
        await svc.store.add_ledger_entries(history[i : i + 2000])
    # Everyone has taken part once, so their votes count at once.
    for person in shoppers:
        await svc.qa.ask(
            person, p.Ask(room="montre-maree", body="Bonjour ?", client_id=f"warmup-{person.id}")
        )

    times: dict[str, list[float]] = {
        "answer": [],
        "vote": [],
        "accept": [],
        "answer_heavy": [],
        "held": [],
    }
    dispatcher = getattr(svc, "dispatcher", None)

    began = time.monotonic()
    steps = 0

    async def settle() -> None:
        """Before each timed step. With --settle, wait (untimed) until the after-commit work
        of the previous step is done, so each ack is timed on an otherwise idle process, as
        the reference's are. With --rate, wait for the step's turn: write k of the run
        starts at k / (4 * rate) seconds (at once when late), as steady traffic would."""
        nonlocal steps
        steps += 1
        if args.settle and dispatcher is not None:
            await dispatcher.idle()
        if args.rate:
            await asyncio.sleep(max(0.0, began + steps / (4 * args.rate) - time.monotonic()))

    deadline = time.monotonic() + args.budget
    for i in range(args.iterations):
        if time.monotonic() > deadline:
            break
        await settle()  # the ask's turn (untimed)
        asker, voter = rng.sample(shoppers, 2)
        helper = heavy if i % 5 == 0 else rng.choice(helpers[1:])
        words = " ".join(rng.sample(WORDS, 9))
        asked = await svc.qa.ask(
            asker,
            p.Ask(
                room="montre-maree",
                body=f"Question {i} : {words} ?",
                client_id=f"question-{i:06d}",
            ),
        )
        if asked.held:
            times["held"].append(0.0)  # moderation held it: not rewarded, not timed
            continue
        await settle()
        t0 = time.perf_counter()
        answered = await svc.qa.answer(
            helper,
            p.AnswerIn(
                thread_id=asked.thread.id,
                body=f"Oui, {i} fois : {words[::-1]} et {rng.choice(WORDS)}.",
                client_id=f"answer-{i:06d}",
            ),
        )
        t1 = time.perf_counter()
        if answered.message is None or answered.held:
            times["held"].append(0.0)  # moderation held it: not rewarded, not timed
            continue
        await settle()
        t1b = time.perf_counter()
        await svc.qa.vote(voter, p.Vote(message_id=answered.message.id, value=1))
        t2 = time.perf_counter()
        await settle()
        t2b = time.perf_counter()
        await svc.qa.accept(asker, p.Accept(message_id=answered.message.id))
        t3 = time.perf_counter()
        times["answer_heavy" if helper is heavy else "answer"].append((t1 - t0) * 1000)
        times["vote"].append((t2 - t1b) * 1000)
        times["accept"].append((t3 - t2b) * 1000)
    if getattr(svc, "dispatcher", None) is not None:
        return {"times": times, "heavy_id": heavy.id}  # the board once rewards are written
    return {"times": times, "top": await _top(svc, heavy.id)}


async def _top(svc: Any, heavy_id: str) -> list[tuple[bool, int]]:
    board = await svc.rewards.top("all", room=None, category=None, limit=3)
    return [(r.visitor_id == heavy_id, r.points) for r in board]


def export(commit: str, into: Path) -> Path:
    """`git archive` of the reference commit, with this checkout's node-free venv reused."""
    target = into / commit[:12]
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True, timeout=60
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True, timeout=60)
    return target


def child(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable, str(Path(__file__).resolve()), "--child", str(root),
        "--iterations", str(args.iterations), "--budget", str(args.budget),
        "--heavy-entries", str(args.heavy_entries), "--seed", str(args.seed),
        *(["--settle"] if args.settle else []), "--rate", str(args.rate),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        cmd,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=args.budget + 300,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"run in {root} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(ours: dict[str, Any], ref: dict[str, Any], ref_name: str) -> str:
    lines = [
        f"| step | n | ours p50 | p95 | p99 | {ref_name} p50 | p95 | p99 | ours/ref p50 | p99 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for step in ("answer", "answer_heavy", "vote", "accept"):
        a, b = ours["times"][step], ref["times"][step]
        if not a or not b:
            continue
        row = [pct(a, 50), pct(a, 95), pct(a, 99), pct(b, 50), pct(b, 95), pct(b, 99)]
        lines.append(
            f"| {step} | {len(a)}/{len(b)} | "
            + " | ".join(f"{v:.2f}" for v in row)
            + f" | {row[0] / row[3]:.2f} | {row[2] / row[5]:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reference", help="commit to compare with (exported with git archive)")
    parser.add_argument("--iterations", type=int, default=600)
    parser.add_argument("--budget", type=float, default=240.0, help="seconds per run at most")
    parser.add_argument("--heavy-entries", type=int, default=16_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--settle",
        action="store_true",
        help="time each ack after the previous step's after-commit work is done (untimed)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="start iterations at this many per second (4 writes each); default back to back",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(drive(args))))
        return 0
    if not args.reference:
        parser.error("--reference is required")
    with tempfile.TemporaryDirectory(prefix="answer-path-ref-") as tmp:
        ref_root = export(args.reference, Path(tmp))
        ours = child(ROOT, args)
        ref = child(ref_root, args)
    print(f"iterations {args.iterations}, heavy contributor {args.heavy_entries} entries")
    print(f"top 3 all-time (heavy?, points): ours {ours['top']}, reference {ref['top']}")
    if "drain_ms" in ours:
        print(f"ours: rewards still to write after the last ack: {ours['drain_ms']:.0f} ms")
    held = [len(run["times"]["held"]) for run in (ours, ref)]
    print(f"held by moderation (not timed): ours {held[0]}, reference {held[1]}")
    print(table(ours, ref, args.reference[:7]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
