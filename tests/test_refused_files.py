"""A mostly refused file is a failure, not a success: ingest fails with one plain message naming the file, the
column, the most common reason, a sample value and the setting that would fix it; quarantine and audit keep every
record; the source gate never passes the batch."""

from __future__ import annotations

import textwrap

import duckdb
import pytest

import ingest
from pipeline import quality_gate
from tests.conftest import paths_in

DROP = """
file_drops:
  - name: nps
    format: csv
    glob: "drops/nps/*.csv"
    columns: [response_id, score, submitted_at]
    types: {score: BIGINT}
    required: [response_id, submitted_at]
    event_time: submitted_at
"""


def land(tmp_path, bad: int, good: int):
    landing = tmp_path / "landing"
    folder = landing / "drops" / "nps"
    folder.mkdir(parents=True)
    rows = [f"g{index},9,2025-01-0{1 + index % 9}T10:00:00Z" for index in range(good)]
    rows += [f"b{index},7,31/01/2025 10:0{index % 10}" for index in range(bad)]
    (folder / "2025-01.csv").write_text("response_id,score,submitted_at\n" + "\n".join(rows) + "\n")
    config = tmp_path / "sources.yml"
    config.write_text(textwrap.dedent(DROP))
    return landing, config


def test_a_mostly_refused_file_fails_ingest_with_a_plain_message(tmp_path):
    landing, config = land(tmp_path, bad=3, good=7)
    warehouse = tmp_path / "warehouse.duckdb"
    with pytest.raises(ingest.IngestError) as failure:
        ingest.load_landing(landing, warehouse, sources_config=config)
    message = str(failure.value)
    assert "drops/nps/2025-01.csv (drop_nps): 3 of 10 records (30%) refused" in message
    assert "in column submitted_at: is not a timestamp (e.g. '31/01/2025 10:0" in message
    assert "Fix: set event_time_format (strptime" in message and "file_drops[nps]" in message
    refused = failure.value.report.refused_files
    assert [(item.entity, item.rows_quarantined, item.column) for item in refused] == [("drop_nps", 3, "submitted_at")]
    # Nothing is lost: the file is audited, its valid rows loaded and the refused ones quarantined.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        audit = con.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM raw._ingest_audit").fetchall()
        quarantined = con.execute("SELECT count(*) FROM raw._quarantine").fetchone()[0]
    assert audit == [(10, 7, 3)] and quarantined == 3


def test_a_file_within_the_share_loads_and_the_share_is_configurable(tmp_path, monkeypatch):
    landing, config = land(tmp_path, bad=1, good=9)
    report = ingest.load_landing(landing, tmp_path / "one.duckdb", sources_config=config)
    assert (report.rows_loaded, report.rows_quarantined, report.refused_files) == (9, 1, [])
    monkeypatch.setenv("OUTCOMES_MAX_REFUSED_SHARE", "0.05")
    with pytest.raises(ingest.IngestError, match="1 of 10 records"):
        ingest.load_landing(landing, tmp_path / "two.duckdb", sources_config=config)
    monkeypatch.setenv("OUTCOMES_MAX_REFUSED_SHARE", "twenty")
    with pytest.raises(ValueError, match="OUTCOMES_MAX_REFUSED_SHARE must be a share between 0 and 1"):
        ingest.load_landing(landing, tmp_path / "three.duckdb", sources_config=config)


def test_the_reason_names_a_missing_required_field_and_its_fix(tmp_path):
    landing, config = land(tmp_path, bad=0, good=2)
    (landing / "drops" / "nps" / "2025-02.csv").write_text("response_id,score,submitted_at\n,5,2025-02-01T10:00:00Z\n")
    with pytest.raises(ingest.IngestError) as failure:
        ingest.load_landing(landing, tmp_path / "warehouse.duckdb", sources_config=config)
    message = str(failure.value)
    assert "drops/nps/2025-02.csv (drop_nps): 1 of 1 records (100%)" in message
    assert "in column response_id: missing required field" in message and "from `required`" in message
    assert "2025-01.csv" not in message


def test_the_source_gate_never_passes_a_mostly_refused_batch(tmp_path, monkeypatch):
    landing, config = land(tmp_path, bad=10, good=0)
    monkeypatch.setenv("OUTCOMES_SOURCES_CONFIG", str(config))
    paths = paths_in(tmp_path, landing, monkeypatch)
    monkeypatch.setenv("OUTCOMES_FRESHNESS", "off")
    with pytest.raises(ingest.IngestError):
        ingest.load_landing(landing, paths.warehouse_path, sources_config=config)
    # A later run (another source's ingest triggered the transform) still finds the batch and refuses it.
    for _ in range(2):
        with pytest.raises(quality_gate.QualityGateFailed) as failure:
            quality_gate.run_source_gate(paths)
        assert "refused_share" in str(failure.value) and "drop_nps" in str(failure.value)
