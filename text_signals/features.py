"""The sentiment model: a multinomial logistic regression over the message's tokens (text_signals/tokens.py) plus
a few lexicon sums, folded after training into one weight per token and class, so that dbt scores a message by
joining its tokens to a table and summing (int_text__interaction_sentiment).

Why the fold is exact: every feature is a sum over the message's distinct tokens. A token's indicator (scaled by its
naive-Bayes log-count ratio), the VADER valence sums, and the score of a positive/negative model trained on the
emoticon-labelled Sentiment140 tweets are all of the form sum(f(token)), so the model's class score
bias + sum_j w_j * feature_j equals bias + sum over tokens of [sum_j w_j * f_j(token)].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

CLASSES = ("negative", "neutral", "positive")
NEGATION_PREFIX = "neg_"
# VADER's own damping of a negated word's valence.
NEGATED_VALENCE = -0.74


def _identity(tokens):
    return tokens


def vader_lexicon() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon)


def _token_valence(token: str, lexicon: dict[str, float], negated_factor: float) -> float | None:
    if token.startswith(NEGATION_PREFIX):
        value = lexicon.get(token[len(NEGATION_PREFIX) :])
        return None if value is None else negated_factor * value
    return lexicon.get(token)


@dataclass
class Settings:
    C: float = 0.2
    min_df: int = 2
    naive_bayes_scaling: bool = True
    lexicon_weight: float = 1.0
    distant_weight: float = 1.0
    distant_C: float = 0.3
    seed: int = 42


class SentimentModel:
    """Fit on token lists; `token_weights()` returns the folded table the warehouse scores with."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()

    # -- lexicon-sum features -------------------------------------------------------------------------------------
    def _token_features(self, token: str) -> np.ndarray:
        """Per-token contributions to the 7 summed features (zeros when the token is in no lexicon)."""
        cached = self._feature_cache.get(token)
        if cached is not None:
            return cached
        vader = _token_valence(token, self.vader, NEGATED_VALENCE)
        distant = self.distant.get(token)
        row = np.array(
            [
                max(vader, 0.0) if vader is not None else 0.0,
                min(vader, 0.0) if vader is not None else 0.0,
                1.0 if vader is not None else 0.0,
                max(distant, 0.0) if distant is not None else 0.0,
                min(distant, 0.0) if distant is not None else 0.0,
                1.0 if distant is not None else 0.0,
                distant if distant is not None else 0.0,
            ]
        )
        self._feature_cache[token] = row
        return row

    def _lexicon_sums(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        out = np.zeros((len(documents), 7))
        for index, tokens in enumerate(documents):
            for token in tokens:
                out[index] += self._token_features(token)
        return out

    def _matrix(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        indicators = self.vectorizer.transform(documents).astype(float) @ self.scaling
        sums = self._lexicon_sums(documents) / self.sum_scale * self.sum_weights
        return sp.hstack([indicators, sp.csr_matrix(sums)]).tocsr()

    # -- training ---------------------------------------------------------------------------------------------------
    def fit(self, documents, labels, distant_documents=(), distant_labels=()) -> SentimentModel:
        settings = self.settings
        labels = np.asarray(labels)
        self.vader = vader_lexicon()
        self.distant = {}
        if len(distant_documents):
            distant_vectorizer = CountVectorizer(analyzer=_identity, binary=True, min_df=3)
            distant_matrix = distant_vectorizer.fit_transform(distant_documents)
            distant_model = LogisticRegression(C=settings.distant_C, max_iter=2000, random_state=settings.seed)
            distant_model.fit(distant_matrix, distant_labels)
            sign = 1.0 if distant_model.classes_[1] == "positive" else -1.0
            self.distant = dict(
                zip(distant_vectorizer.get_feature_names_out(), sign * distant_model.coef_[0], strict=True)
            )
        self._feature_cache = {}

        self.vectorizer = CountVectorizer(analyzer=_identity, binary=True, min_df=settings.min_df)
        indicators = self.vectorizer.fit_transform(documents).astype(float)
        if settings.naive_bayes_scaling:
            ratios = []
            for label in CLASSES:
                inside = np.asarray(indicators[labels == label].sum(0)).ravel() + 1
                outside = np.asarray(indicators[labels != label].sum(0)).ravel() + 1
                ratios.append(np.abs(np.log((inside / inside.sum()) / (outside / outside.sum()))))
            self.ratio = np.mean(ratios, axis=0)
        else:
            self.ratio = np.ones(indicators.shape[1])
        self.scaling = sp.diags(self.ratio)
        raw_sums = self._lexicon_sums(documents)
        self.sum_scale = np.abs(raw_sums).std(axis=0) + 1e-9
        self.sum_weights = np.array([settings.lexicon_weight] * 6 + [settings.distant_weight])
        self.sum_weights[3:6] *= 1.0 if self.distant else 0.0

        self.classifier = LogisticRegression(
            C=settings.C, max_iter=5000, class_weight="balanced", random_state=settings.seed
        )
        self.classifier.fit(self._matrix(documents), labels)
        assert tuple(self.classifier.classes_) == CLASSES
        return self

    # -- scoring ----------------------------------------------------------------------------------------------------
    def decision(self, documents) -> np.ndarray:
        return self.classifier.decision_function(self._matrix(documents))

    def predict(self, documents) -> np.ndarray:
        return np.asarray(CLASSES)[self.decision(documents).argmax(axis=1)]

    def token_weights(self, min_weight: float = 0.02) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(tokens, weights [n x 3], bias [3]): the model folded into one weight per token and class."""
        coef = self.classifier.coef_  # 3 x (vocabulary + 7)
        vocabulary = list(self.vectorizer.get_feature_names_out())
        n = len(vocabulary)
        weights: dict[str, np.ndarray] = {token: coef[:, i] * self.ratio[i] for i, token in enumerate(vocabulary)}
        sum_coef = coef[:, n:] * (self.sum_weights / self.sum_scale)  # 3 x 7
        lexicon_tokens = set(self.distant)
        lexicon_tokens.update(self.vader)
        lexicon_tokens.update(NEGATION_PREFIX + token for token in self.vader)
        for token in lexicon_tokens | set(vocabulary):
            contribution = sum_coef @ self._token_features(token)
            weights[token] = weights.get(token, np.zeros(3)) + contribution
        tokens = sorted(token for token, value in weights.items() if np.abs(value).max() >= min_weight)
        return tokens, np.vstack([weights[token] for token in tokens]), self.classifier.intercept_.copy()
