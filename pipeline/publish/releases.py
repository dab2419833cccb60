"""A publish writes a new release beside the current one and swaps it in; rollback swaps back; old releases are
pruned."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.publish import privacy, pseudonyms, restricted
from pipeline.publish.layout import current_link, current_release, releases, releases_dir, serving_root
from pipeline.publish.privacy import ServingPolicy
from pipeline.publish.release_file import write_release
from pipeline.settings import PipelinePaths

DEFAULT_KEEP_RELEASES = 5


@dataclass
class PublishReport:
    serving_path: str
    release: str
    published_at: str
    tables: dict[str, int]
    # The marts taken unchanged from `reused_from` (hard-linked Parquet, the tables of its DuckDB file).
    reused: list[str] = field(default_factory=list)
    reused_from: str | None = None
    restricted_release: str | None = None

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def point_current_to(paths: PipelinePaths, release: str) -> None:
    """Replace the `current` symlink in one atomic rename, and make sure the stable reader paths exist."""
    root = serving_root(paths)
    staged = root / f".current.{uuid.uuid4().hex}"
    staged.symlink_to(Path("releases") / release)
    os.replace(staged, current_link(paths))
    for name in (paths.serving_path.name, "parquet"):
        stable = root / name
        target = Path("current") / name
        if not stable.is_symlink() or Path(os.readlink(stable)) != target:
            staged = root / f".{name}.{uuid.uuid4().hex}"
            staged.symlink_to(target)
            if stable.is_dir() and not stable.is_symlink():
                shutil.rmtree(stable)
            os.replace(staged, stable)


def prune(paths: PipelinePaths, keep: int) -> None:
    """Remove all but the newest `keep` releases (never the current one). A later release's Parquet files that are
    hard links to a pruned release's files stay readable."""
    current = current_release(paths)
    for release in releases(paths)[:-keep]:
        if release != current:
            shutil.rmtree(releases_dir(paths) / release)


def keep_releases() -> int:
    """OUTCOMES_KEEP_RELEASES, at least 2 (the current release and the one to roll back to); unset or empty: the
    default."""
    value = os.environ.get("OUTCOMES_KEEP_RELEASES", "").strip()
    if not value:
        return DEFAULT_KEEP_RELEASES
    try:
        return max(2, int(value))
    except ValueError:
        raise ValueError(f"OUTCOMES_KEEP_RELEASES must be a whole number of releases, got {value!r}") from None


def serving_policy(paths: PipelinePaths) -> ServingPolicy:
    """The default copy's policy: raises MissingPseudonymKey (nothing written) when no key is configured."""
    return ServingPolicy(
        pseudonyms.load_key(paths),
        privacy.declared_kinds(paths.dbt_target_dir / "manifest.json"),
        privacy.brand_handles(paths.dbt_project_dir / "seeds" / "brand_accounts.csv", paths.warehouse_path),
        privacy.redact_texts(),
    )


def publish(paths: PipelinePaths, full: bool = False) -> PublishReport:
    """Write a new release of every mart, pseudonymised, reusing the current release's unchanged marts unless `full`,
    and make it current; then the same for the restricted copy (clear values, owner-only files) when it is on."""
    policy = serving_policy(paths)
    report = publish_copy(paths, policy, full)
    if restricted.enabled():
        restricted_paths = restricted.paths_of(paths)
        restricted.prepare(restricted_paths)
        report.restricted_release = publish_copy(restricted_paths, ServingPolicy(None), full).release
        restricted.protect(restricted_paths)
    return report


def publish_copy(paths: PipelinePaths, policy: ServingPolicy, full: bool = False) -> PublishReport:
    published_at = datetime.now(UTC)
    release = f"{published_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"
    releases_dir(paths).mkdir(parents=True, exist_ok=True)
    incoming = releases_dir(paths) / f".{release}.incoming"
    current = current_release(paths)
    try:
        written = write_release(paths, incoming, release, published_at, current, policy, full=full)
        with open(incoming / paths.serving_path.name, "rb") as handle:
            os.fsync(handle.fileno())
        os.rename(incoming, releases_dir(paths) / release)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    point_current_to(paths, release)
    prune(paths, keep_releases())
    return PublishReport(
        str(paths.serving_path),
        release,
        published_at.isoformat(timespec="seconds"),
        written.tables,
        written.reused,
        written.reused_from,
    )


def rollback(paths: PipelinePaths) -> str:
    """Point `current` at the release before it; returns that release."""
    kept, current = releases(paths), current_release(paths)
    if current not in kept or kept.index(current) == 0:
        raise RuntimeError(f"No release before {current!r} to roll back to (kept: {kept})")
    previous = kept[kept.index(current) - 1]
    point_current_to(paths, previous)
    restricted_paths = restricted.paths_of(paths)
    kept, current = releases(restricted_paths), current_release(restricted_paths)
    if current in kept and kept.index(current) > 0:
        point_current_to(restricted_paths, kept[kept.index(current) - 1])
    return previous
