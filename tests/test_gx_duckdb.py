"""The one GX workaround (pipeline/gx_duckdb.py): it is still needed, and it still works.

Each check runs in a fresh interpreter, so the patched GX module of one cannot leak into the other.
If the first test fails after an upgrade, GX now works on DuckDB by itself: delete keep_duckdb_connection_open.
If the second fails, GX changed the private name the workaround relies on: the gate cannot run until it is fixed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest

CHECK = """
import sys
from pipeline import gx_duckdb
import great_expectations.expectations as gxe

if sys.argv[2] == "patched":
    gx_duckdb.keep_duckdb_connection_open()
context = gx_duckdb.ephemeral_context()
source = context.data_sources.add_sql("warehouse", connection_string=f"duckdb:///{sys.argv[1]}")
batch = source.add_table_asset("numbers", table_name="numbers").add_batch_definition_whole_table("all")
suite = context.suites.add(gx_duckdb.gx.ExpectationSuite(name="numbers", expectations=[
    gxe.ExpectColumnValuesToNotBeNull(column="n"),
    gxe.ExpectColumnValuesToBeBetween(column="n", min_value=0, max_value=99),
    gxe.ExpectTableRowCountToBeBetween(min_value=100, max_value=100),
]))
result = context.validation_definitions.add(
    gx_duckdb.gx.ValidationDefinition(name="numbers", data=batch, suite=suite)
).run()
errors = [str(r.exception_info) for r in result.results if "list index out of range" in str(r.exception_info)]
print("SUCCESS" if result.success else "FAILED", "INDEX_ERROR" if errors else "")
"""


@pytest.fixture(scope="module")
def numbers_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("gx") / "numbers.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table numbers as select range as n from range(100)")
    return path


def run_check(database, mode: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHECK), str(database), mode], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    # A run ends cleanly: no `nanobind: leaked instance` report of DuckDB objects at interpreter exit.
    assert "nanobind" not in completed.stderr, completed.stderr[-3000:]
    return completed.stdout.strip().splitlines()[-1]


def test_gx_sql_path_still_fails_on_duckdb_without_the_workaround(numbers_db):
    assert run_check(numbers_db, "unpatched") == "FAILED INDEX_ERROR", (
        "GX's SQL path now works on DuckDB unpatched: remove pipeline/gx_duckdb.keep_duckdb_connection_open"
    )


def test_the_workaround_makes_every_expectation_run(numbers_db):
    assert run_check(numbers_db, "patched") == "SUCCESS"
