"""What marks the person in a copy, as DuckDB SQL over a table's columns and as Python patterns over a file's text.

Three kinds of match, from the strictest to the loosest:

- a row is the person's when one of its VARCHAR cells *is* one of their keys or identifiers (any case), in clear or
  as a pseudonym: `Needles.row_values`;
- a term (identifier, key or pseudonym) is replaced by ERASED wherever it occurs as a whole word in a cell or a
  file: `Needles.terms`. Short identifiers (an id of 3 digits) occur by chance and are only matched as whole cells.
  Identifiers of several words (a reviewer's name) neither mark a row nor change one in a table of rows, where
  they would hit namesakes; they are erased from aggregates, reports and logs;
- a message text is erased where a cell holds it in any published form: as written, redacted by the serving copy
  ([email], @[user], [phone]), masked and cut short by mart_term_trends (@user, http, '…'). `erase_skeleton`
  reduces a text to its lower-case letters outside anything a redaction may have masked, so all these forms of one
  text compare equal; a cut text compares as a prefix.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from dataclasses import dataclass

import duckdb

from ingest.sql import quote_literal
from pipeline.publish.person import Person
from pipeline.publish.pseudonyms import PseudonymKey

ERASED = "[erased]"
# Identifiers shorter than this are matched only as whole cells, never inside a text.
MIN_TERM_CHARS = 4
# Texts shorter than this are not looked for inside longer texts ("thanks!" is in everybody's messages).
MIN_TEXT_CHARS = 12
# A cell is one of the person's texts when their letters match and are at least this many: shorter texts
# ("hello??", "thanks!") are everybody's.
MIN_SKELETON_CHARS = 8
# A text cut short ('…') is the person's when at least this many letters of it match the start of one of theirs.
MIN_CUT_SKELETON_CHARS = 24
# Alternatives per regular expression: RE2 limits the memory of one compiled pattern.
PATTERN_CHUNK = 200
TRUNCATION_MARK = "…"

SKELETON_MACRO = r"""
create or replace temp macro erase_skeleton(text) as trim(regexp_replace(
    regexp_replace(
        regexp_replace(lower(text), '\S*@\S*|https?://\S*|www\.\S*|\[[^\]]*\]', ' ', 'g'),
        '\b(https?|user|path|email|phone|name|erased)\b', ' ', 'g'
    ),
    '[^\pL]+', ' ', 'g'
))
"""
ROW_VALUES_TABLE = "erase_row_values"


def escape(literal: str) -> str:
    """`literal` as a pattern that RE2 and Python's re both read the same way."""
    return re.sub(r"([\\.^$|?*+()\[\]{}\-])", r"\\\1", literal)


def word_pattern(term: str) -> str:
    """`term` not inside a longer word: 'annsmith' matches in '@annsmith,' but not in 'annsmith2'."""
    before = r"\b" if re.match(r"[A-Za-z0-9_]", term[0]) else ""
    after = r"\b" if re.match(r"[A-Za-z0-9_]", term[-1]) else ""
    return before + escape(term) + after


def alternations(parts: set[str]) -> list[str]:
    """Case-insensitive patterns matching any of `parts`, longest first so a longer term wins over its prefix."""
    ordered = sorted(parts, key=lambda part: (-len(part), part))
    return [
        "(?i)(?:" + "|".join(ordered[start : start + PATTERN_CHUNK]) + ")"
        for start in range(0, len(ordered), PATTERN_CHUNK)
    ]


def text_variants(text: str) -> set[str]:
    """A text as files may hold it: as is, with whitespace collapsed, HTML-escaped, inside a JSON string."""
    variants = set()
    for form in (text, " ".join(text.split())):
        variants |= {
            form,
            html.escape(form),
            html.escape(form, quote=False),
            json.dumps(form)[1:-1],
            json.dumps(form, ensure_ascii=False)[1:-1],
        }
    return {variant for variant in variants if len(variant) >= MIN_TEXT_CHARS}


def sql_list(values) -> str:
    return "[" + ", ".join(quote_literal(value) for value in sorted(values)) + "]::varchar[]"


@dataclass(frozen=True)
class Needles:
    # Lower-case cell values that make a row the person's: keys, ids, emails, handles (also with @), pseudonyms.
    row_values: frozenset[str]
    # Replaced wherever they occur as words: the same values and their pseudonyms.
    terms: frozenset[str]
    # Identifiers of more than one word.
    names: frozenset[str]
    texts: frozenset[str]
    # erase_skeleton of the texts, computed by DuckDB (with_skeletons), so that cells and texts reduce alike.
    skeletons: frozenset[str] = frozenset()

    @classmethod
    def of(cls, person: Person, key: PseudonymKey) -> Needles:
        clear = {value.strip() for value in person.values | person.conversation_keys if value and value.strip()}
        names = {value for value in clear if any(char.isspace() for char in value)}
        hashed = {key.pseudonym(form) for value in clear for form in (value, value.lower())}
        words = {value.lower() for value in clear - names}
        handles = {"@" + value for value in words if "@" not in value and ":" not in value}
        return cls(
            row_values=frozenset(words | handles | hashed),
            terms=frozenset({value for value in clear - names if len(value) >= MIN_TERM_CHARS} | hashed),
            names=frozenset(names),
            texts=frozenset(text.strip() for text in person.texts if text and text.strip()),
        )

    def with_texts(self, found: set[str]) -> Needles:
        """These needles and the published forms of the person's texts found in the copies (redacted, masked)."""
        return dataclasses.replace(self, texts=self.texts | frozenset(found))

    def prepare(self, connection: duckdb.DuckDBPyConnection) -> Needles:
        """Make the SQL below work in `connection` (the skeleton macro, a table of the row values: a semi-join is
        much faster than a long `in (...)` list); returns the needles with the texts' skeletons."""
        connection.execute(SKELETON_MACRO)
        connection.execute(f"create or replace temp table {ROW_VALUES_TABLE} (value varchar)")
        connection.executemany(f"insert into {ROW_VALUES_TABLE} values (?)", [[value] for value in self.row_values])
        skeletons = connection.execute(
            "select distinct skeleton from (select erase_skeleton(unnest(?::varchar[])) as skeleton)"
            " where length(skeleton) >= ?",
            [sorted(self.texts), MIN_SKELETON_CHARS],
        ).fetchall()
        return dataclasses.replace(self, skeletons=frozenset(skeleton for (skeleton,) in skeletons))

    def patterns(self, everything: bool) -> list[str]:
        """What is replaced by ERASED: the terms; `everything`: also names and texts (aggregates, reports, logs)."""
        patterns = alternations({word_pattern(term) for term in self.terms})
        if everything:
            patterns += alternations({word_pattern(name) for name in self.names})
            patterns += alternations({escape(text) for text in self.texts if len(text) >= MIN_TEXT_CHARS})
        return patterns

    def file_patterns(self) -> list[re.Pattern]:
        """For text files: everything, each text also as HTML and JSON write it."""
        variants = set().union(*(text_variants(text) for text in self.texts))
        patterns = self.patterns(everything=False)
        patterns += alternations({word_pattern(name) for name in self.names})
        patterns += alternations({escape(variant) for variant in variants})
        return [re.compile(pattern) for pattern in patterns]

    # DuckDB SQL over one column (after prepare).

    def is_row_value_sql(self, column: str) -> str:
        """A null cell is not the person's (and `not null` would drop the row)."""
        return f"coalesce(lower({column}) in (select value from {ROW_VALUES_TABLE}), false)"

    def replace_sql(self, expression: str, everything: bool) -> str:
        for pattern in self.patterns(everything):
            expression = f"regexp_replace({expression}, {quote_literal(pattern)}, {quote_literal(ERASED)}, 'g')"
        return expression

    def matches_sql(self, expression: str, everything: bool) -> str:
        """True when replace_sql would change `expression`."""
        checks = [f"regexp_matches({expression}, {quote_literal(pattern)})" for pattern in self.patterns(everything)]
        return "coalesce(" + " or ".join(checks) + ", false)" if checks else "false"

    def is_text_sql(self, column: str) -> str:
        """True when `column` holds one of the person's texts in some published form. Constant lists rather than
        subqueries: DuckDB then reduces only the cells that pass the cheap test before it to skeletons."""
        if not self.skeletons:
            return "false"
        skeletons = sql_list(self.skeletons)
        cut = f"regexp_replace(erase_skeleton(rtrim({column}, '{TRUNCATION_MARK}')), '\\s*\\S*$', '')"
        whole = f"list_contains({skeletons}, erase_skeleton({column}))"
        cut_short = (
            f"ends_with({column}, '{TRUNCATION_MARK}') and length({cut}) >= {MIN_CUT_SKELETON_CHARS}"
            f" and list_bool_or(list_transform({skeletons}, lambda skeleton: starts_with(skeleton, {cut})))"
        )
        # Only cells of more than one word are reduced (ids and codes are many, texts few).
        candidate = f"length({column}) >= {MIN_SKELETON_CHARS} and contains({column}, ' ')"
        return f"coalesce({candidate} and ({whole} or ({cut_short})), false)"
