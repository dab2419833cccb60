"""Every entity the ingest layer loads, in load order."""

from __future__ import annotations

from ingest import (
    call_center,
    community,
    crm,
    email_events,
    maven_crm,
    olist,
    olist_marketing,
    reviews,
    segment,
    twcs,
    x_api,
    zendesk,
)
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
    *olist.ENTITIES,
    *olist_marketing.ENTITIES,
    *maven_crm.ENTITIES,
)


def entity(table: str) -> Entity:
    for candidate in ENTITIES:
        if candidate.table == table:
            return candidate
    raise KeyError(table)
