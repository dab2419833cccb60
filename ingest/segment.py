"""Segment-spec events, one per line."""

from __future__ import annotations

from ingest.entity import Entity, typed, varchar
from ingest.readers import json_lines

EVENT_COLUMNS = [
    *varchar("messageId", "type", "event", "name", "userId", "anonymousId", "timestamp", "receivedAt", "sentAt"),
    *typed("JSON", "context", "properties", "traits"),
]

ENTITIES = (Entity("segment_events", ("segment/events/*.jsonl",), EVENT_COLUMNS, json_lines(EVENT_COLUMNS)),)
