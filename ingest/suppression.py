"""People who asked to be forgotten stay out of the warehouse: ingest drops their records before raw or quarantine.

`privacy.suppression` holds one keyed hash per identifier of each erased person: the pseudonym
(pipeline/publish/pseudonyms.py, HMAC-SHA256 under the operator's key) of `<kind>:<value>`, e.g.
`email:ann@example.com` or `actor:x:2000139`, never the value itself. PERSON_COLUMNS says which columns of each raw
table identify a person, and as what kind. Ingest hashes those values of every staged record and drops the records
whose hash is suppressed: they are counted in the ingest audit (`rows_suppressed`) and never quarantined, since
quarantine would store them again. Erasure (pipeline/publish/erasure) deletes the raw rows holding the same values in
clear, so a re-sent export or API page brings back exactly nothing of what erasure removed.

Some records only name the person on a business record of a company (an opportunity's contact): erasure and ingest
empty that column (`links`) and keep the record. The suppression list is read only when it has entries, so ingest
needs no pseudonym key until someone has been forgotten; a key other than the one the list was written with is an
error, not a silent miss.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.entity import Entity
from ingest.sql import quote_ident, quote_literal

PRIVACY_SCHEMA = "privacy"
SUPPRESSION_TABLE = f"{PRIVACY_SCHEMA}.suppression"
KINDS = (
    "email",  # lower case
    "handle",  # lower case, no @
    "phone",  # digits and a leading +
    "contact",  # contact_key as the marts hold it: crm:003..., olist:<customer_unique_id>, <drop>:<id>
    "actor",  # actor_key: x:<user id>, zendesk:<user id>, community:<member id>, twcs:<author id>, <drop>:<id>
    "conversation",  # the conversation_key of conversations the person opened: x:<root tweet>, zendesk:<ticket>, ...
    "interaction",  # interaction_key of the person's messages (twcs replies point at them)
    "segment_anonymous",  # Segment anonymousId of the person's devices
    "olist_customer",  # Olist's per-order customer_id
)


def _email(sql: str) -> str:
    return f"lower(trim({sql}))"


def _handle(sql: str) -> str:
    return f"lower(ltrim(trim({sql}), '@'))"


def _phone(sql: str) -> str:
    return f"nullif(regexp_replace({sql}, '[^0-9+]', '', 'g'), '')"


def _prefixed(prefix: str, sql: str) -> str:
    return f"{quote_literal(prefix)} || nullif(trim(cast({sql} as varchar)), '')"


def _float_id(sql: str) -> str:
    """An id a pandas export wrote as a float ('3.0'), as the staging models read it."""
    return f"coalesce(cast(try_cast(try_cast(nullif({sql}, '') as double) as bigint) as varchar), {sql})"


@dataclass(frozen=True)
class PersonColumns:
    """The columns of one raw table that identify a person: `values` and `lists` mark the row as theirs (kind, SQL
    over the table's columns, a value or a list of values); `links` name the person on a record kept without it
    (kind, SQL value, column set to null)."""

    table: str
    values: tuple[tuple[str, str], ...] = ()
    lists: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str, str], ...] = ()

    def values_sql(self) -> str:
        """Every `<kind>:<value>` of a row, as one list (nulls where a column is empty)."""
        single = ", ".join(f"{quote_literal(kind + ':')} || ({sql})" for kind, sql in self.values)
        parts = [f"[{single}]"] + [
            f"list_transform({sql}, lambda value: {quote_literal(kind + ':')} || value)" for kind, sql in self.lists
        ]
        return parts[0] if len(parts) == 1 else f"flatten([{', '.join(parts)}])"

    def link_sql(self, kind: str, sql: str) -> str:
        return f"[{quote_literal(kind + ':')} || ({sql})]"


def _json_ids(sql: str) -> str:
    return f"cast(json_extract_string({sql}, '$[*]') as varchar[])"


PERSON_COLUMNS: tuple[PersonColumns, ...] = (
    PersonColumns(
        "x_tweets",
        values=(
            ("actor", _prefixed("x:", "author_id")),
            # the brand's replies to the person, and every reply in a thread the person started
            ("actor", _prefixed("x:", "in_reply_to_user_id")),
            ("conversation", _prefixed("x:", "conversation_id")),
        ),
    ),
    PersonColumns(
        "x_dm_events",
        values=(("actor", _prefixed("x:", "sender_id")), ("conversation", _prefixed("x_dm:", "dm_conversation_id"))),
        lists=(("actor", f"list_transform({_json_ids('participant_ids')}, lambda id: 'x:' || id)"),),
    ),
    PersonColumns("x_users", values=(("actor", _prefixed("x:", "id")), ("handle", _handle("username")))),
    PersonColumns(
        "zendesk_tickets",
        values=(
            ("actor", _prefixed("zendesk:", "requester_id")),
            ("actor", _prefixed("zendesk:", "submitter_id")),
            ("conversation", _prefixed("zendesk:", "id")),
        ),
    ),
    PersonColumns("zendesk_users", values=(("actor", _prefixed("zendesk:", "id")), ("email", _email("email")))),
    PersonColumns(
        "zendesk_ticket_events",
        values=(("conversation", _prefixed("zendesk:", "ticket_id")), ("actor", _prefixed("zendesk:", "updater_id"))),
    ),
    PersonColumns("reviews", values=(("email", _email("author_email")), ("handle", _handle("author_handle")))),
    PersonColumns(
        "community_ideas",
        values=(("actor", _prefixed("community:", "author ->> 'id'")), ("email", _email("author ->> 'email'"))),
    ),
    PersonColumns(
        "crm_contacts",
        values=(
            ("contact", _prefixed("crm:", '"Id"')),
            ("email", _email('"Email"')),
            ("handle", _handle('"Twitter_Handle__c"')),
        ),
    ),
    PersonColumns("crm_opportunities", links=(("contact", _prefixed("crm:", '"ContactId"'), "ContactId"),)),
    PersonColumns(
        "segment_events",
        values=(
            ("contact", _prefixed("crm:", '"userId"')),
            ("segment_anonymous", "nullif(trim(\"anonymousId\"), '')"),
            ("email", _email("context ->> '$.traits.email'")),
            ("email", _email("traits ->> '$.email'")),
        ),
    ),
    PersonColumns("email_events", values=(("email", _email("email")),)),
    PersonColumns(
        "call_center_calls",
        values=(
            ("email", _email("contact_email")),
            ("phone", _phone("from_number")),
            ("phone", _phone("to_number")),
        ),
    ),
    PersonColumns(
        "twcs_tweets",
        values=(
            ("actor", _prefixed("twcs:", "author_id")),
            ("interaction", _prefixed("twcs:", _float_id("in_response_to_tweet_id"))),
        ),
    ),
    PersonColumns(
        "olist_customers",
        values=(
            ("contact", _prefixed("olist:", "customer_unique_id")),
            ("olist_customer", "nullif(trim(customer_id), '')"),
        ),
    ),
    # Olist keys a person's reviews by order: conversation_key 'olist:<order_id>'.
    PersonColumns(
        "olist_orders",
        values=(
            ("olist_customer", "nullif(trim(customer_id), '')"),
            ("conversation", _prefixed("olist:", "order_id")),
        ),
    ),
    PersonColumns("olist_order_items", values=(("conversation", _prefixed("olist:", "order_id")),)),
    PersonColumns("olist_order_payments", values=(("conversation", _prefixed("olist:", "order_id")),)),
    PersonColumns("olist_order_reviews", values=(("conversation", _prefixed("olist:", "order_id")),)),
)


def file_drop_columns(drops) -> tuple[PersonColumns, ...]:
    """The person columns of each configured file drop mapped to a canonical entity (ingest/file_drops.py), from its
    mapping: the canonical columns that identify a person, as the canonical models key them."""
    found = []
    for drop in drops:
        mapped = dict(drop.mapping)
        values: list[tuple[str, str]] = []
        if drop.canonical == "contacts":
            values.append(("contact", _prefixed(f"{drop.name}:", mapped["contact_id"])))
        if drop.canonical == "interactions" and "actor_id" in mapped:
            values.append(("actor", _prefixed(f"{drop.name}:", mapped["actor_id"])))
        if drop.canonical == "interactions" and "conversation_key" in mapped:
            values.append(("conversation", mapped["conversation_key"]))
        if drop.canonical == "touchpoints" and "contact_key" in mapped:
            values.append(("contact", mapped["contact_key"]))
        for column, kind in (("email", "email"), ("contact_email", "email"), ("social_handle", "handle")):
            if column in mapped:
                values.append((kind, _email(mapped[column]) if kind == "email" else _handle(mapped[column])))
        if values:
            found.append(PersonColumns(drop.entity.table, values=tuple(values)))
    return tuple(found)


def person_columns(drops=()) -> dict[str, PersonColumns]:
    return {rule.table: rule for rule in (*PERSON_COLUMNS, *file_drop_columns(drops))}


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {PRIVACY_SCHEMA}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {SUPPRESSION_TABLE} (identifier_hash VARCHAR NOT NULL, kind VARCHAR NOT NULL, "
        "key_id VARCHAR NOT NULL, erasure_id VARCHAR NOT NULL, suppressed_at TIMESTAMP NOT NULL)"
    )


class SuppressionKeyMismatch(RuntimeError):
    pass


@dataclass(frozen=True)
class Suppression:
    """The suppressed hashes and the key that computes them from a record's values."""

    hashes: tuple[str, ...]
    key: object  # pipeline.publish.pseudonyms.PseudonymKey
    rules: dict[str, PersonColumns]

    def hashed(self, values_sql: str) -> str:
        return f"list_transform({values_sql}, lambda value: {self.key.sql('value')})"

    def apply(self, con: duckdb.DuckDBPyConnection, entity: Entity, table: str = "_staged") -> int:
        """Empty the person links of `table`'s records and delete the person's records; returns the deleted count."""
        rule = self.rules.get(entity.table)
        if rule is None:
            return 0
        hashes = list(self.hashes)
        for kind, sql, column in rule.links:
            con.execute(
                f"UPDATE {table} SET {quote_ident(column)} = NULL "
                f"WHERE list_has_any({self.hashed(rule.link_sql(kind, sql))}, ?::VARCHAR[])",
                [hashes],
            )
        if not rule.values and not rule.lists:
            return 0
        found = con.execute(
            f"DELETE FROM {table} WHERE list_has_any({self.hashed(rule.values_sql())}, ?::VARCHAR[])", [hashes]
        ).fetchone()
        return found[0] if found else 0


def load(con: duckdb.DuckDBPyConnection, landing_dir: Path, warehouse_path: Path, drops=()) -> Suppression | None:
    """The warehouse's suppression list with the pseudonym key that wrote it; None when nobody was forgotten."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'suppression'",
        [PRIVACY_SCHEMA],
    ).fetchone()[0]
    if not exists:
        return None
    rows = con.execute(f"SELECT identifier_hash, key_id FROM {SUPPRESSION_TABLE}").fetchall()
    if not rows:
        return None
    # Imported here: ingest needs the publish layer's key only once someone has been forgotten.
    from pipeline.publish import pseudonyms
    from pipeline.settings import load_paths

    paths = dataclasses.replace(load_paths(), landing_dir=Path(landing_dir), warehouse_path=Path(warehouse_path))
    key = pseudonyms.load_key(paths)
    other_keys = sorted({key_id for _, key_id in rows} - {key.key_id})
    if other_keys:
        raise SuppressionKeyMismatch(
            f"The suppression list ({SUPPRESSION_TABLE}) was written under another pseudonym key (key id "
            f"{', '.join(other_keys)}; this run's is {key.key_id}, from {key.origin}): ingest cannot tell whether a "
            "record belongs to a forgotten person. Set the key the erasures used."
        )
    return Suppression(tuple(sorted({identifier_hash for identifier_hash, _ in rows})), key, person_columns(drops))
