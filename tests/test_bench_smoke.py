"""Smoke run of the `make bench` harness (benchmarks/pipeline_bench.py) at a tiny scale: every stage is measured and
reports time, CPU and memory, the row counts agree between stages, and the Markdown table comes out. The figures
themselves are not checked (they belong in BENCHMARKS.md, from real runs)."""

from __future__ import annotations

import json
import os
import sys
from collections import namedtuple

import pytest

from benchmarks import pipeline_bench
from benchmarks.pipeline_bench import ExtraRow

SMOKE_SCALE = "0.01"  # below it a quiet demo source can miss the 14-day freshness check
# dbt docs generate (about 10 s, the same kind of dbt subprocess as the build) and the run through Airflow (about a
# minute even at this scale) are left out to keep the smoke run short.
SMOKE_STAGES = [name for name in pipeline_bench.STAGES if name != "dbt_docs"]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    argv = ["--scales", SMOKE_SCALE, "--runs", "1", "--seed", "7", "--work", str(work), "--skip-airflow", "--keep"]
    argv += ["--stages", ",".join(SMOKE_STAGES), "--memory-limit", "4GB", "--markdown", str(work / "bench.md")]
    document, text = pipeline_bench.run_bench(argv)
    return work, document, text


def test_every_stage_reports_time_cpu_and_memory(smoke):
    _, document, _ = smoke
    (scale,) = document["scales"]
    assert scale["generate_measured_in_runs"] == [1]
    (run,) = scale["runs"]
    for name in ["generate", *SMOKE_STAGES]:
        figures = run["stages"][name]
        assert figures["wall_s"] > 0, name
        assert figures["cpu_s"] > 0, name
        assert figures["peak_rss_mib"] > 0, name
        assert figures["cpu_wait4_s"] > 0, name  # wait4 alone sees the stage's CPU, dbt's subprocess included
    # dbt runs as a subprocess of the stage: its memory and CPU are counted with the stage's.
    assert run["stages"]["dbt"]["processes_seen"] >= 2
    assert run["stages"]["dbt"]["child_report"]["rusage_children"]["cpu_seconds"] > 0
    assert run["stages"]["stage_sum"]["wall_s"] == pytest.approx(sum(run["stages"][n]["wall_s"] for n in SMOKE_STAGES))


def test_row_counts_agree_between_stages(smoke):
    work, document, _ = smoke
    stages = document["scales"][0]["runs"][0]["stages"]
    counts = json.loads((work / f"scale_{SMOKE_SCALE}" / "landing" / "manifest.json").read_text())["counts"]
    assert stages["generate"]["rows"] == sum(value for name, value in counts.items() if name != "interactions")
    ingest = stages["ingest"]["ingest_totals"]
    assert stages["ingest"]["rows"] == ingest["rows_read"] > 0
    # The source gate checks every row ingest loaded; the mart gate every row that is then published.
    assert stages["gate_sources"]["rows"] == ingest["rows_loaded"] > 0
    assert stages["gate_marts"]["rows"] == stages["publish"]["rows"] > 0
    assert stages["dbt"]["rows"] > stages["publish"]["rows"]  # marts are some of the tables dbt builds
    for name in ("generate", "ingest", "gate_sources", "dbt", "gate_marts", "publish"):
        assert stages[name]["rows_per_s"] > 0, name
    assert stages["dashboard"]["rows"] is None


def test_markdown_table_and_json(smoke):
    work, document, text = smoke
    assert (work / "bench.md").read_text() == text
    assert json.loads((work / "pipeline_bench.json").read_text()) == document
    assert f"### Pipeline at scale {SMOKE_SCALE} (seed 7), 1 run" in text
    assert "- DuckDB memory limit (OUTCOMES_DUCKDB_MEMORY_LIMIT): 4GB" in text
    assert "- command: `python -m benchmarks.pipeline_bench --scales 0.01" in text
    assert "| stage | wall s | CPU s | peak RSS MiB | rows | rows/s |" in text
    stage_table = text.split("| ratio |")[0]
    rows = [line for line in stage_table.splitlines() if line.startswith("| ") and not line.startswith("| stage")]
    labels = [line.split(" | ")[0].removeprefix("| ") for line in rows]
    for name in ["generate", *SMOKE_STAGES, "stage_sum"]:
        assert any(label.startswith(pipeline_bench.LABELS[name]) for label in labels), name
    for line in rows:  # wall, CPU and peak memory are filled in on every row
        assert all(cell.strip() not in ("", "–") for cell in line.split(" | ")[1:4]), line


def test_the_lower_bound_runs_on_the_same_landing_in_the_same_run(smoke):
    work, document, text = smoke
    (run,) = document["scales"][0]["runs"]
    bound = run["stages"]["lower_bound"]
    assert bound["wall_s"] > 0 and bound["cpu_s"] > 0 and bound["peak_rss_mib"] > 0
    kpis = json.loads((work / f"scale_{SMOKE_SCALE}" / "run_1" / "reports" / "lower_bound.json").read_text())
    assert kpis["results"]["lb_first_response_by_team"]
    ratio = run["ratios"]["stage_sum/lower_bound"]
    assert ratio == round(run["stages"]["stage_sum"]["wall_s"] / bound["wall_s"], 2) > 1
    assert f"| {pipeline_bench.RATIO_LABELS['stage_sum/lower_bound']} | {ratio:.2f}x |" in text


def test_extra_rows_go_under_the_scale_table(smoke):
    _, document, _ = smoke
    extra = {0.01: [ExtraRow("pipeline / lower bound", "4.2x", "wall time, same landing")]}
    text = pipeline_bench.markdown(document["scales"], document["meta"], extra)
    assert "| ratio | value | how |" in text
    assert "| pipeline / lower bound | 4.2x | wall time, same landing |" in text


def test_a_figure_from_fewer_runs_says_so(smoke):
    """--airflow-runs 1: the Airflow row of a 3-run table is one run's value, and its label says so."""
    _, document, _ = smoke
    (result,) = document["scales"]
    (run,) = result["runs"]
    through_airflow = {**run, "stages": {**run["stages"], "airflow": {"wall_s": 9.0, "cpu_s": 4.0}}}
    runs = [through_airflow, run, run]  # the first run went through Airflow, the later two did not
    text = pipeline_bench.scale_markdown(
        {**result, "runs": runs, "summary": pipeline_bench.summarize(runs)}, document["meta"]
    )
    airflow_row = next(line for line in text.splitlines() if line.startswith(f"| {pipeline_bench.LABELS['airflow']}"))
    assert airflow_row.startswith(f"| {pipeline_bench.LABELS['airflow']}, 1 of 3 runs | 9.0 | 4.0 |")
    ingest_row = next(line for line in text.splitlines() if line.startswith(f"| {pipeline_bench.LABELS['ingest']}"))
    assert "of 3 runs" not in ingest_row


Usage = namedtuple("Usage", "total used free")


def test_scale_100_needs_the_flag_and_enough_disk(tmp_path, monkeypatch, capsys):
    document, text = pipeline_bench.run_bench(["--scales", "100", "--work", str(tmp_path), "--skip-airflow"])
    assert document["scales"] == []
    assert "needs --allow-scale-100" in text

    monkeypatch.setattr(pipeline_bench.shutil, "disk_usage", lambda path: Usage(2**40, 2**40 - 50 * 2**30, 50 * 2**30))
    argv = ["--scales", "100", "--allow-scale-100", "--work", str(tmp_path), "--skip-airflow"]
    document, text = pipeline_bench.run_bench(argv)
    assert document["scales"] == []
    assert "GiB of free disk" in text and "50 GiB available" in text
    assert "GiB of free disk" in capsys.readouterr().err


def test_disk_estimate_comes_from_the_smaller_scales_measured(tmp_path):
    tiny = {"landing": 2**25, "warehouse": 2**25, "serving": 0, "reports": 0}  # fixed costs dominate: not used
    measured = {
        0.01: {"runs": [{"disk_bytes": tiny}]},
        1.0: {"runs": [{"disk_bytes": {"landing": 2 * 2**30, "warehouse": 2**30, "serving": 0, "reports": 0}}]},
    }
    check = pipeline_bench.disk_check(100, tmp_path, measured)
    assert check["bytes_per_scale_unit"] == 3 * 2**30
    assert check["needed_bytes"] == int(3 * 2**30 * 100 * pipeline_bench.DISK_MARGIN)
    assert "measured at scale 1" in check["basis"]


GRANDCHILD = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; t = time.process_time()\n"
GRANDCHILD += "while time.process_time() - t < 0.5: pass\ntime.sleep(0.3)"


def test_measure_counts_a_waited_grandchild(tmp_path):
    """The dbt stage's shape: the measured process waits for a child that does the work."""
    code = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {GRANDCHILD!r}], check=True)"
    figures = pipeline_bench.measure([sys.executable, "-c", code], dict(os.environ), tmp_path / "log")
    assert figures["cpu_wait4_s"] >= 0.5
    assert figures["cpu_s"] >= 0.5
    assert figures["peak_tree_rss_mib"] >= 200
    assert figures["processes_seen"] == 2
    assert figures["wall_s"] >= 0.8
