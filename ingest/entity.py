"""One source entity: the raw table it fills, the landing files it reads and how to read one of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.readers import Columns, ReadSql, quote_ident

RAW_SCHEMA = "raw"
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_batch_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_source_file", "VARCHAR"),
)


@dataclass(frozen=True)
class Entity:
    table: str
    globs: tuple[str, ...]
    columns: Columns
    read_sql: ReadSql

    @property
    def qualified_table(self) -> str:
        return f"{RAW_SCHEMA}.{quote_ident(self.table)}"

    def create_table_sql(self) -> str:
        defs = ", ".join(f"{quote_ident(name)} {type_}" for name, type_ in (*self.columns, *META_COLUMNS))
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_table} ({defs})"

    def files(self, landing_dir: Path) -> list[Path]:
        found = {path for pattern in self.globs for path in landing_dir.glob(pattern) if path.is_file()}
        return sorted(found)


def varchar(*names: str) -> list[tuple[str, str]]:
    return [(name, "VARCHAR") for name in names]


def typed(type_: str, *names: str) -> list[tuple[str, str]]:
    return [(name, type_) for name in names]
