"""The storage contract for the detectors' learned layer: the moderators' verdicts with the
text they were about, and the shop's retrained models (active, rejected, newest first)."""

from __future__ import annotations

from app.domain.models import DetectorModelRecord
from app.store.port import Store

from .conftest import Backend
from .helpers import Factory, at
from .test_store_moderation import case, reason


def record(n: int, *, active: bool, body: str = "", minutes: float = 0) -> DetectorModelRecord:
    return DetectorModelRecord(
        id=f"m{n}",
        version=f"v{n}",
        created_at=at(minutes or n),
        active=active,
        feedback_count=10 * n,
        scores={"test": {"macro_f1": 0.5 + n / 100, "classes": {"spam": {"f1": 0.9}}}},
        body=body,
    )


async def test_feedback_texts_join_verdicts_with_the_question(store: Store, make: Factory) -> None:
    first, _ = await make.ask("Toujours pas reçu mon colis !!!")
    second, _ = await make.ask("Super leurre, il nage bien")
    await store.insert_case(
        case(
            1,
            thread_id=first.id,
            reasons=[
                reason("out_of_scope", verdict="confirm"),
                reason("frustration", verdict="confirm"),
                reason("abuse"),
            ],
        )
    )
    await store.insert_case(
        case(2, thread_id=second.id, reasons=[reason("spam", verdict="dismiss", minutes=1)])
    )
    await store.insert_case(case(3, thread_id="gone", reasons=[reason("spam", verdict="confirm")]))

    rows = await store.detector_feedback_texts()
    assert sorted(rows) == sorted(
        [
            ("Toujours pas reçu mon colis !!!", "out_of_scope", "confirm"),
            ("Toujours pas reçu mon colis !!!", "frustration", "confirm"),
            ("Super leurre, il nage bien", "spam", "dismiss"),
        ]
    )


async def test_no_feedback_no_texts(store: Store) -> None:
    assert await store.detector_feedback_texts() == []
    assert await store.detector_models() == []
    assert await store.active_detector_model() is None


async def test_models_newest_first_and_one_active(store: Store) -> None:
    await store.add_detector_model(record(1, active=True, body='{"a": 1}'))
    await store.add_detector_model(record(2, active=True, body='{"b": 2}'))
    await store.add_detector_model(record(3, active=False))  # a rejected attempt

    listed = await store.detector_models()
    assert [(r.id, r.active) for r in listed] == [("m3", False), ("m2", True), ("m1", False)]
    assert all(r.body == "" for r in listed)  # listings leave the model files out
    assert listed[1].scores["test"]["macro_f1"] == 0.52
    assert listed[1].created_at == at(2)
    assert listed[1].feedback_count == 20
    assert [r.id for r in await store.detector_models(1)] == ["m3"]

    active = await store.active_detector_model()
    assert active is not None
    assert (active.id, active.version, active.body) == ("m2", "v2", '{"b": 2}')


async def test_models_survive_a_reopen(store: Store, backend: Backend) -> None:
    await store.add_detector_model(record(1, active=True, body="{}"))
    other = backend.make()
    await other.open()
    try:
        active = await other.active_detector_model()
        assert active is not None and active.id == "m1"
    finally:
        await other.close()
