"""The sentiment scoring benchmark's arithmetic (benchmarks/text_scoring.py) on a made-up run: node times read from
dbt's run_results.json, the ratio against the dbt stage and the 15% verdict. No dbt run here: the real figures
come from `python -m benchmarks.text_scoring` and belong in BENCHMARKS.md."""

from __future__ import annotations

import json

import pytest

from benchmarks import text_scoring
from benchmarks.pipeline_bench import BenchFailed

MODEL = f"model.social_outcomes.{text_scoring.SCORING_MODEL}"
SEED = f"seed.social_outcomes.{text_scoring.WEIGHTS_SEED}"


def run_results(tmp_path, times: dict[str, float], status: str = "success"):
    path = tmp_path / "run_results.json"
    results = [{"unique_id": node, "status": status, "execution_time": seconds} for node, seconds in times.items()]
    path.write_text(json.dumps({"results": results}))
    return path


def test_build_figures_come_from_the_node_times(tmp_path):
    times = {
        MODEL: 30.0,
        SEED: 5.0,
        "model.social_outcomes.int_text__term_matches": 12.0,
        f"test.social_outcomes.unique_{text_scoring.SCORING_MODEL}_interaction_key.abc": 2.0,
        "test.social_outcomes.not_null_fct_interactions_interaction_key.def": 1.0,
    }
    figures = text_scoring.build_figures(text_scoring.node_times(run_results(tmp_path, times)))
    assert figures["scoring_node_s"] == 30.0 and figures["seed_load_s"] == 5.0
    assert figures["tests_on_scoring_model_s"] == 2.0
    assert figures["int_text__term_matches_s"] == 12.0 and figures["int_text__message_terms_s"] == 0.0
    assert figures["all_nodes_s"] == 50.0
    with pytest.raises(BenchFailed, match="failed"):
        text_scoring.node_times(run_results(tmp_path, times, status="error"))


def test_ratio_against_the_dbt_stage_and_the_target():
    reruns = [
        {"run": n, "load_average_1min_before": 2.0, "scoring_node_s": node, "seed_load_s": 5.0}
        | {"scoring_node_process_wall_s": node + 10, "seed_load_process_wall_s": 15.0}
        | {"scoring_node_process_cpu_s": node + 5, "seed_load_process_cpu_s": 10.0}
        for n, node in enumerate((25.0, 35.0, 45.0), 1)
    ]
    build = {"scoring_node_s": 30.0, "seed_load_s": 5.0, "tests_on_scoring_model_s": 2.0, "all_nodes_s": 300.0}
    build |= {f"{model}_s": 1.0 for model in text_scoring.CONTEXT_MODELS}
    document = {
        "meta": {
            "scale": 10.0,
            "seed": 42,
            "date": "d",
            "commit": "c",
            "uptime": "up",
            "memory_limit": "3.5GB",
            "command": "python -m benchmarks.text_scoring",
            "landing_note": "generated",
            "machine": {"cores": 2, "memory_gib": 23.5, "platform": "p", "python": "3.11"},
        },
        "dbt_stage": {"wall_s": 400.0, "cpu_s": 390.0, "peak_rss_mib": 3900.0},
        "build": build,
        "counts": {"scored": 8_000_000, "interactions": 9_000_000},
        "reruns": reruns,
        "load_average_1min_before_build": 3.0,
        "load_average_1min_after_build": 2.0,
        "disk_bytes": {"landing": 2**30, "warehouse": 2**30},
    }
    document["summary"] = summary = text_scoring.summarize(document)
    assert summary["share_of_dbt_stage"]["median"] == pytest.approx(0.10)  # (35 + 5) / 400
    assert summary["share_of_dbt_stage"]["max"] == pytest.approx(0.125)
    assert summary["share_in_build"] == pytest.approx(35 / 400)
    assert summary["cpu_share_of_dbt_stage"]["median"] == pytest.approx(50 / 390)  # (35 + 5 + 10) / 390
    assert summary["target_met"]
    text = text_scoring.markdown(document)
    assert "| **(scoring node + seed load) / dbt stage wall** | **10.0% (7.5%-12.5%)** |" in text
    assert "target at most 15%: met" in text
    assert "| messages scored by the model | 8,000,000 of 9,000,000 interactions |" in text
