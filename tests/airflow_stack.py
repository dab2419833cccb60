"""A real, throwaway Airflow deployment for tests: every component a separate process, configured by environment only.

    with AirflowStack(executor="CeleryExecutor", env={"OUTCOMES_LANDING_DIR": ...}) as stack:
        stack.wait_for_dag("social_outcomes")
        stack.unpause("social_outcomes")
        run_id = stack.trigger("social_outcomes")
        assert stack.wait_for_run("social_outcomes", run_id, timeout=300) == "success"

Every deployment keeps its metadata in a throwaway Postgres of its own: Airflow supports SQLite for development only
(one writer at a time: its REST API refuses a backfill on SQLite under concurrent access), and here the scheduler,
api-server and dag-processor all write at once. CeleryExecutor: that Postgres (metadata database and Celery result
backend) and a throwaway Redis (broker), plus api-server, scheduler, dag-processor, triggerer and one Celery worker.
LocalExecutor: the same without Redis and worker. Postgres and Redis come from the Debian packages `postgresql` and
`redis-server` (tests/local_services.py). Everything binds to 127.0.0.1 on free ports and lives in one temporary folder;
each process runs in its own process group with its log in `<root>/logs/<name>.log`, and `stop()` ends them all
(SIGTERM to each group, SIGKILL after a timeout) and checks with psutil that nothing it started is left.

Set AIRFLOW_STACK_KEEP=1 to keep the temporary folder (logs, task logs, database) after the stack stops.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests import local_services
from tests.local_services import ServiceError, free_port, tail

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MARKER = "AIRFLOW_TEST_STACK_ID"  # every process the stack starts carries this in its environment
TERMINAL_RUN_STATES = {"success", "failed"}


class StackError(ServiceError):
    """The stack could not start, or a run did not end as expected; the message carries the relevant log tails."""


def _readable_task_log_line(line: str) -> str:
    """Airflow 3 task logs are JSON lines; turn one into `level event` plus the exception, if any."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict):
        return line
    text = f"{record.get('level', '')} {record.get('event', '')}".strip()
    for detail in record.get("error_detail") or []:
        if isinstance(detail, dict):
            text += f"\n    {detail.get('exc_type')}: {detail.get('exc_value')}"
            frames = detail.get("frames") or []
            for frame in frames[-3:]:
                text += f"\n      {frame.get('filename')}:{frame.get('lineno')} in {frame.get('name')}"
    return text


def _iso(moment: date | datetime | str | None) -> str | None:
    """ISO 8601 with a time zone (UTC when none is given): the REST API refuses naive datetimes."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM this process when the test process dies, even by SIGKILL, so a
    killed test run does not leave a stack behind."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class _Process:
    def __init__(self, name: str, popen: subprocess.Popen, log: Path, stop_signal: int = signal.SIGTERM):
        self.name, self.popen, self.log, self.stop_signal = name, popen, log, stop_signal

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None


class AirflowStack:
    """A whole Airflow deployment in separate processes on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(
        self,
        executor: str = "CeleryExecutor",
        *,
        dags_folder: Path | str = PROJECT_ROOT / "dags",
        env: dict[str, str | os.PathLike] | None = None,
        job_schedule: bool = False,
        parallelism: int = 4,
        worker_concurrency: int = 2,
        triggerer: bool = True,
        pools: dict[str, int] | None = None,
        startup_timeout: float = 180,
        stop_timeout: float = 20,
        keep: bool | None = None,
    ):
        """`pools`: {name: slots} created before anything runs (default: the pipeline's one-slot `warehouse_writer`).
        `job_schedule=False` (`[scheduler] use_job_schedule`) stops the scheduler from creating runs by itself,
        so unpausing a scheduled DAG does not start an extra run: only triggered runs and backfills run. The same
        switch also stops asset-triggered runs; pass True for DAGs scheduled on assets."""
        if executor not in ("CeleryExecutor", "LocalExecutor"):
            raise ValueError(f"executor must be CeleryExecutor or LocalExecutor, not {executor!r}")
        self.executor = executor
        self.celery = executor == "CeleryExecutor"
        self.dags_folder = Path(dags_folder).resolve()
        self.extra_env = {key: str(value) for key, value in (env or {}).items()}
        self.job_schedule = job_schedule
        self.parallelism = parallelism
        self.worker_concurrency = worker_concurrency
        self.with_triggerer = triggerer
        self.pools = {"warehouse_writer": 1} if pools is None else pools
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.keep = os.environ.get("AIRFLOW_STACK_KEEP") == "1" if keep is None else keep
        self.stack_id = uuid.uuid4().hex
        self.root: Path | None = None
        self.processes: list[_Process] = []
        self.env: dict[str, str] = {}
        self.api_url = ""
        self.postgres_port: int | None = None
        self.redis_port: int | None = None
        self.leftovers: list[str] = []
        self._client: httpx.Client | None = None
        self.startup_seconds: float | None = None
        self._launched = 0.0
        # Every process started, and every descendant seen, as psutil handles: is_running() also checks the start
        # time, so a pid the system has since given to someone else's process is never mistaken for ours.
        self._seen: dict[int, psutil.Process] = {}

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> AirflowStack:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def airflow_home(self) -> Path:
        return self.root / "airflow"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def task_logs_dir(self) -> Path:
        return self.airflow_home / "logs"

    def log_of(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def start(self) -> AirflowStack:
        """launch() then wait_ready(): the stack, every component healthy."""
        return self.launch().wait_ready()

    def launch(self) -> AirflowStack:
        """Start Postgres (and Redis), migrate the metadata database and start every component, without waiting for
        the components to be healthy: to start several stacks at once, launch each, then wait_ready() each."""
        self._launched = time.monotonic()
        local_services.postgres_bin()  # fail before creating anything when the Debian packages are missing
        if self.celery:
            local_services.redis_server()
        self.root = Path(tempfile.mkdtemp(prefix="airflow-stack-"))
        # The postgres OS user must reach its data folder inside (it refuses to run as root).
        self.root.chmod(0o711)
        self.logs_dir.mkdir()
        self.airflow_home.mkdir()
        try:
            self._start_postgres()
            if self.celery:
                self._start_redis()
            self.env = self._airflow_env()
            self.cli("db", "migrate", timeout=self.startup_timeout)
            api_port = int(self.env["AIRFLOW__API__PORT"])
            self._spawn("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(api_port)])
            self._spawn("scheduler", ["scheduler", "--skip-serve-logs"])
            self._spawn("dag-processor", ["dag-processor"])
            if self.with_triggerer:
                self._spawn("triggerer", ["triggerer", "--skip-serve-logs"])
            if self.celery:
                self._spawn(
                    "celery-worker",
                    [
                        "celery",
                        "worker",
                        "--skip-serve-logs",
                        "--concurrency",
                        str(self.worker_concurrency),
                        "--celery-hostname",
                        f"stack-{self.stack_id[:8]}@%h",
                        "--without-mingle",
                        "--without-gossip",
                    ],
                )
        except BaseException:
            self.stop(check=False)
            raise
        return self

    def wait_ready(self) -> AirflowStack:
        """Wait (up to startup_timeout from launch()) until every component is healthy, then create the pools (the
        DAGs are paused until a test unpauses them, so nothing runs before): the stack. Stops it on failure."""
        try:
            self._wait_healthy(self._launched)
            for pool, slots in self.pools.items():
                self.set_pool(pool, slots)
        except BaseException:
            self.stop(check=False)
            raise
        self.startup_seconds = time.monotonic() - self._launched
        return self

    def stop(self, check: bool = True) -> None:
        """SIGTERM each process group (newest first), SIGKILL what is left after the timeout, then Postgres and
        Redis; raise if any process the stack started is still alive (after killing it)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        airflow = [process for process in self.processes if process.name not in ("postgres", "redis")]
        services = [process for process in self.processes if process.name in ("postgres", "redis")]
        self._stop_group(list(reversed(airflow)))
        self._stop_group(services)
        self.leftovers = self._kill_leftovers()
        self.processes = []
        if self.root is not None and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        if check and self.leftovers:
            raise StackError(f"processes of the Airflow stack outlived stop() and were killed: {self.leftovers}")

    def _stop_group(self, processes: list[_Process]) -> None:
        for process in processes:
            self._remember_descendants(process)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.popen.pid, process.stop_signal)
        deadline = time.monotonic() + self.stop_timeout
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in processes:
            # The leader may be gone while members of its group (task processes, pool workers) are not.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=5)

    def _remember_descendants(self, process: _Process) -> None:
        with contextlib.suppress(psutil.Error):
            self._seen.update({child.pid: child for child in self._seen[process.popen.pid].children(recursive=True)})

    def _kill_leftovers(self) -> list[str]:
        """Processes of this stack still alive after the group kills (seen as ours, or carrying this stack's id in
        their environment): kill them; their descriptions."""
        time.sleep(0.2)
        left = {pid: proc for pid, proc in self._seen.items() if proc.is_running()}
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if proc.pid not in left and proc.environ().get(MARKER) == self.stack_id:
                    left[proc.pid] = proc
        names = []
        for proc in left.values():
            with contextlib.suppress(psutil.Error):
                names.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
                proc.kill()
        psutil.wait_procs(list(left.values()), timeout=5)
        return names

    def alive_processes(self) -> list[str]:
        """Names of the started processes still running (for tests of the stop logic)."""
        return [process.name for process in self.processes if process.alive]

    # ------------------------------------------------------------------ processes

    def _spawn(
        self,
        name: str,
        airflow_args: list[str] | None = None,
        *,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> _Process:
        log = self.log_of(name)
        args = command or [str(BIN / "airflow"), *airflow_args]
        with open(log, "ab") as out:
            popen = subprocess.Popen(
                args,
                env=env or self.env,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: signalled as a whole on stop
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        process = _Process(name, popen, log, stop_signal)
        self.processes.append(process)
        with contextlib.suppress(psutil.Error):
            self._seen[popen.pid] = psutil.Process(popen.pid)
        return process

    def _base_env(self) -> dict[str, str]:
        """This process's environment without any Airflow or pipeline setting, plus the stack marker."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AIRFLOW", "OUTCOMES_", "PYTEST_")) and key != "PYTHONPATH"
        }
        env[MARKER] = self.stack_id
        return env

    def _start_postgres(self) -> None:
        """The metadata database (and, with Celery, the result backend): database `airflow` on a new cluster."""
        data = local_services.init_postgres(self.root / "postgres", self._base_env(), self.log_of("initdb"))
        self.postgres_port = free_port()
        self._spawn(
            "postgres",
            command=local_services.postgres_command(data, self.postgres_port),
            env=self._base_env(),
            stop_signal=signal.SIGINT,  # fast shutdown
        )
        local_services.wait_for_postgres(
            self.postgres_port, "airflow", lambda: self._check_alive(["postgres"]), self.log_of("postgres")
        )

    def _start_redis(self) -> None:
        self.redis_port = free_port()
        self._spawn(
            "redis", command=local_services.redis_command(self.redis_port, self.root / "redis"), env=self._base_env()
        )
        local_services.wait_for_redis(self.redis_port, lambda: self._check_alive(["redis"]), self.log_of("redis"))

    @property
    def postgres_dsn(self) -> str:
        return local_services.postgres_url(self.postgres_port, "airflow", driver="postgresql")

    def _airflow_env(self) -> dict[str, str]:
        api_port = free_port()
        self.api_url = f"http://127.0.0.1:{api_port}"
        secret = secrets.token_urlsafe(64)  # PyJWT warns below 64 bytes for HS512
        database = local_services.postgres_url(self.postgres_port, "airflow")
        settings = {
            "AIRFLOW_HOME": self.airflow_home,
            "AIRFLOW__CORE__DAGS_FOLDER": self.dags_folder,
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__PARALLELISM": self.parallelism,
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": self.parallelism,
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": 180,  # the transform DAG file builds ~100 cosmos tasks: slow
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__FERNET_KEY": _fernet_key(),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
            # Airflow 3 also builds an async engine at import, deriving postgresql+asyncpg from the URL above, and
            # asyncpg is not installed: every command dies with "No module named 'asyncpg'". Empty disables it; only
            # GET /dags/{dag_id}/dagRuns/{run_id}/wait (and multi-team) need it, this helper polls instead.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": "",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": api_port,
            "AIRFLOW__API__BASE_URL": self.api_url,
            "AIRFLOW__API__WORKERS": 1,
            "AIRFLOW__API__SECRET_KEY": secret,
            "AIRFLOW__API_AUTH__JWT_SECRET": secret,
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(self.job_schedule),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": free_port(),
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": 1,
            "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": 240,
            # Log servers are not started (--skip-serve-logs; tasks log to files in AIRFLOW_HOME/logs), but keep
            # their ports off the fixed defaults (8793, 8794) that parallel stacks would share.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": free_port(),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": free_port(),
            # No usage pings from inside tests (cosmos sends one per task to an outside host), and cosmos's cache
            # (partial parse, profiles) inside this stack rather than the machine-wide /tmp/cosmos.
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__COSMOS__CACHE_DIR": self.root / "cosmos",
            "DO_NOT_TRACK": "1",
            "SCARF_NO_ANALYTICS": "true",
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "PYTHONPATH": PROJECT_ROOT,
        }
        if self.celery:
            settings |= {
                "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+"
                + local_services.postgres_url(self.postgres_port, "airflow", driver="postgresql"),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": self.worker_concurrency,
                "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": 1,
                "AIRFLOW__CELERY__SYNC_PARALLELISM": 1,
                "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": 21600,
            }
        env = self._base_env()
        env.update({key: str(value) for key, value in settings.items()})
        env.update(self.extra_env)
        return env

    def _check_alive(self, names: Iterable[str] | None = None) -> None:
        for process in self.processes:
            if (names is None or process.name in names) and not process.alive:
                raise StackError(
                    f"{process.name} exited with code {process.popen.returncode}; last lines of {process.log}:\n"
                    f"{tail(process.log, 60)}"
                )

    def _wait_healthy(self, started: float) -> None:
        deadline = started + self.startup_timeout
        components = ["scheduler", "dag_processor"] + (["triggerer"] if self.with_triggerer else [])
        health: dict = {}
        while time.monotonic() < deadline:
            self._check_alive()
            with contextlib.suppress(httpx.HTTPError, ValueError):
                health = httpx.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
                healthy = health.get("metadatabase", {}).get("status") == "healthy" and all(
                    (health.get(name) or {}).get("status") == "healthy" for name in components
                )
                if healthy and (not self.celery or self._celery_worker_ready()):
                    return
            time.sleep(1)
        unhealthy = [name for name in components if (health.get(name) or {}).get("status") != "healthy"]
        if not health:
            unhealthy = ["api-server"]
        elif self.celery and not self._celery_worker_ready():
            unhealthy.append("celery-worker")
        logs = "\n".join(
            f"--- {name} ({self.log_of(name)}):\n{tail(self.log_of(name), 30)}"
            for name in [name.replace("_", "-") for name in unhealthy]
        )
        raise StackError(
            f"Airflow stack not healthy after {self.startup_timeout:.0f} s; unhealthy: {unhealthy}; health: {health}\n"
            f"{logs}"
        )

    def _celery_worker_ready(self) -> bool:
        """Celery prints `<hostname> ready.` once the worker consumes from the broker."""
        log = self.log_of("celery-worker")
        return log.exists() and " ready." in log.read_text(errors="replace")

    # ------------------------------------------------------------------ CLI and REST API

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Run `airflow <args>` against this stack; its output, or StackError with the output on failure."""
        name = "cli-" + "-".join(arg for arg in args[:2] if not arg.startswith("-"))
        result = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        with open(self.log_of(name), "a") as log:
            log.write(f"$ airflow {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if result.returncode:
            output = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise StackError(f"airflow {' '.join(args)} failed ({result.returncode}):\n{output}")
        return result.stdout

    @property
    def client(self) -> httpx.Client:
        """An API client with a JWT from GET /auth/token (SimpleAuthManager with simple_auth_manager_all_admins)."""
        if self._client is None:
            token = httpx.get(f"{self.api_url}/auth/token", timeout=30)
            token.raise_for_status()
            self._client = httpx.Client(
                base_url=f"{self.api_url}/api/v2",
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                timeout=60,
            )
        return self._client

    def api(self, method: str, path: str, *, ok: Iterable[int] = (200, 201, 204), **kwargs) -> Any:
        """One REST API v2 call; the decoded JSON, or StackError with the answer."""
        response = self.client.request(method, path, **kwargs)
        if response.status_code not in set(ok):
            raise StackError(f"{method} /api/v2{path} -> {response.status_code}: {response.text[:2000]}")
        return response.json() if response.content else None

    def _paged(self, path: str, key: str, **params) -> list[dict]:
        items: list[dict] = []
        while True:
            page = self.api("GET", path, params={**params, "limit": 100, "offset": len(items)})
            items.extend(page[key])
            if not page[key] or len(items) >= page.get("total_entries", 0):
                return items

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> dict:
        """Wait until the dag-processor has parsed and serialized `dag_id`; raise with import errors on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            response = self.client.get(f"/dags/{dag_id}")
            if response.status_code == 200:
                return response.json()
            time.sleep(1)
        errors = self._paged("/importErrors", "import_errors")
        rendered = "\n".join(f"{error['filename']}:\n{error['stack_trace'][-1500:]}" for error in errors)
        raise StackError(
            f"DAG {dag_id} not parsed after {timeout:.0f} s; import errors: {rendered or 'none'}\n"
            f"dag-processor log:\n{tail(self.log_of('dag-processor'), 30)}"
        )

    def dags(self) -> list[dict]:
        """Every DAG the dag-processor has parsed (GET /dags)."""
        return self._paged("/dags", "dags")

    def set_pool(self, name: str, slots: int) -> None:
        """Create the pool, or give an existing one (default_pool) `slots` slots."""
        body = {"name": name, "slots": slots, "description": f"{name} (set up by the test stack)"}
        if self.client.get(f"/pools/{name}").status_code == 200:
            self.api("PATCH", f"/pools/{name}", json=body)
        else:
            self.api("POST", "/pools", json=body)

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def pause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": True})

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date: date | datetime | str | None = None) -> str:
        """A manual run (POST /dags/{dag_id}/dagRuns); its run_id. logical_date None makes a run without one."""
        body = {"logical_date": _iso(logical_date), "conf": conf or {}}
        return self.api("POST", f"/dags/{dag_id}/dagRuns", json=body)["dag_run_id"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return _run_dict(self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}"))

    def runs(self, dag_id: str) -> list[dict]:
        """Every run of `dag_id`, oldest first: run_id, run_type, state, logical_date, data_interval_start/end..."""
        runs = [_run_dict(run) for run in self._paged(f"/dags/{dag_id}/dagRuns", "dag_runs", order_by="run_after")]
        return sorted(runs, key=lambda run: (run["logical_date"] or "", run["run_after"] or ""))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        """The task instances of a run as the REST API gives them (hostname, executor, queue, pid, try_number...)."""
        return self._paged(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", "task_instances")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        return {ti["task_id"]: ti["state"] for ti in self.task_instances(dag_id, run_id) if ti["map_index"] < 0}

    def task_log(self, dag_id: str, run_id: str, task_id: str, lines: int = 30) -> str:
        """The end of a task's latest attempt log, read from AIRFLOW_HOME/logs (every component shares it here)."""
        folder = self.task_logs_dir / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        attempts = sorted(glob.glob(f"{glob.escape(str(folder))}/**/attempt=*.log", recursive=True))
        if not attempts:
            return f"(no log under {folder})"
        text = Path(attempts[-1]).read_text(errors="replace").splitlines()
        return "\n".join(_readable_task_log_line(line) for line in text[-lines:])

    def describe_run(self, dag_id: str, run_id: str) -> str:
        """Task states and the log tails of failed tasks, for assertion messages."""
        try:
            states = self.task_states(dag_id, run_id)
        except (StackError, httpx.HTTPError) as error:
            return f"(task states unavailable: {error})"
        text = f"task states of {dag_id} {run_id}: {json.dumps(states, indent=1, sort_keys=True)}"
        for task_id, state in sorted(states.items()):
            if state in ("failed", "up_for_retry"):
                text += f"\n--- log of failed task {task_id}:\n{self.task_log(dag_id, run_id, task_id)}"
        return text

    def component_logs(self, lines: int = 25) -> str:
        names = ["scheduler"] + (["celery-worker"] if self.celery else [])
        return "\n".join(f"--- {name} log:\n{tail(self.log_of(name), lines)}" for name in names)

    def wait_for_run(
        self, dag_id: str, run_id: str, timeout: float = 300, expect: str | None = "success", poll: float = 2
    ) -> str:
        """Wait for the run to finish; its state. Raise with task states and failed tasks' log tails if it does not
        finish in time, or (unless expect is None) ends in another state than `expect`."""
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            self._check_alive()
            state = self.run(dag_id, run_id)["state"]
            if state in TERMINAL_RUN_STATES:
                break
            time.sleep(poll)
        else:
            raise StackError(
                f"run {dag_id} {run_id} still {state} after {timeout:.0f} s\n"
                f"{self.describe_run(dag_id, run_id)}\n{self.component_logs()}"
            )
        if expect is not None and state != expect:
            raise StackError(f"run {dag_id} {run_id} ended {state}, not {expect}\n{self.describe_run(dag_id, run_id)}")
        return state

    def wait_for_runs(
        self,
        dag_id: str,
        count: int | None = None,
        *,
        predicate: Callable[[list[dict]], bool] | None = None,
        run_type: str | None = None,
        timeout: float = 600,
        poll: float = 3,
    ) -> list[dict]:
        """Wait until `dag_id` has at least `count` finished runs (of `run_type`, e.g. "backfill" or "scheduled",
        if given) and none of them still queued or running, or until `predicate(runs)` is true; the runs."""
        if (count is None) == (predicate is None):
            raise ValueError("give either count or predicate")

        def selected() -> list[dict]:
            return [run for run in self.runs(dag_id) if run_type is None or run["run_type"] == run_type]

        def done(runs: list[dict]) -> bool:
            if predicate is not None:
                return bool(predicate(runs))
            return len(runs) >= count and all(run["state"] in TERMINAL_RUN_STATES for run in runs)

        deadline = time.monotonic() + timeout
        runs: list[dict] = []
        while time.monotonic() < deadline:
            self._check_alive()
            runs = selected()
            if done(runs):
                return runs
            time.sleep(poll)
        failed = [run for run in runs if run["state"] == "failed"]
        details = "\n".join(self.describe_run(dag_id, run["run_id"]) for run in failed[:3])
        listing = "\n".join(f"  {run['run_id']} {run['run_type']} {run['state']}" for run in runs)
        raise StackError(
            f"runs of {dag_id} not done after {timeout:.0f} s:\n{listing or '  (none)'}\n{details}\n"
            f"{self.component_logs()}"
        )

    def backfill(
        self,
        dag_id: str,
        from_date: date | datetime | str,
        to_date: date | datetime | str,
        reprocess_behavior: str = "none",
        max_active_runs: int = 1,
        run_backwards: bool = False,
        dag_run_conf: dict | None = None,
    ) -> dict:
        """Create a backfill (POST /backfills); the scheduler then runs it. Its runs count against the backfill's
        own max_active_runs, not the DAG's: they can run beside a manual or scheduled run of the same DAG.
        reprocess_behavior: none, failed or completed. The DAG must be unpaused for the runs to start."""
        body = {
            "dag_id": dag_id,
            "from_date": _iso(from_date),
            "to_date": _iso(to_date),
            "reprocess_behavior": reprocess_behavior,
            "max_active_runs": max_active_runs,
            "run_backwards": run_backwards,
            "dag_run_conf": dag_run_conf or {},
        }
        return self.api("POST", "/backfills", ok=(200, 201), json=body)

    # ------------------------------------------------------------------ Celery evidence

    def celery_task_results(self, settled_within: float = 0) -> list[tuple[str, str]]:
        """(Celery task id, status) of every Celery task in the result backend (table celery_taskmeta).

        `settled_within`: wait up to that many seconds for every task to leave STARTED or PENDING. The worker
        stores a task's SUCCESS only after the task process has exited, which can be a moment after Airflow
        already shows the task instance (and its run) successful."""
        deadline = time.monotonic() + settled_within
        while True:
            results = self._celery_task_results()
            unsettled = [status for _, status in results if status in ("STARTED", "PENDING")]
            if not unsettled or time.monotonic() >= deadline:
                return results
            time.sleep(1)

    def _celery_task_results(self) -> list[tuple[str, str]]:
        if not self.celery:
            return []
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.postgres_dsn)) as connection, connection.cursor() as cursor:
            cursor.execute("select to_regclass('celery_taskmeta')")
            if cursor.fetchone()[0] is None:
                return []
            cursor.execute("select task_id, status from celery_taskmeta order by date_done")
            return [(task_id, status) for task_id, status in cursor.fetchall()]


def _run_dict(run: dict) -> dict:
    keys = ("run_type", "state", "logical_date", "data_interval_start", "data_interval_end", "run_after")
    return {"run_id": run["dag_run_id"], **{key: run.get(key) for key in keys}, "conf": run.get("conf")}


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()
