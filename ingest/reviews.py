"""Review-site export: one review per CSV row."""

from __future__ import annotations

from ingest.entity import Entity, varchar
from ingest.readers import csv_rows

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

ENTITIES = (Entity("reviews", ("reviews/*.csv",), varchar(*REVIEW_FIELDS), csv_rows(REVIEW_FIELDS)),)
