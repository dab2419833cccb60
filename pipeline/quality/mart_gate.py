"""The mart gate: after `dbt build`, before publish, every mart that changed is validated (pipeline/quality_gate.py runs
the GX suites); a failing mart raises QualityGateFailed so that publish does not run. A mart the current release
was validated with is not validated again (only its freshness), and a big mart that passed before is checked by its
changed rows (pipeline/quality/changed_rows.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import duckdb

from pipeline import quality_history, suites
from pipeline.publish import fingerprints, layout
from pipeline.quality import changed_rows
from pipeline.quality_gate import GateReport, SuiteOutcome, finish, quality_as_of, validate
from pipeline.settings import PipelinePaths


def empty_marts(paths: PipelinePaths) -> frozenset[str]:
    """The marts in marts.yml with no rows in the warehouse (their sources were not loaded)."""
    marts = suites.load_spec("marts.yml")["marts"]
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        built = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        return frozenset(
            mart
            for mart in marts
            if mart in built and not connection.execute(f'select exists (select 1 from marts."{mart}")').fetchone()[0]
        )


def validation_keys(found: dict[str, fingerprints.MartFingerprint]) -> dict[str, str]:
    """Per built mart in marts.yml, a digest of its content, its checks, and the content of the marts its consistency
    checks read: equal keys, equal validation outcome (freshness aside)."""
    keys = {}
    for mart, definition in suites.mart_check_definitions().items():
        if mart in found:
            reads = {name: found[name].digest if name in found else None for name in definition["reads"]}
            keys[mart] = fingerprints.digest([definition, found[mart].digest, reads])
    return keys


def validated_in_current_release(paths: PipelinePaths, keys: dict[str, str]) -> dict[str, str]:
    """The marts whose validation key the current release recorded as validated, with the release it was validated
    in."""
    current = layout.current_release(paths)
    if current is None:
        return {}
    published = fingerprints.published_marts(layout.release_file(paths, current))
    return {
        mart: entry.validated_in
        for mart, entry in published.items()
        if entry.validation_key is not None and entry.validation_key == keys.get(mart) and entry.validated_in
    }


def run_mart_gate(paths: PipelinePaths, data_interval_end: datetime | None = None) -> GateReport:
    """Validate every mart that changed since the current release was validated; raise so that publish does not run
    when one fails. An unchanged mart is reported with the release it was validated in, and its freshness checked.
    A big mart that passed before is checked by its changed rows (pipeline/quality/changed_rows.py)."""
    found = fingerprints.warehouse_fingerprints(paths.warehouse_path)
    definitions = suites.mart_check_definitions()
    keys = validation_keys(found)
    unchanged = validated_in_current_release(paths, keys)
    digests = changed_rows.checks_digests(paths.warehouse_path, definitions)
    minimum = max(changed_rows.min_rows(), 1)
    big = {
        mart: found[mart].rows
        for mart, definition in definitions.items()
        if mart in found and not definition["consistency"] and found[mart].rows >= minimum
    }
    docs_dir = paths.reports_dir / "quality" / "data_docs"
    candidates = {
        mart: changed_rows.row_check_columns(definitions[mart]["spec"]) for mart in big if mart not in unchanged
    }
    with changed_rows.prepared(paths, candidates, digests) as prepared:
        suite_list = suites.mart_suites(
            quality_as_of(data_interval_end),
            quality_history.last_good_rows(paths.quality_history_path, "mart"),
            empty_marts=frozenset(mart for mart, mart_print in found.items() if mart_print.rows == 0),
            unchanged=frozenset(unchanged),
            changed_rows={mart: (rows.database, rows.changed_table) for mart, rows in prepared.changed.items()},
        )
        validated = _by_mart(validate(suite_list, paths.warehouse_path, docs_dir) if suite_list else [])
        outcomes = []
        for mart in suites.load_spec("marts.yml")["marts"]:
            outcome = validated.get(mart)
            if mart in unchanged:
                outcome = outcome or SuiteOutcome(f"mart.{mart}", mart, None, None, True, 0)
                outcome = replace(outcome, rows=found[mart].rows, validated_in=unchanged[mart])
            if outcome is not None:
                outcomes.append(outcome)
        passed = [outcome for outcome in outcomes if outcome.success and outcome.table in keys]
        prepared.keep({outcome.table: digests[outcome.table] for outcome in passed if outcome.table in candidates})
    fingerprints.write_validated(
        paths,
        {
            outcome.table: {
                "fingerprint": found[outcome.table].digest,
                "validation_key": keys[outcome.table],
                "validated_in": outcome.validated_in,
            }
            for outcome in passed
        },
    )
    return finish(paths, "marts", outcomes, docs_dir)


def _by_mart(outcomes: list[SuiteOutcome]) -> dict[str, SuiteOutcome]:
    """One outcome per mart: a mart checked by its changed rows ran two suites (`mart.<name>.changed_rows` and
    `mart.<name>.whole`), reported as one under `mart.<name>` with the whole mart's row count."""
    merged: dict[str, SuiteOutcome] = {}
    for outcome in outcomes:
        if outcome.suite.endswith(".changed_rows"):
            outcome = replace(
                outcome,
                rows=None,
                changed_rows=outcome.rows,
                failed=[f"in the {outcome.rows} new or changed rows: {failure}" for failure in outcome.failed],
            )
        earlier = merged.get(outcome.table)
        if earlier is not None:
            outcome = replace(
                earlier,
                rows=earlier.rows if earlier.rows is not None else outcome.rows,
                success=earlier.success and outcome.success,
                evaluated=earlier.evaluated + outcome.evaluated,
                failed=earlier.failed + outcome.failed,
                changed_rows=earlier.changed_rows if earlier.changed_rows is not None else outcome.changed_rows,
            )
        merged[outcome.table] = replace(outcome, suite=f"mart.{outcome.table}")
    return merged
