"""Run `dbt build` against the working warehouse and report what it did.

dbt runs as a subprocess rather than through dbtRunner: dbt-duckdb keeps its connection open after an in-process
run, which would hold the warehouse's single write lock for the rest of the Airflow task (see STACK.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.orchestration import connectors, test_scope
from pipeline.settings import PipelinePaths

OUTPUT_TAIL_LINES = 40


class DbtBuildFailed(RuntimeError):
    pass


@dataclass
class DbtBuildReport:
    elapsed_seconds: float
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    docs: str | None = None
    tests: str | None = None  # "full" or "changed" (pipeline/orchestration/test_scope.py), with the reason
    kinds: dict[str, int] = field(default_factory=dict)  # nodes run by resource type: model, test, unit_test, ...

    def to_dict(self) -> dict:
        return {
            "elapsed_seconds": self.elapsed_seconds,
            "statuses": self.statuses,
            "failures": self.failures,
            "docs": self.docs,
            "tests": self.tests,
            "kinds": self.kinds,
        }


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def dbt_env(paths: PipelinePaths) -> dict[str, str]:
    env = dict(os.environ)
    env["OUTCOMES_WAREHOUSE_PATH"] = str(paths.warehouse_path)
    env["DBT_TARGET_PATH"] = str(paths.dbt_target_dir)
    env["DBT_LOG_PATH"] = str(paths.dbt_target_dir / "logs")
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    return env


def run_dbt(paths: PipelinePaths, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A dbt command on this deployment's warehouse, with the connector schemas it reads (`--vars`)."""
    command = [dbt_executable(), *args, "--project-dir", str(paths.dbt_project_dir)]
    command = connectors.with_vars(command, paths.sources_config_path, paths.landing_dir)
    command += ["--profiles-dir", str(paths.dbt_project_dir)]
    # Every dbt command states its test scope: a dbt task under `dag.test()` leaves its environment in this process.
    environment = dbt_env(paths) | test_scope.Scope("full", "default").env() | (env or {})
    return subprocess.run(command, cwd=paths.dbt_project_dir, env=environment, capture_output=True, text=True)


def read_run_results(paths: PipelinePaths) -> DbtBuildReport:
    results = json.loads((paths.dbt_target_dir / "run_results.json").read_text())
    statuses = Counter(result["status"] for result in results["results"])
    kinds = Counter(result["unique_id"].split(".")[0] for result in results["results"])
    failures = [
        f"{result['unique_id']}: {result['status']} - {(result.get('message') or '').strip()}"
        for result in results["results"]
        if result["status"] in ("error", "fail")
    ]
    return DbtBuildReport(round(results["elapsed_time"], 2), dict(statuses), failures, kinds=dict(kinds))


def build(paths: PipelinePaths, select: str | None = None) -> DbtBuildReport:
    """`dbt build` (seeds, models, data tests, unit tests); raises DbtBuildFailed naming what failed. The data tests
    check every row or only the rows this run changed (test_scope.choose)."""
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    args = ["build"] + (["--select", select] if select else [])
    scope = test_scope.choose(paths)
    completed = run_dbt(paths, *args, env=scope.env())
    print(completed.stdout, file=sys.stdout)
    if completed.returncode != 0:
        detail = ""
        if (paths.dbt_target_dir / "run_results.json").exists():
            detail = "\n".join(read_run_results(paths).failures)
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-OUTPUT_TAIL_LINES:])
        raise DbtBuildFailed(f"dbt build failed (exit {completed.returncode}).\n{detail}\n--- dbt output ---\n{tail}")
    if not select:
        test_scope.record_build(paths, scope, test_scope.build_started_at(paths.dbt_target_dir / "run_results.json"))
    report = read_run_results(paths)
    report.tests = f"{scope.scope}: {scope.reason}"
    return report


def docs_site(paths: PipelinePaths) -> Path:
    return paths.reports_dir / "dbt_docs" / "index.html"


def generate_docs(paths: PipelinePaths) -> Path:
    """`dbt docs generate --static`: the dbt docs site as one HTML file (manifest and catalog inside), copied to
    reports/dbt_docs/index.html. Run after the build, while the warehouse holds what the docs describe."""
    completed = run_dbt(paths, "docs", "generate", "--static")
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-OUTPUT_TAIL_LINES:])
        raise DbtBuildFailed(f"dbt docs generate failed (exit {completed.returncode}).\n{tail}")
    site = docs_site(paths)
    site.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.dbt_target_dir / "static_index.html", site)
    return site
