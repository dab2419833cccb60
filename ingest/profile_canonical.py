"""The canonical entity `make profile` suggests for an export, and its columns mapped by name (ingest/profile.py).

A suggestion is a starting point the user checks: which entity fits (opportunities: an amount and a stage;
interactions: a text and a time; contacts: emails and names; accounts: company-like; touchpoints: a time and a
person), and each canonical column mapped from the first column whose name fits. Numeric and boolean canonical
columns are mapped only from columns whose every sampled value casts, so the canonical views never fail on a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.profile_sample import Column, Sample

TEXT_NAMES = r"text|body|message|content|comments?|review|feedback|transcript|.*_(text|body|message|comment)"
# Texts that also describe companies or people: a file with one is an interaction only if nothing else fits.
WEAK_TEXT_NAMES = r"description|details|notes?|subject|title"
ACTOR_NAMES = (
    r"author(_id)?|user(_?id|_?name)?|screen_name|handle|customer(_id|_email)?|sender(_id)?|from(_email)?|"
    r"requester(_id)?|actor(_id)?|email|contact_id|member_id"
)
CONVERSATION_NAMES = r"conversation(_id|_key)?|thread(_id)?|ticket(_id)?|case_id|in_(response|reply)_to.*|parent(_id)?"
PERSON_NAMES = r"(contact|customer|user|person|lead|visitor|anonymous|member)(_?id)?|email"
NAME_NAMES = r"(full_?|contact_|customer_|display_)?name|first_?name|given_name"
COMPANY_NAMES = r"(company|account|organi[sz]ation|org|business|employer)(_?name)?"
AMOUNT_NAMES = r"(deal_)?amount|close_value|(deal_)?value|price|total|revenue"
STAGE_NAMES = r"(deal_?|pipeline_)?stage(_name)?|status"
# Touchpoint channels the marts accept (int_canonical__touchpoints accepted_values).
TOUCHPOINT_CHANNELS = {"web", "email", "voice"}


@dataclass
class Canonical:
    entity: str
    why: str
    columns: list[tuple[str, object, str]] = field(default_factory=list)  # (canonical column, spec, comment)
    hints: list[str] = field(default_factory=list)  # commented lines: mappings that need the user's knowledge


def snake(name: str) -> str:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def fits(pattern: str, name: str) -> bool:
    """The name, or what follows one of its `_` (`property_annualrevenue` fits `annual_?revenue`), fits."""
    parts = snake(name).split("_")
    return any(re.fullmatch(pattern, "_".join(parts[i:])) for i in range(len(parts)))


class Picker:
    def __init__(self, sample: Sample, used: set[str]):
        self.sample = sample
        self.used = set(used)

    def pick(self, pattern: str, when=lambda column: True, keep: bool = False) -> Column | None:
        """The first column, in the pattern's order of alternatives, then the file's, that fits and is not used."""
        for alternative in _alternatives(pattern):
            for column in self.sample.columns:
                usable = column.name not in self.used and column.filled and column.type != "JSON"
                if usable and fits(alternative, column.name) and when(column):
                    if not keep:
                        self.used.add(column.name)
                    return column
        return None


def _alternatives(pattern: str) -> list[str]:
    """Top-level `|` alternatives of a pattern (those inside parentheses stay together)."""
    parts, depth, current = [], 0, ""
    for char in pattern:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _text(column: Column) -> bool:
    return column.type == "VARCHAR" and column.share(column.times) < 0.5


def _long_text(column: Column) -> bool:
    return _text(column) and column.avg_length >= 40


def _numeric(column: Column) -> bool:
    return column.numbers == column.filled


def _integer(column: Column) -> bool:
    return column.type == "BIGINT"


def _boolean(column: Column) -> bool:
    return column.type == "BOOLEAN"


def _timestamp(column: Column) -> bool:
    return column.share(column.times) >= 0.8


def _emails(column: Column) -> bool:
    return column.share(column.emails) >= 0.8


def _always(sample: Sample):
    return lambda column: column.filled == sample.rows


def suggest(sample: Sample, name: str, id_column: str | None, event_time: str | None) -> Canonical | None:
    """The canonical entity and mapping for a drop, or None when nothing fits (or it has no id to map)."""
    if id_column is None:
        return None
    picker = Picker(sample, {id_column, *([event_time] if event_time else [])})
    finder = Picker(sample, {id_column})  # to decide the entity; the mapping picks again with `picker`
    amount = finder.pick(AMOUNT_NAMES, _numeric, keep=True)
    stage = finder.pick(STAGE_NAMES, _text, keep=True)
    body = finder.pick(TEXT_NAMES, _text, keep=True) or next(
        (c for c in sample.columns if c.name != id_column and _long_text(c)), None
    )
    weak_body = finder.pick(WEAK_TEXT_NAMES, _text, keep=True)
    email = finder.pick(r"(.*_)?e_?mail(_address)?", _emails, keep=True) or next(
        (c for c in sample.columns if _emails(c)), None
    )
    person_name = finder.pick(NAME_NAMES, _text, keep=True)
    company = finder.pick(COMPANY_NAMES, _text, keep=True)
    company_file = re.search(r"compan|account|organi[sz]ation|seller|vendor|supplier|business", name)
    person = email or finder.pick(PERSON_NAMES, keep=True)
    if amount and stage:
        return _opportunities(picker, sample, id_column, event_time, amount, stage)
    if body and event_time:
        return _interactions(picker, sample, id_column, event_time, body, email)
    if email and person_name:
        return _contacts(picker, id_column, event_time, email, person_name)
    if company or (company_file and person_name):
        return _accounts(picker, id_column, event_time, company or person_name)
    if weak_body and event_time:
        return _interactions(picker, sample, id_column, event_time, weak_body, email)
    if event_time and person:
        return _touchpoints(picker, sample, name, id_column, event_time, email, person)
    return None


def _add(canonical: Canonical, target: str, column: Column | None, comment: str = "") -> None:
    if column is not None:
        canonical.columns.append((target, column.name, comment))


def _opportunities(picker, sample, id_column, event_time, amount, stage) -> Canonical:
    picker.used |= {amount.name, stage.name}
    result = Canonical("opportunities", f"an amount ({amount.name}) and a stage ({stage.name})")
    result.columns.append(("opportunity_id", id_column, ""))
    _add(result, "stage_name", stage)
    _add(result, "amount", amount)
    _add(result, "currency", picker.pick(r"currency(_code)?", _text))
    if event_time:
        result.columns.append(("created_at", event_time, ""))
    _add(result, "close_date", picker.pick(r"close_?date|closed?_(at|on)|closing_date|won_date", _timestamp))
    _add(result, "is_closed", picker.pick(r"is_?closed|closed", _boolean))
    _add(result, "is_won", picker.pick(r"is_?won|won", _boolean))
    _add(result, "lead_source", picker.pick(r"lead_?source|source|origin", _text))
    _add(result, "product_name", picker.pick(r"product(_name)?", _text))
    mapped = {target for target, _, _ in result.columns}
    if not {"is_closed", "is_won"} <= mapped:
        result.hints.append("is_closed, is_won: map boolean columns; the marts need both")
    result.hints += _key_hints(picker, ("account_key", r"(account|company)(_?id)?"), ("contact_key", PERSON_NAMES))
    return result


def _interactions(picker, sample, id_column, event_time, body, email) -> Canonical:
    picker.used.add(body.name)
    result = Canonical("interactions", f"a text ({body.name}) and an event time ({event_time})")
    result.columns.append(("interaction_id", id_column, ""))
    channel = picker.pick(r"channel|via|platform|medium", _always(sample))
    actor = picker.pick(ACTOR_NAMES)
    if channel:
        _add(result, "channel", channel, "care needs x_mention, x_dm, email, web, chat or voice")
    else:
        guess = "x_mention" if body.share(body.mentions) >= 0.5 else "email" if email and actor is email else "web"
        result.columns.append(("channel", {"value": guess}, "a guess; care conversations need an SLA channel"))
    direction = picker.pick(r"direction", lambda c: c.values is not None and set(c.values) <= {"inbound", "outbound"})
    if direction and direction.filled == sample.rows:
        _add(result, "direction", direction)
    else:
        result.columns.append(("direction", {"value": "inbound"}, "map a column of inbound/outbound if it has one"))
    _add(result, "actor_id", actor)
    _add(result, "conversation_key", picker.pick(CONVERSATION_NAMES))
    result.columns.append(("occurred_at", event_time, ""))
    result.columns.append(("body", body.name, ""))
    _add(result, "rating", picker.pick(r"rating|(review_)?score|stars?|nps|csat", _integer))
    return result


def _contacts(picker, id_column, event_time, email, person_name) -> Canonical:
    picker.used |= {email.name, person_name.name}
    result = Canonical("contacts", f"emails ({email.name}) and names ({person_name.name})")
    result.columns.append(("contact_id", id_column, ""))
    _add(result, "email", email)
    _add(result, "full_name", person_name)
    _add(result, "social_handle", picker.pick(r"handle|twitter(_handle)?|screen_name|x_handle|username", _text))
    _add(result, "city", picker.pick(r"city", _text))
    _add(result, "region", picker.pick(r"region|state|province|county", _text))
    if event_time:
        result.columns.append(("created_at", event_time, ""))
    result.hints += _key_hints(picker, ("account_key", r"(account|company|organi[sz]ation)(_?id)?"))
    return result


def _accounts(picker, id_column, event_time, company) -> Canonical:
    picker.used.add(company.name)
    result = Canonical("accounts", f"company-like ({company.name})")
    result.columns.append(("account_id", id_column, ""))
    _add(result, "account_name", company)
    _add(result, "industry", picker.pick(r"industry|sector|vertical", _text))
    _add(result, "annual_revenue", picker.pick(r"annual_?revenue|revenue", _numeric))
    _add(result, "currency", picker.pick(r"currency(_code)?", _text))
    _add(result, "employee_count", picker.pick(r"(number_of_|num_)?employees?(_count)?|headcount", _integer))
    _add(result, "country", picker.pick(r"country(_code)?", _text))
    if event_time:
        result.columns.append(("created_at", event_time, ""))
    return result


def _touchpoints(picker, sample, name, id_column, event_time, email, person) -> Canonical:
    result = Canonical("touchpoints", f"an event time ({event_time}) and a person ({person.name})")
    result.columns.append(("touchpoint_id", id_column, ""))
    if email:
        picker.used.add(email.name)
        _add(result, "contact_email", email)
    channel = picker.pick(
        r"channel|medium",
        lambda c: c.values is not None and set(c.values) <= TOUCHPOINT_CHANNELS and _always(sample)(c),
    )
    if channel:
        _add(result, "channel", channel)
    else:
        result.columns.append(("channel", {"value": "web"}, "web, email or voice"))
    kind = picker.pick(r"(touchpoint_|event_)?type|event(_name)?|action|activity|kind", _always(sample))
    if kind:
        _add(result, "touchpoint_type", kind)
    else:
        result.columns.append(("touchpoint_type", {"value": name}, ""))
    _add(result, "detail", picker.pick(r"details?|page|url|path|(utm_)?campaign|description", _text))
    result.columns.append(("occurred_at", event_time, ""))
    _add(result, "amount", picker.pick(AMOUNT_NAMES, _numeric))
    _add(result, "currency", picker.pick(r"currency(_code)?", _text))
    result.hints += _key_hints(picker, ("contact_key", PERSON_NAMES), ("account_key", r"(account|company)(_?id)?"))
    return result


def _key_hints(picker: Picker, *keys: tuple[str, str]) -> list[str]:
    """Keys of other canonical entities are `<source>:<id>`, so a mapping needs the prefix of the source holding
    them, which only the user knows."""
    hints = []
    for target, pattern in keys:
        column = picker.pick(pattern)
        if column is not None:
            hints.append(
                f'{target}: {{column: {column.name}, prefix: "<source>:"}}  # <source>: crm, maven_crm, olist or '
                "the drop holding them"
            )
    return hints
