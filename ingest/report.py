"""What one ingest run did, per entity, and the error raised when some files could not be loaded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class EntityReport:
    files_found: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_outside_interval: int = 0
    rows_suppressed: int = 0  # records of forgotten people (ingest/suppression.py)
    new_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)

    def add(self, audit) -> None:
        """Count one loaded file's audit (an `ingest.audit.FileAudit`)."""
        self.files_loaded += 1
        self.rows_read += audit.rows_read
        self.rows_loaded += audit.rows_loaded
        self.rows_quarantined += audit.rows_quarantined
        self.rows_duplicate += audit.rows_duplicate
        self.rows_outside_interval += audit.rows_outside_interval
        self.rows_suppressed += audit.rows_suppressed
        self.new_columns = sorted({*self.new_columns, *audit.new_columns})
        self.missing_columns = sorted({*self.missing_columns, *audit.missing_columns})


@dataclass(frozen=True)
class FileFailure:
    entity: str
    source_file: str
    error: str

    @property
    def summary(self) -> str:
        """The first line of the error: DuckDB appends many lines of hints, which the report keeps whole."""
        first_line = self.error.splitlines()[0] if self.error else ""
        return f"{self.entity}: {self.source_file}: {first_line}"


@dataclass
class IngestReport:
    batch_id: str
    loaded_at: str
    data_interval: str | None = None  # None: every new file whole (a manual run)
    entities: dict[str, EntityReport] = field(default_factory=dict)
    failures: list[FileFailure] = field(default_factory=list)
    # Files in the landing folder that no source reads (hidden files and the demo manifest aside): listed, not loaded.
    unmatched_files: list[str] = field(default_factory=list)
    # Files whose quarantined share exceeded the limit (ingest/refusals.py): loaded and audited, yet a failure.
    refused_files: list = field(default_factory=list)

    @property
    def files_loaded(self) -> int:
        return sum(e.files_loaded for e in self.entities.values())

    @property
    def files_skipped(self) -> int:
        return sum(e.files_skipped for e in self.entities.values())

    @property
    def files_failed(self) -> int:
        return sum(e.files_failed for e in self.entities.values())

    @property
    def rows_read(self) -> int:
        return sum(e.rows_read for e in self.entities.values())

    @property
    def rows_duplicate(self) -> int:
        return sum(e.rows_duplicate for e in self.entities.values())

    @property
    def rows_outside_interval(self) -> int:
        return sum(e.rows_outside_interval for e in self.entities.values())

    @property
    def rows_suppressed(self) -> int:
        return sum(e.rows_suppressed for e in self.entities.values())

    @property
    def rows_quarantined(self) -> int:
        return sum(e.rows_quarantined for e in self.entities.values())

    @property
    def rows_loaded(self) -> int:
        return sum(e.rows_loaded for e in self.entities.values())

    @property
    def missing_entities(self) -> list[str]:
        """Entities with no file in the landing folder: their tables exist but nothing was loaded."""
        return [name for name, e in self.entities.items() if e.files_found == 0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "loaded_at": self.loaded_at,
            "data_interval": self.data_interval,
            "totals": {
                "files_loaded": self.files_loaded,
                "files_skipped": self.files_skipped,
                "files_failed": self.files_failed,
                "rows_read": self.rows_read,
                "rows_loaded": self.rows_loaded,
                "rows_quarantined": self.rows_quarantined,
                "rows_duplicate": self.rows_duplicate,
                "rows_outside_interval": self.rows_outside_interval,
                "rows_suppressed": self.rows_suppressed,
            },
            "missing_entities": self.missing_entities,
            "unmatched_files": self.unmatched_files,
            "entities": {name: asdict(e) for name, e in self.entities.items()},
            "failures": [asdict(f) for f in self.failures],
            "refused_files": [refused.to_dict() for refused in self.refused_files],
        }


class IngestError(RuntimeError):
    """Raised after a run in which some files failed, or were mostly refused; every other file was still loaded
    and committed."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        lines = []
        if report.failures:
            lines.append(f"{len(report.failures)} landing file(s) failed to load and were rolled back:")
            lines += [f"  {failure.summary}" for failure in report.failures]
        if report.refused_files:
            lines.append(
                f"{len(report.refused_files)} landing file(s) mostly refused (the source gate will not pass the batch):"
            )
            lines += [f"  {refused.summary}" for refused in report.refused_files]
        super().__init__("\n".join(lines))
