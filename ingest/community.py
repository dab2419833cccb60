"""Canny-style community idea pages (`posts[]`)."""

from __future__ import annotations

from ingest.entity import Entity, typed, varchar
from ingest.readers import json_page_records

IDEA_COLUMNS = [
    *varchar("id", "title", "details", "status", "created"),
    *typed("BIGINT", "score", "commentCount"),
    *typed("JSON", "author", "board", "category", "tags"),
]

ENTITIES = (
    Entity("community_ideas", ("community/ideas/*.jsonl",), IDEA_COLUMNS, json_page_records(["posts"], IDEA_COLUMNS)),
)
