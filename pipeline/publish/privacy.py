"""What the serving copy shows of people: keyed pseudonyms for identifiers, no names, redacted message texts.

Each mart column that holds personal data says so in its model yml (`config: meta: personal_data: <kind>`):

- `identifier`: emails, handles, person ids and keys that embed them -> `p_` + HMAC-SHA256 (pseudonyms.py), stable
  across runs under one key, so joins between marts and trends over time still work;
- `name`: a person's name -> null;
- `free_text`: a message text -> emails, phone numbers, URL paths and @handles of private persons masked; the
  brand's own handles (seed brand_accounts) are kept; OUTCOMES_SERVING_TEXTS=clear keeps texts as written.

A column without a declared kind whose name says email, phone or handle is treated as an identifier, so a mart
added without the meta does not publish addresses in clear. The restricted copy (OUTCOMES_RESTRICTED_SERVING) keeps
every value as the warehouse holds it.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.sql import quote_ident, quote_literal
from pipeline.publish import fingerprints
from pipeline.publish.pseudonyms import PseudonymKey

KINDS = ("identifier", "name", "free_text")
TEXTS_ENV = "OUTCOMES_SERVING_TEXTS"
PERSONAL_COLUMN_NAME = re.compile(r"(^|_)(e_?mail|phone|mobile|handle|username|screen_name)(_|$)")

# RE2 patterns, applied in this order (a URL may hold an @ or digits; an email holds an @).
URL_WITH_PATH = r"(?i)\b((?:https?://|www\.)[^\s/?#]+)[/?#][^\s]*"
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
HANDLE = r"@[A-Za-z0-9_]{1,30}"
HANDLE_NAME = re.compile(r"[a-z0-9_]*[a-z][a-z0-9_]*")  # an all-digit actor id is not a handle
PHONES = (
    r"\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}",  # international: +44 20 7946 0958, +1 (555) 123-4567
    r"\(?\b\d{2,4}\)?(?:[\s.-]?\d{3,4}){2,3}\b",  # national: 555-123-4567, (555) 123 4567, 020 7946 0958
    r"\b\d{10,11}\b",  # a bare run of phone length
)
# A text none of the patterns below can match: no @, /, ? or #, no run of three digits.
REDACTION_CANDIDATE = r"[@/?#]|\d\d\d"


@dataclass(frozen=True)
class ServingPolicy:
    """How one serving copy writes each mart: `key` None means the restricted copy (clear values)."""

    key: PseudonymKey | None
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    brand_handles: tuple[str, ...] = ()
    # OUTCOMES_SERVING_TEXTS=clear keeps message texts as written in the default copy (identifiers stay pseudonyms).
    redact_texts: bool = True

    @property
    def restricted(self) -> bool:
        return self.key is None

    def kinds(self, table: str, columns: dict[str, str]) -> dict[str, str]:
        """The personal-data kind of each column of `table` that has one; `columns`: name -> DuckDB type, in order."""
        declared = self.columns.get(table, {})
        found = {}
        for column, data_type in columns.items():
            kind = declared.get(column)
            if kind is None and data_type == "VARCHAR" and PERSONAL_COLUMN_NAME.search(column.lower()):
                kind = "identifier"  # (a number named saving_vs_phone is not a phone number)
            if kind:
                found[column] = kind
        return found

    def select_sql(self, table: str, columns: dict[str, str], source: str) -> str:
        """A query over `source` with the table's columns as this copy writes them. Each identifier column's
        pseudonyms are computed once per distinct value and joined back: an HMAC is two SHA-256 runs, and a person
        writes many messages (5.0 s for 1.27 M actor keys hashed row by row)."""
        kinds = {} if self.restricted else self.kinds(table, columns)
        lookups, joins, select = [], [], []
        for column in columns:
            name, kind = quote_ident(column), kinds.get(column)
            if kind == "identifier":
                lookup = f"_pseudonyms_{len(lookups)}"
                lookups.append(
                    f"{lookup} as (select value, {self.key.sql('value')} as pseudonym"
                    f" from (select distinct {name} as value from {source} where {name} is not null))"
                )
                joins.append(f"left join {lookup} on _source.{name} = {lookup}.value")
                select.append(f"{lookup}.pseudonym as {name}")
            else:
                select.append(self.column_sql(f"_source.{name}", kind, name))
        with_clause = f"with {', '.join(lookups)} " if lookups else ""
        return f"{with_clause}select {', '.join(select)} from {source} as _source {' '.join(joins)}".strip()

    def column_sql(self, column: str, kind: str | None, alias: str) -> str:
        if kind == "name":
            return f"cast(null as varchar) as {alias}"
        if kind == "free_text" and self.redact_texts:
            # Most texts hold nothing redaction changes; the guard spares them the chain of regular expressions.
            guard = quote_literal(REDACTION_CANDIDATE)
            redacted = self.redact_sql(column)
            return f"case when regexp_matches({column}, {guard}) then {redacted} else {column} end as {alias}"
        return f"{column} as {alias}"

    def redact_sql(self, expression: str) -> str:
        """A DuckDB expression with `expression` redacted (null stays null)."""
        text = f"regexp_replace({expression}, {quote_literal(URL_WITH_PATH)}, '\\1/[path]', 'g')"
        text = f"regexp_replace({text}, {quote_literal(EMAIL)}, '[email]', 'g')"
        if self.brand_handles:
            brands = "|".join(re.escape(handle) for handle in self.brand_handles)
            brand_pattern = quote_literal("(?i)@(" + brands + r")\b")
            text = f"regexp_replace({text}, {brand_pattern}, chr(1) || '\\1', 'g')"
        text = f"regexp_replace({text}, {quote_literal(HANDLE)}, '@[user]', 'g')"
        for pattern in PHONES:
            text = f"regexp_replace({text}, {quote_literal(pattern)}, '[phone]', 'g')"
        if self.brand_handles:
            text = f"replace({text}, chr(1), '@')"
        return text

    def digest(self, table: str, columns: dict[str, str]) -> str:
        """Changes when what this copy writes for the table would change: a release made under another key, other
        brand handles or other column kinds is not reused."""
        if self.restricted:
            return fingerprints.digest(["restricted"])
        return fingerprints.digest(
            [self.key.key_id, self.kinds(table, columns), self.brand_handles, self.redact_texts, URL_WITH_PATH, EMAIL]
            + [HANDLE, PHONES]
        )


def redact_texts() -> bool:
    """OUTCOMES_SERVING_TEXTS: `redacted` (default) or `clear`."""
    value = os.environ.get(TEXTS_ENV, "").strip().lower() or "redacted"
    if value not in ("redacted", "clear"):
        raise ValueError(f"{TEXTS_ENV} must be redacted or clear, got {value!r}")
    return value == "redacted"


def declared_kinds(manifest_path: Path) -> dict[str, dict[str, str]]:
    """mart -> column -> kind, from the dbt manifest's column meta."""
    if not manifest_path.exists():
        return {}
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    found: dict[str, dict[str, str]] = {}
    for node in nodes:
        if node["resource_type"] != "model":
            continue
        for column in node["columns"].values():
            meta = {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}
            kind = meta.get("personal_data")
            if kind is None:
                continue
            if kind not in KINDS:
                raise ValueError(f"{node['name']}.{column['name']}: personal_data must be one of {KINDS}, got {kind!r}")
            found.setdefault(node["name"], {})[column["name"]] = kind
    return found


def brand_handles(seed_path: Path, warehouse_path: Path | None = None) -> tuple[str, ...]:
    """The brand's own handles, kept in redacted texts: the seed brand_accounts usernames, and the handles of the
    actors the warehouse knows as an own brand (int_identity__actors.is_own_brand; in a Twitter customer-support
    export, the companies' care accounts)."""
    names = set()
    if seed_path.exists():
        with seed_path.open(newline="") as handle:
            names = {row["username"].strip().lstrip("@").lower() for row in csv.DictReader(handle) if row["username"]}
    if warehouse_path is not None and warehouse_path.exists():
        names |= own_brand_handles(warehouse_path)
    return tuple(sorted(name for name in names if HANDLE_NAME.fullmatch(name)))


def own_brand_handles(warehouse_path: Path) -> set[str]:
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        schemas = connection.execute(
            "select table_schema from information_schema.tables where table_name = 'int_identity__actors'"
        ).fetchall()
        if not schemas:
            return set()
        rows = connection.execute(
            f"select distinct lower(ltrim(coalesce(social_handle, actor_id), '@'))"
            f" from {quote_ident(schemas[0][0])}.int_identity__actors where is_own_brand"
        ).fetchall()
    return {name for (name,) in rows if name}
