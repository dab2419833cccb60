"""Segment-spec events, one per line."""

from __future__ import annotations

from ingest.entity import Entity, JsonRecords, typed, varchar

EVENT_COLUMNS = [
    *varchar("messageId", "type", "event", "name", "userId", "anonymousId", "timestamp", "receivedAt", "sentAt"),
    *typed("JSON", "context", "properties", "traits"),
]

ENTITIES = (
    Entity(
        "segment_events",
        ("segment/events/*.jsonl",),
        EVENT_COLUMNS,
        JsonRecords(),
        required=("messageId", "type", "timestamp"),
        event_time="timestamp",
    ),
)
