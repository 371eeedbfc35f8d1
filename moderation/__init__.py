"""Moderation detectors: pure functions from a message (and its context) to signals.

No framework, database or network imports (enforced by import-linter): services call these
on the hot path and store the resulting cases. See docs/moderation.md.
"""

from moderation.abuse import abuse_signal
from moderation.detect import detect, held
from moderation.frustration import frustration_signal
from moderation.learned import DetectorModel, ModelError, shipped_model
from moderation.notices import asker_notice
from moderation.out_of_scope import out_of_scope_signal
from moderation.personal_data import Finding, find_personal_data, personal_data_signal, redact
from moderation.priority import priority
from moderation.reports import Report, report_signal
from moderation.sentiment import warm_up
from moderation.signals import SIGNAL_CODES, MessageContext, Signal, SignalCode
from moderation.spam import spam_signal
from moderation.text import Lang, detect_language
from moderation.thresholds import DEFAULT_THRESHOLDS, CategoryThresholds, Thresholds
from moderation.unanswered import unanswered_due, unanswered_signal

__all__ = [
    "DEFAULT_THRESHOLDS",
    "SIGNAL_CODES",
    "CategoryThresholds",
    "DetectorModel",
    "Finding",
    "Lang",
    "MessageContext",
    "ModelError",
    "Report",
    "Signal",
    "SignalCode",
    "Thresholds",
    "abuse_signal",
    "asker_notice",
    "detect",
    "detect_language",
    "find_personal_data",
    "frustration_signal",
    "held",
    "out_of_scope_signal",
    "personal_data_signal",
    "priority",
    "redact",
    "report_signal",
    "shipped_model",
    "spam_signal",
    "unanswered_due",
    "unanswered_signal",
    "warm_up",
]
