"""BI readers are never blocked: reader processes query the serving file read-only in a loop while the pipeline's
gate and publish tasks run twice through Airflow; every query succeeds and each connection sees one release in full.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import duckdb

from pipeline import publish
from tests.test_pipeline_e2e import load_dag, task_states

READERS = 3
READER = """
import json, sys, time
from pathlib import Path
import duckdb

serving, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
queries, errors, mixed, releases = 0, [], [], set()
while not stop.exists():
    try:
        with duckdb.connect(str(serving), read_only=True) as connection:
            release = connection.execute("select release from _publish_info").fetchone()[0]
            expected = dict(connection.execute("select table_name, row_count from _publish_tables").fetchall())
            for table, rows in expected.items():
                seen = connection.execute(f'select count(*) from "{table}"').fetchone()[0]
                queries += 1
                if seen != rows:
                    mixed.append(f"{release} {table}: {seen} rows, release says {rows}")
            releases.add(release)
    except Exception as error:
        errors.append(repr(error))
    time.sleep(0.01)
out.write_text(json.dumps({"queries": queries, "errors": errors, "mixed": mixed, "releases": sorted(releases)}))
"""


def test_readers_never_fail_and_never_see_a_mix_while_the_pipeline_publishes_twice(
    airflow_db, warehouse_copy, tmp_path
):
    first = publish.publish(warehouse_copy)
    stop = tmp_path / "stop"
    outputs = [tmp_path / f"reader{index}.json" for index in range(READERS)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(READER), str(warehouse_copy.serving_path), str(stop), str(out)]
        )
        for out in outputs
    ]
    try:
        time.sleep(2)
        gate_and_publish = load_dag().partial_subset(task_ids=["quality_gate", "publish"], include_upstream=False)
        for _ in range(2):
            with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
                connection.execute(
                    "delete from marts.agg_care_daily"
                    " where activity_date = (select max(activity_date) from marts.agg_care_daily)"
                )
            dag_run = gate_and_publish.test()
            assert str(dag_run.state) == "success", task_states(dag_run)
            time.sleep(1)
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
    published = publish.releases(warehouse_copy)
    assert len(published) == 3 and published[0] == first.release
    for out in outputs:
        result = json.loads(out.read_text())
        assert result["errors"] == [] and result["mixed"] == []
        assert result["queries"] > 100
        assert set(result["releases"]) <= set(published)
        assert result["releases"][-1] == published[-1]
