"""The docker compose stack, checked by reading its files: no Docker engine runs here (STACK.md).

docker-compose.yml has every service of the topology with health checks and start-up order; Airflow runs the
CeleryExecutor on Redis with Postgres metadata, with settings the installed Airflow knows; no secret is written in
the file; every variable it or the pipeline code reads is documented in .env.example, which itself holds no secret;
every bind mount exists in a clean checkout; ports stay on 127.0.0.1. The Dockerfile installs uv.lock frozen with
the Makefile's uv and copies the code the DAGs import, and the locked set holds the database drivers Airflow needs;
.dockerignore keeps local state and .env out of the image. docker/make_env.py writes a .env that satisfies it all.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
NGINX_CONF = ROOT / "docker" / "nginx" / "default.conf"
NGINX_INDEX = ROOT / "docker" / "nginx" / "index.html"
MAKE_ENV = ROOT / "docker" / "make_env.py"

CODE_DIRS = ("pipeline", "ingest", "extract", "dags", "demo_data")
WEB = "reports-web"
INIT = "airflow-init"
WORKER = "airflow-worker"
AIRFLOW_SERVICES = {
    INIT,
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    WORKER,
}
STACK = AIRFLOW_SERVICES | {"postgres", "redis", WEB}
# Services that run the pipeline's tasks, so they get its settings and integration credentials.
TASK_RUNNERS = {WORKER, "airflow-cli"}
CONNECTION_IDS = (
    "outcomes_smtp",
    "outcomes_alerts",
    "outcomes_ticketing",
    "outcomes_x_api",
    "outcomes_zendesk",
    "outcomes_salesforce",
)
# Directories the running code reads by path rather than by import (pipeline/settings.py, quality gate, dbt).
DATA_DIRS = {"config", "dbt_project", "expectations"}
CONTAINER_ROOT = "/opt/outcomes"

VARIABLE = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
# A reference that cannot fall back to a written value: ${VAR} or ${VAR:?message}, never ${VAR:-default}.
SECRET_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}")
URL_CREDENTIALS = re.compile(r"://(?P<user>\$\{[^}]*\}|[^:@/$\s]*):(?P<password>[^@]*)@")
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
DOCUMENTED = re.compile(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", re.MULTILINE)
CODE_VARIABLE = re.compile(r"\bOUTCOMES_[A-Z0-9_]+")
PLACEHOLDER = "change-me"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def volume_mounts(service: dict) -> list[dict]:
    """Each mount as {type, source, target, read_only}, from the short ("src:dst:ro") or the long syntax."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            mounts.append({**entry, "read_only": bool(entry.get("read_only"))})
            continue
        source, target, *options = entry.split(":")
        kind = "bind" if source.startswith((".", "/", "~")) else "volume"
        mounts.append({"type": kind, "source": source, "target": target, "read_only": "ro" in options})
    return mounts


def strings_in(node) -> list[str]:
    """Every string in the parsed compose file, keys included (comments are not part of it)."""
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in strings_in(key) + strings_in(value)]
    if isinstance(node, list):
        return [text for item in node for text in strings_in(item)]
    return [node] if isinstance(node, str) else []


def compose_variables(compose: dict) -> set[str]:
    return {braced or bare for text in strings_in(compose) for braced, bare in VARIABLE.findall(text)}


def env_example_assignments() -> dict[str, str]:
    """Active (uncommented) lines of .env.example: what docker compose reads when it is copied to .env."""
    pairs = (ASSIGNMENT.match(line) for line in ENV_EXAMPLE.read_text().splitlines())
    return {match.group(1): match.group(2).strip() for match in pairs if match}


def documented_variables() -> set[str]:
    """Variables .env.example documents, as an active line or a commented example (`# VAR=...`)."""
    return set(DOCUMENTED.findall(ENV_EXAMPLE.read_text()))


def code_variables() -> set[str]:
    """Every OUTCOMES_* name in the pipeline code (a name ending in `_` is a prefix in prose, not a variable)."""
    names = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            names |= {name for name in CODE_VARIABLE.findall(path.read_text()) if not name.endswith("_")}
    return names


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    if upper.endswith(("_FILE", "_PATH")):  # where a secret is kept, not the secret
        return False
    words = ("PASSWORD", "SECRET", "KEY", "TOKEN", "FERNET", "_CONN")
    return any(word in upper for word in words) or upper.endswith("_AUTH") or upper.startswith("AIRFLOW_CONN_")


def shell_text(command) -> str:
    return " ".join(command) if isinstance(command, list) else str(command or "")


def gitignored(relative: Path) -> bool:
    """Whether .gitignore keeps a path out of a clean checkout (the subset of gitignore syntax the project uses)."""
    patterns = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    patterns = [line for line in patterns if line and not line.startswith("#")]
    parts = relative.parts
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns:
        bare = pattern.strip("/")
        if "/" in pattern.rstrip("/"):  # anchored at the repository root
            if any(fnmatch.fnmatch(prefix, bare) for prefix in prefixes):
                return True
        elif any(fnmatch.fnmatch(part, bare) for part in parts):
            return True
    return False


def dockerignored(relative: str) -> bool:
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    patterns = [line.removeprefix("**/").strip("/") for line in patterns if line and not line.startswith("#")]
    path = relative.strip("/")
    prefixes = [path[:index] for index in range(len(path) + 1) if index == len(path) or path[index] == "/"]
    return any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes for pattern in patterns)


def airflow_package_dir() -> Path:
    spec = importlib.util.find_spec("airflow")  # locates the installed package without importing it
    assert spec is not None and spec.submodule_search_locations, "apache-airflow is not installed in this venv"
    return Path(next(iter(spec.submodule_search_locations)))


def airflow_config_options() -> set[tuple[str, str]]:
    """(section, option) pairs of Airflow core and of the Celery provider, read from their shipped definitions."""
    package = airflow_package_dir()
    core = yaml.safe_load((package / "config_templates" / "config.yml").read_text())
    options = {(section, option) for section, body in core.items() for option in (body.get("options") or {})}
    tree = ast.parse((package / "providers" / "celery" / "get_provider_info.py").read_text())
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    returned = next(node for node in ast.walk(function) if isinstance(node, ast.Return))
    provider = ast.literal_eval(returned.value)
    options |= {(s, o) for s, body in provider["config"].items() for o in body.get("options") or {}}
    return options


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def dockerfile_args(instructions: list[tuple[str, str]]) -> dict[str, str]:
    """ARG names and their default values."""
    return dict(re.match(r"(\w+)=?(\S*)", arg).groups() for kind, arg in instructions if kind == "ARG")


# --- services, health and order ---------------------------------------------------------------------------------


def test_every_service_of_the_stack_is_defined(services):
    missing = STACK - set(services)
    assert not missing, f"docker-compose.yml lacks services {sorted(missing)}"


def test_every_long_running_service_has_a_health_check_and_restarts(services):
    long_running = [name for name, service in services.items() if name != INIT and not service.get("profiles")]
    assert set(long_running) >= STACK - {INIT}
    for name in long_running:
        check = services[name].get("healthcheck") or {}
        test = check.get("test")
        assert test and not check.get("disable"), f"{name} has no health check"
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, f"{name}: health check {test!r}"
        assert services[name].get("restart") in ("always", "unless-stopped"), f"{name} is not restarted"
    assert "/api/v2/monitor/health" in shell_text(services["airflow-apiserver"]["healthcheck"]["test"])
    assert "8974/health" in shell_text(services["airflow-scheduler"]["healthcheck"]["test"])
    assert "inspect ping" in shell_text(services[WORKER]["healthcheck"]["test"])


def test_services_start_in_dependency_order(services):
    backing = {"postgres": "service_healthy", "redis": "service_healthy"}
    for name in AIRFLOW_SERVICES:
        conditions = {dep: spec.get("condition") for dep, spec in (services[name].get("depends_on") or {}).items()}
        expected = backing if name == INIT else {**backing, INIT: "service_completed_successfully"}
        assert conditions.items() >= expected.items(), f"{name} depends_on {conditions}"
    # Tasks report to the api-server's execution API, so workers wait for it.
    assert services[WORKER]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


# --- Airflow configuration --------------------------------------------------------------------------------------


def test_airflow_runs_celery_on_redis_with_postgres_metadata(services):
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://"), name
        assert "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"], name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://"), name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/", name
        assert str(env["AIRFLOW__CORE__LOAD_EXAMPLES"]).lower() == "false", name
        assert str(env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"]).lower() == "true", name
        for shared in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API__SECRET_KEY"):
            assert SECRET_REFERENCE.fullmatch(env[shared]), f"{name}: {shared} must come from .env"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == f"{CONTAINER_ROOT}/dags", name


def test_airflow_settings_exist_in_the_installed_airflow(services):
    known = airflow_config_options()
    for name, service in services.items():
        for key in environment(service):
            if key.startswith("AIRFLOW__"):
                _, section, option = key.split("__", 2)
                assert (section.lower(), option.lower()) in known, f"{name}: {key} is no Airflow setting"
    package = airflow_package_dir()
    manager = environment(services["airflow-apiserver"])["AIRFLOW__CORE__AUTH_MANAGER"]
    module, _, cls = manager.rpartition(".")
    source = package.parent.joinpath(*module.split(".")).with_suffix(".py")
    assert source.exists() and f"class {cls}(" in source.read_text(), f"auth manager {manager} is not installed"
    celery_app = package / "providers" / "celery" / "executors" / "celery_executor.py"
    assert "airflow.providers.celery.executors.celery_executor.app" in shell_text(
        services[WORKER]["healthcheck"]["test"]
    )
    # `app` is a module attribute, assigned or served by the module's __getattr__.
    assert re.search(r'^app\s*=|name == "app"', celery_app.read_text(), re.MULTILINE), "the Celery provider has no app"


def locked_runtime_packages() -> set[str]:
    """Packages `uv sync --frozen --no-dev` installs from uv.lock: the project's dependencies and theirs, with the
    extras they ask for (platform markers ignored)."""
    packages = {package["name"]: package for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    project = next(package for package in packages.values() if package.get("source", {}).get("virtual") == ".")
    seen, queue = set(), list(project.get("dependencies", []))
    while queue:
        dependency = queue.pop()
        package = packages[dependency["name"]]
        extras = [extra for extra in dependency.get("extra", []) if (dependency["name"], extra) not in seen]
        if dependency["name"] in seen and not extras:
            continue
        seen |= {dependency["name"], *((dependency["name"], extra) for extra in extras)}
        queue += package.get("dependencies", [])
        for extra in extras:
            queue += package.get("optional-dependencies", {}).get(extra, [])
    return {name for name in seen if isinstance(name, str)}


def test_the_image_has_the_metadata_database_drivers(services):
    """Airflow 3 opens Postgres with a sync engine (the URL's driver) and an async one, whose driver it picks itself
    (airflow/settings.py); without that driver every Airflow command in the stack fails at start-up."""
    url = environment(services[INIT])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert url.startswith("postgresql+psycopg2://")
    settings = (airflow_package_dir() / "settings.py").read_text()
    async_driver = re.search(r'AIO_LIBS_MAPPING = \{[^}]*"postgresql": "(\w+)"', settings).group(1)
    installed = locked_runtime_packages()
    assert "psycopg2-binary" in installed or "psycopg2" in installed
    assert async_driver in installed, f"Airflow's async Postgres driver {async_driver} is not in uv.lock"


def test_init_migrates_creates_the_writer_pool_and_parses_dbt(services):
    script = shell_text(services[INIT]["command"])
    assert "airflow db migrate" in script
    pools = set()
    for path in [*(ROOT / "dags").glob("*.py"), *(ROOT / "pipeline").glob("*.py")]:
        pools |= set(re.findall(r"POOL\w*\s*=\s*[\"'](\w+)[\"']", path.read_text()))
    assert pools, "no pool name found in dags/ or pipeline/"
    for pool in pools:
        assert re.search(rf"airflow pools set {pool} 1 ", script), f"init does not create pool {pool} with 1 slot"
    assert script.index("airflow db migrate") < script.index("airflow pools set")
    assert re.search(rf"dbt parse .*--project-dir {CONTAINER_ROOT}/dbt_project\b", script)
    # The manifest init writes must be the one every Airflow service reads.
    for name in AIRFLOW_SERVICES:
        targets = {mount["target"]: mount for mount in volume_mounts(services[name])}
        manifest_dir = targets.get(f"{CONTAINER_ROOT}/dbt_project/target")
        assert manifest_dir and manifest_dir["type"] == "volume", f"{name} does not share dbt_project/target"


# --- variables and secrets --------------------------------------------------------------------------------------


def test_every_variable_compose_interpolates_is_set_in_env_example(compose):
    used = compose_variables(compose)
    assert {"POSTGRES_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET"} <= used
    missing = used - set(env_example_assignments())
    assert not missing, f"used in docker-compose.yml but no `VAR=` line in .env.example: {sorted(missing)}"


def test_every_variable_passed_through_is_documented(services):
    passed = {key for service in services.values() for key, value in environment(service).items() if value is None}
    assert passed, "expected pass-through variables (a key without a value)"
    missing = passed - documented_variables()
    assert not missing, f"passed from .env but not documented in .env.example: {sorted(missing)}"


def test_every_variable_the_code_reads_is_documented_and_reaches_the_workers(services):
    read = code_variables()
    assert {"OUTCOMES_WAREHOUSE_PATH", "OUTCOMES_SMTP_HOST", "OUTCOMES_X_BEARER_TOKEN"} <= read
    # Read by the alerts code; listed explicitly so they stay documented however that code names them.
    read |= {"OUTCOMES_ALERT_WEBHOOK_URL", "OUTCOMES_ALERT_WEBHOOK_TOKEN", "OUTCOMES_ALERT_EMAIL_TO"}
    undocumented = read - documented_variables()
    assert not undocumented, f"read by the code but not in .env.example: {sorted(undocumented)}"
    for name in TASK_RUNNERS & set(services):
        unset = read - set(environment(services[name]))
        assert not unset, f"read by the code but never given to {name}: {sorted(unset)}"


def test_env_example_documents_nothing_unused(compose, services):
    in_use = compose_variables(compose) | {key for service in services.values() for key in environment(service)}
    stale = documented_variables() - in_use
    assert not stale, f".env.example documents variables docker-compose.yml never uses: {sorted(stale)}"


def test_env_example_names_every_connection_alternative(services):
    text = ENV_EXAMPLE.read_text()
    worker_env = environment(services[WORKER])
    for conn_id in CONNECTION_IDS:
        assert f"`{conn_id}`" in text, f".env.example does not mention the connection {conn_id}"
        assert f"AIRFLOW_CONN_{conn_id.upper()}" in worker_env, f"AIRFLOW_CONN_{conn_id.upper()} not passed"


def test_env_example_holds_no_secret():
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ASSIGNMENT.match(line.lstrip("# "))
        if not match or not is_secret_name(match.group(1)):
            continue
        name, value = match.group(1), match.group(2).strip().strip("'\"")
        if name.startswith("AIRFLOW_CONN_"):
            assert json.loads(value).get("password", "") in ("", PLACEHOLDER), f"{name}: password not a placeholder"
        else:
            assert value in ("", PLACEHOLDER), f".env.example: {name} must be empty or {PLACEHOLDER!r}"


def test_no_secret_is_written_in_the_compose_file(compose, services):
    for name, service in services.items():
        for key, value in environment(service).items():
            if value is None or not is_secret_name(key):
                continue
            if "://" in str(value):  # a URL built around a reference, checked below
                assert "${" in value, f"{name}: {key} holds a literal URL with credentials"
            else:
                assert SECRET_REFERENCE.fullmatch(str(value)), f"{name}: {key} must be ${{VAR}} or ${{VAR:?...}}"
    for text in strings_in(compose):
        for match in URL_CREDENTIALS.finditer(text):
            assert SECRET_REFERENCE.fullmatch(match.group("password")), f"a password is written in {text!r}"


def test_admin_password_and_integration_credentials_go_only_where_needed(compose, services):
    task_only = set(compose["x-outcomes-task-env"])
    for name, service in services.items():
        keys = set(environment(service))
        if name not in TASK_RUNNERS:
            assert not keys & task_only, f"{name} gets task settings or credentials {sorted(keys & task_only)}"
        if name != "airflow-apiserver":
            assert "AIRFLOW_ADMIN_PASSWORD" not in keys, f"{name} gets the admin password"


def test_make_env_fills_every_required_secret(tmp_path, compose):
    output = tmp_path / ".env"
    done = subprocess.run([sys.executable, str(MAKE_ENV), "--output", str(output)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    values = dict(match.groups() for match in map(ASSIGNMENT.match, output.read_text().splitlines()) if match)
    required = {name for text in strings_in(compose) for name in re.findall(r"\$\{(\w+):\?", text)}
    assert required >= {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_FERNET_KEY"}
    for name in required:
        assert re.fullmatch(r"[A-Za-z0-9_=-]{32,}", values.get(name, "")), f"{name} not filled URL-safe"
    from cryptography.fernet import Fernet

    Fernet(values["AIRFLOW_FERNET_KEY"])  # raises on a malformed key
    again = subprocess.run([sys.executable, str(MAKE_ENV), "--output", str(output)], capture_output=True, text=True)
    assert again.returncode == 1, "an existing .env must not be replaced without --force"


# --- mounts and ports -------------------------------------------------------------------------------------------


def test_bind_mounts_exist_in_a_clean_checkout_and_are_read_only(services):
    binds = [(name, mount) for name, service in services.items() for mount in volume_mounts(service)]
    binds = [(name, mount) for name, mount in binds if mount["type"] == "bind"]
    assert binds
    for name, mount in binds:
        source = (COMPOSE_FILE.parent / mount["source"]).resolve()
        assert source.exists(), f"{name}: bind-mounted {mount['source']} does not exist"
        relative = source.relative_to(ROOT)
        assert not gitignored(relative), f"{name}: {mount['source']} is ignored by git, so absent from a clone"
        assert mount["read_only"], f"{name}: {mount['source']} must be mounted read-only"


def test_named_volumes_hold_the_pipeline_state(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for mount in volume_mounts(service):
            if mount["type"] == "volume":
                assert mount["source"] in declared, f"{name}: volume {mount['source']} is not declared"
    worker = environment(services[WORKER])
    mounts = {mount["target"]: mount for mount in volume_mounts(services[WORKER])}
    for key in ("OUTCOMES_LANDING_DIR", "OUTCOMES_REPORTS_DIR"):
        assert mounts[worker[key]]["type"] == "volume", f"{key} is not a named volume"
    for key in ("OUTCOMES_WAREHOUSE_PATH", "OUTCOMES_SERVING_PATH"):
        assert mounts[os.path.dirname(worker[key])]["type"] == "volume", f"{key} is not in a named volume"
    assert mounts["/opt/airflow/logs"]["type"] == "volume"
    postgres = {mount["target"]: mount for mount in volume_mounts(services["postgres"])}
    assert postgres["/var/lib/postgresql/data"]["type"] == "volume"
    # The web server shows what the pipeline writes: the same volume, read-only.
    web = {mount["target"]: mount for mount in volume_mounts(services[WEB])}
    html = web["/usr/share/nginx/html"]
    assert html["source"] == mounts[worker["OUTCOMES_REPORTS_DIR"]]["source"] and html["read_only"]


def test_ports_are_published_on_localhost_only(services):
    published = 0
    for name, service in services.items():
        for port in service.get("ports") or []:
            published += 1
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"
            else:
                assert str(port).startswith("127.0.0.1:"), f"{name}: port {port} is not bound to 127.0.0.1"
    assert published >= 2  # the Airflow UI and the reports


def test_web_server_serves_only_the_report_pages(services):
    conf = NGINX_CONF.read_text()
    locations = set(re.findall(r"location\s+(?:=\s+)?(\S+)\s*\{", conf))
    pages = {"/dashboard/", "/dbt_docs/", "/quality/data_docs/", "/quality/data_docs_sources/", "/weekly/"}
    assert pages <= locations
    assert re.search(r"location / \{\s*return 404;", conf), "everything else in the reports volume must be 404"
    assert "/healthz" in locations and "/healthz" in shell_text(services[WEB]["healthcheck"]["test"])
    for href in re.findall(r'href="([^"]+)"', NGINX_INDEX.read_text()):
        assert any(href.startswith(page) for page in pages), f"index.html links {href}, which is not served"


# --- image ------------------------------------------------------------------------------------------------------


def test_dockerfile_installs_uv_lock_frozen_with_the_makefile_uv():
    instructions = dockerfile_instructions()
    make_uv = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    args = dockerfile_args(instructions)
    assert args.get("UV_VERSION") == make_uv, f"Dockerfile uv {args.get('UV_VERSION')} != Makefile {make_uv}"
    assert any(kind == "RUN" and "uv==${UV_VERSION}" in arg for kind, arg in instructions)
    syncs = [index for index, (kind, arg) in enumerate(instructions) if kind == "RUN" and "uv sync" in arg]
    assert len(syncs) == 1
    sync = instructions[syncs[0]][1]
    assert "--frozen" in sync.split() and "--no-dev" in sync.split(), sync
    lock_copied = [i for i, (kind, arg) in enumerate(instructions) if kind == "COPY" and "uv.lock" in arg.split()]
    assert lock_copied and lock_copied[0] < syncs[0], "uv.lock must be copied before `uv sync`"


def test_dockerfile_runs_the_project_python_as_a_non_root_user():
    instructions = dockerfile_instructions()
    args = dockerfile_args(instructions)

    def resolve(text: str) -> str:
        return re.sub(r"\$\{?(\w+)\}?", lambda match: args.get(match.group(1), ""), text)

    bases = [resolve(arg.split()[0]) for kind, arg in instructions if kind == "FROM"]
    assert bases
    for base in bases:
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), f"base image {base} is not a pinned 3.11 slim"
    users = [arg for kind, arg in instructions if kind == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must end as a non-root user"
    env = " ".join(arg for kind, arg in instructions if kind == "ENV")
    assert f"PYTHONPATH={CONTAINER_ROOT}" in env


def test_dockerfile_copies_what_the_dags_import():
    instructions = dockerfile_instructions()
    copied = set()
    for kind, arg in instructions:
        if kind != "COPY" or "--from=" in arg:
            continue
        sources = [token for token in arg.split() if not token.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such path"
            assert not dockerignored(source), f"COPY {source}, but .dockerignore excludes it"
            copied.add(source.strip("/").split("/")[0])
    needed, queue = set(DATA_DIRS), ["dags"]
    while queue:
        package = queue.pop()
        needed.add(package)
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for top in {name.split(".")[0] for name in names}:
                    if top not in needed and (ROOT / top / "__init__.py").exists():
                        queue.append(top)
    missing = needed - copied
    assert not missing, f"the image lacks {sorted(missing)}, which the DAGs need"


def test_dockerignore_keeps_local_state_and_secrets_out():
    for path in (
        ".env",
        ".venv",
        ".git",
        "landing",
        "warehouse",
        "serving",
        "reports",
        ".airflow",
        "test-artifacts",
        "dbt_project/target",
        "warehouse/outcomes.duckdb",
    ):
        assert dockerignored(path), f".dockerignore does not exclude {path}"
    assert not dockerignored("uv.lock") and not dockerignored("pyproject.toml")
