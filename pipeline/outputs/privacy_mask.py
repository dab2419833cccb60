"""What the dashboard and the weekly report may show of a customer's message, and where the clear values are.

Example texts pass through a `TextMask`: the serving copy's redaction (emails, phone numbers, URL paths and @handles
of private persons masked, the brand's own handles kept) applied again, so a release published before redaction or
with it configured off shows nothing more; then every capitalised word that is a first or last name of a known
contact (dim_contacts.full_name, split into words of at least two letters) becomes `[name]`. The default serving copy
has no names, so they are read from the warehouse's marts (the release's `_publish_info.source_warehouse` unless the
caller names the warehouse) and from the restricted copy when one is published; when neither can be read, customer
texts are withheld rather than shown unmasked (the brand's own posts are shown redacted).

The restricted copy (`serving/restricted/outcomes.duckdb`) and the warehouse hold the clear values the hand-off
carries (pipeline/outputs/handoff.py).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.publish import privacy, restricted
from pipeline.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

BRAND_ACCOUNTS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "brand_accounts.csv"
MARTS_SCHEMA = "marts"
NAME = "[name]"
WITHHELD = "[example withheld: the contact names to mask it could not be read]"
MIN_NAME_LETTERS = 2
# A reader waits this long for a writer (ingest, dbt) to release the warehouse; DuckDB allows no reader meanwhile.
LOCK_WAIT_SECONDS = 60.0
LOCK_POLL_SECONDS = 1.0

# The serving copy's redaction (pipeline/publish/privacy.py: its patterns, in its order).
URL_WITH_PATH = re.compile(privacy.URL_WITH_PATH)
EMAIL = re.compile(privacy.EMAIL)
HANDLE = re.compile(privacy.HANDLE)
PHONES = tuple(re.compile(pattern) for pattern in privacy.PHONES)
# A word: letters, with inner apostrophes (O'Brien); the same rule splits the names in SQL (RE2) and texts in Python.
NAME_WORD_SQL = r"\p{L}+(?:['’]\p{L}+)*"
WORD = re.compile(r"(?<!@)[^\W\d_]+(?:['’][^\W\d_]+)*")

NAME_WORDS_SQL = """
select distinct lower(word) from (
    select unnest(regexp_extract_all(full_name, $pattern)) as word from {table} where full_name is not null
)
where length(word) >= $min_letters
"""


def brand_handles(warehouse_path: Path | None = None) -> frozenset[str]:
    """The brand's own handles as the serving copy keeps them (seed brand_accounts, and the warehouse's own-brand
    actors when it can be read), lower case, without the @."""
    try:
        return frozenset(privacy.brand_handles(BRAND_ACCOUNTS_SEED, warehouse_path))
    except duckdb.Error as error:  # a warehouse being written: the seed's handles; fewer kept handles is the safe side
        log.warning("Own-brand handles not read from %s: %s", warehouse_path, error)
        return frozenset(privacy.brand_handles(BRAND_ACCOUNTS_SEED))


def redact(text: str, brands: frozenset[str]) -> str:
    text = URL_WITH_PATH.sub(r"\1/[path]", text)
    text = EMAIL.sub("[email]", text)
    text = HANDLE.sub(lambda match: match.group(0) if match.group(0)[1:].lower() in brands else "@[user]", text)
    for pattern in PHONES:
        text = pattern.sub("[phone]", text)
    return text


def mask_names(text: str, names: frozenset[str]) -> str:
    def masked(match: re.Match) -> str:
        word = match.group(0)
        return NAME if word[0].isupper() and word.lower() in names else word

    return WORD.sub(masked, text)


@dataclass(frozen=True)
class TextMask:
    """Makes a customer text fit to show: `names` are the known contacts' name words in lower case; None when they
    could not be read, and then every text is withheld."""

    names: frozenset[str] | None
    brands: frozenset[str]

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        if self.names is None:
            return WITHHELD
        return mask_names(redact(text, self.brands), self.names)

    def brand_text(self, text: str | None) -> str | None:
        """The brand's own post: masked the same way, but shown redacted rather than withheld when names are
        unknown (it is the brand's published text; a reply may still tag or name a customer)."""
        if text is None or self.names is not None:
            return self(text)
        return redact(text, self.brands)


def restricted_serving_path(serving_path: Path) -> Path:
    """Where the restricted copy of the serving file at `serving_path` is published (serving/restricted/...)."""
    return serving_path.parent / restricted.FOLDER / serving_path.name


def is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def open_read_only(path: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """A read-only connection to `path`, waiting up to `wait_seconds` while another process writes it."""
    if not path.exists():
        raise FileNotFoundError(f"No DuckDB file at {path}")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as error:
            if not is_lock_conflict(error) or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_POLL_SECONDS)


def name_words(path: Path, schema: str | None) -> frozenset[str]:
    """The name words of every contact (every version) in `path`'s dim_contacts; none when it has no such table."""
    with open_read_only(path) as connection:
        tables = connection.execute(
            "select 1 from duckdb_tables() where table_name = 'dim_contacts' and schema_name = $schema",
            {"schema": schema or "main"},
        ).fetchall()
        if not tables:
            return frozenset()
        table = f"{schema}.dim_contacts" if schema else "dim_contacts"
        rows = connection.execute(
            NAME_WORDS_SQL.format(table=table), {"pattern": NAME_WORD_SQL, "min_letters": MIN_NAME_LETTERS}
        ).fetchall()
    return frozenset(word for (word,) in rows)


def source_warehouse(serving_path: Path) -> Path | None:
    """The warehouse a release was published from, as its `_publish_info` says."""
    try:
        with duckdb.connect(str(serving_path), read_only=True) as connection:
            if not connection.execute("select 1 from duckdb_tables() where table_name = '_publish_info'").fetchall():
                return None
            found = connection.execute("select source_warehouse from _publish_info").fetchone()
    except duckdb.Error:
        return None
    return Path(found[0]) if found and found[0] else None


def known_names(sources: Iterable[tuple[Path, str | None]]) -> frozenset[str] | None:
    """The name words of every readable source (file, schema of dim_contacts); None when none could be read."""
    names: set[str] = set()
    read_any = False
    for path, schema in sources:
        try:
            names |= name_words(path, schema)
            read_any = True
        except (duckdb.Error, OSError) as error:
            log.warning("Contact names for masking example texts not read from %s: %s", path, error)
    return frozenset(names) if read_any else None


def load(serving_path: Path, warehouse_path: Path | None = None) -> TextMask:
    """The mask for the outputs of the serving file at `serving_path`: names from the warehouse (this one, else the
    release's source warehouse) and from the restricted copy when one is published."""
    warehouse = warehouse_path or source_warehouse(serving_path)
    sources: list[tuple[Path, str | None]] = [(warehouse, MARTS_SCHEMA)] if warehouse else []
    restricted = restricted_serving_path(serving_path)
    if restricted.exists():
        sources.append((restricted, None))
    names = known_names(sources)
    if names is None:
        log.warning("No contact names to mask example texts with: the dashboard and report withhold them")
    return TextMask(names, brand_handles(warehouse))


def for_connection(connection: duckdb.DuckDBPyConnection) -> TextMask:
    """The mask for a caller that only holds a connection to the serving file."""
    path = connection.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return load(Path(path[0])) if path and path[0] else TextMask(None, brand_handles())
