"""The machine-learning tagger: a scikit-learn estimator for multi-label coding of turns.

    >>> from qualcode.tagging.ml.estimator import MLTagger
    >>> tagger = MLTagger(random_state=0).fit(texts, Y)   # Y: turns x codes, 0/1
    >>> tagger.predict_proba(["We never talked about authorship."])
    >>> tagger.predict([...])                              # 0/1 per code, per-code thresholds

How it works (each step a well-kept scikit-learn piece):

- **Features**: TF-IDF of word 1-2-grams and of character 2-5-grams inside word
  boundaries (scikit-learn's ``char_wb``, made once per distinct word by
  :class:`CharNgramsByWord`), side by side in a ``FeatureUnion``; sublinear term
  frequency so a long turn that repeats a word does not drown the others.  The
  vectorizer is unsupervised and is fitted once on all training texts; the
  cross-validation below reuses it (only document frequencies are shared
  between folds, never labels).  ``qualcode evaluate`` refits everything,
  vectorizer included, inside each outer fold, so its figures are honest.
- **One linear model per code** (one-vs-rest): ``LogisticRegression`` with
  ``class_weight='balanced'`` (codes are rare: most turns are negatives).
- **C per code by cross-validation**: DESIGN.md measured that C=1 underfits long
  turns, so for every code each C in ``C`` is scored by stratified k-fold
  cross-validated predictions (``cv`` folds, stratified on that code), and the C
  whose best-threshold F1 is highest wins (ties: the smaller C, the simpler model).
- **Per-code threshold**: with ``threshold='f1'`` the probability cut-off is the
  one that maximizes F1 on those out-of-fold predictions (midway between the
  cut-off score and the next lower one, so a new turn scoring like the weakest
  true positive still passes), among cut-offs at or above ``threshold_floor``
  (0.3); a number gives one fixed cut-off for every code.  Why a floor: with
  5-20 positive turns and balanced class weights, the F1-best cut-off on a few
  out-of-fold scores often lands at 0.05-0.2, where one lucky positive buys
  dozens of false positives on new turns.  On the sample study's tuning gold
  (5-fold CV) the floor raised precision with little loss of recall; the C is
  chosen by the F1 reached above the floor, so C and threshold stay consistent.
- **Hierarchy** (:func:`qualcode.tagging.hierarchy.hierarchical_predictions`, used by
  ``evaluate`` and ``code --tagger ml|all``): a subcode is kept only where its theme's own
  model also predicts the theme (the theme's model has seen every turn of the theme and is
  the steadier judge), then parents are implied by children.
- **Codes with too few examples are not learned**: a code needs at least
  ``min_positives`` positive turns and as many negative ones.  Such a code is
  listed in ``learned_`` as False with its count in ``positives_``; its
  probability is 0 and it is never predicted.  Train output reports them.

Learned attributes end in ``_``; every method but ``fit`` raises
``sklearn.exceptions.NotFittedError`` before ``fit``.
"""

from __future__ import annotations

from numbers import Real
from typing import Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

DEFAULT_C = (0.5, 2.0, 8.0, 32.0)
MIN_POSITIVES = 5
THRESHOLD_FLOOR = 0.3


def best_f1_threshold(y: np.ndarray, scores: np.ndarray, floor: float = 0.0) -> tuple[float, float]:
    """(threshold, F1) maximizing F1 when predicting ``scores >= threshold``.

    The threshold sits midway between the score that reaches the best F1 and the
    next lower score seen (so it is not glued to one training turn).  With no
    positive in ``y`` the F1 is 0 and the threshold 1.0 (never predicted).
    """
    y = np.asarray(y).astype(int)
    scores = np.asarray(scores, dtype=float)
    if y.sum() == 0:
        return 1.0, 0.0
    precision, recall, thresholds = precision_recall_curve(y, scores)
    precision, recall = precision[:-1], recall[:-1]
    if floor > 0:  # cut-offs below the floor are not candidates
        keep = thresholds >= floor
        if not keep.any():
            return float(floor), 0.0
        precision, recall, thresholds = precision[keep], recall[keep], thresholds[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.argmax(f1))  # first (lowest threshold) among ties: higher recall
    cut = float(thresholds[best])
    lower = scores[scores < cut]
    threshold = (cut + float(lower.max())) / 2 if lower.size else cut
    return max(threshold, floor), float(f1[best])


class MLTagger(ClassifierMixin, BaseEstimator):
    """Multi-label text tagger: TF-IDF words+characters, one logistic regression per code.

    Parameters
    ----------
    C : float or sequence of floats, default (0.5, 2, 8, 32)
        Inverse regularization strength; a sequence is a grid searched per code by CV.
    word_ngram_range, char_ngram_range : (min, max) n-gram lengths; ``char_ngram_range=None``
        leaves character n-grams out.
    min_df : int, minimum number of turns a term must appear in.
    class_weight : passed to ``LogisticRegression`` ('balanced' by default).
    threshold : 'f1' (per code, by cross-validation) or a probability in (0, 1).
    threshold_floor : float, default 0.3, lowest cut-off ``threshold='f1'`` may choose.
    cv : int, folds of the internal cross-validation (C and thresholds).
    min_positives : int, fewest positive (and negative) turns a code needs to be learned.
    max_iter : int, solver iterations.
    random_state : int or None, seeds fold shuffling and the solver.

    Fitted attributes: ``classes_`` (code ids), ``vectorizer_``, ``estimators_`` (one
    ``LogisticRegression`` or None per code), ``thresholds_``, ``C_``, ``learned_``,
    ``positives_``, ``cv_f1_`` (out-of-fold F1 at the chosen C and threshold), ``n_samples_``.
    """

    def __init__(self, C=DEFAULT_C, word_ngram_range=(1, 2), char_ngram_range=(2, 5),
                 min_df=1, class_weight="balanced", threshold="f1", cv=3,
                 min_positives=MIN_POSITIVES, max_iter=2000, random_state=0,
                 threshold_floor=THRESHOLD_FLOOR):
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.class_weight = class_weight
        self.threshold = threshold
        self.cv = cv
        self.min_positives = min_positives
        self.max_iter = max_iter
        self.random_state = random_state
        self.threshold_floor = threshold_floor

    # ----------------------------------------------------------------- sklearn tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        tags.target_tags.two_d_labels = True
        tags.classifier_tags.multi_label = True
        return tags

    # ----------------------------------------------------------------- fitting
    def fit(self, X: Iterable[str], Y) -> "MLTagger":
        """Learn from turns ``X`` (strings) and ``Y`` (turns x codes, 0/1; a DataFrame's
        columns become ``classes_``).  Returns self."""
        texts = _texts(X)
        classes, Y = _labels(Y, len(texts))
        grid = self._grid()
        if not (self.threshold == "f1" or (isinstance(self.threshold, Real)
                                           and 0 < float(self.threshold) < 1)):
            raise ValueError(f"threshold must be 'f1' or a probability in (0, 1), not {self.threshold!r}")
        if int(self.cv) < 2:
            raise ValueError(f"cv must be at least 2, not {self.cv!r}")
        if int(self.min_positives) < 2:
            raise ValueError(f"min_positives must be at least 2, not {self.min_positives!r}")

        self.vectorizer_ = self._vectorizer()
        features = self.vectorizer_.fit_transform(texts)
        # liblinear's dual solver is much faster when there are more features than turns
        # (the usual case for text): the same problem, solved from the other side.
        dual = features.shape[1] > features.shape[0]
        n_codes = Y.shape[1]
        self.classes_ = classes
        self.n_samples_ = len(texts)
        self.positives_ = Y.sum(axis=0).astype(int)
        self.learned_ = np.array([self.min_positives <= p <= len(texts) - self.min_positives
                                  for p in self.positives_], dtype=bool)
        self.estimators_: list[LogisticRegression | None] = [None] * n_codes
        self.thresholds_ = np.ones(n_codes, dtype=float)
        self.C_ = np.full(n_codes, np.nan)
        self.cv_f1_ = np.full(n_codes, np.nan)
        learned = [j for j in range(n_codes) if self.learned_[j]]
        # One code after another: liblinear seeds a process-wide random generator, so fitting
        # codes in parallel threads would make the results depend on timing.
        for j in learned:
            c, threshold, f1, model = self._fit_code(features, Y[:, j], grid, dual)
            self.C_[j], self.thresholds_[j], self.cv_f1_[j] = c, threshold, f1
            self.estimators_[j] = model
        return self

    def _fit_code(self, features, y: np.ndarray, grid: list[float], dual: bool):
        """(C, threshold, out-of-fold F1, model fitted on every turn) for one code."""
        best = None
        for c in grid:
            scores = self._oof_proba(features, y, c, dual)
            threshold, f1 = self._pick_threshold(y, scores)
            if best is None or f1 > best[0] + 1e-12:
                best = (f1, c, threshold)
        f1, c, threshold = best
        return c, threshold, f1, self._model(c, dual).fit(features, y)

    def _grid(self) -> list[float]:
        grid = [self.C] if isinstance(self.C, Real) else list(self.C)
        if not grid or any(not isinstance(c, Real) or c <= 0 for c in grid):
            raise ValueError(f"C must be a positive number or a non-empty list of them, not {self.C!r}")
        return [float(c) for c in grid]

    def _vectorizer(self) -> FeatureUnion:
        parts = [("words", TfidfVectorizer(analyzer="word", ngram_range=tuple(self.word_ngram_range),
                                           min_df=self.min_df, sublinear_tf=True, lowercase=True,
                                           token_pattern=r"(?u)\b\w[\w']*\b", dtype=np.float64))]
        if self.char_ngram_range is not None:
            parts.append(("chars", TfidfVectorizer(analyzer=CharNgramsByWord(self.char_ngram_range),
                                                   min_df=self.min_df, sublinear_tf=True,
                                                   dtype=np.float64)))
        return FeatureUnion(parts)

    def _model(self, c: float, dual: bool = False) -> LogisticRegression:
        return LogisticRegression(C=c, class_weight=self.class_weight, solver="liblinear", dual=dual,
                                  max_iter=self.max_iter, random_state=self.random_state)

    def _oof_proba(self, features, y: np.ndarray, c: float, dual: bool) -> np.ndarray:
        """Out-of-fold probabilities of the positive class, folds stratified on ``y``."""
        folds = min(int(self.cv), int(y.sum()), int(len(y) - y.sum()))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        out = np.zeros(len(y), dtype=float)
        for train, test in splitter.split(np.zeros(len(y)), y):
            model = self._model(c, dual).fit(features[train], y[train])
            out[test] = model.predict_proba(features[test])[:, 1]
        return out

    def _pick_threshold(self, y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
        if self.threshold == "f1":
            return best_f1_threshold(y, scores, floor=float(self.threshold_floor))
        threshold = float(self.threshold)
        return threshold, _f1_at(y, scores, threshold)

    # ----------------------------------------------------------------- predicting
    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Probability of each code for each turn (turns x codes); 0 for codes not learned."""
        check_is_fitted(self, "estimators_")
        texts = _texts(X)
        out = np.zeros((len(texts), len(self.classes_)), dtype=float)
        if not texts:
            return out
        features = self.vectorizer_.transform(texts)
        for j, model in enumerate(self.estimators_):
            if model is not None:
                out[:, j] = model.predict_proba(features)[:, 1]
        return out

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """0/1 per code: probability at or above the code's threshold (never for codes not learned)."""
        proba = self.predict_proba(X)
        return ((proba >= self.thresholds_) & self.learned_).astype(int)

    def score(self, X, Y, sample_weight=None) -> float:
        """Micro-averaged F1 over every (turn, code) pair."""
        from sklearn.metrics import f1_score
        return float(f1_score(np.asarray(Y), self.predict(X), average="micro", zero_division=0,
                              sample_weight=sample_weight))


class CharNgramsByWord:
    """scikit-learn's ``char_wb`` analyzer (lowercased character n-grams inside word
    boundaries, words padded with a space), computed once per distinct word.

    Turns repeat the same words over and over, and making n-grams in Python is what
    costs: caching them per word gives the same features several times faster.  The
    cache is not saved with a model (``__getstate__``).
    """

    CACHE_WORDS = 500_000

    def __init__(self, ngram_range=(2, 5)):
        self.ngram_range = tuple(ngram_range)
        self._cache: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        cache, out = self._cache, []
        for word in text.lower().split():
            grams = cache.get(word)
            if grams is None:
                grams = self._grams(word)
                if len(cache) < self.CACHE_WORDS:
                    cache[word] = grams
            out.extend(grams)
        return out

    def _grams(self, word: str) -> list[str]:
        w = " " + word + " "
        size, (low, high), grams = len(w), self.ngram_range, []
        for n in range(low, high + 1):
            if n >= size:  # a short word counts once, whole
                grams.append(w)
                break
            grams.extend(w[i:i + n] for i in range(size - n + 1))
        return grams

    def __getstate__(self) -> dict:
        return {"ngram_range": [int(n) for n in self.ngram_range]}

    def __setstate__(self, state: dict) -> None:
        self.ngram_range = tuple(state["ngram_range"])
        self._cache = {}

    def __repr__(self) -> str:
        return f"CharNgramsByWord(ngram_range={self.ngram_range})"


def _f1_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    """F1 of predicting ``scores >= threshold``."""
    predicted = scores >= threshold
    tp = int((predicted & (y == 1)).sum())
    denominator = int(predicted.sum()) + int(y.sum())
    return 2 * tp / denominator if denominator else 0.0


def _texts(X) -> list[str]:
    if isinstance(X, str):
        raise ValueError("X must be a list of texts (one per turn), not a single string")
    texts = list(X)
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise ValueError(f"X must hold texts; item {bad[0]} is {type(texts[bad[0]]).__name__}")
    return texts


def _labels(Y, n: int) -> tuple[np.ndarray, np.ndarray]:
    columns = getattr(Y, "columns", None)
    array = np.asarray(Y)
    if array.ndim != 2:
        raise ValueError(f"Y must be 2-D (turns x codes), got {array.ndim}-D")
    if array.shape[0] != n:
        raise ValueError(f"X has {n} texts but Y has {array.shape[0]} rows")
    if array.shape[1] == 0:
        raise ValueError("Y has no codes (0 columns)")
    if not np.isin(array, (0, 1)).all():
        raise ValueError("Y must hold only 0 and 1")
    classes = np.asarray(list(columns), dtype=object) if columns is not None else np.arange(array.shape[1])
    return classes, array.astype(int)
