"""Product reviews (review-site CSV export) and idea requests (Canny-style community forum pages)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from demo_data import jsontext as jt
from demo_data.crm import Crm
from demo_data.period import Period, iso, month_keys
from demo_data.texts import (
    PORTUGUESE,
    SPANISH,
    TOPIC_WEIGHTS,
    TOPICS,
    compose,
    compose_codes,
    draw_sentiments,
    phrase_table,
)
from demo_data.writers import PageChunk

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


def generate_ideas(rng: np.random.Generator, period: Period, crm: Crm, scale: float) -> IdeaRows:
    n = max(20, int(8_000 * scale))
    at = np.sort(period.uniform(rng, n))
    topic = rng.choice(len(TOPICS), size=n, p=[0.05, 0.05, 0.2, 0.5, 0.05, 0.1, 0.05])
    text = compose_codes(rng, topic, np.ones(n, dtype=np.int64))
    status = rng.choice(6, size=n, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05])
    score = np.exp(rng.normal(2, 1.2, n)).astype(np.int64)
    author = rng.integers(0, len(crm.contact_email), n)
    board = rng.integers(0, len(BOARDS), n)
    return IdeaRows(at, topic, text, status, score, author, board, jt.strings(crm.contact_email))


@cache
def idea_texts() -> dict[str, pa.Array]:
    phrases = phrase_table().tolist()
    return {
        "title": jt.vocabulary(f"Idea: {phrase[:50]}" for phrase in phrases),
        "details": jt.vocabulary(phrases),
        "status": jt.vocabulary(IDEA_STATUSES.tolist()),
        "board": jt.vocabulary({"id": board_id, "name": name} for board_id, name in BOARDS),
        "topic": jt.fragments(
            f'"category":{orjson.dumps({"id": f"c{index}", "name": topic.replace("_", " ")}).decode()},'
            f'"tags":{orjson.dumps([{"name": topic}]).decode()}'
            for index, topic in enumerate(TOPICS)
        ),
    }


@dataclass
class IdeaRows:
    """Community ideas in time order: builds Canny-style pages of posts on demand."""

    at: np.ndarray
    topic: np.ndarray
    text: np.ndarray  # phrase_table code
    status: np.ndarray
    score: np.ndarray
    author: np.ndarray  # contact
    board: np.ndarray
    emails: pa.Array  # JSON strings, by contact

    def __len__(self) -> int:
        return len(self.at)

    def pages(self, chunk: PageChunk) -> pa.Array:
        part = slice(chunk.begin, chunk.finish)
        text, author, score = idea_texts(), self.author[part], self.score[part]
        posts = jt.concat(
            '{"id":"',
            jt.hex_digits(np.arange(chunk.begin, chunk.finish) + 1, 24),
            '","title":',
            jt.take(text["title"], self.text[part]),
            ',"details":',
            jt.take(text["details"], self.text[part]),
            ',"status":',
            jt.take(text["status"], self.status[part]),
            ',"score":',
            jt.integers(score),
            ',"commentCount":',
            jt.integers(score // 4),
            ',"created":"',
            jt.iso(self.at[part], "millis"),
            '","author":{"id":"u',
            pc.utf8_lpad(jt.integers(author), width=6, padding="0"),
            '","name":"Member ',
            jt.integers(author),
            '","email":',
            jt.take(self.emails, author),
            '},"board":',
            jt.take(text["board"], self.board[part]),
            ",",
            jt.take(text["topic"], self.topic[part]),
            "}",
        )
        return jt.concat(
            '{"posts":[',
            jt.join_groups(posts, chunk.offsets),
            '],"hasMore":',
            jt.booleans(~chunk.is_last),
            "}",
        )
