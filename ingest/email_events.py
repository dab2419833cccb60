"""SendGrid Event Webhook events, one per line."""

from __future__ import annotations

from ingest.entity import Entity, varchar
from ingest.readers import json_lines

EVENT_COLUMNS = [
    *varchar("email", "event", "sg_event_id", "sg_message_id", "url", "useragent"),
    ("timestamp", "BIGINT"),
    ("category", "JSON"),
]

ENTITIES = (Entity("email_events", ("email/events/*.jsonl",), EVENT_COLUMNS, json_lines(EVENT_COLUMNS)),)
