"""Train, measure and compare detector models: what `entraide train-detectors` and the
worker's retraining job both run.

The corpus' train and validation parts (and a shop's moderator feedback) are the training
data; the test part is held out: only measured, never trained or tuned on. A retrained
model replaces the current one only when it does at least as well on that test part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from moderation.detect import detect
from moderation.evaluation import Report, evaluate
from moderation.learned import (
    DetectorModel,
    Example,
    Feedback,
    ModelError,
    feedback_examples,
    load_corpus,
    train,
)
from moderation.signals import MessageContext

CORPUS_PATH = Path(__file__).parent / "corpus" / "moderation_corpus.jsonl"


@dataclass(frozen=True, slots=True)
class Trained:
    model: DetectorModel
    test: Report  # rules + this model, on the untouched test part
    rules_test: Report  # the rules alone, same messages


def held_out_part(corpus: Sequence[Example]) -> list[Example]:
    return [e for e in corpus if e.split == "test"]


def measure(model: DetectorModel | None, examples: Sequence[Example]) -> Report:
    """Rules + `model` (None: rules alone) as the service runs them, on labelled examples."""

    def predict(ctx: MessageContext) -> set[str]:
        return {s.code for s in detect(ctx, model=model)}

    return evaluate(examples, predict)


def build(
    corpus: Sequence[Example],
    feedback: Sequence[Feedback] = (),
    *,
    seed: int = 0,
    note: str = "",
) -> Trained:
    """Train on the corpus' train + validation parts and the feedback; measure on test."""
    rows = [e for e in corpus if e.split in ("train", "validation")]
    extra = feedback_examples(feedback)
    held_out = held_out_part(corpus)
    if not held_out:
        raise ModelError("the corpus has no test part to measure on")
    trained_on: dict[str, object] = {
        "corpus_messages": len(rows),
        "feedback_verdicts": len(feedback),
        "seed": seed,
    }
    if note:
        trained_on["note"] = note
    model = train([*rows, *extra], seed=seed, trained_on=trained_on)
    test = measure(model, held_out)
    rules = measure(None, held_out)
    scores = {"test": test.summary(), "rules_test": rules.summary()}
    model = DetectorModel.from_json(replace(model, scores=scores).to_json())
    return Trained(model, test, rules)


def no_worse(new: Report, old: Report) -> bool:
    """The new model may replace the old one: macro F1 at least as good, and personal-data
    recall not lower."""
    recall_new = new.by_class()["personal_data"].recall
    recall_old = old.by_class()["personal_data"].recall
    return new.macro_f1 >= old.macro_f1 - 1e-9 and recall_new >= recall_old - 1e-9


def load_default_corpus() -> list[Example]:
    return load_corpus(CORPUS_PATH)
