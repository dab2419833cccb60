"""Where releases live beside OUTCOMES_SERVING_PATH, and which one is current."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.settings import PipelinePaths

MARTS_SCHEMA = "marts"


def serving_root(paths: PipelinePaths) -> Path:
    return paths.serving_path.parent


def releases_dir(paths: PipelinePaths) -> Path:
    return serving_root(paths) / "releases"


def current_link(paths: PipelinePaths) -> Path:
    return serving_root(paths) / "current"


def release_file(paths: PipelinePaths, release: str) -> Path:
    """A release's DuckDB file."""
    return releases_dir(paths) / release / paths.serving_path.name


def releases(paths: PipelinePaths) -> list[str]:
    """Complete releases, oldest first (release ids sort by time)."""
    folder = releases_dir(paths)
    if not folder.exists():
        return []
    return sorted(path.name for path in folder.iterdir() if (path / paths.serving_path.name).exists())


def current_release(paths: PipelinePaths) -> str | None:
    link = current_link(paths)
    return Path(os.readlink(link)).name if link.is_symlink() else None
