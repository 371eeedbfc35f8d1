"""`entraide seed-demo`: demo threads written through the real use cases (so every event,
sequence number and search entry is exactly what live use would produce)."""

from __future__ import annotations

from app import demo
from app.demo_history import seed_history
from app.factory import create_app
from app.services import payloads as p


async def seed_demo() -> int:
    app = create_app({"write_rate": "10000/second"})
    services = app.services
    qa, identity = services.qa, services.identity
    await services.store.open()
    created = 0
    try:
        async with services.dispatcher.running(recover_all=True):  # points for the seeds
            people: dict[str, object] = {}

            async def person(name: str) -> object:
                if name not in people:
                    people[name], _ = await identity.create_visitor(name)
                return people[name]

            for shown in demo.PRODUCTS:
                info = p.ProductInfo(title=shown["title"], category=shown["category"])
                await qa.open_room(p.Join(room=shown["key"], product=info))
            # The past first: the live threads below stay the rooms' newest (their re-run check).
            created += await seed_history(services)
            for n, (key, asker, question, answers, accepted) in enumerate(demo.SEED_THREADS):
                product = demo.product(key)
                assert product is not None
                room = await qa.open_room(
                    p.Join(
                        room=key,
                        product=p.ProductInfo(title=product["title"], category=product["category"]),
                    )
                )
                join = await qa.join(room, None, None)
                if any(t["body"] == question for t in join.threads):
                    continue
                thread = (
                    await qa.ask(
                        await person(asker),  # type: ignore[arg-type]
                        p.Ask(room=key, body=question, client_id=f"seed-thread-{n:04d}"),
                    )
                ).thread
                created += 1
                for i, (helper, text, votes) in enumerate(answers):
                    posted = await qa.answer(
                        await person(helper),  # type: ignore[arg-type]
                        p.AnswerIn(
                            thread_id=thread.id, body=text, client_id=f"seed-{n:04d}-{i:02d}"
                        ),
                    )
                    message = posted.message
                    assert message is not None
                    for v in range(votes):
                        voter = await person(f"Voisin {v + 1}")
                        await qa.vote(voter, p.Vote(message_id=message.id, value=1))  # type: ignore[arg-type]
                    if accepted == i:
                        await qa.accept(
                            await person(asker),  # type: ignore[arg-type]
                            p.Accept(message_id=message.id),
                        )
    finally:
        await services.store.close()
    return created
