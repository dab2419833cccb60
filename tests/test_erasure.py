"""Erasure on request, end to end on a small demo warehouse: a CRM contact with an email, an X handle, tweets and a
Zendesk ticket is forgotten; afterwards no table and no byte of the warehouse file holds them, the marts equal a
fresh build of the landing folder without them, the audit records the request without the identifier, and a
re-ingest of the original files keeps them out (ingest/suppression.py). One module-scoped build of each warehouse."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, paths_in
from tests.scan_personal import find_traces

KEY = "tests-only-erasure-key-0123456789abcdef"
# Planted in the landing copy: a text only the person wrote, and another customer's tweet that names them.
PLANTED_TEXT = "@acmehelp my parcel to 12 Quarry Lane never arrived, order QX-77031"
MENTION_TEXT = "@acmehelp same problem as @{handle} here, order QX-48213 still missing"
ERASED = "[erased]"
# The arrays of records in an API page (X, Zendesk, community); other JSONL files hold one record per line.
PAGE_KEYS = {"data", "includes", "tickets", "users", "ticket_events", "posts", "records"}
# Columns that differ between any two builds of the same data: when dbt ran (snapshot validity and the version key
# made from it).
BUILD_TIME_COLUMNS = {"valid_from", "valid_to", "contact_version_key", "account_version_key"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def choose_person(landing: Path) -> dict:
    """A CRM contact with an email and an X handle who wrote a root tweet and requested a Zendesk ticket."""
    users, roots = {}, {}
    for page in sorted((landing / "x" / "tweets").glob("*.jsonl")):
        for document in read_jsonl(page):
            users |= {user["username"].lower(): user["id"] for user in document.get("includes", {}).get("users", [])}
            for tweet in document.get("data", []):
                if tweet["id"] == tweet.get("conversation_id"):
                    roots.setdefault(tweet["author_id"], tweet["id"])
    requesters = set()
    zendesk_ids = {}
    for page in sorted((landing / "zendesk" / "tickets").glob("*.jsonl")):
        for document in read_jsonl(page):
            zendesk_ids |= {user["email"].lower(): user["id"] for user in document.get("users", []) if user["email"]}
            requesters |= {ticket["requester_id"] for ticket in document.get("tickets", [])}
    with open(landing / "crm" / "contacts.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            email, handle_name = row["Email"].lower(), row["Twitter_Handle__c"].lower().lstrip("@")
            x_id = users.get(handle_name)
            if email and handle_name and x_id in roots and zendesk_ids.get(email) in requesters:
                return {"contact_id": row["Id"], "email": email, "handle": handle_name, "x_id": x_id}
    raise AssertionError("the demo landing has no contact with an email, a handle, tweets and a ticket")


def plant(landing: Path, person: dict) -> None:
    """The person's first root tweet gets a text nobody else wrote; another customer's root tweet names them."""
    planted = mentioned = False
    for page in sorted((landing / "x" / "tweets").glob("*.jsonl")):
        documents = read_jsonl(page)
        for document in documents:
            for tweet in document.get("data", []):
                root = tweet["id"] == tweet.get("conversation_id") and tweet["author_id"].startswith("2")
                if root and not planted and tweet["author_id"] == person["x_id"]:
                    tweet["text"], planted = PLANTED_TEXT, True
                elif root and not mentioned and tweet["author_id"] != person["x_id"]:
                    tweet["text"], mentioned = MENTION_TEXT.format(handle=person["handle"]), True
        write_jsonl(page, documents)
    assert planted and mentioned


def mentions_pattern(values: set[str]) -> re.Pattern:
    terms = sorted((value for value in values if len(value) >= 6), key=lambda value: (-len(value), value))
    return re.compile(r"(?i)(^|[^A-Za-z0-9_])(" + "|".join(re.escape(term) for term in terms) + r")(?=$|[^A-Za-z0-9_])")


class LandingFilter:
    """The landing folder as it would be had the person never been in it, written independently of the erasure
    code: every record holding one of their identifiers (at any depth) goes, as do the records of the threads and
    tickets they opened; the opportunity naming them keeps the deal without the contact; another customer's text
    naming them keeps the text with the name replaced."""

    def __init__(self, person, identity) -> None:
        self.values = {value.lower() for value in person.identifiers}
        self.threads = {key.removeprefix("x:") for key in person.conversation_keys if key.startswith("x:")}
        self.tickets = {key.removeprefix("zendesk:") for key in person.conversation_keys if key.startswith("zendesk:")}
        self.contact_ids = {key.removeprefix("crm:") for key in identity.contacts if key.startswith("crm:")}
        self.pattern = mentions_pattern(person.identifiers)

    def scalars(self, value):
        if isinstance(value, dict):
            for item in value.values():
                yield from self.scalars(item)
        elif isinstance(value, list):
            for item in value:
                yield from self.scalars(item)
        elif value is not None:
            yield str(value).lower()

    def is_persons(self, record: dict) -> bool:
        if any(value in self.values or value in self.threads for value in self.scalars(record)):
            return True
        return str(record.get("ticket_id", "")) in self.tickets or (
            "requester_id" in record and str(record.get("id")) in self.tickets
        )

    def redact(self, value):
        if isinstance(value, dict):
            return {key: self.redact(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.redact(item) for item in value]
        if isinstance(value, str):
            return self.pattern.sub(lambda match: match.group(1) + ERASED, value)
        return value

    def records(self, records: list) -> list:
        return [self.redact(record) for record in records if not (isinstance(record, dict) and self.is_persons(record))]

    def document(self, document: dict) -> dict:
        result = {}
        for key, value in document.items():
            if isinstance(value, list):
                value = self.records(value)
            elif isinstance(value, dict) and any(isinstance(item, list) for item in value.values()):
                value = {name: self.records(item) if isinstance(item, list) else item for name, item in value.items()}
            result[key] = value
        return result

    def write(self, source: Path, target: Path) -> None:
        for path in sorted(source.rglob("*")):
            out = target / path.relative_to(source)
            if path.is_dir():
                out.mkdir(parents=True, exist_ok=True)
            elif path.suffix == ".jsonl":
                documents = read_jsonl(path)
                if documents and PAGE_KEYS.isdisjoint(documents[0]):
                    kept = self.records(documents)  # one record per line
                else:
                    kept = [self.document(document) for document in documents]
                write_jsonl(out, kept)
            elif path.suffix == ".csv":
                self.write_csv(path, out)
            else:
                shutil.copyfile(path, out)

    def write_csv(self, path: Path, out: Path) -> None:
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        kept = []
        for row in rows:
            if path.name == "opportunities.csv" and row.get("ContactId") in self.contact_ids:
                row["ContactId"] = ""
            if not self.is_persons(row):
                kept.append(self.redact(row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
        out.write_text(buffer.getvalue())


def build(root: Path, landing: Path):
    """Ingest `landing` and build every model (the dbt tests run in the erasure's own rebuild); OUTCOMES_* are
    restored afterwards."""
    import ingest
    from pipeline import dbt_build

    saved = {name: value for name, value in os.environ.items() if name.startswith("OUTCOMES_")}
    try:
        paths = paths_in(root, landing)
        ingest.load_landing(paths.landing_dir, paths.warehouse_path)
        completed = dbt_build.run_dbt(paths, "build", env={"DBT_EXCLUDE_RESOURCE_TYPES": "test unit_test"})
        assert completed.returncode == 0, completed.stdout[-3000:]
    finally:
        for name in [name for name in os.environ if name.startswith("OUTCOMES_")]:
            del os.environ[name]
        os.environ.update(saved)
    return paths


def scrubber_available() -> bool:
    try:
        from pipeline.publish.scrub import scrub_copies  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def env():
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", KEY)
        yield monkeypatch


@pytest.fixture(scope="module")
def landing(tmp_path_factory, demo_landing):
    folder = tmp_path_factory.mktemp("erasure_landing")
    shutil.copytree(demo_landing, folder, dirs_exist_ok=True)
    person = choose_person(folder)
    plant(folder, person)
    return folder, person


@pytest.fixture(scope="module")
def erased(tmp_path_factory, landing, env):
    """The planted landing built and published, then the person forgotten by their email."""
    from pipeline import publish
    from pipeline.outputs import handoff
    from pipeline.outputs.dashboard import build as dashboard_build
    from pipeline.publish import erasure, pseudonyms
    from pipeline.quality import mart_gate

    folder, chosen = landing
    root = tmp_path_factory.mktemp("erased")
    build(root, folder)
    paths = paths_in(root, folder, env)
    mart_gate.run_mart_gate(paths)
    first_release = publish.publish(paths).release
    # What a run writes beside the marts, so that erasure has them to reach: the hand-off and the dashboard.
    handoff.hand_off(paths)
    dashboard_build.build(paths)
    before = paths.warehouse_path.read_bytes()
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        identity = erasure.resolve_identity(con, chosen["email"])
        forms = (f"@{chosen['handle'].upper()}", chosen["contact_id"])
        other_forms = {form: erasure.resolve_identity(con, form).person for form in forms}
    scrub = None if scrubber_available() else (lambda paths, person, key: {})
    report = erasure.forget(paths, chosen["email"], scrub=scrub)
    return {
        "paths": paths,
        "person": identity.person,
        "identity": identity,
        "other_forms": other_forms,
        "chosen": chosen,
        "report": report,
        "before": before,
        "first_release": first_release,
        "key": pseudonyms.load_key(paths),
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory, landing, erased):
    """A fresh build of the landing folder without the person."""
    folder, _ = landing
    filtered = tmp_path_factory.mktemp("landing_without_person")
    LandingFilter(erased["person"], erased["identity"]).write(folder, filtered)
    return build(tmp_path_factory.mktemp("reference"), filtered)


def text_cells(con) -> list[tuple[str, str, str]]:
    return con.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where data_type in ('VARCHAR', 'JSON') and table_catalog = current_database()"
        " and (table_schema, table_name) in (select table_schema, table_name from information_schema.tables"
        " where table_type = 'BASE TABLE') order by all"
    ).fetchall()


def cells_matching(con, pattern: str) -> dict[str, int]:
    found = {}
    for schema, table, column in text_cells(con):
        count = con.execute(
            f'select count(*) from "{schema}"."{table}" where regexp_matches("{column}"::varchar, ?)', [pattern]
        ).fetchone()[0]
        if count:
            found[f"{schema}.{table}.{column}"] = count
    return found


def person_terms(person) -> set[str]:
    return {value for value in person.identifiers | person.person_keys | person.interaction_keys if len(value) >= 6}


def test_resolve_links_every_identity_of_the_request(erased):
    person, chosen = erased["person"], erased["chosen"]
    assert {chosen["email"], chosen["handle"], chosen["contact_id"], chosen["x_id"]} <= person.identifiers
    assert f"crm:{chosen['contact_id']}" in person.person_keys and f"x:{chosen['x_id']}" in person.person_keys
    assert any(key.startswith("zendesk:") for key in person.person_keys)
    assert any(key.startswith("zendesk:") for key in person.conversation_keys)
    assert any(key.startswith("x_mention:") for key in person.conversation_keys)
    assert PLANTED_TEXT in person.texts
    # the handle (any case, with @) and the CRM contact id find the same person
    assert {form: other.identifiers for form, other in erased["other_forms"].items()} == {
        form: person.identifiers for form in erased["other_forms"]
    }


def test_no_table_holds_the_person(erased):
    paths, person = erased["paths"], erased["person"]
    pattern = mentions_pattern(person_terms(person)).pattern.replace("(?=$|[^A-Za-z0-9_])", "($|[^A-Za-z0-9_])")
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        assert cells_matching(con, pattern) == {}
        assert cells_matching(con, re.escape(PLANTED_TEXT)) == {}
        # the other customer's tweet is kept, the name in it replaced
        kept = con.execute("select text from raw.x_tweets where text like '%same problem as%'").fetchall()
    assert kept == [(MENTION_TEXT.format(handle=ERASED),)]


def test_no_byte_of_the_person_is_left_in_the_warehouse_file(erased):
    paths, person, chosen = erased["paths"], erased["person"], erased["chosen"]
    terms = {chosen["email"], chosen["handle"], chosen["contact_id"], PLANTED_TEXT} | {
        value for value in person.identifiers if len(value) >= 8
    }
    pattern = re.compile(
        rb"(?i)(?<![A-Za-z0-9_])(" + b"|".join(re.escape(term.encode()) for term in terms) + rb")(?![A-Za-z0-9_])"
    )
    assert pattern.search(erased["before"]), "the scan finds the person in the file before the erasure"
    after = paths.warehouse_path.read_bytes()
    assert [match.group(0) for match in pattern.finditer(after)] == []
    assert not Path(str(paths.warehouse_path) + ".wal").exists()


def mart_differences(con, catalog: str, other: str) -> dict[str, tuple[int, int]]:
    """Rows of each mart of `catalog` not in `other` and the reverse, build times left out and doubles rounded (a
    parallel sum adds in any order)."""
    different = {}
    marts = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' and table_catalog = ?",
        [catalog],
    ).fetchall()
    for (mart,) in marts:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'marts'"
            " and table_name = ? and table_catalog = ? order by ordinal_position",
            [mart, catalog],
        ).fetchall()
        selected = ", ".join(
            f'round("{name}", 9)' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
            for name, data_type in columns
            if name not in BUILD_TIME_COLUMNS
        )
        left, right = f"select {selected} from {catalog}.marts.{mart}", f"select {selected} from {other}.marts.{mart}"
        extra = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
        missing = con.execute(f"select count(*) from ({right} except all {left})").fetchone()[0]
        if extra or missing:
            different[mart] = (extra, missing)
    return different | {"marts": (len(marts), 0)}


def test_marts_equal_a_rebuild_without_the_person(erased, reference):
    with duckdb.connect(str(erased["paths"].warehouse_path), read_only=True) as con:
        con.execute(f"attach '{reference.warehouse_path}' as reference (read_only)")
        different = mart_differences(con, "outcomes", "reference")
    marts = different.pop("marts")[0]
    assert marts >= 15 and different == {}


def test_the_audit_records_the_request_hashed(erased):
    paths, chosen, key = erased["paths"], erased["chosen"], erased["key"]
    report = erased["report"]
    assert report.status == "completed" and report.matched
    assert report.removed["raw.x_tweets"] > 0 and report.removed["raw.zendesk_tickets"] > 0
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        rows = con.execute("select request_hash, status, matched, removed from privacy.erasure_audit").fetchall()
        audit_text = json.dumps(con.execute("select * from privacy.erasure_audit").fetchall(), default=str).lower()
        suppressed = con.execute("select count(*), count(distinct kind) from privacy.suppression").fetchone()
    assert len(rows) == 1
    request_hash, status, matched, removed = rows[0]
    assert request_hash == key.pseudonym("request:" + chosen["email"]) and status == "completed" and matched
    assert json.loads(removed)["raw.crm_contacts"] == 1
    for value in (chosen["email"], chosen["handle"], chosen["contact_id"], chosen["x_id"]):
        assert value not in audit_text
    assert suppressed[0] >= 5 and suppressed[1] >= 4


def test_a_reingest_of_the_original_files_keeps_the_person_out(erased, landing, tmp_path):
    import ingest

    folder, chosen = landing
    paths = erased["paths"]
    warehouse = tmp_path / "outcomes.duckdb"
    shutil.copyfile(paths.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        counts = raw_counts(con)
        # the same files sent again: forget that they were loaded, so every record is read anew
        con.execute("delete from raw._ingest_files")
    report = ingest.load_landing(folder, warehouse)
    assert report.rows_suppressed > 0 and report.rows_loaded == 0
    assert report.entities["x_tweets"].rows_suppressed > 0 and report.entities["crm_contacts"].rows_suppressed == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert raw_counts(con) == counts
        audited = con.execute("select sum(rows_suppressed) from raw._ingest_audit").fetchone()[0]
        assert audited == report.rows_suppressed
        assert con.execute("select count(*) from raw._quarantine").fetchone()[0] == 0
        pattern = mentions_pattern({chosen["email"], chosen["handle"], chosen["contact_id"]}).pattern
        assert cells_matching(con, pattern.replace("(?=$|[^A-Za-z0-9_])", "($|[^A-Za-z0-9_])")) == {}


def raw_counts(con) -> dict[str, int]:
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' and table_type = 'BASE TABLE'"
        " and not starts_with(table_name, '_')"
    ).fetchall()
    return {name: con.execute(f'select count(*) from raw."{name}"').fetchone()[0] for (name,) in tables}


def test_ingest_refuses_a_suppression_list_written_under_another_key(erased, landing, tmp_path, monkeypatch):
    import ingest
    from ingest.suppression import SuppressionKeyMismatch

    warehouse = tmp_path / "outcomes.duckdb"
    shutil.copyfile(erased["paths"].warehouse_path, warehouse)
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "another-key-entirely-0123456789")
    with pytest.raises(SuppressionKeyMismatch, match="another pseudonym key"):
        ingest.load_landing(landing[0], warehouse)


def test_a_request_that_matches_nobody_is_said_and_still_audited_and_suppressed(erased, tmp_path, monkeypatch):
    from pipeline.publish import erasure

    source = erased["paths"]
    paths = paths_in(tmp_path, source.landing_dir, monkeypatch)
    paths.warehouse_path.parent.mkdir(parents=True)
    shutil.copyfile(source.warehouse_path, paths.warehouse_path)
    report = erasure.forget(paths, "Nobody.Here@example.invalid", scrub=lambda *args: {})
    assert not report.matched and report.removed == {} and report.status == "completed"
    assert "matched nobody" in report.summary()
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        audit = con.execute(
            "select matched, status, removed from privacy.erasure_audit order by requested_at"
        ).fetchall()
        suppressed = con.execute(
            "select count(*) from privacy.suppression where identifier_hash = ?",
            [erased["key"].pseudonym("email:nobody.here@example.invalid")],
        ).fetchone()[0]
    assert audit[-1] == (False, "completed", "{}") and suppressed == 1
    with pytest.raises(erasure.ResolutionError, match="brand's own accounts"):
        erasure.forget(paths, "@acmehelp", scrub=lambda *args: {})


@pytest.mark.xfail(
    not scrubber_available(), reason="pipeline/publish/scrub.py (scrub_copies) not written yet", strict=True
)
def test_no_serving_release_holds_the_person(erased):
    paths, person, key = erased["paths"], erased["person"], erased["key"]
    terms = person_terms(person)
    terms |= {key.pseudonym(value) for value in person.identifiers | person.person_keys}
    pattern = mentions_pattern(terms).pattern.replace("(?=$|[^A-Za-z0-9_])", "($|[^A-Za-z0-9_])")
    releases = sorted((paths.serving_path.parent / "releases").glob("*/outcomes.duckdb"))
    assert len(releases) >= 2 and erased["first_release"] in {path.parent.name for path in releases}
    for release in releases:
        with duckdb.connect(str(release), read_only=True) as con:
            assert cells_matching(con, pattern) == {}, release.parent.name


def test_the_dag_takes_the_person_as_a_param_and_runs_in_the_writer_pool():
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / "forget_person.py"))
    assert dagbag.import_errors == {}
    dag = dagbag.dags["forget_person"]
    assert dag.schedule is None and dag.max_active_runs == 1
    assert set(dag.params.keys()) == {"who"} and dag.params.get_param("who").schema["minLength"] == 1
    assert dag.task_ids == ["forget"] and dag.get_task("forget").pool == "warehouse_writer"


def test_make_forget_refuses_without_who():
    completed = subprocess.run(
        ["make", "--no-print-directory", "--old-file=setup", "forget"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "WHO": ""},
    )
    assert completed.returncode == 2
    assert "make forget needs the person" in completed.stderr


def test_the_dag_forgets_through_airflow_with_the_request_as_its_param(erased, airflow_db, tmp_path, monkeypatch):
    """The triggered DAG, run by Airflow with the person in its conf; a request that matches nobody, so no rebuild."""
    from airflow.dag_processing.dagbag import DagBag

    source = erased["paths"]
    paths = paths_in(tmp_path, source.landing_dir, monkeypatch)
    paths.warehouse_path.parent.mkdir(parents=True)
    shutil.copyfile(source.warehouse_path, paths.warehouse_path)
    dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / "forget_person.py")).dags["forget_person"]
    dag_run = dag.test(run_conf={"who": "Somebody.Else@example.invalid"})
    assert dag_run.state == "success"
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        suppressed = con.execute(
            "select count(*) from privacy.suppression where identifier_hash = ?",
            [erased["key"].pseudonym("email:somebody.else@example.invalid")],
        ).fetchone()[0]
        last = con.execute("select status from privacy.erasure_audit order by requested_at desc limit 1").fetchone()
    assert suppressed == 1 and last == ("completed",)


def test_nothing_the_pipeline_wrote_still_names_the_person(erased):
    """Every DuckDB file (tables and bytes), Parquet file, report and log under the warehouse, serving and reports
    folders; the landing folder is the user's own exports and is not rewritten."""
    paths = erased["paths"]
    assert (paths.reports_dir / "dashboard" / "index.html").exists() and (paths.reports_dir / "handoff").is_dir()
    chosen = erased["chosen"]
    terms = sorted(person_terms(erased["person"]) | {chosen["email"], f"@{chosen['handle']}", PLANTED_TEXT})
    roots = [paths.warehouse_path.parent, paths.serving_path.parent, paths.reports_dir]
    assert find_traces(roots, terms) == []
