"""How much a run's dbt tests check: every row, or only what changed since the last successful build.

Sized to the change, data tests with a `where` config naming __changed_since__ (macros/tests_scope.sql) read only the
rows loaded or recomputed after the last successful build started; unit tests, which depend on the code alone, do not
run, and seeds, part of the project, are not reloaded. A run tests (and loads) everything instead when:
- OUTCOMES_DBT_TESTS=full is set (on demand; OUTCOMES_DBT_TESTS=changed forces the other way);
- no run has tested every row yet, or the project changed since the last one did (new models, macros, seeds or
  vars: a new project version is fully tested before its first publish);
- the last full test run is older than `transform.full_tests_every_days` in config/sources.yml (default 7).
Each successful build is recorded in <warehouse folder>/dbt_tests.json: when it started (dbt's invocation start,
from run_results.json) and, for a full one, the project version and time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from pipeline.orchestration import connectors
from pipeline.settings import PipelinePaths

SCOPES = ("full", "changed")
DEFAULT_EVERY_DAYS = 7
PROJECT_PARTS = ("models", "macros", "seeds", "snapshots", "tests", "dbt_project.yml")


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    scope: str
    reason: str
    since: str | None = None  # changed scope: start of the last successful build (UTC, ISO)

    def env(self) -> dict[str, str]:
        """The environment of the dbt commands of this run: variables of the dbt project (named after it, never set
        by an operator), apart from OUTCOMES_DBT_TESTS, the operator's switch: cosmos copies a dbt task's environment
        into its own process, and a run under `dag.test()` would then force the next run's scope. Sized to the
        change, dbt also leaves out unit tests, which check the code, not the data, and seeds, which are part of the
        project (a run sized to the change has the project its last full run loaded): DBT_EXCLUDE_RESOURCE_TYPES,
        dbt's own variable for the flag."""
        changed = self.scope == "changed"
        return {
            "SOCIAL_OUTCOMES_TEST_SCOPE": self.scope,
            "SOCIAL_OUTCOMES_TEST_SINCE": self.since or "",
            "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test seed" if changed else "",
        }

    def to_dict(self) -> dict[str, str | None]:
        return {"scope": self.scope, "reason": self.reason, "since": self.since}


def state_path(paths: PipelinePaths) -> Path:
    return paths.warehouse_path.parent / "dbt_tests.json"


def read_state(paths: PipelinePaths) -> dict:
    path = state_path(paths)
    return json.loads(path.read_text()) if path.is_file() else {}


def project_version(paths: PipelinePaths) -> str:
    """sha256 of the dbt project's files and of the connector vars this deployment passes."""
    digest = hashlib.sha256()
    project = paths.dbt_project_dir
    for part in PROJECT_PARTS:
        root = project / part
        files = [root] if root.is_file() else sorted(path for path in root.rglob("*") if path.is_file())
        for path in files:
            digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    variables = connectors.dbt_vars(paths.sources_config_path, paths.landing_dir)
    digest.update(json.dumps(without_locations(variables), sort_keys=True).encode())
    return digest.hexdigest()


def without_locations(variables: dict) -> dict:
    """The connector vars without where the connector data lies (a moved file or landing folder is the same project;
    a connector added, removed or read another way is not)."""
    return {
        name: {key: value for key, value in setting.items() if not key.endswith(("_dir", "_path"))}
        for name, setting in (variables.get("fivetran_connectors") or {}).items()
    }


def full_tests_every(config_path: Path | None) -> timedelta:
    config = yaml.safe_load(config_path.read_text()) if config_path and config_path.is_file() else {}
    days = ((config or {}).get("transform") or {}).get("full_tests_every_days", DEFAULT_EVERY_DAYS)
    if not isinstance(days, int | float) or isinstance(days, bool) or days < 0:
        raise ScopeError(f"transform.full_tests_every_days must be a number of days >= 0, got {days!r}")
    return timedelta(days=days)


def choose(paths: PipelinePaths, now: datetime | None = None) -> Scope:
    """The scope of this run's tests, with the reason (shown in the run summary)."""
    state = read_state(paths)
    since = state.get("last_build_started_at")
    forced = os.environ.get("OUTCOMES_DBT_TESTS")
    if forced:
        if forced not in SCOPES:
            raise ScopeError(f"OUTCOMES_DBT_TESTS must be one of {SCOPES}, got {forced!r}")
        if forced == "full" or since:
            return Scope(forced, "OUTCOMES_DBT_TESTS", since if forced == "changed" else None)
        return Scope("full", "OUTCOMES_DBT_TESTS=changed, but no build has succeeded yet")
    if not state.get("full_tests_at") or not since:
        return Scope("full", "no run has tested every row yet")
    if state.get("project_version") != project_version(paths):
        return Scope("full", "the dbt project changed since the last full test run")
    tested_at = datetime.fromisoformat(state["full_tests_at"])
    every = full_tests_every(paths.sources_config_path)
    if (now or datetime.now(UTC)) - tested_at >= every:
        return Scope("full", f"the last full test run is older than {every.days} days")
    return Scope("changed", f"rows changed since {since} (full test run {tested_at:%Y-%m-%d %H:%M} UTC)", since)


def build_started_at(run_results_path: Path) -> str:
    """When dbt started the build (run_results.json), as a naive UTC timestamp like the warehouse's load times."""
    started = json.loads(run_results_path.read_text())["metadata"]["invocation_started_at"]
    return datetime.fromisoformat(started.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None).isoformat()


def record_build(paths: PipelinePaths, scope: Scope, started_at: str, now: datetime | None = None) -> None:
    """After a successful build: the next one tests what changed after `started_at`; a full one also records the
    project version it tested."""
    state = read_state(paths) | {"last_build_started_at": started_at}
    if scope.scope == "full":
        state |= {"project_version": project_version(paths), "full_tests_at": (now or datetime.now(UTC)).isoformat()}
    path = state_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2))
    temporary.replace(path)
