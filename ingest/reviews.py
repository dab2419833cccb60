"""Review-site export: one review per CSV row."""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, varchar

REVIEW_FIELDS = (
    "review_id",
    "source",
    "product",
    "rating",
    "title",
    "body",
    "author_name",
    "author_email",
    "author_handle",
    "language",
    "created_at",
)

ENTITIES = (
    Entity(
        "reviews",
        ("reviews/*.csv",),
        varchar(*REVIEW_FIELDS),
        CsvRows(),
        required=("review_id", "rating", "created_at"),
        event_time="created_at",
    ),
)
