"""Product reviews (review-site CSV export) and idea requests (Canny-style community forum pages)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_data.crm import Crm
from demo_data.period import Period, iso, month_keys
from demo_data.texts import PORTUGUESE, SPANISH, TOPIC_WEIGHTS, TOPICS, compose, draw_sentiments

REVIEW_SOURCES = np.array(["app_store", "g2", "trustpilot"])
PRODUCTS = np.array(["Acme Cloud", "Acme Mobile", "Acme Analytics"])
# Star rating by sentiment (rows negative, neutral, positive; columns 1..5 stars).
RATING_BY_SENTIMENT = np.array([[0.55, 0.35, 0.1, 0.0, 0.0], [0.0, 0.1, 0.5, 0.35, 0.05], [0.0, 0.0, 0.05, 0.35, 0.6]])
IDEA_STATUSES = np.array(["open", "under review", "planned", "in progress", "complete", "closed"])
BOARDS = [("b1", "Feature Requests"), ("b2", "Integrations"), ("b3", "Mobile")]


def generate_reviews(
    rng: np.random.Generator, period: Period, crm: Crm, scale: float
) -> tuple[pd.DataFrame, np.ndarray]:
    n = max(30, int(30_000 * scale))
    at = np.sort(period.uniform(rng, n))
    topic = rng.choice(len(TOPICS), size=n, p=TOPIC_WEIGHTS)
    sentiment = draw_sentiments(rng, topic)
    cumulative = np.cumsum(RATING_BY_SENTIMENT[sentiment], axis=1)
    rating = (rng.random((n, 1)) > cumulative).sum(axis=1).clip(0, 4) + 1
    body = compose(rng, topic, sentiment).astype(object)
    language = np.full(n, "en", dtype=object)
    foreign = rng.random(n)
    portuguese, spanish = foreign < 0.05, (foreign >= 0.05) & (foreign < 0.08)
    language[portuguese], language[spanish] = "pt", "es"
    body[portuguese] = np.array(PORTUGUESE, dtype=object)[rng.integers(0, 3, portuguese.sum())]
    body[spanish] = np.array(SPANISH, dtype=object)[rng.integers(0, 3, spanish.sum())]
    # Real exports carry commas, quotes and line breaks inside fields.
    quirky = rng.random(n) < 0.05
    body[quirky] = body[quirky] + '\nUpdate: support said "it is fixed", we will see, thanks'
    linked = rng.random(n) < 0.35
    contact = rng.integers(0, len(crm.contact_email), n)
    email = np.where(linked & (rng.random(n) < 0.7), crm.contact_email[contact], "")
    handle = np.where(linked & (email == ""), crm.contact_handle[contact], "")
    frame = pd.DataFrame(
        {
            "review_id": np.char.add("rv_", np.arange(1, n + 1).astype(str)),
            "source": REVIEW_SOURCES[rng.integers(0, 3, n)],
            "product": PRODUCTS[rng.integers(0, 3, n)],
            "rating": rating,
            "title": np.array(["Review", "My experience", "Honest opinion", "Two cents, really"])[
                rng.integers(0, 4, n)
            ],
            "body": body,
            "author_name": np.char.add("Reviewer ", np.arange(1, n + 1).astype(str)),
            "author_email": email,
            "author_handle": handle,
            "language": language,
            "created_at": iso(at),
        }
    )
    return frame, month_keys(at)


def generate_ideas(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> tuple[list[dict], np.ndarray]:
    n = max(20, int(8_000 * scale))
    at = np.sort(period.uniform(rng, n))
    created = iso(at, "millis")
    topic = rng.choice(len(TOPICS), size=n, p=[0.05, 0.05, 0.2, 0.5, 0.05, 0.1, 0.05])
    texts = compose(rng, topic, np.ones(n, dtype=np.int64)).astype(str)
    status = IDEA_STATUSES[rng.choice(6, size=n, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05])]
    score = np.exp(rng.normal(2, 1.2, n)).astype(np.int64)
    author = rng.integers(0, len(crm.contact_email), n)
    board = rng.integers(0, len(BOARDS), n)
    ideas = []
    for i in range(n):
        board_id, board_name = BOARDS[board[i]]
        ideas.append(
            {
                "id": f"{i + 1:024x}",
                "title": f"Idea: {texts[i][:50]}",
                "details": texts[i],
                "status": str(status[i]),
                "score": int(score[i]),
                "commentCount": int(score[i] // 4),
                "created": str(created[i]),
                "author": {
                    "id": f"u{author[i]:06d}",
                    "name": f"Member {author[i]}",
                    "email": str(crm.contact_email[author[i]]),
                },
                "board": {"id": board_id, "name": board_name},
                "category": {"id": f"c{topic[i]}", "name": TOPICS[topic[i]].replace("_", " ")},
                "tags": [{"name": TOPICS[topic[i]]}],
            }
        )
    return ideas, month_keys(at)


def idea_page(chunk: list[dict], month: str, number: int, is_last: bool) -> dict:
    return {"posts": chunk, "hasMore": not is_last}
