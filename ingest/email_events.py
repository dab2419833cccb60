"""SendGrid Event Webhook events, one per line."""

from __future__ import annotations

from ingest.entity import Entity, JsonRecords, varchar

EVENT_COLUMNS = [
    *varchar("email", "event", "sg_event_id", "sg_message_id", "url", "useragent"),
    ("timestamp", "BIGINT"),
    ("category", "JSON"),
]

ENTITIES = (
    Entity(
        "email_events",
        ("email/events/*.jsonl",),
        EVENT_COLUMNS,
        JsonRecords(),
        required=("sg_event_id", "email", "event", "timestamp"),
        event_time="timestamp",
        event_time_is_unix_seconds=True,
    ),
)
