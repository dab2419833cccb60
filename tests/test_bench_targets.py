"""benchmarks/targets.py: every cost target of the incremental-cost work in one table, from the harnesses' JSON."""

from __future__ import annotations

import json

from benchmarks import targets


def incremental_report(ratio_1pct: float, ratio_01pct: float, equal: bool) -> dict:
    def entry(ratio: float) -> dict:
        return {
            "ratio_wall": {"total": ratio},
            "summary": {"total": {"wall_s": {"median": ratio * 800}}},
            "comparison": {"equal": equal, "missing": [], "tables": {"fct_interactions": {"equal": equal}}},
        }

    return {
        "landing": "/work/bench/landing_scale10_seed42",
        "runs": 1,
        "full": {"summary": {"total": {"wall_s": {"median": 800.0}}}},
        "increments": {"0.01": entry(ratio_1pct), "0.001": entry(ratio_01pct)},
    }


def test_one_table_with_a_verdict_per_target(tmp_path):
    paths = {name: tmp_path / f"{name}.json" for name in ("incremental", "small", "pipeline", "overhead")}
    paths["incremental"].write_text(json.dumps(incremental_report(0.08, 0.07, equal=True)))
    paths["small"].write_text(json.dumps({"runs": [{"wall_s": 50.0}, {"wall_s": 70.0}, {"wall_s": 55.0}]}))
    paths["pipeline"].write_text(
        json.dumps({"scales": [{"scale": 10.0, "runs": [{"ratios": {"stage_sum/lower_bound": 5.0}}]}]})
    )
    overhead = {"ratio_of_medians": 1.1, "min": 1.05, "max": 1.2}
    paths["overhead"].write_text(json.dumps({"ratios": {"watcher/plain": {"wall_s": overhead}}, "runs": 3}))
    markdown = tmp_path / "targets.md"
    targets.main(
        [
            *("--incremental", str(paths["incremental"]), "--small-run", str(paths["small"])),
            *("--pipeline", str(paths["pipeline"]), "--dbt-overhead", str(paths["overhead"])),
            *("--markdown", str(markdown)),
        ]
    )
    rows = {line.split(" | ")[0].strip("| "): line for line in markdown.read_text().splitlines()[2:]}
    assert (
        "| 8.0% " in rows["1.0% increment / full run, scale 10"]
        and "| met |" in rows["1.0% increment / full run, scale 10"]
    )
    assert "**missed**" in rows["0.1% increment / full run, scale 10"]
    assert "1 of 1 tables equal" in rows["marts equal a full rebuild after 1.0%, scale 10"]
    assert "55.0 s" in rows["`make run DATA=` 5,000 records"] and "| met |" in rows["`make run DATA=` 5,000 records"]
    assert "**missed**" in rows["full run (sum of stages) / lower bound, scale 10"]
    assert "1.10x" in rows["transform DAG / one plain `dbt build`"]


def test_a_harness_not_run_is_said_plainly(tmp_path, capsys):
    targets.main(["--incremental", str(tmp_path / "absent.json")])
    out = capsys.readouterr().out
    assert out.count("not measured") == 4
    assert "absent.json` (missing)" in out
