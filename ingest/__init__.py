"""File ingest layer: loads the landing folder into DuckDB schema `raw` (see docs/landing_contract.md)."""

from ingest.report import EntityReport, FileFailure, IngestError, IngestReport
from ingest.run import load_landing

__all__ = ["EntityReport", "FileFailure", "IngestError", "IngestReport", "load_landing"]
