"""The restricted serving copy: the same marts with personal data in clear, for the care and owning teams who must
answer a customer. Published beside the default copy under serving/restricted/ with the same mechanics (releases,
atomic `current` swap, reuse, pruning, rollback), when OUTCOMES_RESTRICTED_SERVING is on; its folder is 0700 and
its files 0600, so only the account that runs the pipeline reads it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pipeline.publish.layout import serving_root
from pipeline.settings import PipelinePaths

ENV = "OUTCOMES_RESTRICTED_SERVING"
FOLDER = "restricted"
ON = {"1", "true", "yes", "on"}
OFF = {"", "0", "false", "no", "off"}


def enabled() -> bool:
    value = os.environ.get(ENV, "").strip().lower()
    if value in ON:
        return True
    if value in OFF:
        return False
    raise ValueError(f"{ENV} must be on or off, got {value!r}")


def paths_of(paths: PipelinePaths) -> PipelinePaths:
    """The restricted copy's paths: serving/restricted/outcomes.duckdb and its releases beside it."""
    return dataclasses.replace(paths, serving_path=serving_root(paths) / FOLDER / paths.serving_path.name)


def prepare(paths: PipelinePaths) -> None:
    root = serving_root(paths)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)


def protect(paths: PipelinePaths) -> None:
    """Owner-only modes on everything under the restricted root (symlinks are left alone: their mode is unused)."""
    root = serving_root(paths)
    for folder, _subfolders, files in os.walk(root):
        Path(folder).chmod(0o700)
        for name in files:
            path = Path(folder) / name
            if not path.is_symlink():
                path.chmod(0o600)
