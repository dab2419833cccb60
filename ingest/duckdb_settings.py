"""DuckDB settings shared by every process that writes the warehouse (ingest, dbt, publish).

OUTCOMES_DUCKDB_MEMORY_LIMIT caps DuckDB's memory (e.g. "4GB", or a share of RAM like "50%"; default "80%", DuckDB's
own default). Above the cap DuckDB spills to a temporary folder beside the database file instead of failing, so large
scales complete on a smaller machine. dbt reads the same variable in dbt_project/profiles.yml.
"""

from __future__ import annotations

import os

MEMORY_LIMIT_ENV = "OUTCOMES_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "80%"


def memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT


def connection_config() -> dict[str, str]:
    return {"memory_limit": memory_limit()}
