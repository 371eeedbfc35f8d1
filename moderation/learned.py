"""The learned layer: a linear classifier per class on top of the explainable cues.

Why: cue lists catch the phrasings someone thought of. On the labelled corpus
(moderation/corpus/moderation_corpus.jsonl) the rules alone find a quarter of the frustration and
abuse and about half of the out-of-scope questions. A linear model over character and
word n-grams, with the rules' own scores as extra features, generalises to new wordings
while the rules stay the evidence shown to moderators.

What runs where:

- Training (`train`, used by `entraide train-detectors` and the worker's retraining job)
  uses scikit-learn: tf-idf weights, one logistic regression per class, Platt scaling fitted
  on 5-fold out-of-fold scores (what `CalibratedClassifierCV(method="sigmoid",
  ensemble=False)` does), and a threshold per class chosen on those out-of-fold
  probabilities. scikit-learn is imported inside `train` only.
- Running (`DetectorModel.probabilities`) needs numpy alone: the model is a plain JSON file
  (vocabularies, idf, coefficients, sigmoid, thresholds, scores) that this module writes and
  reads itself. No pickle: loading a model file must never run code, and a file written by
  one scikit-learn version stays readable by the next.

The tokenizer below is used for both, so the features seen at run time are the ones the
model was trained on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from moderation.abuse import abuse_signal
from moderation.frustration import frustration_signal
from moderation.out_of_scope import out_of_scope_signal
from moderation.personal_data import find_personal_data
from moderation.sentiment import compound
from moderation.signals import MessageContext, Signal
from moderation.spam import spam_signal
from moderation.text import detect_language, fold
from moderation.thresholds import DEFAULT_THRESHOLDS, Thresholds

FORMAT: Final = "entraide-detectors/1"
# The classes the model scores. Personal data stays rules-first (the checksummed patterns
# hold on their own); the model only adds a second chance to catch what they miss.
CLASSES: Final = ("frustration", "out_of_scope", "personal_data", "abuse", "spam")
RULED: Final = ("frustration", "out_of_scope", "abuse", "spam")
SPLITS: Final = ("train", "validation", "test")
SHIPPED_PATH: Final = Path(__file__).parent / "model" / "detectors.json"
MAX_CHARS: Final = 2000  # n-grams of the first 2,000 characters only (hostile input)
# Hyperparameters, chosen on the validation split (docs/moderation.md, "Learned layer").
C_VALUE: Final = 16.0
DENSE_WEIGHT: Final = 1.0
MIN_DF: Final = 2
CHAR_NGRAMS: Final = (2, 5)
FEEDBACK_WEIGHT: Final = 3.0  # one moderator verdict counts as three corpus messages
FOLDS: Final = 5
# Share of clean messages a class may fire on, out of fold, when its threshold is chosen:
# these classes put the question in the staff queue (a false escalation). Abuse's budget is
# wider: out-of-fold scores of insults worded like other training insults run high, so a
# 2 % budget set a cut that missed new wordings (docs/moderation.md, "Fifth round").
FALSE_ALARM_BUDGET: Final = {
    "frustration": 0.02,
    "out_of_scope": 0.02,
    "abuse": 0.04,
    "personal_data": 0.005,
}
_EPSILON = 1e-4  # a threshold that lets every rule report its raw score
_NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # corpus messages have no time of their own

# Articles and prepositions are no word grams of their own, only inside pairs ("espece
# de", "bande de"): alone, in a message of three words, "de" carried "Réponse de Zoé" to
# abuse, its coefficient learned from the corpus' "espèce de ..." insults.
_FUNCTION_WORDS = frozenset(
    "de la le les un une des du et a au aux en d l the an of to and in on for at".split()
)
_DIGITS = str.maketrans("123456789", "000000000")
_TOKEN = re.compile(r"\w+|[^\w\s]")


class ModelError(ValueError):
    """A model file or a corpus that cannot be used (the message says why)."""


# --- features -----------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _folded(body: str) -> str:
    return fold(body[:MAX_CHARS]).translate(_DIGITS)


def char_grams(body: str) -> list[str]:
    """Character 2-5-grams inside each word padded with spaces (like scikit-learn's
    `char_wb`), on folded text with every digit made 0 ("06 39" and "07 12" look alike)."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in _folded(body).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size < n:
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_grams(body: str) -> list[str]:
    """Words (and single punctuation marks or emoji) but not `_FUNCTION_WORDS`, and pairs
    of neighbours (function words included), folded."""
    tokens = _TOKEN.findall(_folded(body))
    return [t for t in tokens if t not in _FUNCTION_WORDS] + [
        f"{a} {b}" for a, b in itertools.pairwise(tokens)
    ]


DENSE_NAMES: Final = (
    "rule frustration",
    "rule out_of_scope",
    "rule abuse",
    "rule spam",
    "rule abuse hold",
    "rule spam hold",
    "personal data found",
    "sentiment negative",
    "sentiment positive",
    "capitals",
    "from asker",
    "bumps",
    "waiting past SLA",
    "short message",
)


def raw_signals(ctx: MessageContext, limits: Thresholds) -> dict[str, Signal | None]:
    """Every rule's signal at its raw score (thresholds near 0, hold thresholds kept)."""
    loose = limits.replace(
        frustration=_EPSILON, out_of_scope=_EPSILON, abuse=_EPSILON, spam=_EPSILON
    )
    return {
        "abuse": abuse_signal(ctx, loose),
        "spam": spam_signal(ctx, loose),
        "out_of_scope": out_of_scope_signal(ctx, loose),
        "frustration": frustration_signal(ctx, loose),
    }


def dense_features(
    ctx: MessageContext, raw: Mapping[str, Signal | None], limits: Thresholds
) -> list[float]:
    """The rules' scores and the message's context, each within 0..1 (see DENSE_NAMES)."""

    def score(code: str) -> float:
        signal = raw.get(code)
        return signal.score if signal is not None else 0.0

    def held(code: str) -> float:
        signal = raw.get(code)
        return 1.0 if signal is not None and signal.hold else 0.0

    body = ctx.body[:MAX_CHARS]
    sentiment = compound(fold(body), detect_language(body, ctx.lang_hint))
    letters = [ch for ch in body if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters) / len(letters) if len(letters) >= 8 else 0.0
    waiting = ctx.waiting_for is not None and ctx.waiting_for >= limits.unanswered_sla
    return [
        score("frustration"),
        score("out_of_scope"),
        score("abuse"),
        score("spam"),
        held("abuse"),
        held("spam"),
        1.0 if find_personal_data(body) else 0.0,
        max(-sentiment, 0.0),
        max(sentiment, 0.0),
        upper,
        1.0 if ctx.from_asker else 0.0,
        # Not "new visitor" on its own: in the corpus nearly every new visitor is a
        # spammer, and a model that learned that would hold every first-time shopper.
        # The spam rule's score carries it, only together with links or promotion.
        min(ctx.asker_bump_count, 3) / 3,
        1.0 if waiting else 0.0,
        1.0 if len(body) <= 25 else 0.0,
    ]


# --- the model at run time ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    """One tf-idf block: sublinear tf, idf weights, L2-normalised over the block."""

    index: dict[str, int]
    idf: npt.NDArray[np.float64]

    def vector(self, tokens: Iterable[str]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """(columns, weights) of the tokens in the vocabulary, in order of first sight.
        Tokens are looked up (`map` of `dict.get`) before they are counted (`Counter`), a
        token and its column being one to one, and the weights are computed in numpy:
        a bench question's character vector in 46 µs instead of 115 with a Python loop."""
        counted = Counter(column for column in map(self.index.get, tokens) if column is not None)
        if not counted:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        columns = np.fromiter(counted.keys(), dtype=np.intp, count=len(counted))
        counts = np.fromiter(counted.values(), dtype=np.float64, count=len(counted))
        weights = (1.0 + np.log(counts)) * self.idf[columns]
        norm = float(np.sqrt(weights @ weights))
        return columns, weights / norm if norm else weights


@dataclass(frozen=True, slots=True)
class DetectorModel:
    """A trained model: `probabilities(ctx, raw)` gives a calibrated 0..1 per class.

    `thresholds[c]`: the probability from which class c fires (chosen on out-of-fold
    predictions of the training data). `scores`: what the trainer measured (per split, per
    class precision/recall/F1), shown in the staff console. `version`: a hash of the
    file's content, so the same training gives the same version.
    """

    classes: tuple[str, ...]
    chars: _Block
    words: _Block
    coef: npt.NDArray[np.float64]  # (chars + words + dense) x classes
    intercept: npt.NDArray[np.float64]
    sigmoid: npt.NDArray[np.float64]  # classes x (a, b): p = 1 / (1 + exp(-(a f + b)))
    thresholds: dict[str, float]
    scores: dict[str, Any] = field(default_factory=dict)
    trained_on: dict[str, Any] = field(default_factory=dict)
    version: str = ""

    @property
    def offsets(self) -> tuple[int, int]:
        return len(self.chars.idf), len(self.chars.idf) + len(self.words.idf)

    def decision(
        self, ctx: MessageContext, raw: Mapping[str, Signal | None], limits: Thresholds
    ) -> npt.NDArray[np.float64]:
        """The linear scores (before calibration), one per class."""
        word_start, dense_start = self.offsets
        columns, values = self.chars.vector(char_grams(ctx.body))
        total = values @ self.coef[columns] if len(columns) else np.zeros(len(self.classes))
        columns, values = self.words.vector(word_grams(ctx.body))
        if len(columns):
            total = total + values @ self.coef[columns + word_start]
        dense = np.asarray(dense_features(ctx, raw, limits)) * DENSE_WEIGHT
        total = total + dense @ self.coef[dense_start:]
        result: npt.NDArray[np.float64] = total + self.intercept
        return result

    def probabilities(
        self,
        ctx: MessageContext,
        raw: Mapping[str, Signal | None] | None = None,
        limits: Thresholds = DEFAULT_THRESHOLDS,
    ) -> dict[str, float]:
        """Calibrated probability per class for one message."""
        if raw is None:
            raw = raw_signals(ctx, limits)
        scores = self.decision(ctx, raw, limits)
        a, b = self.sigmoid[:, 0], self.sigmoid[:, 1]
        probs = 1.0 / (1.0 + np.exp(-(a * scores + b)))
        return {c: round(float(p), 4) for c, p in zip(self.classes, probs, strict=True)}

    # file format ---------------------------------------------------------------------------
    def to_json(self) -> str:
        """The model as deterministic JSON text (sorted keys, rounded weights)."""
        data = self._payload()
        data["version"] = _version(data)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"

    def _payload(self) -> dict[str, Any]:
        chars = sorted(self.chars.index, key=self.chars.index.__getitem__)
        words = sorted(self.words.index, key=self.words.index.__getitem__)
        return {
            "format": FORMAT,
            "classes": list(self.classes),
            "dense": list(DENSE_NAMES),
            "char_ngrams": list(CHAR_NGRAMS),
            "chars": chars,
            "char_idf": _rounded(self.chars.idf),
            "words": words,
            "word_idf": _rounded(self.words.idf),
            "coef": [_rounded(row) for row in self.coef.T],
            "intercept": _rounded(self.intercept),
            "sigmoid": [_rounded(row) for row in self.sigmoid],
            "thresholds": {c: round(v, 4) for c, v in self.thresholds.items()},
            "scores": self.scores,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_json(cls, text: str) -> DetectorModel:
        """Read a model file; anything malformed is a ModelError, never a crash later."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ModelError(f"not a model file: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError(f"not a model file of format {FORMAT!r}")
        try:
            return cls._parse(data)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelError(f"malformed model file: {exc!r}") from None

    @classmethod
    def _parse(cls, data: dict[str, Any]) -> DetectorModel:
        classes = tuple(str(c) for c in data["classes"])
        if not set(classes) <= set(CLASSES) or not classes:
            raise ValueError(f"unknown classes {classes}")
        if list(data["dense"]) != list(DENSE_NAMES) or list(data["char_ngrams"]) != list(
            CHAR_NGRAMS
        ):
            raise ValueError("written for other features")
        chars = [str(t) for t in data["chars"]]
        words = [str(t) for t in data["words"]]
        if _FUNCTION_WORDS.intersection(words):  # a model from before they left word grams
            raise ValueError("written for other features")
        char_idf = np.asarray(data["char_idf"], dtype=np.float64)
        word_idf = np.asarray(data["word_idf"], dtype=np.float64)
        coef = np.asarray(data["coef"], dtype=np.float64).T
        intercept = np.asarray(data["intercept"], dtype=np.float64)
        sigmoid = np.asarray(data["sigmoid"], dtype=np.float64)
        size = len(chars) + len(words) + len(DENSE_NAMES)
        if (
            len(char_idf) != len(chars)
            or len(word_idf) != len(words)
            or coef.shape != (size, len(classes))
            or intercept.shape != (len(classes),)
            or sigmoid.shape != (len(classes), 2)
            or len(set(chars)) != len(chars)
            or len(set(words)) != len(words)
        ):
            raise ValueError("array sizes do not match")
        arrays = (char_idf, word_idf, coef, intercept, sigmoid)
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("non-finite numbers")
        thresholds = {str(c): float(v) for c, v in data["thresholds"].items()}
        if set(thresholds) != set(classes) or not all(0 < v < 1 for v in thresholds.values()):
            raise ValueError("thresholds must be within (0, 1), one per class")
        version = str(data.get("version", ""))
        if version != _version(data):
            raise ValueError("version does not match the content (edited or truncated file)")
        return cls(
            classes=classes,
            chars=_Block({t: i for i, t in enumerate(chars)}, char_idf),
            words=_Block({t: i for i, t in enumerate(words)}, word_idf),
            coef=coef,
            intercept=intercept,
            sigmoid=sigmoid,
            thresholds=thresholds,
            scores=dict(data.get("scores") or {}),
            trained_on=dict(data.get("trained_on") or {}),
            version=version,
        )

    @classmethod
    def load(cls, path: Path) -> DetectorModel:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelError(f"cannot read {path}: {exc}") from None
        return cls.from_json(text)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(path)


def _rounded(values: Iterable[float]) -> list[float]:
    return [float(f"{v:.5g}") for v in values]


def _version(data: Mapping[str, Any]) -> str:
    """Hash of the content that decides predictions (not the scores or the notes)."""
    keys = ("classes", "chars", "char_idf", "words", "word_idf", "coef", "intercept", "sigmoid")
    content = {k: data[k] for k in keys} | {"thresholds": data["thresholds"]}
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return digest[:12]


_shipped: list[DetectorModel | None] = []


def shipped_model() -> DetectorModel | None:
    """The model shipped with the package (moderation/model/detectors.json), loaded once;
    None when the file is missing (then the rules work alone)."""
    if not _shipped:
        _shipped.append(DetectorModel.load(SHIPPED_PATH) if SHIPPED_PATH.exists() else None)
    return _shipped[0]


# --- corpus -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled message. `known`: the classes whose label is known (None: all of them;
    a moderator's verdict on one reason says nothing about the others)."""

    ctx: MessageContext
    labels: frozenset[str]
    split: str = "train"
    known: frozenset[str] | None = None
    weight: float = 1.0
    id: str = ""

    def knows(self, cls: str) -> bool:
        return self.known is None or cls in self.known


def context_from_row(
    text: str, lang: str | None, asker: bool, context: Mapping[str, Any]
) -> MessageContext:
    """What the service would pass for a corpus message and its `context` numbers."""
    burst = int(context.get("burst", 1))
    times = tuple(sorted(_NOW - timedelta(seconds=2 * (i + 1)) for i in range(max(burst - 1, 0))))
    waiting = context.get("waiting_min")
    return MessageContext(
        body=text,
        lang_hint=lang,
        from_asker=asker,
        author_is_new=bool(context.get("new", False)),
        author_recent_bodies=(text,) * int(context.get("repeats", 0)),
        author_recent_times=times,
        sent_at=_NOW,
        asker_bump_count=int(context.get("bumps", 0)),
        waiting_for=None if waiting is None else timedelta(minutes=float(waiting)),
    )


def load_corpus(path: Path) -> list[Example]:
    """The labelled corpus (moderation/corpus/moderation_corpus.md describes the format)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read the corpus {path}: {exc}") from None
    examples: list[Example] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            labels = frozenset(str(label) for label in row["labels"])
            if not labels <= set(CLASSES) or row["split"] not in SPLITS:
                raise ValueError("unknown label or split")
            ctx = context_from_row(
                str(row["text"]), row.get("lang"), bool(row.get("asker", True)), row["context"]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}:{number}: not a corpus line ({exc})") from None
        examples.append(Example(ctx, labels, row["split"], id=str(row.get("id", number))))
    if not examples:
        raise ModelError(f"{path}: no examples")
    return examples


@dataclass(frozen=True, slots=True)
class Feedback:
    """A moderator's verdict on one reason of a case, with the text it was about."""

    text: str
    code: str
    verdict: str  # "confirm" | "dismiss"
    lang: str | None = None
    from_asker: bool = True


def feedback_examples(items: Iterable[Feedback]) -> list[Example]:
    """Training examples from verdicts: confirm = that class, dismiss = not that class.

    Several verdicts on the same text (one per reason) become one example.
    """
    merged: dict[tuple[str, bool], tuple[set[str], set[str], str | None]] = {}
    for item in items:
        if item.code not in CLASSES or item.verdict not in ("confirm", "dismiss"):
            continue
        text = item.text.strip()
        if not text:
            continue
        key = (text, item.from_asker)
        positive, known, _ = merged.setdefault(key, (set(), set(), item.lang))
        known.add(item.code)
        if item.verdict == "confirm":
            positive.add(item.code)
        else:
            positive.discard(item.code)
    return [
        Example(
            context_from_row(text, lang, asker, {}),
            frozenset(positive),
            "feedback",
            known=frozenset(known),
            weight=FEEDBACK_WEIGHT,
            id=f"feedback-{i}",
        )
        for i, ((text, asker), (positive, known, lang)) in enumerate(merged.items())
    ]


def read_feedback(path: Path) -> list[Feedback]:
    """A feedback export: JSON lines `{"text", "code", "verdict", "lang"?, "asker"?}`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read the feedback file {path}: {exc}") from None
    items: list[Feedback] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = Feedback(
                str(row["text"]), str(row["code"]), str(row["verdict"]),
                row.get("lang"), bool(row.get("asker", True)),
            )  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}:{number}: not a feedback line ({exc})") from None
        if item.verdict not in ("confirm", "dismiss") or item.code not in CLASSES:
            raise ModelError(f"{path}:{number}: verdict must be confirm/dismiss on a known class")
        items.append(item)
    return items


# --- training -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Matrix:
    """Features of a list of examples, computed once and shared by every fit."""

    examples: Sequence[Example]
    dense: npt.NDArray[np.float64]
    chars: list[list[str]]
    words: list[list[str]]


def featurize(examples: Sequence[Example], limits: Thresholds = DEFAULT_THRESHOLDS) -> Matrix:
    dense = [dense_features(e.ctx, raw_signals(e.ctx, limits), limits) for e in examples]
    return Matrix(
        examples,
        np.asarray(dense, dtype=np.float64).reshape(len(examples), len(DENSE_NAMES)),
        [char_grams(e.ctx.body) for e in examples],
        [word_grams(e.ctx.body) for e in examples],
    )


def train(
    examples: Sequence[Example] | Matrix,
    *,
    seed: int = 0,
    c_value: float = C_VALUE,
    trained_on: Mapping[str, Any] | None = None,
) -> DetectorModel:
    """Fit the model on every example given (pass train + validation (+ feedback) for the
    shipped model; the test split must stay out). Deterministic for a given input and seed.
    """
    from scipy import sparse  # training only
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    matrix = examples if isinstance(examples, Matrix) else featurize(examples)
    rows = matrix.examples
    if len(rows) < 2 * FOLDS:
        raise ModelError(f"need at least {2 * FOLDS} examples to train, got {len(rows)}")

    def vectorizer() -> Any:
        return TfidfVectorizer(
            analyzer=lambda tokens: tokens, min_df=MIN_DF, sublinear_tf=True, dtype=np.float64
        )

    char_vec, word_vec = vectorizer(), vectorizer()
    x = sparse.hstack(
        [
            char_vec.fit_transform(matrix.chars),
            word_vec.fit_transform(matrix.words),
            sparse.csr_matrix(matrix.dense * DENSE_WEIGHT),
        ]
    ).tocsr()
    size = x.shape[1]
    coef = np.zeros((size, len(CLASSES)))
    intercept = np.zeros(len(CLASSES))
    sigmoid = np.zeros((len(CLASSES), 2))
    thresholds: dict[str, float] = {}
    for k, cls in enumerate(CLASSES):
        keep = np.asarray([e.knows(cls) for e in rows])
        y = np.asarray([cls in e.labels for e in rows], dtype=np.int64)[keep]
        weights = np.asarray([e.weight for e in rows])[keep]
        xs = x[keep]
        if y.sum() < FOLDS or (len(y) - y.sum()) < FOLDS:
            raise ModelError(f"need at least {FOLDS} examples with and without {cls}")

        def model() -> Any:
            return LogisticRegression(
                C=c_value, class_weight="balanced", max_iter=5000, solver="liblinear",
                random_state=seed,
            )  # fmt: skip

        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
        oof = cross_val_predict(
            model(), xs, y, cv=folds, method="decision_function", params={"sample_weight": weights}
        )
        platt = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
        platt.fit(oof.reshape(-1, 1), y, sample_weight=weights)
        a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        probs = 1.0 / (1.0 + np.exp(-(a * oof + b)))
        clean = np.asarray([not e.labels for e in rows])[keep]
        budget = FALSE_ALARM_BUDGET.get(cls, 1.0)
        thresholds[cls] = _best_threshold(probs, y, clean, budget)
        final = model().fit(xs, y, sample_weight=weights)
        coef[:, k] = final.coef_[0]
        intercept[k] = final.intercept_[0]
        sigmoid[k] = (a, b)

    def block(vec: Any) -> _Block:
        vocab = {str(t): int(i) for t, i in vec.vocabulary_.items()}
        return _Block(vocab, np.asarray(vec.idf_, dtype=np.float64))

    built = DetectorModel(
        classes=CLASSES,
        chars=block(char_vec),
        words=block(word_vec),
        coef=coef,
        intercept=intercept,
        sigmoid=sigmoid,
        thresholds=thresholds,
        trained_on=dict(trained_on or {}),
    )
    # Round-trip through the file format, so what is measured is exactly what is shipped.
    return DetectorModel.from_json(built.to_json())


def _best_threshold(
    probs: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    clean: npt.NDArray[np.bool_],
    budget: float,
) -> float:
    """The probability cut that maximises F1 on out-of-fold predictions while firing on at
    most `budget` of the clean ("ok") messages (ties: the middle of the best range),
    within 0.05..0.95. Without any cut within budget: the highest."""
    best, chosen = -1.0, [0.95]
    clean_count = max(int(clean.sum()), 1)
    for cut in np.round(np.arange(0.05, 0.951, 0.01), 2):
        predicted = probs >= cut
        if float((predicted & clean).sum()) / clean_count > budget:
            continue
        tp = float((predicted & (y == 1)).sum())
        fp = float((predicted & (y == 0)).sum())
        fn = float((~predicted & (y == 1)).sum())
        score = 2 * tp / (2 * tp + fn + fp) if tp else 0.0
        if score > best + 1e-9:
            best, chosen = score, [float(cut)]
        elif abs(score - best) <= 1e-9:
            chosen.append(float(cut))
    return round(chosen[len(chosen) // 2], 2)
