"""Great Expectations gate on the marts, run after dbt and before publish.

Route: each mart is read from DuckDB (read-only, through Arrow) into a pandas DataFrame and validated by a GX
checkpoint on a pandas data source. GX's SQL path fails on DuckDB as shipped (STACK.md: GX issues 10738, 11579);
the DataFrame route needs no patch and checks a scale-1 mart in about a second.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.settings import PipelinePaths

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402  (analytics must be off before import)
from great_expectations.core.expectation_suite import ExpectationSuite  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

EXAMPLES_PER_FAILURE = 5


class QualityGateFailed(RuntimeError):
    pass


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    rows: int
    success: bool
    evaluated: int
    failed: list[str] = field(default_factory=list)


@dataclass
class GateReport:
    outcomes: list[SuiteOutcome]

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    def to_dict(self) -> dict:
        return {"success": self.success, "suites": [outcome.__dict__ for outcome in self.outcomes]}

    def failure_message(self) -> str:
        lines = ["Quality gate failed; the serving copy was not replaced."]
        for outcome in self.outcomes:
            for failure in outcome.failed:
                lines.append(f"- {outcome.table} ({outcome.rows} rows): {failure}")
        return "\n".join(lines)


def load_suites(suites_dir: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(suites_dir.glob("*.json"))]


def read_table(warehouse_path: Path, table: str):
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        return connection.sql(f"select * from {table}").df()


def describe_failure(result) -> str:
    config = result.expectation_config
    kwargs = {key: value for key, value in config.kwargs.items() if key not in ("batch_id",)}
    details = result.result or {}
    text = f"{config.type} {kwargs}"
    if "unexpected_count" in details:
        examples = details.get("partial_unexpected_list", [])[:EXAMPLES_PER_FAILURE]
        text += f": {details['unexpected_count']} unexpected rows, e.g. {examples}"
    elif "observed_value" in details:
        text += f": observed {details['observed_value']}"
    if result.exception_info and result.exception_info.get("raised_exception"):
        text += f": raised {result.exception_info.get('exception_message')}"
    return text


def validate_suite(context, suite_spec: dict, warehouse_path: Path) -> tuple[SuiteOutcome, dict]:
    table = suite_spec["meta"]["table"]
    frame = read_table(warehouse_path, table)
    suite = context.suites.add(ExpectationSuite(**suite_spec))
    asset = context.data_sources.get("warehouse").add_dataframe_asset(table)
    batch = asset.add_batch_definition_whole_dataframe("whole_table")
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name}__validation", data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name=f"{suite.name}__checkpoint", validation_definitions=[validation])
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    suite_result = next(iter(run.run_results.values()))
    failed = [describe_failure(result) for result in suite_result.results if not result.success]
    outcome = SuiteOutcome(
        suite=suite.name,
        table=table,
        rows=len(frame),
        success=bool(run.success),
        evaluated=suite_result.statistics["evaluated_expectations"],
        failed=failed,
    )
    return outcome, suite_result.to_json_dict()


def run_gate(paths: PipelinePaths) -> GateReport:
    """Validate every suite in expectations/suites; write results to reports/quality; raise if any fails."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("warehouse")
    results_dir = paths.reports_dir / "quality"
    results_dir.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for suite_spec in load_suites(paths.suites_dir):
        outcome, result_json = validate_suite(context, suite_spec, paths.warehouse_path)
        (results_dir / f"{outcome.suite}.json").write_text(json.dumps(result_json, indent=2, default=str))
        outcomes.append(outcome)
    report = GateReport(outcomes)
    (results_dir / "gate_report.json").write_text(json.dumps(report.to_dict(), indent=2))
    if not report.success:
        raise QualityGateFailed(report.failure_message())
    return report
