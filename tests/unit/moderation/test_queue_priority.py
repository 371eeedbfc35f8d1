"""Queue priority: personal data and abuse first, unanswered climbing with how overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation import Signal, priority, unanswered_signal

T0 = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
SLA = timedelta(minutes=10)


def sig(code: str, score: float = 0.6, hold: bool = False) -> Signal:
    return Signal(code, score, (), hold)  # type: ignore[arg-type]


def overdue(minutes: int) -> Signal:
    found = unanswered_signal(T0, 0, T0 + timedelta(minutes=minutes), SLA)
    assert found is not None
    return found


def test_no_reason_no_priority() -> None:
    assert priority([]) == 0


def test_order_of_reasons() -> None:
    personal = priority([sig("personal_data", 1.0, hold=True)])
    abuse = priority([sig("abuse", 0.9, hold=True)])
    out_of_scope = priority([sig("out_of_scope", 0.7)])
    frustration = priority([sig("frustration", 0.6)])
    fresh_unanswered = priority([overdue(10)])
    assert personal > abuse > out_of_scope > fresh_unanswered
    assert abuse > frustration > fresh_unanswered


def test_unanswered_climbs_with_how_overdue() -> None:
    values = [priority([overdue(m)]) for m in (10, 20, 40, 400)]
    assert values == sorted(values)
    assert values[0] < values[-1]
    # Forgotten for hours, it overtakes a fresh out-of-scope question.
    assert priority([overdue(400)]) > priority([sig("out_of_scope", 0.7)])


def test_more_reasons_more_urgent_and_held_first() -> None:
    both = priority([sig("frustration", 0.7), sig("out_of_scope", 0.7)])
    assert both > priority([sig("out_of_scope", 0.7)])
    assert both > priority([sig("frustration", 0.7)])
    assert priority([sig("spam", 0.8, hold=True)]) > priority([sig("spam", 0.8)])


def test_always_within_bounds() -> None:
    everything = [
        sig("personal_data", 1.0, True),
        sig("abuse", 1.0, True),
        sig("spam", 1.0, True),
        sig("out_of_scope", 1.0),
        sig("frustration", 1.0),
        sig("report", 1.0, True),
        sig("unanswered", 1.0),
    ]
    assert priority(everything) == 100
    assert 0 < priority([sig("unanswered", 0.0)]) < 100
