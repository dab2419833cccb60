"""Every entity the ingest layer loads, in load order."""

from __future__ import annotations

from ingest import call_center, community, crm, email_events, reviews, segment, twcs, x_api, zendesk
from ingest.entity import Entity

ENTITIES: tuple[Entity, ...] = (
    *x_api.ENTITIES,
    *zendesk.ENTITIES,
    *reviews.ENTITIES,
    *community.ENTITIES,
    *crm.ENTITIES,
    *segment.ENTITIES,
    *email_events.ENTITIES,
    *call_center.ENTITIES,
    *twcs.ENTITIES,
)


def entity(table: str) -> Entity:
    for candidate in ENTITIES:
        if candidate.table == table:
            return candidate
    raise KeyError(table)
