"""Measure detectors on labelled examples: precision, recall and F1 per class with 95 %
confidence intervals, and the false-escalation rate on clean messages.

Intervals: Wilson score intervals for precision and recall (a proportion over the
predicted or the labelled messages), and a percentile bootstrap (1,000 resamples of the
messages, fixed seed) for F1, which is not a simple proportion.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from moderation.learned import CLASSES, Example
from moderation.signals import MessageContext

ESCALATING = frozenset({"frustration", "out_of_scope", "personal_data"})
Predictor = Callable[[MessageContext], set[str]]


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion; (0, 1) when nothing was counted."""
    if total == 0:
        return 0.0, 1.0
    phat = successes / total
    denominator = 1 + z * z / total
    centre = (phat + z * z / (2 * total)) / denominator
    half = z * math.sqrt(phat * (1 - phat) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@dataclass(frozen=True, slots=True)
class ClassScore:
    cls: str
    tp: int
    fp: int
    fn: int
    precision_ci: tuple[float, float]
    recall_ci: tuple[float, float]
    f1_ci: tuple[float, float]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.tp, self.fp, self.fn)


@dataclass(frozen=True, slots=True)
class Report:
    messages: int
    classes: tuple[ClassScore, ...]
    clean: int
    false_escalations: int

    @property
    def false_escalation_rate(self) -> float:
        return self.false_escalations / self.clean if self.clean else 0.0

    @property
    def false_escalation_ci(self) -> tuple[float, float]:
        return wilson(self.false_escalations, self.clean)

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.classes) / len(self.classes)

    def by_class(self) -> dict[str, ClassScore]:
        return {c.cls: c for c in self.classes}

    def summary(self) -> dict[str, object]:
        """Plain numbers for a model file or the staff console."""
        return {
            "messages": self.messages,
            "macro_f1": round(self.macro_f1, 4),
            "false_escalation_rate": round(self.false_escalation_rate, 4),
            "classes": {
                c.cls: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "support": c.tp + c.fn,
                }
                for c in self.classes
            },
        }

    def table(self, title: str = "") -> str:
        """A Markdown table."""

        def interval(low: float, high: float) -> str:
            return f"{low:.2f}–{high:.2f}"

        lines = [f"{title}: {self.messages} messages" if title else f"{self.messages} messages"]
        lines.append("| class | support | precision (95 % CI) | recall (95 % CI) | F1 (95 % CI) |")
        lines.append("|---|---|---|---|---|")
        for c in self.classes:
            lines.append(
                f"| {c.cls} | {c.tp + c.fn} | {c.precision:.2f} ({interval(*c.precision_ci)}) "
                f"| {c.recall:.2f} ({interval(*c.recall_ci)}) | {c.f1:.2f} ({interval(*c.f1_ci)}) |"
            )
        low, high = self.false_escalation_ci
        lines.append(
            f"| false escalations | {self.clean} clean | {self.false_escalations} "
            f"= {self.false_escalation_rate:.1%} ({low:.1%}–{high:.1%}) | | |"
        )
        return "\n".join(lines)


def evaluate(
    examples: Sequence[Example], predict: Predictor, *, resamples: int = 1000, seed: int = 0
) -> Report:
    """Score `predict` (message -> predicted classes) on `examples` (all labels known)."""
    truths = [e.labels for e in examples]
    predictions = [predict(e.ctx) & set(CLASSES) for e in examples]
    rng = random.Random(seed)
    samples = [[rng.randrange(len(examples)) for _ in examples] for _ in range(resamples)]
    scores: list[ClassScore] = []
    for cls in CLASSES:
        hits = [(cls in p, cls in t) for p, t in zip(predictions, truths, strict=True)]
        tp = sum(p and t for p, t in hits)
        fp = sum(p and not t for p, t in hits)
        fn = sum(t and not p for p, t in hits)
        f1s = sorted(
            _f1(
                sum(hits[i][0] and hits[i][1] for i in sample),
                sum(hits[i][0] and not hits[i][1] for i in sample),
                sum(hits[i][1] and not hits[i][0] for i in sample),
            )
            for sample in samples
        )
        f1_ci = (f1s[int(0.025 * resamples)], f1s[int(0.975 * resamples) - 1]) if f1s else (0, 1)
        scores.append(ClassScore(cls, tp, fp, fn, wilson(tp, tp + fp), wilson(tp, tp + fn), f1_ci))
    clean = [p for p, t in zip(predictions, truths, strict=True) if not t]
    escalated = sum(bool(p & ESCALATING) for p in clean)
    return Report(len(examples), tuple(scores), len(clean), escalated)
