"""`entraide train-detectors` and the worker's retraining job (keeps the previous model
when the new one scores worse on the held-out test part)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tiny_corpus import examples, write

import app.services.detectors as detectors
from app.cli import main
from app.domain.models import DetectorModelRecord
from app.services.detectors import DetectorTraining
from moderation.learned import DetectorModel

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def test_cli_trains_reproducibly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write(tmp_path / "corpus.jsonl")
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["train-detectors", "--corpus", str(corpus), "--out", str(out1)]) == 0
    printed = capsys.readouterr().out
    assert "rules only, test part" in printed and "rules + model, test part" in printed
    assert main(["train-detectors", "--corpus", str(corpus), "--out", str(out2)]) == 0
    assert out1.read_bytes() == out2.read_bytes()
    assert DetectorModel.load(out1).scores["test"]["messages"] > 0


def test_cli_learns_from_a_feedback_export(tmp_path: Path) -> None:
    corpus = write(tmp_path / "corpus.jsonl")
    feedback = tmp_path / "feedback.jsonl"
    feedback.write_text(
        json.dumps({"text": "vous êtes des charlots", "code": "abuse", "verdict": "confirm"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "m.json"
    args = ["train-detectors", "--corpus", str(corpus), "--feedback", str(feedback)]
    assert main([*args, "--out", str(out)]) == 0
    assert DetectorModel.load(out).trained_on["feedback_verdicts"] == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing corpus", "cannot read the corpus"),
        ("bad corpus", "not a corpus line"),
        ("missing feedback", "cannot read the feedback file"),
        ("bad verdict", "verdict must be"),
        ("out is a directory", "is a directory"),
    ],
)
def test_cli_bad_paths_give_a_clear_error(
    setup: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write(tmp_path / "corpus.jsonl")
    out = tmp_path / "m.json"
    args = ["train-detectors", "--corpus", str(corpus), "--out", str(out)]
    if setup == "missing corpus":
        args[2] = str(tmp_path / "nope.jsonl")
    elif setup == "bad corpus":
        corpus.write_text('{"text": "x"}\n', encoding="utf-8")
    elif setup == "missing feedback":
        args += ["--feedback", str(tmp_path / "nope.jsonl")]
    elif setup == "bad verdict":
        bad = tmp_path / "f.jsonl"
        bad.write_text('{"text": "x", "code": "spam", "verdict": "maybe"}\n', encoding="utf-8")
        args += ["--feedback", str(bad)]
    else:
        out.mkdir()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("entraide: ") and message in err
    assert "Traceback" not in err


class FakeStore:
    """The four store calls the job makes (both adapters: tests/contract)."""

    def __init__(self) -> None:
        self.feedback: list[tuple[str, str, str]] = []
        self.records: list[DetectorModelRecord] = []

    async def detector_feedback_texts(self) -> list[tuple[str, str, str]]:
        return list(self.feedback)

    async def add_detector_model(self, record: DetectorModelRecord) -> None:
        if record.active:
            for r in self.records:
                r.active = False
        self.records.append(record)

    async def detector_models(self, limit: int = 10) -> list[DetectorModelRecord]:
        return sorted(self.records, key=lambda r: r.created_at, reverse=True)[:limit]

    async def active_detector_model(self) -> DetectorModelRecord | None:
        return next((r for r in await self.detector_models(100) if r.active), None)


def job(store: FakeStore, used: list[DetectorModel]) -> DetectorTraining:
    return DetectorTraining(
        store,  # type: ignore[arg-type]
        min_new=3,
        every=timedelta(hours=24),
        corpus=examples,
        on_model=used.append,
    )


VERDICTS = [
    ("vous êtes des charlots", "abuse", "confirm"),
    ("super leurre merci", "spam", "dismiss"),
    ("toujours rien reçu", "out_of_scope", "confirm"),
]


async def test_the_real_comparison_prefers_the_shipped_model_on_a_tiny_corpus() -> None:
    store, used = FakeStore(), []
    store.feedback = list(VERDICTS)
    record = await job(store, used).tick(NOW)
    assert record is not None
    new, old = record.scores["test"]["macro_f1"], record.scores["previous_test"]["macro_f1"]
    assert record.active == (new >= old)
    assert used == ([] if not record.active else used)


async def test_nothing_to_learn_without_feedback() -> None:
    store, used = FakeStore(), []
    assert await job(store, used).tick(NOW) is None
    assert store.records == [] and used == []


async def test_retrains_with_feedback_and_uses_the_better_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On the tiny corpus the shipped model (trained on the real one) wins the comparison:
    # say the new one is no worse, to follow the path where it is used.
    monkeypatch.setattr(detectors, "no_worse", lambda new, old: True)
    store, used = FakeStore(), []
    store.feedback = list(VERDICTS)
    record = await job(store, used).tick(NOW)
    assert record is not None and record.active and record.feedback_count == 3
    assert len(used) == 1 and used[0].version == record.version
    assert DetectorModel.from_json(record.body).version == record.version
    assert "test" in record.scores and "previous_test" in record.scores
    # Not due again until 3 new verdicts, or a day with at least one.
    assert await job(store, used).tick(NOW + timedelta(hours=1)) is None
    store.feedback.append(("encore une fois ???", "frustration", "confirm"))
    assert await job(store, used).tick(NOW + timedelta(hours=2)) is None
    assert await job(store, used).tick(NOW + timedelta(hours=25)) is not None


async def test_keeps_the_previous_model_when_the_new_one_scores_worse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, used = FakeStore(), []
    store.feedback = list(VERDICTS)
    monkeypatch.setattr(detectors, "no_worse", lambda new, old: True)
    first = await job(store, used).tick(NOW)
    assert first is not None and first.active
    monkeypatch.setattr(detectors, "no_worse", lambda new, old: False)
    store.feedback += [(f"message {i}", "spam", "dismiss") for i in range(3)]
    second = await job(store, used).tick(NOW + timedelta(hours=1))
    assert second is not None and not second.active and second.body == ""
    active = await store.active_detector_model()
    assert active is not None and active.id == first.id
    assert len(used) == 1  # the service was never handed the worse model
    # The rejected attempt counts for the schedule: no retry on the next tick.
    assert await job(store, used).tick(NOW + timedelta(hours=2)) is None
