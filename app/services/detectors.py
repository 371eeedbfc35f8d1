"""Moderators teach the detectors: the worker retrains the shop's model from the shipped
corpus plus every confirm/dismiss verdict given on cases, and keeps the previous model when
the new one scores worse on the corpus' held-out test part.

When: after `min_new` verdicts since the last training, or once `every` (a day) has passed
with at least one new verdict. Training (~5-10 s of CPU) runs in a thread, off the event
loop. Every attempt is recorded (`detector_models`), rejected ones too, so the schedule
does not retry a worse model on every tick and the console shows what happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from app.domain.models import DetectorModelRecord, new_id, utcnow
from app.store.port import ModerationStore
from moderation.evaluation import Report
from moderation.learned import DetectorModel, Example, Feedback, ModelError, shipped_model
from moderation.training import (
    Trained,
    build,
    held_out_part,
    load_default_corpus,
    measure,
    no_worse,
)

log = logging.getLogger(__name__)


class DetectorTraining:
    def __init__(
        self,
        store: ModerationStore,
        *,
        every: timedelta = timedelta(hours=24),
        min_new: int = 20,
        corpus: Callable[[], Sequence[Example]] = load_default_corpus,
        on_model: Callable[[DetectorModel], None] | None = None,
    ) -> None:
        self._store = store
        self._every = every
        self._min_new = min_new
        self._corpus = corpus
        self._on_model = on_model
        self._lock = asyncio.Lock()

    async def due(self, now: datetime, verdicts: int) -> bool:
        if verdicts == 0:
            return False
        latest = await self._store.detector_models(1)
        if not latest:
            return True
        last = latest[0]
        new = verdicts - last.feedback_count
        return new >= self._min_new or (new != 0 and now - last.created_at >= self._every)

    async def tick(self, at: datetime | None = None) -> DetectorModelRecord | None:
        """Retrain if due; the record written (active or rejected), or None."""
        now = at or utcnow()
        if self._lock.locked():
            return None
        async with self._lock:
            rows = await self._store.detector_feedback_texts()
            if not await self.due(now, len(rows)):
                return None
            return await self.retrain(rows, now)

    async def retrain(
        self, rows: Sequence[tuple[str, str, str]], now: datetime
    ) -> DetectorModelRecord:
        feedback = [Feedback(text, code, verdict) for text, code, verdict in rows]
        current = await self.current()
        trained, current_test = await asyncio.to_thread(self._train, feedback, current)
        better = no_worse(trained.test, current_test)
        scores = {**trained.model.scores, "previous_test": current_test.summary()}
        record = DetectorModelRecord(
            id=new_id(),
            version=trained.model.version,
            created_at=now,
            active=better,
            feedback_count=len(rows),
            scores=scores,
            body=trained.model.to_json() if better else "",
        )
        await self._store.add_detector_model(record)
        if better and self._on_model is not None:
            self._on_model(trained.model)
        log.info(
            "detector model %s trained on %d verdicts: macro F1 %.3f vs %.3f, %s",
            record.version, len(rows), trained.test.macro_f1, current_test.macro_f1,
            "in use" if better else "kept the previous model",
        )  # fmt: skip
        return record

    def _train(
        self, feedback: Sequence[Feedback], current: DetectorModel | None
    ) -> tuple[Trained, Report]:
        corpus = self._corpus()
        trained = build(corpus, feedback, note="retrained with the shop's feedback")
        return trained, measure(current, held_out_part(corpus))

    async def current(self) -> DetectorModel | None:
        """The model `screen` uses now: the shop's active one, else the shipped one."""
        record = await self._store.active_detector_model()
        if record is not None and record.body:
            try:
                return DetectorModel.from_json(record.body)
            except ModelError:
                log.exception("stored detector model %s is unreadable", record.version)
        return shipped_model()
