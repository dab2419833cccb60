"""A mostly refused file is a failure: when more than a set share of one file's records went to quarantine, ingest
fails with one plain message (file, column, the most common reason, a sample value, the setting that would fix it).

The records stay where they went (quarantine, audit, the valid rows in raw): nothing is lost, and the source gate
refuses the batch as well (pipeline/suites.py `refused_share`), so it never reaches the marts.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import duckdb

from ingest.audit import QUARANTINE_TABLE, FileAudit

SHARE_VARIABLE = "OUTCOMES_MAX_REFUSED_SHARE"
DEFAULT_MAX_SHARE = 0.2
DROP_PREFIX = "drop_"


def max_refused_share() -> float:
    """The largest share of one file's records that may be quarantined before ingest fails (0..1)."""
    text = os.environ.get(SHARE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_SHARE
    try:
        share = float(text)
    except ValueError:
        raise ValueError(f"{SHARE_VARIABLE} must be a share between 0 and 1, got {text!r}") from None
    if not 0 <= share <= 1:
        raise ValueError(f"{SHARE_VARIABLE} must be a share between 0 and 1, got {text!r}")
    return share


@dataclass(frozen=True)
class RefusedFile:
    entity: str
    source_file: str
    rows_read: int
    rows_quarantined: int
    column: str | None
    reason: str
    sample: str | None
    fix: str

    @property
    def share(self) -> float:
        return self.rows_quarantined / self.rows_read

    @property
    def summary(self) -> str:
        where = f" in column {self.column}" if self.column else ""
        sample = f" (e.g. {self.sample!r})" if self.sample else ""
        return (
            f"{self.source_file} ({self.entity}): {self.rows_quarantined:,} of {self.rows_read:,} records "
            f"({self.share:.0%}) refused into raw._quarantine; most common reason{where}: {self.reason}{sample}. "
            f"Fix: {self.fix}"
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "share": round(self.share, 4)}


# Each reason ingest/contract.py and ingest/incoming.py write, with the column it names and its sample value:
# (pattern over the reason, the kind shown, a regex group for the column or None, the sample's group or None).
REASON_KINDS_SQL = r"""
select
    case
        when reason like '%is not a timestamp%' then 'is not a timestamp'
        when reason like '%out of range%' then 'event time out of range (before 1990 or after tomorrow)'
        when reason like 'missing required field%' then 'missing required field'
        when reason like '%is not an integer%' then 'is not an integer'
        when reason like '%is not a boolean%' then 'is not a boolean'
        when reason like '%is longer than%' then 'text longer than the limit'
        when reason like 'unreadable CSV line%' then 'unreadable CSV line'
        when reason like 'invalid JSON%' then 'invalid JSON'
        when reason like 'invalid UTF-8%' then 'invalid UTF-8'
        else reason
    end as kind,
    case
        when reason like 'missing required field%' then regexp_extract(reason, 'missing required field (\S+)', 1)
        when reason similar to '^\S+ (is not|out of range|is longer).*'
            then regexp_extract(reason, '^(\S+) ', 1)
    end as column_name,
    nullif(regexp_extract(reason, '^[^:]*: (.*)$', 1), '') as sample
from (
    select unnest(string_split(reason, '; ')) as reason
    from {quarantine}
    where batch_id = $batch and entity = $entity and source_file = $source_file
)
"""


def fix_for(kind: str, entity: str, column: str | None) -> str:
    """The setting that would make such records load, in the words of the configuration a user edits."""
    drop = entity.removeprefix(DROP_PREFIX) if entity.startswith(DROP_PREFIX) else None
    where = f"file_drops[{drop}] in config/sources.yml" if drop else "a file drop in config/sources.yml"
    if kind == "is not a timestamp":
        return (
            f"set event_time_format (strptime, e.g. '%d/%m/%Y %H:%M') on {where}; recognised without it: ISO 8601, "
            "Twitter's classic form, RFC 2822, epoch seconds or milliseconds, a date alone"
        )
    if kind.startswith("event time out of range"):
        return (
            f"check the event time's units and zone (time_zone, event_time_format on {where}); epoch values must be "
            "seconds (10 digits) or milliseconds (13)"
        )
    if kind == "missing required field":
        return f"map {column or 'the field'} to a column the file has, or drop it from `required` ({where})"
    if kind in ("is not an integer", "is not a boolean"):
        return f"declare {column or 'the column'} VARCHAR under `types` ({where})"
    if kind == "unreadable CSV line":
        return (
            f"check it is comma-separated RFC 4180 CSV with one header row, or declare format jsonl/parquet ({where})"
        )
    return f"see raw._quarantine for every refused record of this file; declare the export's shape as {where}"


def check_file(con: duckdb.DuckDBPyConnection, audit: FileAudit, batch_id: str, max_share: float) -> RefusedFile | None:
    """The diagnosis of a file whose quarantined share of the records it read exceeds `max_share`, else None."""
    counted = audit.rows_read - audit.rows_outside_interval
    if counted <= 0 or audit.rows_quarantined / counted <= max_share:
        return None
    row = con.execute(
        f"select kind, column_name, any_value(sample) from ({REASON_KINDS_SQL.format(quarantine=QUARANTINE_TABLE)})"
        " group by kind, column_name order by count(*) desc, kind, column_name limit 1",
        {"batch": batch_id, "entity": audit.entity, "source_file": audit.source_file},
    ).fetchone()
    kind, column, sample = row if row else ("unknown", None, None)
    return RefusedFile(
        audit.entity,
        audit.source_file,
        counted,
        audit.rows_quarantined,
        column,
        kind,
        sample,
        fix_for(kind, audit.entity, column),
    )
