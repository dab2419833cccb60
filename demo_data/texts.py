"""Topic taxonomy and text templates. Each text carries its topic's keywords and a clear sentiment."""

from __future__ import annotations

from functools import cache

import numpy as np

TOPICS = ["billing", "login_outage", "performance", "feature_request", "shipping", "pricing", "praise"]
TOPIC_WEIGHTS = np.array([0.2, 0.12, 0.15, 0.15, 0.13, 0.1, 0.15])
SENTIMENTS = ["negative", "neutral", "positive"]

SUBJECTS = {
    "billing": ["my invoice", "the double charge on my card", "my refund"],
    "login_outage": ["login", "sign in", "the password reset"],
    "performance": ["the dashboard", "the app", "the sync"],
    "feature_request": ["an export to Excel", "dark mode", "a Slack integration"],
    "shipping": ["my delivery", "the package", "my order shipment"],
    "pricing": ["the new price plan", "the subscription price", "the pricing page"],
    "praise": ["your support team", "the new release", "the onboarding"],
}

PHRASES = {
    "negative": [
        "{s} is broken again, this is terrible",
        "still waiting on {s}, awful service",
        "{s} failed and nobody answers, very disappointed",
        "why is {s} so bad? frustrated",
    ],
    "neutral": [
        "question about {s}, can someone help",
        "how do I check {s}?",
        "any update on {s}",
        "looking for info on {s}",
    ],
    "positive": [
        "thanks, {s} works great now",
        "love {s}, excellent job",
        "{s} was fixed fast, happy customer",
        "great experience with {s}, thank you",
    ],
}

PORTUGUESE = ["produto chegou com defeito, péssimo", "entrega rápida, muito bom", "não recebi o produto"]
SPANISH = ["el pedido llegó tarde, muy mal", "excelente servicio, gracias", "no funciona el inicio de sesión"]


@cache
def phrase_table() -> np.ndarray:
    """Every template sentence, flat: code (topic * 3 + sentiment) * PHRASES_PER_CELL + choice."""
    table = [
        [
            [phrase.format(s=subject) for subject in SUBJECTS[topic] for phrase in PHRASES[sentiment]]
            for sentiment in SENTIMENTS
        ]
        for topic in TOPICS
    ]
    return np.array(table, dtype=object).reshape(-1)


PHRASES_PER_CELL = len(phrase_table()) // (len(TOPICS) * len(SENTIMENTS))


def compose_codes(rng: np.random.Generator, topics: np.ndarray, sentiments: np.ndarray) -> np.ndarray:
    """One sentence per (topic index, sentiment index), chosen at random among the templates: its phrase_table code."""
    choice = rng.integers(0, PHRASES_PER_CELL, size=len(topics))
    return (np.asarray(topics) * len(SENTIMENTS) + np.asarray(sentiments)) * PHRASES_PER_CELL + choice


def compose(rng: np.random.Generator, topics: np.ndarray, sentiments: np.ndarray) -> np.ndarray:
    """One sentence per (topic index, sentiment index), chosen at random among the templates."""
    return phrase_table()[compose_codes(rng, topics, sentiments)]


def draw_sentiments(rng: np.random.Generator, topics: np.ndarray) -> np.ndarray:
    """Praise is positive, feature requests mostly neutral, the rest lean negative."""
    draws = rng.choice(3, size=len(topics), p=[0.5, 0.3, 0.2])
    draws = np.where(topics == TOPICS.index("praise"), 2, draws)
    neutral_first = rng.choice(3, size=len(topics), p=[0.2, 0.6, 0.2])
    return np.where(topics == TOPICS.index("feature_request"), neutral_first, draws)
