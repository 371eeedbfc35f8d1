"""Issue 11 at size: `similar` over a room of 10,000 answered threads, and the public pages
(`/q/<room>`, `/q/<room>/<thread>`, the snippet) served from their whole-page cache.

Seeding (not timed as part of any result): a temp SQLite file gets two rooms, a GPS watch
with `--threads` answered questions (10,000 by default; ~70% French, ~30% English,
generated from templates over a few hundred product words, places, phones and numbers, so
the vocabulary is varied and long-tailed) and a small backpack room with `--small-threads`,
plus `--faq` FAQ entries in the big room. Everything is written through the store's own API,
as the use cases write it: `insert_thread(thread, search_terms(body))` (room event, FTS row),
then one or two answers with `lifecycle.record_answer` + `insert_message` (thread saved with
its version check, room event), then the asker's accept with `lifecycle.accept` +
`update_thread` (status resolved, accepted answer, room event); FAQ entries with `save_faq`
as `Knowledge.promote` does. 500 threads per `store.atomic()` transaction (the one cost this
skips is one fsync per write). No moderation, rewards or outbox: none of them is read here.

Then, bounded by count and by `--budget` seconds each:

1. `Knowledge.similar` in-process (`create_app(...).services.knowledge` on the opened store,
   the server's `similar_limit`) over `--drafts` varied drafts (normal questions, 2-3 word
   queries, long multi-question drafts): p50/p95/p99 ms, and how many FTS rows the drafts'
   terms match in the room (what bm25 has to rank).
2. The same drafts over HTTP, sequentially (aiohttp), against the real server:
   `python -m app.cli run` in its own process pinned to `--server-core` (this script, wrk
   and py-spy stay on `--client-core`), `ENTRAIDE_SWEEPER=off`, 127.0.0.1 only.
3. Requests per second with `wrk -t1 -c<connections> -d<duration>s --latency` against that
   server: `/healthz` (the framework's floor), `/q/<room>` (200 from cache), the same with
   `If-None-Match` (304), `/q/<room>/<thread>` (from cache), `/api/v1/rooms/<room>/snippet`
   (from cache); each page is requested once first (it then stays cached 60 s, longer than
   a run). As a reference, the render path a crawler pays: thread pages nobody requested
   yet, each once (a wrk script; 1/`--repeats` of the room's threads per round). After an
   untimed warm-up run, `--repeats` rounds of all cases; a row is the round with the most
   req/s (the others are listed). Also reported: bytes per response, the server process's
   CPU share and its core's busy share during the run (their gap is other processes on
   that core), and req/s per server CPU-second.

Lexical search throughout (`semantic` "off" in-process and `ENTRAIDE_SEMANTIC=off` for the
server) unless `--semantic` (needs the [semantic] extra), which adds, in the same run:

4. The app's own backfill (`Semantic.backfill` on an in-process app with `semantic="on"`,
   its one worker thread) embeds every answered thread and FAQ entry: time and texts/s.
5. On a fresh in-process app (the model already loaded: one per process), the first
   `Knowledge.similar` (it loads the room's vectors into one matrix and embeds the draft),
   then the same drafts as in 1 by meaning (each draft embedded once: p50/p95/p99 per kind,
   and how many answers were "semantic" vs "lexical", i.e. nothing passed the floor), then
   the same drafts again (now in the draft cache: the cost without embedding), and the cost
   of reloading the room's vectors (what a `similar` call pays at most every RELOAD seconds
   once new answers were embedded). RSS (VmRSS / RssAnon) of this process before the model,
   after it, after the room's vectors are loaded.
6. Step 2 against a second server with `ENTRAIDE_SEMANTIC=on` on the same file (vectors
   already stored: its start-up backfill finds nothing to embed): the first request alone,
   then the drafts; the server's RSS after the run, beside the lexical server's.

`--profile` adds one more `/q/<room>` run with `py-spy record` (raw, 100 Hz) on the server
and prints where its samples go (needs `py-spy` on PATH or `--py-spy PATH`).

    .venv/bin/python bench/knowledge.py
    .venv/bin/python bench/knowledge.py --threads 2000 --duration 5 --profile
    .venv/bin/python bench/knowledge.py --semantic --repeats 1 --duration 3
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/insights.py would shadow the `insights` package

import aiohttp  # noqa: E402

from app.domain import lifecycle  # noqa: E402
from app.domain.knowledge import FaqEntry  # noqa: E402
from app.domain.models import (  # noqa: E402
    Message,
    MessageKind,
    Room,
    Thread,
    Visitor,
    new_id,
)
from app.domain.text import search_terms  # noqa: E402
from app.factory import create_app  # noqa: E402
from app.store.sqlite import SqliteStore  # noqa: E402
from moderation.text import detect_language  # noqa: E402

BIG = "montre-gps-trek5"
SMALL = "sac-rando-40l"
BATCH = 500
SECRET = "bench-knowledge-" + "k" * 40
FIRST_DRAFT = "Est-ce que la batterie tient en montagne ?"  # a fresh process's first query

# Text generation -------------------------------------------------------------------------
# fmt: off
FR = {
    "part": [
        "la batterie", "l'écran", "le bracelet", "le GPS", "la boussole", "l'altimètre",
        "le capteur cardiaque", "la synchronisation Bluetooth", "l'application", "le chargeur",
        "la boucle", "le verre saphir", "le boîtier", "les notifications", "le mode natation",
        "le podomètre", "l'alarme", "le chronomètre", "le rétroéclairage", "le firmware",
        "le capteur de température", "le baromètre", "l'oxymètre", "le suivi du sommeil",
        "le paiement sans contact", "la lunette", "les boutons", "le vibreur",
        "la carte topographique", "le mode avion", "le câble USB", "la dragonne",
        "le mode économie", "la météo", "le guidage itinéraire", "l'écran tactile",
    ],
    "where": [
        "sous l'eau à {n} mètres", "par {t} degrés sous zéro", "en montagne à {k} mètres",
        "pendant un marathon", "à vélo", "sous une pluie battante", "en avion", "à la plage",
        "dans le désert", "en plongée libre", "en kayak", "au ski",
        "pendant un trail de {h} heures", "la nuit en bivouac", "au sauna", "en forêt dense",
        "en randonnée sur plusieurs jours", "à la piscine", "en escalade", "en ville",
    ],
    "device": [
        "un iPhone 15", "un Samsung Galaxy S23", "Strava", "Garmin Connect", "Android 14",
        "Google Fit", "Apple Santé", "Komoot", "un Pixel 8", "Windows 11", "une tablette Huawei",
        "Polar Flow", "MyFitnessPal", "un Xiaomi Redmi", "iOS 17", "Runkeeper", "Visorando",
        "un OnePlus 12",
    ],
    "symptom": [
        "elle se déconnecte toutes les heures", "l'affichage clignote", "la charge bloque à {p} %",
        "les pas ne sont plus comptés", "l'heure se décale de {m} minutes",
        "il y a de la buée sous le verre", "le GPS met {m} minutes à capter",
        "la montre redémarre seule", "le bracelet irrite la peau",
        "les notifications arrivent en retard", "l'écran reste noir",
        "le tracé part dans tous les sens", "la batterie chauffe en charge",
        "le cardio affiche {b} au repos", "l'altitude est fausse de {k} mètres",
        "la boussole indique le sud",
    ],
    "adj": [
        "plus large", "en cuir", "en titane", "en silicone", "magnétique", "tressé", "de 22 mm",
        "de 20 mm", "d'une autre marque", "plus souple", "en nylon", "réfléchissant",
    ],
    "q": [
        "Est-ce que {part} tient {h} heures {where} ?",
        "Est-ce que {part} fonctionne correctement {where} ?",
        "Comment régler {part} quand on est {where} ?",
        "Quelle autonomie pour {part} avec le GPS activé {where} ?",
        "Peut-on remplacer {part} par un modèle {adj} ?",
        "Est-ce que {part} est compatible avec {device} ?",
        "J'ai un souci avec {part} : {symptom}. Que faire ?",
        "Depuis la mise à jour {v}, {symptom}. Est-ce normal ?",
        "Combien de temps faut-il pour recharger {part} jusqu'à {p} % ?",
        "Bonjour, {part} résiste-t-il {where} ? Merci d'avance !",
        "Avec {device}, {symptom}. Quelqu'un a une solution ?",
        "Peut-on désactiver {part} pour gagner de l'autonomie {where} ?",
        "Je cours {where} et {symptom}, c'est {part} qui est défectueux ?",
        "Quelqu'un utilise {part} {where} ? Je me demande si ça vaut le coup.",
    ],
    "a": [
        "Oui, {part} tient environ {h} heures {where}, à condition de couper {part2}.",
        "Non, pas {where} : la montre est certifiée {atm} ATM, donc limitée à {n} mètres.",
        "Il faut réinitialiser {part} dans Réglages > Système, puis resynchroniser avec {device}.",
        "Chez moi {part} fonctionne très bien avec {device} depuis {mo} mois.",
        "Le service client m'a renvoyé une montre neuve sous garantie en {d} jours.",
        "Mettez à jour le firmware en version {v} : ça a corrigé le problème chez moi.",
        "N'importe quel bracelet {adj} avec des pompes de 22 mm convient.",
        "Comptez {m} minutes pour une charge complète avec le câble d'origine.",
        "Désactivez {part2} et le mode toujours allumé : on gagne presque {h} heures.",
        "J'ai eu le même souci {where}, un redémarrage long (bouton haut {d} secondes) suffit.",
    ],
}
EN = {
    "part": [
        "the battery", "the screen", "the strap", "the GPS", "the compass", "the altimeter",
        "the heart rate sensor", "the Bluetooth sync", "the app", "the charger", "the buckle",
        "the sapphire glass", "the case", "notifications", "swim mode", "the step counter",
        "the alarm", "the stopwatch", "the backlight", "the firmware", "the thermometer",
        "the barometer", "the pulse oximeter", "sleep tracking", "contactless payment",
        "the bezel", "the buttons", "the vibration motor", "the topo map", "airplane mode",
        "the USB cable", "route guidance", "the touchscreen", "weather alerts",
    ],
    "where": [
        "underwater at {n} meters", "at minus {t} degrees", "in the mountains at {k} meters",
        "during a marathon", "on a bike", "in heavy rain", "on a plane", "at the beach",
        "in the desert", "while freediving", "in a kayak", "while skiing",
        "during a {h} hour trail race", "camping overnight", "in a sauna", "in thick forest",
        "on a multi-day hike", "in the pool", "while climbing", "in the city",
    ],
    "device": [
        "an iPhone 15", "a Samsung Galaxy S23", "Strava", "Garmin Connect", "Android 14",
        "Google Fit", "Apple Health", "Komoot", "a Pixel 8", "Windows 11", "a Huawei tablet",
        "Polar Flow", "MyFitnessPal", "a Xiaomi Redmi", "iOS 17", "Runkeeper", "a OnePlus 12",
    ],
    "symptom": [
        "it disconnects every hour", "the display flickers", "charging stops at {p} %",
        "steps are no longer counted", "the time drifts by {m} minutes",
        "there is fog under the glass", "the GPS takes {m} minutes to lock",
        "the watch reboots by itself", "the strap irritates my skin", "notifications arrive late",
        "the screen stays black", "the track is all over the map",
        "the battery gets hot while charging", "heart rate shows {b} at rest",
        "altitude is off by {k} meters", "the compass points south",
    ],
    "adj": [
        "wider", "leather", "titanium", "silicone", "magnetic", "braided", "22 mm", "20 mm",
        "third-party", "softer", "nylon", "reflective",
    ],
    "q": [
        "Does {part} last {h} hours {where}?", "Does {part} work properly {where}?",
        "How do I set up {part} when I am {where}?",
        "What battery life should I expect from {part} with GPS on {where}?",
        "Can I replace {part} with a {adj} one?", "Is {part} compatible with {device}?",
        "Problem with {part}: {symptom}. What should I do?",
        "Since firmware {v}, {symptom}. Is that normal?",
        "How long does it take to charge {part} to {p} %?",
        "Hi, does {part} survive {where}? Thanks in advance!",
        "With {device}, {symptom}. Anyone found a fix?",
        "Can I turn off {part} to save battery {where}?",
        "I run {where} and {symptom}; is {part} faulty?",
    ],
    "a": [
        "Yes, {part} lasts about {h} hours {where} if you turn off {part2}.",
        "No, not {where}: the watch is rated {atm} ATM, so {n} meters at most.",
        "Reset {part} in Settings > System, then pair it again with {device}.",
        "Mine works fine with {device}, {mo} months now.",
        "Customer service sent me a new watch under warranty within {d} days.",
        "Update the firmware to {v}: that fixed it for me.",
        "Any {adj} strap with 22 mm spring bars fits.",
        "A full charge takes about {m} minutes with the original cable.",
        "Turn off {part2} and always-on display: you gain almost {h} hours.",
        "Had the same issue {where}; a long reset (top button {d} seconds) fixed it.",
    ],
}
SMALL_Q = [
    "Le sac de 40 litres rentre-t-il en cabine chez {air} ?",
    "Does the 40 L pack fit {air} cabin rules?",
    "La housse de pluie est-elle fournie avec le sac ?",
    "Is the back panel adjustable for a torso of {k} cm?",
    "Peut-on y glisser une poche à eau de {n} litres ?",
]
SMALL_A = [
    "Oui, il passe dans le gabarit cabine de {air} sans problème.",
    "Yes, the back length adjusts from 40 to {k} cm.",
    "La housse est rangée dans le fond du sac, sous la fermeture.",
]
# fmt: on
AIRLINES = ["Air France", "easyJet", "Ryanair", "Transavia", "Lufthansa", "Vueling"]


def fill(template: str, words: dict[str, list[str]], rng: random.Random) -> str:
    """A template with its slots filled; number slots get varied numbers."""
    part, part2 = rng.sample(words["part"], 2)
    numbers = {
        "n": rng.choice([5, 10, 20, 30, 40, 50, 100]), "t": rng.randint(5, 30),
        "k": rng.choice([800, 1500, 2000, 2500, 3000, 3500, 4000, 4800]), "h": rng.randint(2, 60),
        "p": rng.choice([50, 60, 70, 80, 90, 99]), "m": rng.randint(2, 45),
        "b": rng.randint(90, 180), "mo": rng.randint(2, 24), "d": rng.randint(2, 15),
        "atm": rng.choice([5, 10, 20]), "v": f"{rng.randint(3, 9)}.{rng.randint(0, 30)}",
        "air": rng.choice(AIRLINES),
    }  # fmt: skip
    slots: dict[str, Any] = {"part": part, "part2": part2, **numbers}
    for name in ("where", "device", "symptom", "adj"):
        slots[name] = rng.choice(words[name]).format(**numbers)
    return template.format(**slots)


def question(rng: random.Random, fr: bool) -> str:
    words = FR if fr else EN
    text = fill(rng.choice(words["q"]), words, rng)
    return text[0].upper() + text[1:]


def answer(rng: random.Random, fr: bool) -> str:
    words = FR if fr else EN
    text = fill(rng.choice(words["a"]), words, rng)
    if rng.random() < 0.4:  # some answers say more
        text += " " + fill(rng.choice(words["a"]), words, rng)
    return text[0].upper() + text[1:]


def drafts(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text): ~70% one question, ~15% a 2-3 word query, ~15% a long draft of two or
    three questions with a greeting (more terms: a longer OR for the FTS index)."""
    made = []
    for _ in range(n):
        fr = rng.random() < 0.7
        roll = rng.random()
        if roll < 0.15:
            words = FR if fr else EN
            picked = [rng.choice(words["part"]).split()[-1] for _ in range(rng.randint(2, 3))]
            made.append(("short", " ".join(picked)))
        elif roll < 0.30:
            hello = "Bonjour à tous," if fr else "Hello everyone,"
            body = " ".join(question(rng, fr) for _ in range(rng.randint(2, 3)))
            made.append(("long", f"{hello} {body} {'Merci !' if fr else 'Thanks!'}"))
        else:
            made.append(("normal", question(rng, fr)))
    return made


# Seeding ---------------------------------------------------------------------------------
async def seed(path: str, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    """Rooms, visitors, answered threads and FAQ entries through the store's API."""
    store = SqliteStore(path)
    await store.open()
    try:
        start = datetime.now(UTC) - timedelta(days=720)
        for key, title, category in (
            (BIG, "Montre GPS Trek 5", "montres"),
            (SMALL, "Sac de randonnée 40 L", "sacs"),
        ):
            await store.ensure_room(
                Room(key, title, f"https://shop.example/p/{key}", category, start)
            )
        people = [
            Visitor(new_id(), f"{rng.choice(['Camille', 'Alex', 'Sam', 'Lou', 'Max'])} {i}",
                    start)
            for i in range(400)
        ]  # fmt: skip
        async with store.atomic():
            for person in people:
                await store.add_visitor(person)
        plan = [(BIG, "montres")] * args.threads + [(SMALL, "sacs")] * args.small_threads
        rng.shuffle(plan)  # the two rooms' threads interleave in time, as they would
        step = timedelta(days=700) / max(1, len(plan))
        big_ids: list[str] = []
        answers = 0
        for first in range(0, len(plan), BATCH):
            async with store.atomic():
                for n in range(first, min(first + BATCH, len(plan))):
                    room, category = plan[n]
                    thread, count = await _answered(
                        store, rng, room, category, people, start + step * n, n
                    )
                    answers += count
                    if room == BIG:
                        big_ids.append(thread.id)
        faq_ids = rng.sample(big_ids, min(args.faq, len(big_ids)))
        for thread_id in faq_ids:
            source = await store.get_thread(thread_id)
            assert source is not None and source.accepted_message_id is not None
            accepted = await store.get_message(source.accepted_message_id)
            assert accepted is not None
            now = datetime.now(UTC)
            entry = FaqEntry(BIG, source.body, accepted.body, source.id,
                             detect_language(f"{source.body} {accepted.body}"), "bench-staff",
                             now, now)  # fmt: skip
            await store.save_faq(entry, search_terms(f"{entry.question} {entry.answer}"))
        return {"big_ids": big_ids, "answers": answers}
    finally:
        await store.close()


async def _answered(
    store: SqliteStore,
    rng: random.Random,
    room: str,
    category: str,
    people: list[Visitor],
    at: datetime,
    n: int,
) -> tuple[Thread, int]:
    """One question, one or two answers and the asker's accept, as QA.ask/answer/accept
    write them (minus moderation and the outbox)."""
    asker, *helpers = rng.sample(people, 3)
    fr = rng.random() < 0.7
    body = question(rng, fr) if room == BIG else fill(rng.choice(SMALL_Q), FR, rng)
    thread = Thread(id=new_id(), room=room, author_id=asker.id, author_name=asker.name,
                    body=body, client_id=f"seed-q-{n}", created_at=at, updated_at=at,
                    category=category)  # fmt: skip
    await store.insert_thread(thread, search_terms(body))
    count = 1 if rng.random() < 0.65 else 2
    messages = []
    for k in range(count):
        helper = helpers[k]
        when = at + timedelta(minutes=5 + 30 * k + rng.randint(0, 600))
        text = answer(rng, fr) if room == BIG else fill(rng.choice(SMALL_A), FR, rng)
        message = Message(id=new_id(), thread_id=thread.id, room=room,
                          kind=MessageKind.ANSWER, author_id=helper.id,
                          author_name=helper.name, body=text, client_id=f"seed-a-{n}-{k}",
                          created_at=when)  # fmt: skip
        lifecycle.record_answer(thread, helper.id)
        thread.updated_at = when
        await store.insert_message(message, thread)
        messages.append(message)
    lifecycle.accept(thread, rng.choice(messages), asker.id)
    thread.updated_at = max(m.created_at for m in messages) + timedelta(hours=2)
    thread.next_check_at = None
    await store.update_thread(thread)
    return thread, count


# Measuring helpers -----------------------------------------------------------------------
def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def fts_matches(path: str, room: str, texts: list[str]) -> list[int]:
    """Rows of the room's FTS index each draft's terms match (as `search_answered` asks)."""
    db = sqlite3.connect(path)
    try:
        counts = []
        for text in texts:
            terms = search_terms(text)
            match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
            counts.append(
                db.execute(
                    "SELECT COUNT(*) FROM thread_search WHERE thread_search MATCH ? AND room = ?",
                    (f"terms : ({match})", room),
                ).fetchone()[0]
                if terms
                else 0
            )
        return counts
    finally:
        db.close()


async def similar_in_process(
    path: str, cases: list[tuple[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    app = create_app({"database_url": f"sqlite:///{path}", "secret_key": SECRET, "sweeper": "off",
                      "semantic": "off"})  # fmt: skip
    svc = app.services
    await svc.store.open()
    try:
        limit = svc.settings.similar_limit
        for _, text in cases[:20]:  # warm-up (caches, page cache of SQLite), untimed
            await svc.knowledge.similar(BIG, text, limit)
        return {**await timed_pass(svc, cases, limit, args.budget), "limit": limit}
    finally:
        await svc.store.close()


async def timed_pass(
    svc: Any, cases: list[tuple[str, str]], limit: int, budget: float
) -> dict[str, Any]:
    """`similar` on each draft in turn (ms per kind of draft) within `budget` seconds; the
    share of drafts that found something, the mean best score and the kinds of match."""
    times: dict[str, list[float]] = collections.defaultdict(list)
    matches: collections.Counter[str] = collections.Counter()
    found = top = 0.0
    deadline = time.monotonic() + budget
    for kind, text in cases:
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        result = await svc.knowledge.similar(BIG, text, limit)
        times[kind].append((time.perf_counter() - t0) * 1000)
        matches[result["match"]] += 1
        if result["threads"]:
            found += 1
            top += result["threads"][0]["score"]
    done = sum(len(v) for v in times.values())
    return {"times": times, "matches": matches, "found": found / max(1, done),
            "top": top / max(1, found)}  # fmt: skip


def rss(pid: int) -> dict[str, float]:
    """VmRSS, RssAnon and RssFile of a process, in MiB (Linux)."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024
    return out


def semantic_app(path: str) -> Any:
    return create_app({"database_url": f"sqlite:///{path}", "secret_key": SECRET,
                       "sweeper": "off", "semantic": "on"})  # fmt: skip


async def backfill(path: str) -> dict[str, Any]:
    """The app's own backfill pass over the seeded rooms; RSS around loading the model."""
    before = rss(os.getpid())
    t0 = time.perf_counter()
    app = semantic_app(path)  # loads the model (once per process)
    model_s = time.perf_counter() - t0
    loaded = rss(os.getpid())
    svc = app.services
    assert svc.semantic is not None
    await svc.store.open()
    try:
        t0 = time.perf_counter()
        done = await svc.semantic.backfill()
        took = time.perf_counter() - t0
    finally:
        svc.semantic.close()
        await svc.store.close()
    return {"texts": done, "seconds": took, "model_s": model_s, "rss_before": before,
            "rss_model": loaded}  # fmt: skip


async def similar_semantic(
    path: str, cases: list[tuple[str, str]], args: argparse.Namespace
) -> dict[str, Any]:
    """`Knowledge.similar` by meaning on a fresh app: the first call, every draft once (each
    embedded), every draft again (from the draft cache), and reloading the room's vectors."""
    app = semantic_app(path)
    svc = app.services
    semantic = svc.semantic
    assert semantic is not None
    await svc.store.open()
    try:
        limit = svc.settings.similar_limit
        before = rss(os.getpid())
        t0 = time.perf_counter()
        first = await svc.knowledge.similar(
            BIG, "Est-ce que la batterie tient en montagne ?", limit
        )
        first_ms = (time.perf_counter() - t0) * 1000
        after = rss(os.getpid())
        passes: list[dict[str, Any]] = []
        for _ in range(2):  # drafts embedded, then the same drafts from the cache
            passes.append(await timed_pass(svc, cases, limit, args.budget))
        reload_ms: list[float] = []
        embedder = semantic._embedder
        for _ in range(5):
            t0 = time.perf_counter()
            vectors = await svc.store.room_vectors(BIG, semantic.model)
            index = embedder.index(vectors)
            reload_ms.append((time.perf_counter() - t0) * 1000)
        embed_ms: list[float] = []
        for _, text in cases[:50]:
            t0 = time.perf_counter()
            await asyncio.to_thread(embedder.embed, [text + " ?"])  # not cached anywhere
            embed_ms.append((time.perf_counter() - t0) * 1000)
        return {"first_ms": first_ms, "first_match": first["match"], "passes": passes,
                "reload_ms": reload_ms, "vectors": len(index), "embed_ms": embed_ms,
                "rss_before": before, "rss_after": after, "limit": limit}  # fmt: skip
    finally:
        semantic.close()
        await svc.store.close()


async def similar_http(
    url: str, cases: list[tuple[str, str]], budget: float
) -> tuple[list[float], collections.Counter[str]]:
    """Timed requests (ms) after 20 untimed ones, and how many answers were of each match."""
    times: list[float] = []
    matches: collections.Counter[str] = collections.Counter()
    async with aiohttp.ClientSession() as http:
        for _, text in cases[:20]:
            async with http.get(f"{url}/api/v1/rooms/{BIG}/similar", params={"q": text}) as r:
                await r.read()
        deadline = time.monotonic() + budget
        for _, text in cases:
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            async with http.get(f"{url}/api/v1/rooms/{BIG}/similar", params={"q": text}) as r:
                body = await r.json()
                assert r.status == 200, (r.status, body)
            times.append((time.perf_counter() - t0) * 1000)
            matches[body["match"]] += 1
    return times, matches


def first_http(url: str, text: str) -> tuple[float, str]:
    """One `similar` request on a fresh server, timed (ms), and its match."""
    t0 = time.perf_counter()
    status, _, body = get(f"{url}/api/v1/rooms/{BIG}/similar?q={urllib.parse.quote(text)}")
    took = (time.perf_counter() - t0) * 1000
    assert status == 200, (status, body)
    return took, str(json.loads(body)["match"])


# The server process ----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def start_server(
    path: str, folder: str, core: str, semantic: str = "off", *,
    extra_env: dict[str, str] | None = None, log_name: str = "server.log",
) -> tuple[subprocess.Popen[bytes], str]:  # fmt: skip
    """`python -m app.cli run` on a fresh port, pinned to `core`, on the SQLite file `path`
    (sweeper off; `extra_env` on top), once it answers /healthz (at most 60 s)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTRAIDE_")}
    env.update(
        ENTRAIDE_DATABASE_URL=f"sqlite:///{path}",
        ENTRAIDE_SECRET_KEY=SECRET,
        ENTRAIDE_SWEEPER="off",
        ENTRAIDE_SEMANTIC=semantic,
        PYTHONPATH=str(ROOT),
        **(extra_env or {}),
    )
    cmd = ["taskset", "-c", core, sys.executable, "-m", "app.cli", "run",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    log_path = Path(folder, log_name)
    with log_path.open("wb") as log:  # the child keeps its own descriptor
        # taskset execs the server: proc.pid is the Python process itself.
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {log_path.read_text()[-3000:]}")
        try:
            if get(f"{url}/healthz")[0] == 200:
                return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("the server did not answer /healthz within 60 s")
        time.sleep(0.1)  # polling a child's port with a deadline


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def core_ticks(core: str) -> tuple[int, int]:
    """(busy, total) jiffies of one core from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + values[4]
            return sum(values) - idle, sum(values)
    return 0, 1


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _bytes(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([KMG]?B)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}[unit]


def run_wrk(url: str, pid: int, args: argparse.Namespace, extra: list[str]) -> dict[str, Any]:
    cmd = ["taskset", "-c", args.client_core, args.wrk, "-t1", f"-c{args.connections}",
           f"-d{args.duration:g}s", "--latency", "--timeout", "5s", *extra, url]  # fmt: skip
    cpu0, core0, t0 = cpu_ticks(pid), core_ticks(args.server_core), time.monotonic()
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    wall = time.monotonic() - t0
    cpu1, core1 = cpu_ticks(pid), core_ticks(args.server_core)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise SystemExit(f"wrk failed ({done.returncode}): {out}\n{done.stderr}")
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M))
    total = re.search(r"(\d+) requests in ([\d.]+\w+), (\S+) read", out)
    assert total is not None
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    tick = os.sysconf("SC_CLK_TCK")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    busy = (core1[0] - core0[0]) / max(1, core1[1] - core0[1]) * 100
    rotation = re.search(r"^ROTATION (\d+) ([\d.]+)$", out, re.M)
    if rotation:  # the script stopped early: its own clock, not -d
        rps, wall = int(rotation.group(1)) / float(rotation.group(2)), float(rotation.group(2))
    return {
        "rps": rps,
        "p50": _ms(latency["50"]), "p90": _ms(latency["90"]), "p99": _ms(latency["99"]),
        "requests": int(total.group(1)),
        "bytes": _bytes(total.group(3)) / max(1, int(total.group(1))),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "server_cpu": (cpu1 - cpu0) / tick / wall * 100,
        # Over the whole wrk process: diluted when a script stopped early (then not shown).
        "core_busy": None if rotation else busy,
        "raw": out,
    }  # fmt: skip


_CLOCK = """local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end
"""


def lua_rotation(folder: str, paths: list[str], name: str) -> str:
    """A wrk script that requests each path once, in turn, stops after the last response
    and prints how long that took (wrk's own req/s would count the idle rest of -d)."""
    script = Path(folder, name)
    body = ",\n".join(f'"{p}"' for p in paths)
    script.write_text(
        f"{_CLOCK}local paths = {{\n{body}\n}}\nlocal sent, done, began = 0, 0, nil\n"
        "request = function()\n  if began == nil then began = now() end\n"
        "  sent = sent + 1\n"
        "  return wrk.format(nil, paths[((sent - 1) % #paths) + 1])\nend\n"
        "response = function(status, headers, body)\n  done = done + 1\n"
        "  if done == #paths then\n"
        '    io.write(string.format("ROTATION %d %.6f\\n", done, now() - began))\n'
        "    wrk.thread:stop()\n  end\nend\n"
    )
    return str(script)


def print_semantic(
    inproc: dict[str, Any],
    filled: dict[str, Any],
    meant: dict[str, Any],
    http: list[float],
    http_rss: dict[str, float],
    http_meant: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    """Lexical and semantic `similar` side by side, and what the semantic one costs."""
    mb = filled["rss_model"]
    print(
        f"Semantic (`--semantic`): model loaded in {filled['model_s'] * 1000:.0f} ms"
        f" (RSS {filled['rss_before']['VmRSS']:.0f} -> {mb['VmRSS']:.0f} MiB); the app's"
        f" backfill embedded {filled['texts']:,} texts in {filled['seconds']:.1f} s"
        f" ({filled['texts'] / max(0.001, filled['seconds']):.1f} texts/s on its one worker"
        " thread, a write per 4 texts)."
    )
    before, after = meant["rss_before"], meant["rss_after"]
    print(
        f"First `similar` on a fresh app (loads the room's {meant['vectors']:,} vectors, embeds"
        f" the draft): {meant['first_ms']:.0f} ms ({meant['first_match']}); RSS"
        f" {before['VmRSS']:.0f} -> {after['VmRSS']:.0f} MiB (anonymous"
        f" {before['RssAnon']:.0f} -> {after['RssAnon']:.0f}). Reloading the room's vectors"
        f" (room_vectors + index, what a call pays at most every RELOAD s once new answers"
        f" were embedded): p50 {pct(meant['reload_ms'], 50):.0f} ms, max"
        f" {max(meant['reload_ms']):.0f} ms over {len(meant['reload_ms'])}. Embedding one"
        f" draft alone (worker thread, from the loop): p50 {pct(meant['embed_ms'], 50):.1f} ms,"
        f" p95 {pct(meant['embed_ms'], 95):.1f} ms over {len(meant['embed_ms'])}.\n"
    )
    cold, warm = meant["passes"]
    print(
        f"In-process `Knowledge.similar` (limit {meant['limit']}), lexical (semantic off) vs"
        " by meaning (semantic on; each draft embedded) vs by meaning with the draft already"
        " in the draft cache (no embedding), ms:\n"
    )
    print(
        "| drafts | n | lexical p50 | p95 | p99 | semantic p50 | p95 | p99 | semantic/lexical"
        " p95 | cached draft p50 | p95 | p99 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    kinds = sorted(inproc["times"])
    for kind in ["all", *kinds]:

        def pick(times: dict[str, list[float]], kind: str = kind) -> list[float]:
            return [t for v in times.values() for t in v] if kind == "all" else times[kind]

        lex, sem, hot = pick(inproc["times"]), pick(cold["times"]), pick(warm["times"])
        cells = [pct(v, q) for v in (lex, sem) for q in (50, 95, 99)]
        hot_cells = [pct(hot, q) for q in (50, 95, 99)]
        print(
            f"| {kind} | {len(lex)}/{len(sem)} | "
            + " | ".join(f"{c:.2f}" for c in cells)
            + f" | {pct(sem, 95) / pct(lex, 95):.1f}x | "
            + " | ".join(f"{c:.2f}" for c in hot_cells)
            + " |"
        )
    print(
        f"\nAnswers by meaning: {dict(cold['matches'])} (lexical: nothing passed the display"
        f" floor); {cold['found']:.0%} found at least one answered question, mean best score"
        f" {cold['top']:.2f} (calibrated; lexical: {inproc['found']:.0%}, {inproc['top']:.2f},"
        " a share of the draft's stems: not the same scale).\n"
    )
    if http_meant:
        sem = http_meant["times"]
        first_ms, first_match = http_meant["first"]
        print(
            f"Over HTTP, sequential, server on core {args.server_core}: lexical server n"
            f" {len(http)} p50 {pct(http, 50):.2f} / p95 {pct(http, 95):.2f} / p99"
            f" {pct(http, 99):.2f} ms, RSS {http_rss['VmRSS']:.0f} MiB; semantic server"
            f" (ENTRAIDE_SEMANTIC=on, vectors stored) first request {first_ms:.0f} ms"
            f" ({first_match}), then n {len(sem)} p50 {pct(sem, 50):.2f} / p95"
            f" {pct(sem, 95):.2f} / p99 {pct(sem, 99):.2f} ms"
            f" ({dict(http_meant['matches'])}); its RSS {http_meant['rss_loaded']['VmRSS']:.0f}"
            f" MiB after start, {http_meant['rss_after']['VmRSS']:.0f} MiB after the requests"
            f" (anonymous {http_meant['rss_after']['RssAnon']:.0f}, file-backed"
            f" {http_meant['rss_after']['RssFile']:.0f}).\n"
        )


def profile(url: str, pid: int, folder: str, args: argparse.Namespace) -> str:
    """py-spy on the server during one more `/q/<room>` run; a summary of its samples."""
    pyspy = args.py_spy or shutil.which("py-spy")
    if not pyspy:
        return "py-spy not found (--py-spy PATH): no profile"
    raw = Path(folder, "profile.txt")
    spy = subprocess.Popen(
        ["taskset", "-c", args.client_core, pyspy, "record", "--pid", str(pid), "--rate", "100",
         "--duration", str(max(1, int(args.duration))), "--format", "raw", "--output", str(raw)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.0)  # py-spy attaches before the load starts
    run_wrk(f"{url}/q/{BIG}", pid, args, [])
    try:
        _, err = spy.communicate(timeout=args.duration + 60)
    except subprocess.TimeoutExpired:
        spy.kill()
        return "py-spy did not finish"
    if not raw.exists():
        return f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}"
    return summarize(raw)


_AREAS = (
    ("aiosqlite + sqlite (room stamp read, thread hand-off)", ("aiosqlite/", "(app/store/")),
    ("jinja rendering", ("jinja2/", "render_template")),
    ("werkzeug (headers, Accept-Language, ETag parsing)", ("werkzeug/",)),
    ("quart_schema", ("quart_schema/",)),
    ("quart request/response machinery", ("quart/",)),
    ("engineio/socketio ASGI dispatch", ("engineio/", "socketio/")),
    ("uvicorn httptools protocol", ("uvicorn/", "httptools")),
    ("asyncio/uvloop event loop", ("asyncio/", "uvloop")),
)  # fmt: skip
# Leaves that are a thread parked in C (a queue get), not work: counted apart.
_IDLE = ("_connection_worker_thread (aiosqlite", "_worker (concurrent/futures/thread.py")


def summarize(raw: Path, top: int = 15) -> str:
    """Where the server's busy samples go: by area (the first found from the leaf up), the
    functions they spend time inside (inclusive, line numbers merged) and the leaves."""
    stacks: list[tuple[list[str], int]] = []
    idle = 0
    for line in raw.read_text().splitlines():
        frames, _, samples = line.rpartition(" ")
        if not frames or not samples.isdigit():
            continue
        names = [_short(f) for f in frames.split(";")]
        if names[-1].startswith(_IDLE):
            idle += int(samples)
        else:
            stacks.append((names, int(samples)))
    total = sum(c for _, c in stacks) or 1
    areas: collections.Counter[str] = collections.Counter()
    inside: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    for names, count in stacks:
        leaves[names[-1]] += count
        for name in set(names):
            inside[name] += count
        for name in reversed(names):
            area = next((a for a, marks in _AREAS if any(m in name for m in marks)), None)
            if area:
                areas[area] += count
                break
        else:
            areas["other"] += count
    lines = [f"py-spy: {total} busy samples at 100 Hz ({idle} more: worker threads parked)."]
    lines.append("By area (the first found from the leaf up):")
    lines += [f"  {n / total:6.1%}  {name}" for name, n in areas.most_common()]
    lines.append("Inside (inclusive; frames under 97%, i.e. below the event loop's own):")
    shown = [(name, n) for name, n in inside.most_common() if n / total < 0.97]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in shown[: top * 2]]
    lines.append(f"Top {top} leaves (self):")
    lines += [f"  {n / total:6.1%}  {name}" for name, n in leaves.most_common(top)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`func (path/to/file.py:123)` -> `func (package/file.py)`."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    for marker in ("site-packages/", "/lib/python3.11/", "/lib/python3.12/", "/lib/python3.13/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path.replace(str(ROOT) + '/', '')})"


# Main ------------------------------------------------------------------------------------
def main(args: argparse.Namespace) -> int:
    os.sched_setaffinity(0, {int(args.client_core)})  # the server gets its core alone
    if shutil.which(args.wrk) is None:
        raise SystemExit(f"{args.wrk} not found (apt-get install -y wrk)")
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="knowledge-bench-")
    path = f"{folder}/bench.db"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {' '.join(sys.argv)}")
    try:
        t0 = time.perf_counter()
        seeded = asyncio.run(seed(path, args, rng))
        size = sum(f.stat().st_size for f in Path(folder).glob("bench.db*")) / 2**20
        print(
            f"seeded {args.threads:,} answered threads in {BIG} + {args.small_threads} in"
            f" {SMALL}, {seeded['answers']:,} answers, {args.faq} FAQ entries, in"
            f" {time.perf_counter() - t0:.1f} s through the store API; database {size:.0f} MiB"
        )
        cases = drafts(args.drafts, random.Random(args.seed + 1))
        matches = fts_matches(path, BIG, [t for _, t in cases])
        inproc = asyncio.run(similar_in_process(path, cases, args))
        filled: dict[str, Any] = {}
        meant: dict[str, Any] = {}
        if args.semantic:
            filled = asyncio.run(backfill(path))
            meant = asyncio.run(similar_semantic(path, cases, args))

        proc, url = start_server(path, folder, args.server_core)
        try:
            http, _ = asyncio.run(similar_http(url, cases, args.budget))
            http_rss = rss(proc.pid)
            thread_id = seeded["big_ids"][len(seeded["big_ids"]) // 2]
            status, headers, body = get(f"{url}/q/{BIG}")
            assert status == 200, status
            etag = headers["etag"]
            shown = body.count(b'<article class="q-qa"')
            ids = seeded["big_ids"]
            wrk_cases = [  # (row, path, wrk options, headers of the request that warms it)
                ("GET /healthz (framework floor)", "/healthz", [], {}),
                ("GET /q/<room> (cached, 200)", f"/q/{BIG}", [], {}),
                ("GET /q/<room> If-None-Match (304)", f"/q/{BIG}",
                 ["-H", f"If-None-Match: {etag}"], {"If-None-Match": etag}),
                ("GET /q/<room>/<thread> (cached)", f"/q/{BIG}/{thread_id}", [], {}),
                ("GET /api/v1/rooms/<room>/snippet (cached)", f"/api/v1/rooms/{BIG}/snippet",
                 [], {}),
            ]  # fmt: skip
            render = f"GET /q/<room>/<thread>, {len(ids) // args.repeats:,} not cached, once each"
            results: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
            warm_up = ["-d2s"] if args.duration > 2 else []
            run_wrk(f"{url}/q/{BIG}", proc.pid, args, warm_up)  # untimed: a warm process
            for round_ in range(args.repeats):
                for name, target, extra, warm in wrk_cases:
                    code = get(f"{url}{target}", warm)[0]  # cached before the run (60 s)
                    assert code in (200, 304), (name, code)
                    results[name].append(run_wrk(f"{url}{target}", proc.pid, args, extra))
                # Each round its own share of the threads: pages no earlier run cached.
                paths = [f"/q/{BIG}/{t}" for t in ids[round_ :: args.repeats]]
                script = lua_rotation(folder, paths, f"rotate-{round_}.lua")
                results[render].append(run_wrk(f"{url}/", proc.pid, args, ["-s", script]))
            prof = profile(url, proc.pid, folder, args) if args.profile else ""
        finally:
            stop_server(proc)
        http_meant: dict[str, Any] = {}
        if args.semantic:
            proc, url = start_server(path, folder, args.server_core, "on")
            try:
                time.sleep(2.0)  # its start-up backfill pass (nothing to embed) settles first
                loaded = rss(proc.pid)
                first = first_http(url, FIRST_DRAFT)
                times, found = asyncio.run(similar_http(url, cases, args.budget))
                http_meant = {"first": first, "times": times, "matches": found,
                              "rss_loaded": loaded, "rss_after": rss(proc.pid)}  # fmt: skip
            finally:
                stop_server(proc)

        print(
            f"\n`similar` in-process (Knowledge.similar, limit {inproc['limit']}), {BIG}:"
            f" {inproc['found']:.0%} of drafts found at least one answered question,"
            f" mean best score {inproc['top']:.2f}; FTS rows the drafts' terms match in the"
            f" room: p50 {pct(matches, 50):,}, p95 {pct(matches, 95):,}, max {max(matches):,}\n"
        )
        print("| drafts | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|")
        everything = [t for v in inproc["times"].values() for t in v]
        for kind, times in [("all", everything), *sorted(inproc["times"].items())]:
            print(
                f"| {kind} | {len(times)} | {pct(times, 50):.2f} | {pct(times, 95):.2f} |"
                f" {pct(times, 99):.2f} | {max(times):.2f} |"
            )
        print(
            f"\n`GET /api/v1/rooms/{BIG}/similar?q=` over HTTP, sequential, server on core"
            f" {args.server_core}: n {len(http)}, p50 {pct(http, 50):.2f} ms,"
            f" p95 {pct(http, 95):.2f} ms, p99 {pct(http, 99):.2f} ms;"
            f" server RSS {http_rss['VmRSS']:.0f} MiB\n"
        )
        if args.semantic:
            print_semantic(inproc, filled, meant, http, http_rss, http_meant, args)
        print(
            f"wrk -t1 -c{args.connections} -d{args.duration:g}s --latency (core"
            f" {args.client_core}) against the server pinned to core {args.server_core};"
            f" the room page shows {shown} answered threads\n"
        )
        best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
        floor = best["GET /healthz (framework floor)"]["rps"]
        print(
            f"{args.repeats} rounds of every case; each row is its round with the most req/s"
            " (the machine is shared: other processes took part of the server's core in some"
            " runs, see server CPU vs core busy); req/s per server CPU-second = req/s /"
            " (server CPU % / 100)\n"
        )
        print(
            "| request | req/s | each round | / healthz | per server CPU-s | p50 ms | p90 ms |"
            " p99 ms | KiB/resp | non-2xx/3xx | socket errors | server CPU % | core busy % |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, r in best.items():
            rounds = ", ".join(f"{x['rps']:,.0f}" for x in results[name])
            print(
                f"| {name} | {r['rps']:,.0f} | {rounds} | {r['rps'] / floor:.2f} |"
                f" {r['rps'] / max(0.01, r['server_cpu'] / 100):,.0f} | {r['p50']:.2f} |"
                f" {r['p90']:.2f} | {r['p99']:.2f} | {r['bytes'] / 1024:.1f} | {r['bad']} |"
                f" {r['errors']} | {r['server_cpu']:.0f} |"
                f" {'-' if r['core_busy'] is None else format(r['core_busy'], '.0f')} |"
            )
        cached = [(n, r["rps"]) for n, r in best.items() if "(cached" in n]
        met = [n for n, rps in cached if rps >= args.goal]
        print(
            f"\ngoal {args.goal:,.0f} req/s on one core, cached pages: met by"
            f" {len(met)} of {len(cached)}" + (f" ({'; '.join(met)})" if met else "")
        )
        if prof:
            print("\n" + prof)
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=10_000, help="answered, in the big room")
    parser.add_argument("--small-threads", type=int, default=40)
    parser.add_argument("--faq", type=int, default=8, help="FAQ entries in the big room")
    parser.add_argument("--drafts", type=int, default=300)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per latency phase")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the wrk cases")
    parser.add_argument("--goal", type=float, default=2000.0, help="req/s")
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--client-core", default="1")
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--profile", action="store_true", help="py-spy one /q/<room> run")
    parser.add_argument("--py-spy", help="path to py-spy (default: on PATH)")
    parser.add_argument(
        "--semantic", action="store_true", help="also by meaning (needs the [semantic] extra)"
    )
    parser.add_argument("--seed", type=int, default=20261205)
    sys.exit(main(parser.parse_args()))
