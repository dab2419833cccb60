"""Erasure on request: forget one person in the warehouse and every copy, and keep them out of later ingests.

forget.py runs it (`make forget WHO=...`, DAG `forget_person`); resolve.py finds every identity linked to the
request; warehouse.py erases raw, quarantine and snapshots, rebuilds and rewrites the warehouse file.
"""

from pipeline.publish.erasure.forget import ErasureIncomplete, ErasureReport, forget, forget_person_task, main
from pipeline.publish.erasure.resolve import Identity, ResolutionError, resolve_identity


def resolve(paths, who: str):
    """The Person an erasure request is about (pipeline/publish/person.py), read from the warehouse."""
    import duckdb

    from ingest import file_drops

    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        return resolve_identity(con, who, file_drops.load_config(paths.sources_config_path)).person


__all__ = [
    "ErasureIncomplete",
    "ErasureReport",
    "Identity",
    "ResolutionError",
    "forget",
    "forget_person_task",
    "main",
    "resolve",
    "resolve_identity",
]
