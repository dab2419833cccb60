"""Where the pipeline reads and writes. Every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(os.path.abspath(value)) if value else default  # abspath: the serving path is a symlink


@dataclass(frozen=True)
class PipelinePaths:
    landing_dir: Path
    warehouse_path: Path
    serving_path: Path
    reports_dir: Path
    dbt_project_dir: Path
    sources_config_path: Path

    @property
    def dbt_target_dir(self) -> Path:
        return self.warehouse_path.parent / "dbt_target"

    @property
    def quality_history_path(self) -> Path:
        return self.warehouse_path.parent / "quality_history.duckdb"

    @property
    def run_summary_path(self) -> Path:
        return self.reports_dir / "run_summary.json"


def load_paths() -> PipelinePaths:
    """Paths from OUTCOMES_* environment variables, defaulting to ignored folders inside the project."""
    return PipelinePaths(
        landing_dir=_path_from_env("OUTCOMES_LANDING_DIR", PROJECT_ROOT / "landing"),
        warehouse_path=_path_from_env("OUTCOMES_WAREHOUSE_PATH", PROJECT_ROOT / "warehouse" / "outcomes.duckdb"),
        serving_path=_path_from_env("OUTCOMES_SERVING_PATH", PROJECT_ROOT / "serving" / "outcomes.duckdb"),
        reports_dir=_path_from_env("OUTCOMES_REPORTS_DIR", PROJECT_ROOT / "reports"),
        dbt_project_dir=PROJECT_ROOT / "dbt_project",
        sources_config_path=_path_from_env("OUTCOMES_SOURCES_CONFIG", PROJECT_ROOT / "config" / "sources.yml"),
    )
