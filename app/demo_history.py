"""Nine weeks of past questions for the demo shop, so that brand insights show something
real on first start: daily questions on every product, answers from the community or staff
after minutes to hours, ratings, a few escalations, and this week a run of complaints about
the waders' zip (a weak signal).

Past dates cannot go through the use cases (they stamp "now"), so this writes through the
store port the way the use cases do, then computes the insights facts from what it wrote
(`InsightsService.rebuild`): the numbers on the page are the real ones for these rows.
Deterministic (seeded) and idempotent: a second run finds its first question and stops.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.domain.models import Message, MessageKind, Thread, ThreadStatus, Visibility, utcnow
from app.domain.text import search_terms
from app.services.container import Services
from insights.facts import Rating
from moderation.cases import Case, Reason

DAYS = 65  # two 30-day periods: topic trends compare with the one before
QUESTIONS = {
    "leurre-brochet-12": [
        "Quelle couleur en eau trouble ?", "Quel hameçon texan avec ce shad ?",
        "Does it work for zander too?", "Tête plombée 15 g ou 20 g en rivière ?",
        "Is the tail fragile after a few pikes?",
    ],
    "canne-spinning-240": [
        "Quel moulinet taille 3000 conseillez-vous ?", "La canne passe-t-elle en train ?",
        "Is it too stiff for small spoons?", "Tresse 0,12 ou 0,15 avec cette canne ?",
        "Le scion est-il garanti ?",
    ],
    "waders-respirants": [
        "Quelle taille de chaussons pour du 43 ?", "Can I wear them in winter?",
        "Ils taillent grand ou petit ?", "Faut-il des chaussures de wading à part ?",
        "Comment les laver après l'eau de mer ?",
    ],
    "montre-maree": [
        "Les horaires de marée sont-ils à jour pour la Bretagne ?", "Is the battery replaceable?",
        "Étanche pour la plongée en apnée ?", "Le bracelet est-il en silicone ?",
        "Does it sync with a phone?",
    ],
}  # fmt: skip
ANSWERS = ["Oui, sans problème.", "Je l'utilise depuis un an, très bien.",
           "Yes, works fine for me.", "Plutôt non, prenez la version au-dessus."]  # fmt: skip
COMPLAINTS = [
    "La fermeture éclair de la poche est cassée au bout d'une semaine, c'est normal ?",
    "Ma fermeture éclair se bloque déjà, pas content du tout",
    "Fermeture éclair arrachée à la deuxième sortie !!",
    "Zip de la poche ventrale cassé, la fermeture éclair ne tient pas",
    "Encore un souci de fermeture éclair, quelqu'un a eu un échange ?",
    "La fermeture éclair a lâché, comment faire jouer la garantie ?",
]


async def seed_history(services: Services, rng: random.Random | None = None) -> int:
    """Write the past questions (once); returns how many were written."""
    store, rng = services.store, rng or random.Random(20261204)
    if await store.find_thread_by_client_id("demo-history", "history-0000") is not None:
        return 0
    now = utcnow()
    written = 0
    for day in range(DAYS, 0, -1):
        for key, texts in QUESTIONS.items():
            for j in range(rng.choice([0, 1, 1, 2, 3])):  # texts in turn: steady topics
                at = now - timedelta(days=day, minutes=rng.randrange(8 * 60, 20 * 60))
                text = texts[(day * 3 + j) % len(texts)]
                await _question(services, rng, key, text, at, written)
                written += 1
    for i, text in enumerate(COMPLAINTS):  # this week: the waders' zip keeps breaking
        at = now - timedelta(days=6 - i, hours=rng.randrange(1, 6))
        await _question(services, rng, "waders-respirants", text, at, written, complaint=True)
        written += 1
    await services.insights.rebuild()
    return written


async def _question(
    services: Services, rng: random.Random, room: str, body: str, at: datetime, n: int,
    *, complaint: bool = False,
) -> None:  # fmt: skip
    store = services.store
    stored = await store.get_room(room)
    thread = Thread(
        id=f"history-{n:04d}", room=room, author_id="demo-history",
        author_name=rng.choice(["Camille", "Hugo", "Sam", "Léa", "Noah"]), body=body,
        client_id=f"history-{n:04d}", created_at=at, updated_at=at,
        category=stored.category if stored else "",
    )  # fmt: skip
    await store.insert_thread(thread, search_terms(body))
    roll = rng.random()
    if complaint or roll < 0.15:  # unanswered, or brand business: a case
        await store.insert_case(_case(thread, at, complaint))
    if roll >= 0.15 or complaint:
        staff = complaint or roll < 0.3
        delay = timedelta(minutes=rng.randrange(2, 25) if not staff else rng.randrange(20, 240))
        reply = Message(
            id=f"{thread.id}-a", thread_id=thread.id, room=room,
            kind=MessageKind.STAFF if staff else MessageKind.ANSWER,
            author_id="demo-staff" if staff else f"demo-helper-{rng.randrange(6)}",
            author_name="Boutique" if staff else rng.choice(["Marc", "Julie", "Tom"]),
            body="Nous vous contactons pour un échange." if complaint else rng.choice(ANSWERS),
            client_id=f"{thread.id}-a", created_at=at + delay, votes=0, hidden=False,
            visibility=Visibility.PUBLIC,
        )  # fmt: skip
        thread.answer_count = 1
        thread.status = ThreadStatus.RESOLVED if rng.random() < 0.4 else ThreadStatus.ANSWERED
        thread.updated_at = reply.created_at
        await store.insert_message(reply, thread)
        if rng.random() < 0.55:
            helped = rng.random() < 0.8
            contacted = rng.choice([True, True, False, None]) if helped else None
            await store.save_rating(Rating(thread.id, thread.author_id, helped, contacted,
                                           reply.created_at + timedelta(minutes=5)))  # fmt: skip


def _case(thread: Thread, at: datetime, complaint: bool) -> Case:
    code = "frustration" if complaint else "out_of_scope"
    return Case(
        id=f"{thread.id}-case", thread_id=thread.id, room=thread.room, category=thread.category,
        created_at=at, updated_at=at, due_at=at + timedelta(minutes=15),
        reasons=[Reason(code, 0.8, ("demo",), at)],  # type: ignore[arg-type]
    )  # fmt: skip
