"""The quality gate: Great Expectations suites on each landed source batch (before dbt) and on every mart (before
publish). A failing suite raises QualityGateFailed, which fails the Airflow task, so dbt or publish never runs on bad
data; the message says in plain words which checks failed on which table and batch.

Every validation is recorded in the quality history (pipeline/quality_history.py) and rendered as GX Data Docs under
reports/quality/data_docs. Checks run inside DuckDB through GX's SQL path (pipeline/gx_duckdb.py).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import file_drops, refusals
from ingest.entity import Entity
from ingest.registry import ENTITIES
from ingest.sql import quote_ident, quote_literal
from pipeline import gx_duckdb, quality_history, suites
from pipeline.orchestration import connectors
from pipeline.quality import connector_freshness
from pipeline.settings import PipelinePaths

gx = gx_duckdb.gx
EXAMPLES_PER_FAILURE = 5
DATA_DOCS_SITE = "outcomes_quality"


class QualityGateFailed(RuntimeError):
    """A gate stopped the run. `data_docs` is the GX report of the failing validations (alerts link it)."""

    def __init__(self, message: str, stage: str | None = None, data_docs: str | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.data_docs = data_docs


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    batch_id: str | None
    rows: int | None
    success: bool
    evaluated: int
    failed: list[str] = field(default_factory=list)
    # A mart not validated again: this release validated the same content with the same checks (only its freshness
    # was checked now).
    validated_in: str | None = None
    # A mart checked by its changed rows: how many rows were new or changed (the row checks read only those).
    changed_rows: int | None = None


@dataclass
class GateReport:
    stage: str
    outcomes: list[SuiteOutcome]
    data_docs: str | None = None

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "success": self.success,
            "data_docs": self.data_docs,
            "suites": [asdict(outcome) for outcome in self.outcomes],
        }

    def failure_message(self) -> str:
        what = "dbt was not run" if self.stage == "sources" else "the serving copy was not replaced"
        lines = [f"Quality gate failed on the {self.stage}; {what}. Report: {self.data_docs}"]
        for outcome in self.outcomes:
            batch = f", batch {outcome.batch_id}" if outcome.batch_id else ""
            for failure in outcome.failed:
                lines.append(f"- {outcome.table}{batch} ({outcome.rows} rows): {failure}")
        return "\n".join(lines)


def quality_as_of(data_interval_end: datetime | None = None) -> datetime | None:
    """The time freshness is measured against: OUTCOMES_AS_OF, else the Airflow run's data interval end, else now.
    None (freshness not checked) when OUTCOMES_FRESHNESS is `off`, as for years-old archive exports."""
    if os.environ.get("OUTCOMES_FRESHNESS", "on").strip().lower() in ("off", "false", "0", "no"):
        return None
    if os.environ.get("OUTCOMES_AS_OF"):
        moment = datetime.fromisoformat(os.environ["OUTCOMES_AS_OF"])
    else:
        moment = data_interval_end or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def describe_failure(result) -> str:
    config = result.expectation_config
    kwargs = {key: value for key, value in config.kwargs.items() if key not in ("batch_id", "unexpected_rows_query")}
    details = result.result or {}
    text = f"{config.type} {kwargs}" if kwargs else config.description or config.type
    if kwargs and config.description:
        text += f" ({config.description})"
    if "unexpected_count" in details:
        examples = details.get("partial_unexpected_list", [])[:EXAMPLES_PER_FAILURE]
        text += f": {details['unexpected_count']} unexpected rows, e.g. {examples}"
    elif config.type == "unexpected_rows_expectation" and "observed_value" in details:
        text += f": {details['observed_value']} rows disagree"
    elif "observed_value" in details:
        text += f": observed {details['observed_value']}"
    for info in _exception_infos(result.exception_info or {}):
        if info.get("raised_exception"):
            text += f": raised {info.get('exception_message')}"
            break
    return text


def _exception_infos(exception_info: dict) -> list[dict]:
    """GX reports an exception either directly or keyed by the metric that raised it."""
    if "raised_exception" in exception_info:
        return [exception_info]
    return [info for info in exception_info.values() if isinstance(info, dict)]


def observed_rows(suite: suites.Suite, suite_result) -> int | None:
    for result in suite_result.results:
        config = result.expectation_config
        if suite.count_column is None and config.type == "expect_table_row_count_to_be_between":
            return (result.result or {}).get("observed_value")
        if suite.count_column is not None and config.kwargs.get("column") == suite.count_column:
            return (result.result or {}).get("observed_value")
    return None


def data_docs_site(directory: Path) -> dict:
    return {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "show_how_to_buttons": False,
    }


def prefetch(suite_list: list[suites.Suite], warehouse_path: Path) -> list[suites.Suite]:
    """Run each `prefetch` suite's query once in DuckDB and give GX the row it returned as literal values.

    GX runs a batch's query again for each metric it computes (its columns, then the aggregates), so a freshness
    query that parses the event time of every row of a raw table ran more than once per suite. A query that fails
    here is left as it is: GX runs it and reports the error in the suite's outcome, as before."""
    if not any(suite.prefetch for suite in suite_list):
        return suite_list
    prepared = []
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        for suite in suite_list:
            if suite.prefetch:
                try:
                    cursor = connection.execute(suite.query)
                    columns, rows = cursor.description, cursor.fetchall()
                except duckdb.Error:
                    rows = None
                if rows is not None and len(rows) == 1:
                    values = [
                        f"cast({_sql_literal(value)} as {column[1]}) as {quote_ident(column[0])}"
                        for column, value in zip(columns, rows[0], strict=True)
                    ]
                    suite = replace(suite, query=f"select {', '.join(values)}")
            prepared.append(suite)
    return prepared


def _sql_literal(value) -> str:
    """A value as a SQL literal; cast to its column's type, its text reads back as the same value."""
    return "null" if value is None else quote_literal(str(value))


def validate(suite_list: list[suites.Suite], warehouse_path: Path, docs_dir: Path) -> list[SuiteOutcome]:
    """Run the suites as one GX checkpoint on the warehouse (read-only) and render the results as Data Docs.

    One checkpoint for every suite, not one each: a checkpoint's own cost (creating it, running its actions,
    assembling its result) was paid once per suite, about as much as checking a small batch."""
    suite_list = prefetch(suite_list, warehouse_path)
    context = gx_duckdb.ephemeral_context()
    shutil.rmtree(docs_dir, ignore_errors=True)
    for site in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site)  # the ephemeral context's default site writes to a temporary folder
    context.add_data_docs_site(site_name=DATA_DOCS_SITE, site_config=data_docs_site(docs_dir))
    datasources = {warehouse_path: gx_duckdb.add_duckdb_datasource(context, "warehouse", warehouse_path)}
    try:
        validations = []
        for index, suite in enumerate(suite_list):
            name = f"{suite.name}.{suite.batch_id}" if suite.batch_id else suite.name
            database = suite.database or warehouse_path
            if database not in datasources:
                datasources[database] = gx_duckdb.add_duckdb_datasource(context, f"db{len(datasources)}", database)
            asset = datasources[database].add_query_asset(f"{index:03d}.{name}", query=suite.query)
            gx_suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=suite.expectations))
            validations.append(
                context.validation_definitions.add(
                    gx.ValidationDefinition(
                        name=name, data=asset.add_batch_definition_whole_table("batch"), suite=gx_suite
                    )
                )
            )
        results = {}
        if validations:  # a checkpoint needs at least one
            checkpoint = context.checkpoints.add(gx.Checkpoint(name="quality_gate", validation_definitions=validations))
            results = {
                key.expectation_suite_identifier.name: result for key, result in checkpoint.run().run_results.items()
            }
    finally:
        for datasource in datasources.values():
            gx_duckdb.close_datasource(datasource)
    outcomes = []
    for suite, validation in zip(suite_list, validations, strict=True):
        suite_result = results[validation.suite.name]
        outcomes.append(
            SuiteOutcome(
                suite=suite.name,
                table=suite.table,
                batch_id=suite.batch_id,
                rows=observed_rows(suite, suite_result),
                success=bool(suite_result.success),
                evaluated=suite_result.statistics["evaluated_expectations"],
                failed=[describe_failure(result) for result in suite_result.results if not result.success],
            )
        )
    # One render of the site for every suite: rendering it after each checkpoint made the gate's cost grow with the
    # square of the number of suites.
    context.build_data_docs(site_names=[DATA_DOCS_SITE])
    return outcomes


def finish(paths: PipelinePaths, stage: str, outcomes: list[SuiteOutcome], docs_dir: Path) -> GateReport:
    """Record the validations, write the stage's report, and raise if any suite failed."""
    run_id, now = uuid.uuid4().hex[:12], datetime.now(UTC).replace(tzinfo=None)
    quality_history.record(
        paths.quality_history_path,
        [
            quality_history.Validation(
                run_id=run_id,
                suite=outcome.suite,
                kind="source" if stage == "sources" else "mart",
                table_name=outcome.table,
                batch_id=outcome.batch_id,
                validated_at=now,
                success=outcome.success,
                evaluated_expectations=outcome.evaluated,
                failed_expectations=len(outcome.failed),
                failures=outcome.failed,
                row_count=outcome.rows,
            )
            for outcome in outcomes
        ],
    )
    index = docs_dir / "index.html"
    report = GateReport(stage, outcomes, str(index) if index.exists() else None)
    results_dir = paths.reports_dir / "quality"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"gate_{stage}.json").write_text(json.dumps(report.to_dict(), indent=2, default=str))
    if not report.success:
        raise QualityGateFailed(report.failure_message(), stage=stage, data_docs=report.data_docs)
    return report


def has_ingest_audit(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = '_ingest_audit'"
        ).fetchone()[0]
    )


def pending_batches(paths: PipelinePaths) -> list[tuple[str, str, int]]:
    """(raw table, batch id, records read) of every batch that read records and has not passed its suites yet,
    oldest first."""
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        if not has_ingest_audit(connection):
            return []
        landed = connection.execute(
            "select entity, batch_id, sum(rows_read) from raw._ingest_audit where rows_read > 0"
            " group by entity, batch_id order by min(loaded_at), entity"
        ).fetchall()
    accepted = quality_history.accepted_batches(paths.quality_history_path)
    return [(table, batch, rows) for table, batch, rows in landed if (table, batch) not in accepted]


def snapshot_batches(paths: PipelinePaths) -> set[tuple[str, str]]:
    """(raw table, batch id) of the batches that read records from a snapshot export, not only from API deltas."""
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        if not has_ingest_audit(connection):
            return set()
        query = "select distinct entity, batch_id from raw._ingest_audit where rows_read > 0 and "
        return set(connection.execute(query + suites.SNAPSHOT_FILE_SQL).fetchall())


def loaded_entities(paths: PipelinePaths) -> list[Entity]:
    """Every entity, built in or declared as a file drop, that has rows in the warehouse."""
    entities = {entity.table: entity for entity in ENTITIES}
    entities.update({drop.entity.table: drop.entity for drop in file_drops.load_config(paths.sources_config_path)})
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        if not has_ingest_audit(connection):
            return []
        loaded = connection.execute(
            "select distinct entity from raw._ingest_audit where rows_loaded > 0 order by entity"
        ).fetchall()
    return [entities[table] for (table,) in loaded if table in entities]


def run_source_gate(paths: PipelinePaths, data_interval_end: datetime | None = None) -> GateReport:
    """Validate every landed batch not yet accepted, and the freshness of every loaded source; raise before dbt
    reads a bad batch. A failed batch stays pending, so later runs fail too until it is replaced or removed."""
    entities = {entity.table: entity for entity in loaded_entities(paths)}
    previous = quality_history.last_good_rows(paths.quality_history_path, "source")
    with_snapshots = snapshot_batches(paths)
    suite_list = []
    max_refused_share = refusals.max_refused_share()
    for table, batch, _ in pending_batches(paths):
        suite_list.append(suites.refused_share_suite(table, batch, max_refused_share))
        if table in entities:
            suite_list.append(suites.source_suite(entities[table], batch))
            if (table, batch) in with_snapshots:
                volume = suites.export_volume_suite(entities[table], batch, previous.get(f"volume.{table}"))
                suite_list += [volume] if volume else []
    as_of = quality_as_of(data_interval_end)
    if as_of is not None:
        suite_list += [suite for entity in entities.values() if (suite := suites.freshness_suite(entity, as_of))]
    docs_dir = paths.reports_dir / "quality" / "data_docs_sources"
    outcomes = validate(suite_list, paths.warehouse_path, docs_dir) if suite_list else []
    if as_of is not None:
        outcomes += connector_freshness_outcomes(paths, as_of)
    return finish(paths, "sources", outcomes, docs_dir)


def connector_freshness_outcomes(paths: PipelinePaths, as_of: datetime) -> list[SuiteOutcome]:
    """One outcome per enabled connector schema: synced recently enough (pipeline/quality/connector_freshness.py)."""
    limit = connector_freshness.max_age_days()
    outcomes = []
    for connector in connectors.configured(paths.sources_config_path, paths.landing_dir):
        found = connector_freshness.check(connector, paths.warehouse_path, as_of, limit)
        failed = [] if found.fresh else [found.problem()]
        outcomes.append(
            SuiteOutcome(f"freshness.connector.{found.connector}", found.connector, None, None, found.fresh, 1, failed)
        )
    return outcomes
