"""Call-center (ACD) export: one call per CSV row."""

from __future__ import annotations

from ingest.entity import CsvRows, Entity, varchar

CALL_FIELDS = (
    "call_id",
    "direction",
    "from_number",
    "to_number",
    "contact_email",
    "queue",
    "agent_id",
    "started_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "disposition",
)

ENTITIES = (
    Entity(
        "call_center_calls",
        ("calls/*.csv",),
        varchar(*CALL_FIELDS),
        CsvRows(),
        required=("call_id", "started_at"),
        event_time="started_at",
    ),
)
