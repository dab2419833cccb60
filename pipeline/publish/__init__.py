"""Publish the checked marts to the serving folder BI tools read, swapped in atomically; keep and roll back releases.

Layout beside OUTCOMES_SERVING_PATH (default serving/outcomes.duckdb):

    serving/releases/<release id>/outcomes.duckdb    every mart, the quality history, column descriptions
    serving/releases/<release id>/parquet/<mart>.parquet
    serving/current -> releases/<release id>         the one symlink a publish or a rollback replaces
    serving/outcomes.duckdb -> current/outcomes.duckdb    what BI tools open (read-only)
    serving/parquet -> current/parquet                    what Parquet readers open

A release is written in full before `current` is replaced with os.replace (atomic within one folder), so a reader
that opens the serving path gets the old release or the new one, never a mix; a failed publish leaves `current` as
it was. A release reuses the current release's marts whose content did not change (fingerprints.py,
release_file.py). The newest OUTCOMES_KEEP_RELEASES (default 5) releases are kept; `python -m pipeline.publish
rollback` points `current` back to the release before it.
"""

from pipeline.publish.cli import main
from pipeline.publish.layout import (
    MARTS_SCHEMA,
    current_link,
    current_release,
    release_file,
    releases,
    releases_dir,
    serving_root,
)
from pipeline.publish.releases import (
    DEFAULT_KEEP_RELEASES,
    PublishReport,
    keep_releases,
    point_current_to,
    prune,
    publish,
    rollback,
    serving_policy,
)

__all__ = [
    "DEFAULT_KEEP_RELEASES",
    "MARTS_SCHEMA",
    "PublishReport",
    "current_link",
    "current_release",
    "keep_releases",
    "main",
    "point_current_to",
    "prune",
    "publish",
    "release_file",
    "releases",
    "releases_dir",
    "rollback",
    "serving_policy",
    "serving_root",
]
