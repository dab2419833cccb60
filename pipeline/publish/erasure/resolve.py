"""Who an erasure request is about: every identity the warehouse links to an email, a handle or a CRM contact id.

The identity-resolution models already link each actor (an X user, a Zendesk user, a reviewer, a community member)
to at most one CRM contact by contact id, email or handle (int_identity__actor_contacts). Resolution follows those
links both ways until nothing new turns up: contacts of the actors, actors of the contacts, and every contact or
actor sharing an email or a handle with them. The brand's own accounts are never part of a person (forgetting
@acmehelp would erase every conversation). From the identities it collects what each copy needs to find the person:
identifiers in clear, the marts' keys, the person's messages and the conversations they opened, and the texts they
wrote (pipeline/publish/person.py), plus the `<kind>:<value>` strings the raw tables and the suppression list match
(ingest/suppression.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from ingest.suppression import PersonColumns, person_columns
from pipeline.publish.person import Person

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
HANDLE = re.compile(r"[a-z0-9_.]{1,50}")
SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}|[A-Za-z0-9]{18}")
# A request linking more identities than this is refused: a shared address (info@...) or a data error, not a person.
MAX_IDENTITIES = 50
# Touchpoints of a company's records that merely name the person (an opportunity's contact): kept, unlinked.
ACCOUNT_TOUCHPOINTS = ("won:", "churn:")
MIN_NAME_CHARS = 4
CONTACT_HANDLE = "lower(ltrim(social_handle, '@'))"
SEGMENT_EMAIL = "lower(trim(context ->> '$.traits.email'))"
REQUESTER_KEY = "source_system || ':' || requester_id"
# Raw name columns whose value is the person's name when no one else holds it.
NAME_COLUMNS = {
    "crm_contacts": """concat_ws(' ', "FirstName", "LastName")""",
    "zendesk_users": "name",
    "x_users": "name",
    "community_ideas": "author ->> 'name'",
}


class ResolutionError(ValueError):
    pass


@dataclass
class Identity:
    """A resolved request: the Person each copy is scrubbed of, and the `<kind>:<value>` strings of raw and
    suppression."""

    person: Person
    marks: frozenset[str] = field(default_factory=frozenset)
    contacts: frozenset[str] = field(default_factory=frozenset)
    actors: frozenset[str] = field(default_factory=frozenset)

    @property
    def matched(self) -> bool:
        return bool(self.contacts or self.actors or self.person.interaction_keys)


def normalize(who: str) -> str:
    request = (who or "").strip()
    if not request:
        raise ResolutionError("Say who to forget: an email, a handle (with or without @) or a CRM contact id")
    return request


def among(parameter: str, column: str) -> str:
    """SQL: `column` is one of the values of the named list parameter."""
    return f"list_contains(${parameter}::varchar[], {column})"


class _Warehouse:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        found = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
        self.tables = {name for (name,) in found}

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, sql: str, **parameters: set[str]) -> list[tuple]:
        return self.con.execute(sql, {name: sorted(values) for name, values in parameters.items()}).fetchall()

    def column(self, sql: str, **parameters: set[str]) -> set[str]:
        return {row[0] for row in self.rows(sql, **parameters) if row[0] not in (None, "")}


def _grow(db: _Warehouse, request: str) -> tuple[set[str], set[str], set[str], set[str], bool]:
    """Contacts, actors, emails and handles linked to the request, and whether it named only a brand account."""
    lowered = request.lower()
    emails = {lowered} if EMAIL.fullmatch(lowered) else set()
    handle = lowered.lstrip("@")
    handles = {handle} if not emails and HANDLE.fullmatch(handle) else set()
    ids = {request, request.lstrip("@"), lowered, handle}
    contacts: set[str] = set()
    actors: set[str] = set()
    brand = False
    if db.has("intermediate.int_canonical__contacts"):
        contacts |= db.column(
            "select contact_key from intermediate.int_canonical__contacts"
            f" where {among('ids', 'contact_key')} or {among('ids', 'contact_id')}",
            ids=ids,
        )
    if db.has("intermediate.int_identity__actors"):
        found = db.rows(
            "select actor_key, is_own_brand from intermediate.int_identity__actors"
            f" where {among('ids', 'actor_key')} or {among('ids', 'actor_id')} or {among('ids', 'lower(actor_id)')}",
            ids=ids,
        )
        actors |= {key for key, own in found if not own}
        brand = any(own for _, own in found)
    while True:
        before = (len(contacts), len(actors), len(emails), len(handles))
        if db.has("intermediate.int_canonical__contacts"):
            found = db.rows(
                f"select contact_key, email, {CONTACT_HANDLE} from intermediate.int_canonical__contacts"
                f" where {among('contacts', 'contact_key')} or {among('emails', 'email')}"
                f" or {among('handles', CONTACT_HANDLE)}",
                contacts=contacts,
                emails=emails,
                handles=handles,
            )
            contacts |= {row[0] for row in found}
            emails |= {row[1] for row in found if row[1]}
            handles |= {row[2] for row in found if row[2]}
        if db.has("intermediate.int_identity__actors"):
            found = db.rows(
                "select actor_key, email, social_handle, is_own_brand from intermediate.int_identity__actors"
                f" where {among('actors', 'actor_key')} or {among('emails', 'email')}"
                f" or {among('handles', 'social_handle')}",
                actors=actors,
                emails=emails,
                handles=handles,
            )
            brand |= any(row[3] for row in found)
            own = [row for row in found if not row[3]]
            actors |= {row[0] for row in own}
            emails |= {row[1] for row in own if row[1]}
            handles |= {row[2] for row in own if row[2]}
        if db.has("intermediate.int_identity__actor_contacts"):
            found = db.rows(
                "select actor_key, contact_key from intermediate.int_identity__actor_contacts"
                f" where not is_own_brand and ({among('actors', 'actor_key')} or {among('contacts', 'contact_key')})",
                actors=actors,
                contacts=contacts,
            )
            actors |= {row[0] for row in found}
            contacts |= {row[1] for row in found if row[1]}
        if len(contacts) + len(actors) > MAX_IDENTITIES:
            raise ResolutionError(
                f"The request links more than {MAX_IDENTITIES} contacts and accounts: a shared address or a data"
                " error, not one person. Nothing was erased; forget the person by a more specific identifier."
            )
        if (len(contacts), len(actors), len(emails), len(handles)) == before:
            return contacts, actors, emails, handles, brand and not (contacts or actors)


def _raw_links(db: _Warehouse, contacts: set[str], emails: set[str]) -> tuple[set[str], set[str], set[str], set[str]]:
    """What only raw tables link to the person: Segment devices, phone numbers, Olist customer ids and orders."""
    anonymous: set[str] = set()
    phones: set[str] = set()
    olist_customers: set[str] = set()
    orders: set[str] = set()
    crm_ids = {key.removeprefix("crm:") for key in contacts if key.startswith("crm:")}
    if db.has("raw.segment_events"):
        anonymous = db.column(
            """select distinct trim("anonymousId") from raw.segment_events"""
            f""" where {among("crm_ids", '"userId"')} or {among("emails", SEGMENT_EMAIL)}""",
            crm_ids=crm_ids,
            emails=emails,
        )
    if db.has("raw.call_center_calls") and emails:
        # A number is the person's when every call that names an email names theirs (the brand's lines name many).
        phones = db.column(
            "with numbers as (select regexp_replace(number, '[^0-9+]', '', 'g') as phone, lower(trim(contact_email))"
            " as email from raw.call_center_calls, unnest([from_number, to_number]) as n(number))"
            f" select phone from numbers where phone <> '' group by phone having bool_or({among('emails', 'email')})"
            " and count(distinct email) = 1",
            emails=emails,
        )
    olist_people = {key.removeprefix("olist:") for key in contacts if key.startswith("olist:")}
    if db.has("raw.olist_customers") and olist_people:
        olist_customers = db.column(
            f"select distinct customer_id from raw.olist_customers where {among('people', 'customer_unique_id')}",
            people=olist_people,
        )
    if db.has("raw.olist_orders") and olist_customers:
        orders = db.column(
            f"select distinct order_id from raw.olist_orders where {among('customers', 'customer_id')}",
            customers=olist_customers,
        )
    return anonymous, phones, olist_customers, orders


def _unique_names(db: _Warehouse, rules: dict[str, PersonColumns], marks: set[str]) -> set[str]:
    """The person's names that nobody else in raw holds (a namesake's rows must not be erased with theirs)."""
    names: dict[str, bool] = {}
    for table, name_sql in NAME_COLUMNS.items():
        if not db.has(f"raw.{table}"):
            continue
        mine = f"list_has_any({rules[table].values_sql()}, $marks::varchar[])"
        found = db.rows(
            f"select trim({name_sql}) as name, bool_and({mine}) from raw.{table} where trim({name_sql}) in"
            f" (select trim({name_sql}) from raw.{table} where {mine}) group by name",
            marks=marks,
        )
        for name, only_mine in found:
            if name:
                names[name] = names.get(name, True) and bool(only_mine)
    return {name for name, unique in names.items() if unique and len(name) >= MIN_NAME_CHARS}


def _messages(db: _Warehouse, contacts: set[str], actors: set[str], emails: set[str], orders: set[str]):
    """The person's conversations, interaction and touchpoint keys, texts, and the marts' keys for them."""
    conversations: set[str] = {f"olist:{order}" for order in orders}
    requesters: set[str] = set()
    if db.has("marts.fct_conversations"):
        found = db.rows(
            "select conversation_id, requester_id from marts.fct_conversations"
            f" where {among('actors', REQUESTER_KEY)} or {among('contacts', 'contact_key')}",
            actors=actors,
            contacts=contacts,
        )
        conversations |= {row[0] for row in found}
        requesters = {row[1] for row in found if row[1]}
    interactions: set[str] = set()
    texts: set[str] = set()
    if db.has("marts.fct_interactions"):
        own = db.rows(
            "select interaction_key, conversation_key, body from marts.fct_interactions"
            f" where {among('actors', 'actor_key')}",
            actors=actors,
        )
        own_keys = {row[0] for row in own}
        texts = {row[2] for row in own if row[2]}
        # A care conversation's key in fct_interactions: x_mention:<root> is x:<root>, the others the same string;
        # a thread the person started has their message as its root (a review is its own conversation).
        conversations |= {
            "x:" + key.removeprefix("x_mention:") for key in conversations if key.startswith("x_mention:")
        }
        conversations |= {row[1] for row in own if row[1] in own_keys}
        interactions = own_keys | db.column(
            f"select interaction_key from marts.fct_interactions where {among('conversations', 'conversation_key')}",
            conversations=conversations,
        )
    person_keys = contacts | actors | requesters | {f"email:{email}" for email in emails}
    if db.has("marts.fct_touchpoints"):
        found = db.rows(
            "select touchpoint_key, person_key from marts.fct_touchpoints"
            f" where {among('people', 'person_key')} or {among('contacts', 'contact_key')}",
            people=person_keys,
            contacts=contacts,
        )
        interactions |= {row[0] for row in found if not row[0].startswith(ACCOUNT_TOUCHPOINTS)}
        person_keys |= {row[1] for row in found if row[1]}
    if db.has("marts.dim_contacts"):
        person_keys |= db.column(
            f"select contact_version_key from marts.dim_contacts where {among('contacts', 'contact_key')}",
            contacts=contacts,
        )
    return conversations, interactions, texts, person_keys


def resolve_identity(con: duckdb.DuckDBPyConnection, who: str, drops=()) -> Identity:
    request = normalize(who)
    db = _Warehouse(con)
    contacts, actors, emails, handles, brand = _grow(db, request)
    if brand:
        raise ResolutionError(
            "The request names one of the brand's own accounts (seed brand_accounts, an agent or admin), not a"
            " person; nothing was erased."
        )
    if not (contacts or actors):
        # Nobody in the models: the request itself is still erased from raw and suppressed.
        lowered = request.lower()
        if EMAIL.fullmatch(lowered):
            emails.add(lowered)
        elif HANDLE.fullmatch(lowered.lstrip("@")):
            handles.add(lowered.lstrip("@"))
        if SALESFORCE_ID.fullmatch(request):
            contacts.add(f"crm:{request}")
    anonymous, phones, olist_customers, orders = _raw_links(db, contacts, emails)
    conversations, interactions, texts, person_keys = _messages(db, contacts, actors, emails, orders)
    marks = (
        {f"email:{value}" for value in emails}
        | {f"handle:{value}" for value in handles}
        | {f"phone:{value}" for value in phones}
        | {f"contact:{value}" for value in contacts}
        | {f"actor:{value}" for value in actors}
        | {f"conversation:{value}" for value in conversations}
        | {f"interaction:{value}" for value in interactions}
        | {f"segment_anonymous:{value}" for value in anonymous}
        | {f"olist_customer:{value}" for value in olist_customers}
    )
    # Source ids as the raw tables hold them: the part after the source prefix of each key.
    source_ids = {key.split(":", 1)[1] for key in contacts | actors if ":" in key}
    source_ids -= {key.split(":", 1)[1] for key in actors if key.startswith("reviews:")} - emails - handles
    names = _unique_names(db, person_columns(drops), marks)
    identifiers = emails | handles | phones | source_ids | anonymous | olist_customers | names
    person = Person(
        request=request,
        identifiers=frozenset(identifiers),
        person_keys=frozenset(person_keys),
        interaction_keys=frozenset(interactions),
        conversation_keys=frozenset(conversations),
        texts=frozenset(texts),
    )
    return Identity(person, frozenset(marks), frozenset(contacts), frozenset(actors))
