"""Kaggle "Customer Support on Twitter" (twcs.csv): brand support accounts and customers, threaded by
`in_response_to_tweet_id`.

Quirks kept intact: a leading unnamed pandas index column (ignored), bare carriage returns written unquoted inside
tweet text (read as text, not as line ends), ids written as floats (`3.0`; staging makes them ids again), a quoted
comma-separated list in `response_tweet_id`, `inbound` as True/False, and times like `Tue Oct 31 22:10:47 +0000 2017`.
"""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, varchar

TWCS_FIELDS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)

ENTITIES = (
    Entity(
        "twcs_tweets",
        ("twcs/*.csv",),
        varchar(*TWCS_FIELDS),
        CsvRows(bare_cr_in_text=True),
        required=("tweet_id", "author_id", "inbound", "created_at"),
        event_time="created_at",
        ignored_fields=("column0",),
    ),
)
