"""Unanswered: the due date and the overdue score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation import CategoryThresholds, unanswered_due, unanswered_signal

T0 = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
SLA = timedelta(minutes=10)


def test_due_is_creation_plus_sla() -> None:
    assert unanswered_due(T0, SLA) == T0 + SLA


def test_nothing_before_the_sla_or_once_answered() -> None:
    assert unanswered_signal(T0, 0, T0 + timedelta(minutes=9), SLA) is None
    assert unanswered_signal(T0, 1, T0 + timedelta(hours=5), SLA) is None


def test_overdue_threads_open_a_case_that_says_by_how_much() -> None:
    found = unanswered_signal(T0, 0, T0 + timedelta(minutes=14), SLA)
    assert found is not None
    assert found.code == "unanswered"
    assert found.evidence == ("unanswered 14 min, SLA 10 min",)
    assert found.hold is False


def test_score_grows_with_how_overdue_and_caps_at_one() -> None:
    scores = [
        unanswered_signal(T0, 0, T0 + SLA * factor, SLA).score  # type: ignore[union-attr]
        for factor in (1, 2, 4, 40)
    ]
    assert scores == sorted(scores)
    assert scores[0] == 0.25
    assert scores[-1] == 1.0
    long = unanswered_signal(T0, 0, T0 + timedelta(hours=3), SLA)
    assert long is not None
    assert long.evidence == ("unanswered 3 h, SLA 10 min",)


def test_the_sla_comes_from_the_category() -> None:
    config = CategoryThresholds().with_category("kayaks", unanswered_sla=timedelta(minutes=30))
    kayak_sla = config.for_category("kayaks").unanswered_sla
    now = T0 + timedelta(minutes=20)
    assert unanswered_signal(T0, 0, now, config.for_category("moulinets").unanswered_sla)
    assert unanswered_signal(T0, 0, now, kayak_sla) is None


def test_naive_datetimes_and_bad_slas_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        unanswered_signal(datetime(2026, 11, 22, 15, 0), 0, T0, SLA)
    with pytest.raises(ValueError, match="timezone-aware"):
        unanswered_signal(T0, 0, datetime(2026, 11, 22, 16, 0), SLA)
    with pytest.raises(ValueError, match="positive"):
        unanswered_due(T0, timedelta(0))
